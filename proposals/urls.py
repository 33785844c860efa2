from django.urls import path

from proposals import views
from proposals.review import views as review_views

app_name = "proposals"

urlpatterns = [
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
    # residents: browse, submit, discuss (views.py)
    path("proposals/", views.ProposalIndexView.as_view(), name="proposal-index"),
    path("proposals/mine/", views.MyProposalsView.as_view(), name="my-proposals"),
    path("cycles/<slug:slug>/proposals/", views.ProposalListView.as_view(), name="proposal-list"),
    path("cycles/<slug:slug>/proposals/map/", views.ProposalMapView.as_view(), name="proposal-map"),
    path(
        "cycles/<slug:slug>/proposals/similar/",
        views.SimilarProposalsView.as_view(),
        name="proposal-similar",
    ),
    path(
        "cycles/<slug:slug>/proposals/new/",
        views.ProposalCreateView.as_view(),
        name="proposal-create",
    ),
    path("proposals/<int:pk>/edit/", views.ProposalEditView.as_view(), name="proposal-edit"),
    path(
        "proposals/<int:pk>/withdraw/",
        views.ProposalWithdrawView.as_view(),
        name="proposal-withdraw",
    ),
    path("proposals/<int:pk>/endorse/", views.EndorseView.as_view(), name="proposal-endorse"),
    path("proposals/<int:pk>/comments/", views.CommentCreateView.as_view(), name="comment-create"),
    path("proposals/comments/<int:pk>/edit/", views.CommentEditView.as_view(), name="comment-edit"),
    path("proposals/<int:pk>/report/", views.ReportView.as_view(), name="proposal-report"),
    path("proposals/<int:pk>/co-authors/", views.CoAuthorsView.as_view(), name="co-authors"),
    path("proposals/invitations/", views.InvitationsView.as_view(), name="invitations"),
    path(
        "proposals/comments/<int:comment_pk>/report/",
        views.ReportView.as_view(),
        name="comment-report",
    ),
    # staff moderation; /staff/ needs MFA (accounts.middleware)
    path("staff/moderation/", views.ModerationQueueView.as_view(), name="moderation-queue"),
    path(
        "staff/moderation/proposals/<int:pk>/hide/",
        views.HideProposalView.as_view(),
        name="moderation-hide-proposal",
    ),
    path(
        "staff/moderation/comments/<int:pk>/hide/",
        views.HideCommentView.as_view(),
        name="moderation-hide-comment",
    ),
    path(
        "staff/moderation/reports/<int:pk>/dismiss/",
        views.DismissReportView.as_view(),
        name="moderation-dismiss-report",
    ),
    # council review (review_views.py); /council/ needs MFA (accounts.middleware)
    path("council/", review_views.CouncilHomeView.as_view(), name="council-home"),
    path(
        "council/cycles/<slug:slug>/",
        review_views.ReviewQueueView.as_view(),
        name="review-queue",
    ),
    path(
        "council/proposals/<int:pk>/",
        review_views.ReviewProposalView.as_view(),
        name="review-proposal",
    ),
    path(
        "council/proposals/<int:pk>/review/",
        review_views.FeasibilityReviewView.as_view(),
        name="review-feasibility",
    ),
    path(
        "council/proposals/<int:pk>/decide/",
        review_views.CouncilDecisionView.as_view(),
        name="review-decide",
    ),
    path(
        "council/proposals/<int:pk>/merge/",
        review_views.MergeProposalsView.as_view(),
        name="review-merge",
    ),
    path(
        "council/proposals/<int:pk>/score/",
        review_views.RubricScoreView.as_view(),
        name="review-score",
    ),
    path(
        "council/proposals/<int:pk>/recommend/",
        review_views.RecommendationView.as_view(),
        name="review-recommend",
    ),
    path(
        "council/proposals/<int:pk>/step-aside/",
        review_views.StepAsideView.as_view(),
        name="review-step-aside",
    ),
]
