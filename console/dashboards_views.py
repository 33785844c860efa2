"""Turnout dashboards (staff, MFA) and the population table's import."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import console.roles  # noqa: F401  (registers the console's permissions)
from console.checks_views import CycleStaffMixin
from console.dashboards import MAX_IMPORT_BYTES
from console.dashboards import PopulationImportError
from console.dashboards import import_population_csv
from console.dashboards import list_population
from console.dashboards import turnout_by_age_band
from console.dashboards import turnout_by_channel
from console.dashboards import turnout_by_district
from console.dashboards import turnout_by_pot


class DashboardView(CycleStaffMixin):
    permission_required = "console.view_dashboard"

    def get(self, request, *args, **kwargs):
        context = {
            "cycle": self.cycle,
            "now": timezone.now(),
            "tables": [
                {"id": "pots", "title": _("By pot"), "rows": turnout_by_pot(cycle=self.cycle)},
                {
                    "id": "districts",
                    "title": _("By district of residence"),
                    "rows": turnout_by_district(cycle=self.cycle),
                },
                {
                    "id": "ages",
                    "title": _("By age band"),
                    "rows": turnout_by_age_band(cycle=self.cycle),
                },
                {
                    "id": "channels",
                    "title": _("By channel"),
                    "rows": turnout_by_channel(cycle=self.cycle),
                    "no_population": True,
                },
            ],
            "has_population": list_population().exists(),
        }
        return render(request, "console/dashboards/dashboard.html", context)


class PopulationForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Population file (CSV)"),
        help_text=gettext_lazy(
            "The city's open data: columns 자치구 (district), 연령대 (age band: under-19, 19-39, "
            "40-59, 60+) and 인구수 (population); UTF-8 or CP949. It replaces the whole table."
        ),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv"}),
    )


class PopulationView(CycleStaffMixin):
    permission_required = "console.import_population"

    def render_page(self, form, *, errors=(), status=200):
        context = {
            "cycle": self.cycle,
            "form": form,
            "errors": list(errors),
            "rows": list_population(),
        }
        return render(self.request, "console/dashboards/population.html", context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(PopulationForm())

    def post(self, request, *args, **kwargs):
        form = PopulationForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form, status=400)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 1 MB."))
            return self.render_page(form, status=400)
        try:
            count = import_population_csv(
                data=upload.read(), source=upload.name, actor=request.user, cycle=self.cycle
            )
        except PopulationImportError as error:
            form.add_error(None, error.message)
            return self.render_page(form, errors=error.errors, status=400)
        messages.success(request, _("%(count)s rows of population imported.") % {"count": count})
        return redirect("console:population", slug=self.cycle.slug)
