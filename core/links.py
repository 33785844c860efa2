"""Absolute links for e-mails and the open-data API."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.http import HttpRequest


def absolute_url(path: str, *, request: HttpRequest | None = None) -> str:
    """``path`` as a full URL: from the request when there is one, else from the current Site
    (https unless DEBUG, as e-mails sent by a worker have no request)."""
    if request is not None:
        return request.build_absolute_uri(path)
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}{path}"
