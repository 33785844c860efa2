"""Pieces every open-data router shares: pagination, the language parameter, error bodies, and
the middleware that makes ``/api/v1/`` readable from any web page (CORS), in the asked language,
and cached for a short while.

The API is anonymous and read-only: no response depends on who asks, so a response can be
cached by its URL and language alone and served to anyone.
"""

import hashlib
from typing import Any
from typing import Literal
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import Field
from ninja import Schema
from ninja.pagination import PaginationBase

# The JSON API; the documentation page at /api/ is an ordinary page (site language, no CORS).
API_PREFIX = "/api/v1/"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
# The largest id a primary key can have (PostgreSQL bigint): larger ones are refused with 422.
MAX_ID = 2**63 - 1
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"

Language = Literal["ko", "en"]
LANGUAGE_CODES: tuple[str, ...] = ("ko", "en")


# --- request parameters and error bodies ----------------------------------------------------------
class Localised(Schema):
    """The ``lang`` query parameter every operation takes (``Accept-Language`` otherwise)."""

    lang: Language | None = Field(
        None,
        description="Language of translated names and labels: ko (default) or en. "
        "Without it the Accept-Language header decides.",
    )


class ErrorOut(Schema):
    detail: str = Field(..., description="Why the request could not be answered.")


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]] = Field(
        ..., description="One entry per refused parameter: where (loc), what (msg), type."
    )


NOT_FOUND = {404: ErrorOut, 422: ValidationErrorOut}


# --- pagination -----------------------------------------------------------------------------------
class OpenDataPagination(PaginationBase):
    """``limit`` / ``offset`` with a bounded page size; the page links to its neighbours."""

    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT})."
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    class Output(Schema):
        count: int = Field(..., description="Items matching the filters, on all pages.")
        limit: int
        offset: int
        next: str | None = Field(..., description="URL of the next page, if any.")
        previous: str | None = Field(..., description="URL of the previous page, if any.")
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        limit, offset = pagination.limit, pagination.offset
        count = self._items_count(queryset)
        return {
            "count": count,
            "limit": limit,
            "offset": offset,
            "next": _page_url(request, offset + limit) if offset + limit < count else None,
            "previous": _page_url(request, max(0, offset - limit)) if offset > 0 else None,
            "items": queryset[offset : offset + limit],
        }


def _page_url(request: HttpRequest, offset: int) -> str:
    query = request.GET.copy()
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), True)}")


# --- language, CORS and cache ---------------------------------------------------------------------
def api_language(request: HttpRequest) -> str:
    """``?lang=ko|en``, else the best of ``Accept-Language``, else Korean.

    The site's language cookie is ignored, so a response depends on its URL and one header.
    """
    lang = request.GET.get("lang", "")
    if lang in LANGUAGE_CODES:
        return lang
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _cache_key(request: HttpRequest, language: str) -> str:
    digest = hashlib.sha256(f"{language} {request.build_absolute_uri()}".encode()).hexdigest()
    return f"chamyeo:api:{digest}"


def _allow_any_origin(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    return response


class OpenDataMiddleware:
    """For ``/api/v1/``: answers CORS pre-flights, lets any origin read GET responses (never with
    credentials), activates the asked language, and caches successful JSON answers for
    ``CHAMYEO_API_CACHE_SECONDS`` keyed by the full URL and the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
            response["Access-Control-Max-Age"] = "86400"
            return _allow_any_origin(response)
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        language = api_language(request)
        with translation.override(language):
            response = self._cached_response(request, language)
        response["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language",))
        return _allow_any_origin(response)

    def _cached_response(self, request: HttpRequest, language: str) -> HttpResponse:
        timeout = settings.CHAMYEO_API_CACHE_SECONDS
        key = _cache_key(request, language)
        hit = cache.get(key) if timeout else None
        if hit is not None:
            status, headers, content = hit
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        cacheable = (
            timeout
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("application/json")
            and not response.cookies
            and not getattr(response, "streaming", False)
        )
        if cacheable:
            patch_cache_control(response, public=True, max_age=timeout)
            headers = [(k, v) for k, v in response.items() if k.lower() != "set-cookie"]
            cache.set(key, (response.status_code, headers, response.content), timeout)
        return response
