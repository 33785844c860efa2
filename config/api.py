"""The open-data API (django-ninja): one OpenAPI 3 schema at ``/api/v1/openapi.json``.

Routers live in their apps (``budgeting/api.py``, ``proposals/api.py``); CORS, language and
caching are handled for all of ``/api/v1/`` by ``core.api_common.OpenDataMiddleware``. The
explorer at ``/api/v1/docs`` is ninja's Swagger UI served from our own static files (no CDN),
and ``/api/`` is the documentation page with examples.
"""

from django.views.generic import TemplateView
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from core.api_common import DEFAULT_LIMIT
from core.api_common import MAX_LIMIT
from opendata.api import router as budgeting_router
from opendata.proposals_api import router as proposals_router


class OpenDataRenderer(JSONRenderer):
    """UTF-8 JSON with Hangul as it is, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Chamyeo open data",
    version="1",
    urls_namespace="api-v1",
    description=(
        "Read-only open data of the participatory budget: cycles, ballots and budgets, policy "
        "areas, proposals with the council's decisions and reasons, turnout, published results "
        "with their downloads, and the public audit trail. No personal data: no names, e-mail "
        "addresses or user ids, and nothing that links a person to a ballot. Lists are pages "
        f"of `limit` (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}) items from `offset`. "
        "Languages: `?lang=ko|en` or Accept-Language."
    ),
    openapi_url="/openapi.json",
    docs_url="/docs",
    renderer=OpenDataRenderer(),
)
api.add_router("", budgeting_router)
api.add_router("", proposals_router)


class ApiDocsView(TemplateView):
    """The human documentation of the API, with examples (Korean and English)."""

    template_name = "api_docs.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = self.request.build_absolute_uri("/api/v1")
        context.update(
            {
                "api_base": base,
                "schema_url": f"{base}/openapi.json",
                "explorer_url": f"{base}/docs",
                "default_limit": DEFAULT_LIMIT,
                "max_limit": MAX_LIMIT,
            }
        )
        return context
