import rules
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView
from django.views.generic import TemplateView

from budgeting.models import BudgetCycle
from budgeting.phases import PHASE_ORDER
from budgeting.phases import Phase
from budgeting.selectors import get_council_membership
from budgeting.selectors import get_cycle_budget_total
from budgeting.selectors import list_current_cycles
from budgeting.selectors import list_public_audit_events
from budgeting.selectors import list_scopes_for_cycle
from budgeting.selectors import list_visible_cycles


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current_cycles"] = list_current_cycles()
        context["past_cycles"] = list_visible_cycles().filter(phase=Phase.IMPLEMENTATION)
        return context


def build_timeline(cycle: BudgetCycle) -> list[dict]:
    """The phases with their dates and whether each is past, current or next."""
    dates = {
        Phase.PROPOSALS: (cycle.proposals_start_at, cycle.proposals_end_at),
        Phase.REVIEW: (cycle.proposals_end_at, cycle.voting_start_at),
        Phase.VOTING: (cycle.voting_start_at, cycle.voting_end_at),
        Phase.TALLYING: (cycle.voting_end_at, cycle.results_expected_at),
        Phase.PUBLISHED: (cycle.results_expected_at, None),
        Phase.IMPLEMENTATION: (None, None),
    }
    current = PHASE_ORDER.index(Phase(cycle.phase))
    steps = []
    for index, phase in enumerate(PHASE_ORDER[1:], start=1):
        start, end = dates[phase]
        steps.append(
            {
                "phase": phase,
                "label": phase.label,
                "start": start,
                "end": end,
                "state": "past" if index < current else "current" if index == current else "future",
                "is_next": index == current + 1,
            }
        )
    return steps


class CycleDetailView(DetailView):
    template_name = "budgeting/cycle_detail.html"
    context_object_name = "cycle"

    def get_object(self, queryset=None):
        cycle: BudgetCycle = get_object_or_404(
            BudgetCycle.objects.prefetch_related("policy_areas"), slug=self.kwargs["slug"]
        )
        # rules itself, not Django's has_perm (which lets any superuser through, second factor
        # or not): a cycle in preparation is not found, except by staff with their second factor.
        if not rules.has_perm("budgeting.view_cycle", self.request.user, cycle):
            raise Http404
        return cycle

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = self.object
        user = self.request.user
        context.update(
            {
                "timeline": build_timeline(cycle),
                "scopes": list_scopes_for_cycle(cycle=cycle),
                "budget_total": get_cycle_budget_total(cycle=cycle),
                "audit_events": list_public_audit_events(cycle=cycle)[:50],
                "now": timezone.now(),
                "council_membership": get_council_membership(user=user, cycle=cycle),
            }
        )
        return context
