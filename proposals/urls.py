from django.urls import path

from proposals import review_views
from proposals import views

app_name = "proposals"

urlpatterns = [
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
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
]
