from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from budgeting.views import HomeView
from config.api import api
from opendata.views import ApiDocsView

# The admin logs in through allauth (rate limits, MFA), never through its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]  # allauth's documented way
admin.site.site_header = _("Chamyeo budget office")
admin.site.site_title = _("Chamyeo")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # The language switch is on every page. Without a CSRF token in it, a public page sets no
    # cookie and nginx may cache it for anonymous visitors (deploy/nginx/chamyeo.conf). A forged
    # request could only switch someone's language, and `next` is still checked.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
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
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
