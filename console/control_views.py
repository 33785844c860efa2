"""The phase control room (staff with their second factor): the cycle's state, what the next
step does, one confirmation page per act with its consequences and a required reason.

Closing a vote (early) and publishing ask for the password again (``require_recent_login``);
allauth replays the confirmed form afterwards.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.selectors import build_cycle_timeline
from budgeting.selectors import get_cycle_budget_total
from console.control_forms import DeadlineForm
from console.control_forms import ReasonForm
from console.control_selectors import list_phase_history
from console.control_services import DEADLINE_FIELD
from console.control_services import change_deadline
from console.control_services import get_next_step
from console.control_services import has_votes
from console.control_services import reopen_proposals
from console.control_services import take_next_step
from console.wizard_views import ConsoleMixin
from core.exceptions import ApplicationError
from core.reauthentication import require_recent_login

ACTIONS = ("next", "deadline", "reopen")


def prepublication_checks_url(cycle: BudgetCycle) -> str | None:
    """The hook for the pre-publication checks (another part of the console): their page, once
    it exists under the name ``console:checks``."""
    try:
        return reverse("console:checks", kwargs={"slug": cycle.slug})
    except NoReverseMatch:
        return None


def admin_login_for_superusers(
    login_view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """The Django admin is for superusers only: staff who are not are sent to the console."""

    @wraps(login_view)
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_superuser:
            return redirect("console:cycles")
        return login_view(request, *args, **kwargs)

    return view


def superusers_only(request: HttpRequest) -> bool:
    """``AdminSite.has_permission`` for the admin: active superusers."""
    return bool(request.user.is_active and request.user.is_superuser)


class CycleListView(ConsoleMixin, ListView):
    template_name = "console/control/cycles.html"
    context_object_name = "cycles"

    def get_queryset(self):
        return BudgetCycle.objects.order_by("-year", "-pk")


class ControlRoomView(ConsoleMixin, View):
    def get(self, request, slug):
        cycle = get_object_or_404(BudgetCycle, slug=slug)
        phase = Phase(cycle.phase)
        deadline_field = DEADLINE_FIELD.get(phase)
        return render(
            request,
            "console/control/room.html",
            {
                "cycle": cycle,
                "next_step": get_next_step(cycle=cycle),
                "timeline": build_cycle_timeline(cycle=cycle),
                "history": list_phase_history(cycle=cycle),
                "deadline": getattr(cycle, deadline_field) if deadline_field else None,
                "can_reopen": phase == Phase.REVIEW,
                "voting_closed": phase in (Phase.TALLYING, Phase.PUBLISHED),
                "votes_cast": has_votes(cycle=cycle) if phase == Phase.VOTING else False,
                "pot_sum": get_cycle_budget_total(cycle=cycle),
            },
        )


class ControlActionView(ConsoleMixin, View):
    """The confirmation page of one act (GET) and the act itself (POST)."""

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    @property
    def action(self) -> str:
        action = self.kwargs["action"]
        if action not in ACTIONS:
            raise Http404
        return action

    def make_form(self, data=None):
        if self.action == "next":
            return ReasonForm(data)
        return DeadlineForm(data)

    def render_page(self, form, status=200):
        cycle = self.cycle
        phase = Phase(cycle.phase)
        deadline_field = DEADLINE_FIELD.get(phase)
        context = {
            "cycle": cycle,
            "action": self.action,
            "form": form,
            "next_step": get_next_step(cycle=cycle) if self.action == "next" else None,
            "deadline": getattr(cycle, deadline_field) if deadline_field else None,
            "votes_cast": has_votes(cycle=cycle) if phase == Phase.VOTING else False,
            "checks_url": prepublication_checks_url(cycle),
        }
        return render(self.request, "console/control/confirm.html", context, status=status)

    def get(self, request, slug, action):
        return self.render_page(self.make_form())

    def post(self, request, slug, action):
        cycle = self.cycle
        step = get_next_step(cycle=cycle) if self.action == "next" else None
        if step is not None and step.needs_reauthentication:
            require_recent_login(request)  # the password again; allauth replays this POST
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        reason = form.cleaned_data["reason"]
        try:
            if self.action == "next":
                target = take_next_step(cycle=cycle, actor=request.user, reason=reason)
                messages.success(
                    request,
                    _("%(cycle)s is now in the phase “%(phase)s”.")
                    % {"cycle": cycle.name, "phase": target.label},
                )
            elif self.action == "deadline":
                change_deadline(
                    cycle=cycle,
                    actor=request.user,
                    new_end=form.cleaned_data["new_end"],
                    reason=reason,
                )
                messages.success(request, _("The deadline is moved."))
            else:
                reopen_proposals(
                    cycle=cycle,
                    actor=request.user,
                    new_end=form.cleaned_data["new_end"],
                    reason=reason,
                )
                messages.success(request, _("Proposals are open again."))
        except ApplicationError as exc:  # ControlRefusedError, PublicationError, ...
            form.add_error(None, exc.message)
            return self.render_page(form, status=400)
        return redirect("console:control", slug=cycle.slug)
