from django.urls import path

from committee import views

app_name = "committee"

urlpatterns = [
    path("cycles/<slug:slug>/committee/", views.CommitteePublicView.as_view(), name="public"),
    path(
        "cycles/<slug:slug>/committee/<str:name>.csv",
        views.DrawFileView.as_view(),
        name="draw-file",
    ),
    path("cycles/<slug:slug>/committee/apply/", views.ApplyView.as_view(), name="apply"),
    path("committee/meetings/<int:pk>/", views.MeetingView.as_view(), name="meeting"),
    path("school/courses/<int:pk>/", views.CourseView.as_view(), name="course"),
    path("school/courses/<int:pk>/enrol/", views.EnrolView.as_view(), name="enrol"),
    path("school/sessions/<int:pk>/studied/", views.StudiedView.as_view(), name="studied"),
    path("school/certificates/<str:code>/", views.CertificateView.as_view(), name="certificate"),
    # members (under /council/: MFA)
    path(
        "council/cycles/<slug:slug>/interests/",
        views.InterestsView.as_view(),
        name="interests",
    ),
    # staff (under /staff/: MFA)
    path(
        "staff/cycles/<slug:slug>/committee/",
        views.StaffConsoleView.as_view(),
        name="staff-console",
    ),
    path(
        "staff/cycles/<slug:slug>/committee/meetings/new/",
        views.StaffMeetingView.as_view(),
        name="staff-meeting-new",
    ),
    path(
        "staff/cycles/<slug:slug>/committee/meetings/<int:pk>/",
        views.StaffMeetingView.as_view(),
        name="staff-meeting",
    ),
    path(
        "staff/cycles/<slug:slug>/committee/school/",
        views.StaffSchoolView.as_view(),
        name="staff-school",
    ),
    path(
        "staff/school/sessions/<int:pk>/attendance/",
        views.StaffAttendanceView.as_view(),
        name="staff-attendance",
    ),
]
