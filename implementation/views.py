"""Implementation tracking pages: where the money went (public), staff updates and cuts, follow."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.mixins import AuthenticatedHttpRequest
from budgeting.models import BudgetCycle
from core.reauthentication import require_recent_login
from implementation.forms import BudgetCutForm
from implementation.forms import ImplementationUpdateForm
from implementation.selectors import get_cycle_accountability
from implementation.selectors import get_funded_project_state
from implementation.services import ImplementationError
from implementation.services import follow_project
from implementation.services import post_implementation_update
from implementation.services import record_budget_cut
from implementation.services import unfollow_project
from proposals.models import Proposal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RulesPermissionMixin(PermissionRequiredMixin):
    request: HttpRequest

    """Permissions exactly as the rules say: no superuser shortcut (an admin cannot post on an
    unfunded project or see a cycle's accountability page before its results are out)."""

    def has_permission(self) -> bool:
        obj = self.get_permission_object()
        return all(
            rules.has_perm(perm, self.request.user, obj) for perm in self.get_permission_required()
        )


class _CycleMixin:
    kwargs: dict[str, Any]

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.cycle


class AccountabilityView(_CycleMixin, RulesPermissionMixin, TemplateView):
    """What happened to the money: selected, funded after cuts, spent, done; every cut."""

    permission_required = "implementation.view_accountability"
    template_name = "implementation/implementation_cycle.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cycle"] = self.cycle
        context["report"] = get_cycle_accountability(cycle=self.cycle)
        context["can_track"] = rules.has_perm(
            "implementation.track_implementation", self.request.user, self.cycle
        )
        return context


class StaffImplementationView(_CycleMixin, RulesPermissionMixin, TemplateView):
    """Staff: every funded project of a cycle with its state and links to update or cut it."""

    permission_required = "implementation.track_implementation"
    template_name = "implementation/implementation_staff.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cycle"] = self.cycle
        context["report"] = get_cycle_accountability(cycle=self.cycle)
        return context


class _ProjectFormView(RulesPermissionMixin, View):
    """A staff form on one funded project; a refused input re-renders with the reason."""

    request: AuthenticatedHttpRequest  # staff (the permission)
    form_class: type
    template_name: str
    success_message: StrOrPromise

    @cached_property
    def proposal(self) -> Proposal:
        return get_object_or_404(
            Proposal.objects.select_related("cycle", "scope__district"), pk=self.kwargs["pk"]
        )

    def get_permission_object(self):
        return self.proposal

    def render_form(self, form, status=200):
        context = {
            "form": form,
            "proposal": self.proposal,
            "cycle": self.proposal.cycle,
            "state": get_funded_project_state(proposal=self.proposal),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(self.form_class())

    def post(self, request, pk):
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            self.save(form)
        except ImplementationError as error:
            form.add_error(None, error.message)
            return self.render_form(form, status=400)
        messages.success(request, self.success_message)
        return redirect("implementation:staff-implementation", slug=self.proposal.cycle.slug)

    def save(self, form) -> None:
        raise NotImplementedError


class StaffImplementationUpdateView(_ProjectFormView):
    permission_required = "implementation.post_implementation_update"
    form_class = ImplementationUpdateForm
    template_name = "implementation/implementation_update_form.html"
    success_message = gettext_lazy("The update is published.")

    def save(self, form) -> None:
        post_implementation_update(
            proposal=self.proposal, actor=self.request.user, **form.service_values()
        )


class StaffBudgetCutView(_ProjectFormView):
    permission_required = "implementation.record_budget_cut"
    form_class = BudgetCutForm
    template_name = "implementation/implementation_cut_form.html"
    success_message = gettext_lazy("The cut is recorded and public.")

    def save(self, form) -> None:
        require_recent_login(self.request)  # allauth asks for the password, then replays the POST
        record_budget_cut(proposal=self.proposal, actor=self.request.user, **form.cleaned_data)


class ProjectFollowView(LoginRequiredMixin, View):
    """Follow (residents who voted on the ballot or endorsed) or stop following a project."""

    def post(self, request, pk):
        proposal = get_object_or_404(Proposal, pk=pk)
        if request.POST.get("action") == "unfollow":
            if unfollow_project(user=request.user, proposal=proposal):
                messages.success(request, _("You no longer follow this project."))
            return redirect(proposal.get_absolute_url())
        if not rules.has_perm("implementation.follow_project", request.user, proposal):
            raise PermissionDenied(_("Residents who voted on this ballot or endorsed can follow."))
        try:
            follow_project(user=request.user, proposal=proposal)
        except ImplementationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You follow this project: we e-mail you when it changes."))
        return redirect(f"{proposal.get_absolute_url()}#implementation")
