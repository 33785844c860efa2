from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include
from django.urls import path
from django.utils.translation import gettext_lazy as _

from budgeting.views import HomeView
from config.api import api
from opendata.views import ApiDocsView

# The admin logs in through allauth (rate limits, MFA), never through its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way
admin.site.site_header = _("Chamyeo budget office")
admin.site.site_title = _("Chamyeo")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    # open data: the documentation page and the read-only API (OpenAPI at /api/v1/openapi.json)
    path("api/", ApiDocsView.as_view(), name="api-docs"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("budgeting.urls")),
    path("", include("voting.urls")),
    path("", include("results.urls")),
    path("", include("implementation.urls")),
    path("", include("proposals.urls")),
    path("", include("committee.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
