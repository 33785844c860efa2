"""The survey counts of a weighted cycle (the survey source), entered by the budget office pot by
pot; frozen, read-only with the reason, once counting has begun."""

from django.contrib import messages
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _

import console.roles  # noqa: F401  (registers the console's permissions)
from assembly.selectors import cycle_has_survey_source
from assembly.selectors import get_survey_freeze_reason
from assembly.selectors import list_survey_pots
from assembly.services import AssemblyError
from assembly.services import save_survey_counts
from console.checks_views import CycleStaffMixin
from console.survey_forms import SurveyCountsForm


class SurveyCountsView(CycleStaffMixin):
    permission_required = "console.enter_survey_counts"
    template_name = "console/survey/counts.html"

    def render_page(self, form: SurveyCountsForm | None = None, status: int = 200):
        pots = list_survey_pots(cycle=self.cycle)
        context = {
            "cycle": self.cycle,
            "has_survey": cycle_has_survey_source(cycle=self.cycle),
            "frozen_reason": get_survey_freeze_reason(cycle=self.cycle),
            "pots": pots,
            "form": form or SurveyCountsForm(pots=pots),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        form = SurveyCountsForm(request.POST, pots=list_survey_pots(cycle=self.cycle))
        if not form.is_valid():
            return self.render_page(form, status=400)
        try:
            changed = save_survey_counts(cycle=self.cycle, counts=form.counts(), actor=request.user)
        except AssemblyError as error:
            form.add_error(None, error.message)
            return self.render_page(form, status=400)
        messages.success(
            request,
            _("Survey counts saved: %(count)d changed.") % {"count": changed},
        )
        return redirect("console:survey", slug=self.cycle.slug)
