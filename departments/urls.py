from django.urls import path

from departments import views

app_name = "departments"

urlpatterns = [
    # public: the deliberation forum
    path("forums/<int:pk>/", views.ForumView.as_view(), name="forum"),
    # officials and the budget office (under /staff/: second factor)
    path("staff/departments/", views.DeskView.as_view(), name="desk"),
    path("staff/departments/reviews/<int:pk>/", views.ReviewView.as_view(), name="review"),
    path("staff/departments/proposals/<int:pk>/route/", views.RouteView.as_view(), name="route"),
    path(
        "staff/departments/escalations/<int:pk>/answer/",
        views.AnswerView.as_view(),
        name="answer",
    ),
    path(
        "staff/departments/cycles/<slug:slug>/settings/",
        views.CycleSettingsView.as_view(),
        name="cycle-settings",
    ),
    path(
        "staff/departments/cycles/<slug:slug>/<str:kind>.<str:fmt>",
        views.ExportView.as_view(),
        name="export",
    ),
]
