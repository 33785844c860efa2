"""The pre-publication checks of a cycle (staff, MFA): per pot, its findings and the warnings
that the budget office acknowledges with a reason before ``publish_results`` will publish."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from results.services.checks import REASON_MIN_LENGTH
from results.services.checks import CheckError
from results.services.checks import acknowledge_warning
from results.services.checks import list_publication_checks


class AcknowledgeForm(forms.Form):
    scope = forms.IntegerField(widget=forms.HiddenInput)
    warning = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.CharField(
        label=gettext_lazy("Why publish anyway?"),
        min_length=REASON_MIN_LENGTH,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=gettext_lazy("Public: it is shown in the cycle's history with the results."),
    )


class CycleStaffMixin(PermissionRequiredMixin, View):
    """A staff page of the cycle in the URL (drafts too: this is staff's console)."""

    cycle: BudgetCycle

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = get_object_or_404(BudgetCycle, slug=kwargs["slug"])

    def get_permission_object(self):
        return self.cycle


class PublicationChecksView(CycleStaffMixin):
    permission_required = "results.publish_results"

    def render_page(self, *, failed: AcknowledgeForm | None = None, status: int = 200):
        checks = list_publication_checks(cycle=self.cycle)
        pots = []
        for check in checks:
            warnings = []
            for warning in check.warnings:
                form = None
                if not warning.acknowledged:
                    is_failed = (
                        failed is not None
                        and failed.data.get("scope") == str(check.scope.pk)
                        and failed.data.get("warning") == warning.code
                    )
                    form = (
                        failed
                        if is_failed
                        else AcknowledgeForm(
                            initial={"scope": check.scope.pk, "warning": warning.code},
                            auto_id=f"id_{check.scope.pk}_{warning.code}_%s",
                        )
                    )
                warnings.append({"warning": warning, "form": form})
            pots.append({"check": check, "warnings": warnings})
        context = {
            "cycle": self.cycle,
            "pots": pots,
            "pending": sum(len(check.pending) for check in checks),
        }
        return render(self.request, "console/checks/checks.html", context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page()

    def post(self, request, *args, **kwargs):
        form = AcknowledgeForm(
            request.POST,
            auto_id=f"id_{request.POST.get('scope', '')}_{request.POST.get('warning', '')}_%s",
        )
        if not form.is_valid():
            return self.render_page(failed=form, status=400)
        scope = get_object_or_404(BallotScope, cycle=self.cycle, pk=form.cleaned_data["scope"])
        try:
            acknowledge_warning(
                scope=scope,
                warning=form.cleaned_data["warning"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except CheckError as error:
            form.add_error(None, error.message)
            return self.render_page(failed=form, status=400)
        messages.success(request, _("The warning is acknowledged, with your reason."))
        return redirect("console:checks", slug=self.cycle.slug)
