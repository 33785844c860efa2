"""Budget cycles: the public cycle page."""

from django.urls import path

from budgeting import views

app_name = "budgeting"

urlpatterns = [
    path("cycles/<slug:slug>/", views.CycleDetailView.as_view(), name="cycle-detail"),
    path(
        "cycles/<slug:slug>/audit-trail.json",
        views.AuditTrailDownloadView.as_view(),
        name="audit-trail",
    ),
]
