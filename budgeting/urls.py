from django.urls import path

from budgeting import implementation_views
from budgeting import results_views
from budgeting import views
from budgeting import voting_views

app_name = "budgeting"

urlpatterns = [
    path("cycles/<slug:slug>/", views.CycleDetailView.as_view(), name="cycle-detail"),
    # voting (issue 4)
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/",
        voting_views.BallotFormView.as_view(),
        name="ballot-form",
    ),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/submit/",
        voting_views.BallotSubmitView.as_view(),
        name="ballot-submit",
    ),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/receipt/",
        voting_views.BallotReceiptView.as_view(),
        name="ballot-receipt",
    ),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/withdraw/",
        voting_views.BallotWithdrawView.as_view(),
        name="ballot-withdraw",
    ),
    path(
        "staff/cycles/<slug:slug>/paper-ballots/",
        voting_views.PaperBallotIndexView.as_view(),
        name="staff-paper-ballots",
    ),
    path(
        "staff/cycles/<slug:slug>/paper-ballots/<int:scope_pk>/",
        voting_views.PaperBallotView.as_view(),
        name="staff-paper-ballot",
    ),
    # counting and publication (issue 5)
    path(
        "cycles/<slug:slug>/results/",
        results_views.CycleResultsView.as_view(),
        name="results-cycle",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/",
        results_views.ScopeResultsView.as_view(),
        name="results-scope",
    ),
    path(
        "cycles/<slug:slug>/results/<int:scope_pk>/download/<str:kind>/",
        results_views.ResultsDownloadView.as_view(),
        name="results-download",
    ),
    path(
        "staff/cycles/<slug:slug>/tally/",
        results_views.StaffTallyView.as_view(),
        name="staff-tally",
    ),
    # implementation tracking (issue 6)
    path(
        "cycles/<slug:slug>/accountability/",
        implementation_views.AccountabilityView.as_view(),
        name="accountability",
    ),
    path(
        "projects/<int:pk>/follow/",
        implementation_views.ProjectFollowView.as_view(),
        name="project-follow",
    ),
    path(
        "staff/cycles/<slug:slug>/implementation/",
        implementation_views.StaffImplementationView.as_view(),
        name="staff-implementation",
    ),
    path(
        "staff/projects/<int:pk>/implementation/update/",
        implementation_views.StaffImplementationUpdateView.as_view(),
        name="staff-implementation-update",
    ),
    path(
        "staff/projects/<int:pk>/implementation/cut/",
        implementation_views.StaffBudgetCutView.as_view(),
        name="staff-budget-cut",
    ),
]
