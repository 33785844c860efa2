from django.urls import path

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
]
