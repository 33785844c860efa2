from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include
from django.urls import path
from django.urls import re_path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from budgeting.views import HomeView
from config.api import api
from config.health import health_view
from config.media import media_view
from config.metrics import metrics_view
from console.control_views import admin_login_for_superusers
from console.control_views import superusers_only
from opendata.views import ApiDocsView

# The admin logs in through allauth (rate limits, MFA), never through its own form; it is for
# superusers only: other staff are sent to the budget office's console.
admin.site.login = secure_admin_login(admin_login_for_superusers(admin.site.login))  # type: ignore[method-assign]  # allauth's documented way
admin.site.has_permission = superusers_only  # type: ignore[method-assign]
admin.site.site_header = _("Chamyeo budget office")
admin.site.site_title = _("Chamyeo")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # operations: readiness (anyone: up/down; operators: each check), metrics (operators only).
    # /health/live is answered by core.ops.LiveProbeMiddleware before anything else.
    path("health/", health_view, name="health"),
    path("metrics", metrics_view, name="metrics"),
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
    path("", include("privacy.urls")),
    path("", include("budgeting.urls")),
    path("", include("voting.urls")),
    path("", include("results.urls")),
    path("", include("implementation.urls")),
    path("", include("proposals.urls")),
    path("", include("committee.urls")),
    path("", include("departments.urls")),
    path("", include("channels.urls")),
    path("", include("assembly.urls")),
    path("", include("console.urls")),
]

# uploads and published downloads, on any storage backend, after a permission check (media.py)
urlpatterns.append(
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media_view, name="media")
)
