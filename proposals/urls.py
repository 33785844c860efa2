from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("proposals/<int:pk>/", views.ProposalDetailView.as_view(), name="proposal-detail"),
]
