"""The open-data API (django-ninja): one OpenAPI 3 schema at ``/api/v1/openapi.json``.

The routers live in ``opendata/`` and are mounted here by their import path; CORS, language and
caching are handled for all of ``/api/v1/`` by ``opendata.common.OpenDataMiddleware``. The
explorer at ``/api/v1/docs`` is ninja's Swagger UI served from our own static files (no CDN),
and ``/api/`` is the documentation page with examples.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from opendata.common import DEFAULT_LIMIT
from opendata.common import MAX_LIMIT


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
api.add_router("", "opendata.api.router")
api.add_router("", "opendata.proposals_api.router")
