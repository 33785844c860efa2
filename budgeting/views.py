import json

import rules
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from budgeting.audit import CONTENT_VERSION
from budgeting.audit import GENESIS
from budgeting.audit import list_chain
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.selectors import build_cycle_timeline
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
                "timeline": build_cycle_timeline(cycle=cycle),
                "scopes": list_scopes_for_cycle(cycle=cycle),
                "budget_total": get_cycle_budget_total(cycle=cycle),
                "audit_events": list_public_audit_events(cycle=cycle)[:50],
                "now": timezone.now(),
                "council_membership": get_council_membership(user=user, cycle=cycle),
            }
        )
        return context


class AuditTrailDownloadView(PermissionRequiredMixin, DetailView):
    """The cycle's audit chain as JSON, for anyone to check (``manage.py verify_audit_chain
    --file``): every event's place, hashes and, for public events, the text that was hashed.
    A non-public event (for example "a ballot was changed") shows only its hashes: its content
    cannot be checked from outside, but removing or altering it breaks the chain."""

    permission_required = "budgeting.view_cycle"
    model = BudgetCycle

    def get(self, request, *args, **kwargs):
        cycle = self.get_object()
        public = dict(AuditEvent.objects.filter(cycle=cycle).values_list("pk", "is_public"))
        events = []
        for entry in list_chain(cycle=cycle):
            item: dict = {
                "position": entry.position,
                "content_sha256": entry.content_sha256,
                "previous_hash": entry.previous_hash,
                "chain_hash": entry.chain_hash,
            }
            if public.get(entry.event_id):
                item["content"] = entry.content
            events.append(item)
        document = {
            "format": CONTENT_VERSION,
            "cycle": cycle.slug,
            "genesis": GENESIS,
            "chain_hash_rule": "sha256(previous_hash + '\\n' + content_sha256), hex",
            "content_rule": (
                "sha256 of content (UTF-8); content lines: format, position, cycle id, event "
                "type, public, subject type, subject id, reason, parameters (JSON as stored), "
                "time (UTC)"
            ),
            "head": events[-1] if events else None,
            "events": events,
        }
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{cycle.slug}-audit-trail.json"'
        return response
