"""Voting with a code, an account's phone number, staff's code batches, officers' kiosk and
walk-in paper ballots (staff pages under /staff/, which require a second factor)."""

from django.urls import path

from channels import paper_views
from channels import phone_views
from channels import views

app_name = "channels"

urlpatterns = [
    path("vote/code/", views.CodeStartView.as_view(), name="code-start"),
    path("vote/code/phone/", views.CodePhoneView.as_view(), name="code-phone"),
    path("vote/code/ballots/", views.CodeBallotListView.as_view(), name="code-ballots"),
    path("vote/code/ballots/<int:scope_pk>/", views.CodeBallotView.as_view(), name="code-ballot"),
    path(
        "vote/code/ballots/<int:scope_pk>/receipt/",
        views.CodeReceiptView.as_view(),
        name="code-receipt",
    ),
    path("vote/code/finish/", views.CodeFinishView.as_view(), name="code-finish"),
    path("account/phone/", views.AccountPhoneView.as_view(), name="account-phone"),
    # voting by phone alone (channels/phone_views.py)
    path("vote/phone/<slug:slug>/", phone_views.PhoneVoteStartView.as_view(), name="phone-vote"),
    path(
        "vote/phone/<slug:slug>/about-you/",
        phone_views.PhoneVoteAboutView.as_view(),
        name="phone-vote-about",
    ),
    path(
        "vote/phone/<slug:slug>/ballots/",
        phone_views.PhoneVoteBallotListView.as_view(),
        name="phone-vote-ballots",
    ),
    path(
        "vote/phone/<slug:slug>/ballots/<int:scope_pk>/",
        phone_views.PhoneVoteBallotView.as_view(),
        name="phone-vote-ballot",
    ),
    path(
        "vote/phone/<slug:slug>/finish/",
        phone_views.PhoneVoteFinishView.as_view(),
        name="phone-vote-finish",
    ),
    path(
        "staff/cycles/<slug:slug>/voting-codes/",
        views.CodeBatchListView.as_view(),
        name="staff-code-batches",
    ),
    path(
        "staff/voting-codes/<int:pk>/sheet/",
        views.CodeBatchPrintView.as_view(),
        name="staff-code-sheet",
    ),
    path(
        "staff/voting-codes/<int:pk>/revoke/",
        views.CodeBatchRevokeView.as_view(),
        name="staff-code-revoke",
    ),
    path(
        "staff/offices/<int:office_pk>/kiosk/<slug:slug>/",
        views.KioskView.as_view(),
        name="kiosk",
    ),
    path(
        "staff/offices/<int:office_pk>/kiosk/<slug:slug>/finish/",
        views.KioskFinishView.as_view(),
        name="kiosk-finish",
    ),
    path(
        "staff/offices/<int:office_pk>/kiosk/<slug:slug>/phone/",
        phone_views.KioskPhoneView.as_view(),
        name="kiosk-phone",
    ),
    path(
        "staff/offices/<int:office_pk>/paper/<slug:slug>/<int:scope_pk>/",
        views.WalkInPaperView.as_view(),
        name="walk-in-paper",
    ),
    path(
        "staff/offices/<int:office_pk>/paper/<slug:slug>/<int:scope_pk>/sheet/",
        paper_views.PaperSheetView.as_view(),
        name="paper-sheet",
    ),
    path(
        "staff/offices/<int:office_pk>/paper/<slug:slug>/<int:scope_pk>/correct/",
        paper_views.PaperCorrectionView.as_view(),
        name="paper-correct",
    ),
]
