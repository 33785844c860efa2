"""The general assembly (총회): a public page per assembly, the budget office's screens."""

from django.urls import path

from assembly import views

app_name = "assembly"

urlpatterns = [
    path(
        "cycles/<slug:slug>/assemblies/<int:pk>/",
        views.AssemblyDetailView.as_view(),
        name="detail",
    ),
    path(
        "staff/cycles/<slug:slug>/assemblies/",
        views.StaffAssembliesView.as_view(),
        name="staff-list",
    ),
    path("staff/assemblies/<int:pk>/", views.StaffAssemblyView.as_view(), name="staff-console"),
    path(
        "staff/assemblies/<int:pk>/vote/<int:attendance_pk>/",
        views.StaffVoteView.as_view(),
        name="staff-vote",
    ),
]
