from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/", views.DashboardView.as_view(), name="dashboard"),
    path("me/profile/", views.ProfileView.as_view(), name="profile"),
    path("staff/residents/", views.ResidentListView.as_view(), name="staff-residents"),
    path(
        "staff/residents/<int:pk>/verify/",
        views.VerifyResidentView.as_view(),
        name="staff-resident-verify",
    ),
    path(
        "staff/residents/verify-csv/",
        views.VerifyResidentsCsvView.as_view(),
        name="staff-residents-csv",
    ),
]
