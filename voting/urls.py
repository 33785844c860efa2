"""Ballots: the form, submission, receipt, withdrawal and paper ballots entered by staff."""

from django.urls import path

from voting import views

app_name = "voting"

urlpatterns = [
    path("cycles/<slug:slug>/ballot/", views.BallotPageView.as_view(), name="ballot-page"),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/",
        views.BallotFormView.as_view(),
        name="ballot-form",
    ),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/submit/",
        views.BallotSubmitView.as_view(),
        name="ballot-submit",
    ),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/receipt/",
        views.BallotReceiptView.as_view(),
        name="ballot-receipt",
    ),
    path(
        "cycles/<slug:slug>/ballots/<int:scope_pk>/withdraw/",
        views.BallotWithdrawView.as_view(),
        name="ballot-withdraw",
    ),
    path(
        "staff/cycles/<slug:slug>/paper-ballots/",
        views.PaperBallotIndexView.as_view(),
        name="staff-paper-ballots",
    ),
    path(
        "staff/cycles/<slug:slug>/paper-ballots/<int:scope_pk>/",
        views.PaperBallotView.as_view(),
        name="staff-paper-ballot",
    ),
]
