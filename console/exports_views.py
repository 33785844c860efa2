"""Officials' exports of a cycle (staff, MFA); personal data only after re-authentication."""

from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import render

import console.roles  # noqa: F401  (registers the console's permissions)
from console.checks_views import CycleStaffMixin
from console.exports import EXPORTS
from console.exports import FORMATS
from console.exports import export_cycle_table
from core.reauthentication import require_recent_login


class ExportsView(CycleStaffMixin):
    permission_required = "console.export_data"

    def get(self, request, *args, **kwargs):
        context = {"cycle": self.cycle, "exports": EXPORTS.values(), "formats": FORMATS}
        return render(request, "console/exports/exports.html", context)


class ExportDownloadView(CycleStaffMixin):
    permission_required = "console.export_data"

    def get(self, request, *args, kind, fmt, **kwargs):
        export = EXPORTS.get(kind)
        if export is None or fmt not in FORMATS:
            raise Http404
        if export.personal:
            require_recent_login(request)  # allauth asks for the password, then comes back
        content = export_cycle_table(cycle=self.cycle, kind=export, fmt=fmt, actor=request.user)
        response = HttpResponse(content, content_type=FORMATS[fmt])
        name = f"{self.cycle.slug}-{export.slug}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
