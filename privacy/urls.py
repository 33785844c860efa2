from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.PolicyView.as_view(), name="policy"),
    path("me/privacy/", views.MyDataView.as_view(), name="my-data"),
    path("me/privacy/download/", views.DownloadView.as_view(), name="download"),
    path("me/privacy/consents/", views.ConsentsView.as_view(), name="consents"),
    path("me/privacy/delete/", views.DeleteAccountView.as_view(), name="delete"),
]
