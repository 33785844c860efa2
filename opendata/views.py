"""The human documentation page of the open-data API (``/api/``)."""

from django.views.generic import TemplateView

from opendata.common import DEFAULT_LIMIT
from opendata.common import MAX_LIMIT


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
