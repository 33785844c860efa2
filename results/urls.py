"""Counting and results: published results, downloads and the staff count page."""

from django.urls import path

from results import views

app_name = "results"

urlpatterns = [
    path(
        "cycles/<slug:slug>/results/",
        views.CycleResultsView.as_view(),
        name="results-cycle",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/",
        views.ScopeResultsView.as_view(),
        name="results-scope",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/my-share/",
        views.MyShareView.as_view(),
        name="my-share",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/download/<str:kind>/",
        views.ResultsDownloadView.as_view(),
        name="results-download",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/sources.json",
        views.WeightedSourcesView.as_view(),
        name="weighted-sources",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/sources/<str:source>.pb",
        views.SourceBallotsView.as_view(),
        name="source-ballots",
    ),
    path("results/recompute_weighted.py", views.RecomputeScriptView.as_view(), name="recompute"),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/receipts/",
        views.ReceiptsView.as_view(),
        name="receipts",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/receipts.txt",
        views.ReceiptsDownloadView.as_view(),
        name="receipts-download",
    ),
    path(
        "staff/cycles/<slug:slug>/tally/",
        views.StaffTallyView.as_view(),
        name="staff-tally",
    ),
]
