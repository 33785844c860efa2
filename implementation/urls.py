"""Accountability: what happened to the money, follows and staff updates."""

from django.urls import path

from implementation import views

app_name = "implementation"

urlpatterns = [
    path(
        "cycles/<slug:slug>/accountability/",
        views.AccountabilityView.as_view(),
        name="accountability",
    ),
    path(
        "projects/<int:pk>/follow/",
        views.ProjectFollowView.as_view(),
        name="project-follow",
    ),
    path(
        "staff/cycles/<slug:slug>/implementation/",
        views.StaffImplementationView.as_view(),
        name="staff-implementation",
    ),
    path(
        "staff/projects/<int:pk>/implementation/update/",
        views.StaffImplementationUpdateView.as_view(),
        name="staff-implementation-update",
    ),
    path(
        "staff/projects/<int:pk>/implementation/cut/",
        views.StaffBudgetCutView.as_view(),
        name="staff-budget-cut",
    ),
]
