"""Published results (public) and the count's progress (staff): pages and downloads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import replace
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from budgeting.models import Allocation
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import ExportFile
from budgeting.models import ImportedElection
from budgeting.models import TallyRun
from budgeting.selectors import get_published_chain_head
from budgeting.tally.shares import ShareInputError
from core.reauthentication import require_recent_login
from results.forms import ReceiptCheckForm
from results.reasons import describe_reason
from results.selectors import BALLOT_SOURCES
from results.selectors import WEIGHTED_RULES
from results.selectors import build_sources_document
from results.selectors import count_counted_receipts
from results.selectors import explain_my_share
from results.selectors import get_comparison_run
from results.selectors import get_minimum_support
from results.selectors import get_published_run
from results.selectors import is_receipt_counted
from results.selectors import iter_counted_receipts
from results.selectors import list_allocations
from results.selectors import list_published_runs
from results.selectors import list_scope_tally_status
from results.selectors import mes_budget_increment
from results.selectors import weighted_breakdown
from results.services.exports import export_basename
from results.services.exports import render_source_pb
from results.services.exports import source_pb_name
from results.services.publication import PublicationError
from results.services.publication import publish_results
from results.services.publication import rebuild_result_downloads
from results.services.tallying import TallyRefusedError
from results.services.tallying import request_tally


@dataclass(frozen=True)
class ResultLine:
    allocation: Allocation
    reason: str
    funded_by_greedy: bool | None
    bar_percent: int


def build_result_lines(*, run: TallyRun) -> tuple[list[ResultLine], TallyRun | None]:
    comparison = get_comparison_run(run=run)
    greedy_funded = (
        set(comparison.allocations.filter(is_funded=True).values_list("proposal_id", flat=True))
        if comparison
        else None
    )
    allocations = list(list_allocations(run=run))
    top = max((a.votes for a in allocations), default=0) or 1
    lines = [
        ResultLine(
            allocation=a,
            reason=describe_reason(a),
            funded_by_greedy=None if greedy_funded is None else a.proposal_id in greedy_funded,
            bar_percent=a.votes * 100 // top,
        )
        for a in allocations
    ]
    return lines, comparison


class CycleMixin:
    kwargs: dict[str, Any]

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.cycle


class CycleResultsView(CycleMixin, PermissionRequiredMixin, TemplateView):
    """Every scope's published result at a glance."""

    permission_required = "results.view_results"
    template_name = "results/results_cycle.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        runs = list_published_runs(cycle=self.cycle)
        context.update(
            {
                "cycle": self.cycle,
                "runs": runs,
                "total_budget": sum(r.budget_won for r in runs),
                "total_allocated": sum(r.allocated_won for r in runs),
                "total_ballots": sum(r.ballot_count for r in runs),
                "chain_head": get_published_chain_head(cycle=self.cycle),
                "funded_counts": {r.pk: r.allocations.filter(is_funded=True).count() for r in runs},
            }
        )
        return context


class ScopeResultsMixin(CycleMixin, PermissionRequiredMixin):
    """One scope's published result: its per-project votes too, so the view also asks
    ``voting.view_vote_counts`` through rules (Django's ``has_perm`` lets a superuser through)."""

    request: HttpRequest

    def has_permission(self) -> bool:
        return super().has_permission() and rules.has_perm(
            "voting.view_vote_counts", self.request.user, self.cycle
        )

    @cached_property
    def scope(self) -> BallotScope:
        return get_object_or_404(
            BallotScope.objects.select_related("cycle", "district"),
            cycle=self.cycle,
            pk=self.kwargs["scope_pk"],
        )

    @cached_property
    def run(self) -> TallyRun:
        run = get_published_run(scope=self.scope)
        if run is None:
            raise Http404(_("This ballot has no published result."))
        return run


class ScopeResultsView(ScopeResultsMixin, TemplateView):
    """One scope's result: table, chart, reasons, comparison with greedy, downloads."""

    permission_required = "results.view_results"
    template_name = "results/results_scope.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        lines, comparison = build_result_lines(run=run)
        exports = {e.kind: e for e in run.exports.all()}
        context.update(
            {
                "cycle": self.cycle,
                "scope": self.scope,
                "run": run,
                "lines": lines,
                "comparison": comparison,
                "greedy_only": [
                    line
                    for line in lines
                    if line.funded_by_greedy and not line.allocation.is_funded
                ],
                "rule_only": [
                    line
                    for line in lines
                    if line.funded_by_greedy is False and line.allocation.is_funded
                ],
                "allocated_percent": run.allocated_won * 100 // run.budget_won
                if run.budget_won
                else 0,
                "exports": [exports.get(kind) for kind in ExportFile.Kind if kind in exports],
                "pb_name": f"{export_basename(run)}.pb",
                "mes_increment": imported.amount_scale
                if (imported := ImportedElection.objects.filter(cycle=self.cycle).first())
                else mes_budget_increment(budget_won=run.budget_won, ballot_count=run.ballot_count),
                # a points column: cumulative points, or a ranked ballot's rank points
                "uses_points": self.cycle.ballot_rule
                in (BudgetCycle.BallotRule.CUMULATIVE, BudgetCycle.BallotRule.RANKED),
                "uses_ranks": self.cycle.ballot_rule == BudgetCycle.BallotRule.RANKED,
                "uses_score": run.rule in WEIGHTED_RULES,
                "minimum_support": get_minimum_support(run=run),
            }
        )
        if run.rule in WEIGHTED_RULES and run.sources:
            context.update(self.weighted_context(run=run, lines=lines))
        return context

    def weighted_context(self, *, run: TallyRun, lines: list[ResultLine]) -> dict[str, Any]:
        """Every source of a weighted count: weights, totals, files, and per project its parts."""
        cells = weighted_breakdown(run=run)
        sources = [
            {
                "name": name,
                "label": SOURCE_LABELS.get(name, name),
                "weight_percent": Fraction(source["weight_percent"]),
                "total": source["total"],
                "file": source_pb_name(run, name) if name in BALLOT_SOURCES else None,
            }
            for name, source in run.sources.items()
        ]
        return {
            "weighted_sources": sources,
            "weighted_lines": [
                (
                    line,
                    [
                        replace(cell, label=str(SOURCE_LABELS.get(cell.name, cell.name)))
                        for cell in cells.get(line.allocation.proposal_id, [])
                    ],
                    score_percent(line),
                )
                for line in lines
            ],
            "sources_name": f"{export_basename(run)}-sources.json",
        }


SOURCE_LABELS = {
    "online": _lazy("Public vote (online and paper)"),
    "committee": _lazy("Committee scores"),
    "assembly": _lazy("General assembly vote"),
    "budget_school": _lazy("Budget-school graduates' vote"),
    "survey": _lazy("Survey"),
}


def score_percent(line: ResultLine) -> str:
    """The combined score out of 100, two decimals (the exact fraction is shown next to it)."""
    try:
        return f"{float(Fraction(line.allocation.score) * 100):.2f}"
    except (ValueError, ZeroDivisionError):
        return ""


class WeightedSourcesView(ScopeResultsMixin, View):
    """``sources.json`` of a published weighted count (what recompute_weighted.py reads)."""

    permission_required = "results.view_results"

    def get(self, request, *args, **kwargs):
        run = self.run
        if run.rule not in WEIGHTED_RULES or not run.sources:
            raise Http404(_("This ballot was not counted by a weighted rule."))
        files = {name: source_pb_name(run, name) for name in run.sources if name in BALLOT_SOURCES}
        document = build_sources_document(run=run, files=files)
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8"),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{export_basename(run)}-sources.json"'
        )
        return response


class SourceBallotsView(ScopeResultsMixin, View):
    """The anonymised ballots of the assembly or budget-school source, as a .pb file."""

    permission_required = "results.view_results"

    def get(self, request, *args, **kwargs):
        run, source = self.run, self.kwargs["source"]
        if source not in ("assembly", "budget_school") or source not in (run.sources or {}):
            raise Http404(_("This count has no ballots of that source."))
        response = HttpResponse(
            render_source_pb(run=run, source=source), content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{source_pb_name(run, source)}"'
        return response


class RecomputeScriptView(View):
    """The published recompute script (standard library only), as a download."""

    def get(self, request, *args, **kwargs):
        response = HttpResponse(
            RECOMPUTE_SCRIPT.read_bytes(), content_type="text/x-python; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="recompute_weighted.py"'
        return response


RECOMPUTE_SCRIPT = Path(__file__).resolve().parent / "exports" / "recompute_weighted.py"


@method_decorator(never_cache, name="dispatch")
class MyShareView(LoginRequiredMixin, ScopeResultsMixin, TemplateView):
    """Equal Shares: how the requesting voter's own share was spent (their ballot only).

    Worked out from their ballot (found by their voter key) and the published count on every
    request, never stored, never cached (``never_cache``), and there is no way to ask for
    another person's: the page has no parameter but the ballot scope.
    """

    permission_required = "results.view_results"
    template_name = "results/my_share.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = self.run
        if run.rule != BudgetCycle.TallyRule.EQUAL_SHARES:
            raise Http404(_("This ballot was not counted by the Method of Equal Shares."))
        try:
            explanation = explain_my_share(user=self.request.user, run=run)
        except ShareInputError as exc:
            raise Http404(_("This count has no equal shares to explain.")) from exc
        context.update(
            {"cycle": self.cycle, "scope": self.scope, "run": run, "explanation": explanation}
        )
        return context


class ResultsDownloadView(ScopeResultsMixin, View):
    """The CSV, JSON or .pb file of a published result."""

    permission_required = "results.view_results"
    content_types: dict[str, str] = {
        ExportFile.Kind.CSV: "text/csv; charset=utf-8",
        ExportFile.Kind.JSON: "application/json",
        ExportFile.Kind.PABULIB: "text/plain; charset=utf-8",
    }

    def get(self, request, *args, **kwargs):
        export = self.run.exports.filter(
            kind=self.kwargs["kind"], status=ExportFile.Status.SUCCEEDED
        ).first()
        if export is None:
            raise Http404(_("This download is not ready yet."))
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"{export_basename(self.run)}.{export.kind}",
            content_type=self.content_types[export.kind],
        )


class ReceiptsView(ScopeResultsMixin, TemplateView):
    """The receipt codes of the ballots counted on a scope: a search box and the whole list.

    Only codes: the page and the file never say what any ballot chose (the database cannot
    say it either: codes are stored apart from the ballots), so a code proves that a ballot
    was counted and never how its holder voted."""

    permission_required = "results.view_results"
    template_name = "results/receipts.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ReceiptCheckForm(self.request.GET or None)
        found = None
        if form.is_valid():
            found = is_receipt_counted(scope=self.scope, code=form.cleaned_data["code"])
        context.update(
            {
                "cycle": self.cycle,
                "scope": self.scope,
                "run": self.run,
                "form": form,
                "found": found,
                "receipt_count": count_counted_receipts(scope=self.scope),
                "is_imported": ImportedElection.objects.filter(cycle=self.cycle).exists(),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = 400 if context["form"].is_bound and not context["form"].is_valid() else 200
        return self.render_to_response(context, status=status)


class ReceiptsDownloadView(ScopeResultsMixin, View):
    """The counted codes of a scope as a text file, one per line, in code order."""

    permission_required = "results.view_results"

    def get(self, request, *args, **kwargs):
        lines = (f"{code}\n" for code in iter_counted_receipts(scope=self.scope))
        response = StreamingHttpResponse(lines, content_type="text/plain; charset=utf-8")
        name = f"{export_basename(self.run)}-receipts.txt"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class StaffTallyView(CycleMixin, PermissionRequiredMixin, TemplateView):
    """Staff: the count of every scope (status, timings, fingerprint), re-run, publish, and
    build again the downloads left unbuilt."""

    permission_required = "results.publish_results"
    template_name = "results/staff_tally.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "cycle": self.cycle,
                "scopes": list_scope_tally_status(cycle=self.cycle),
                "can_run_tally": rules.has_perm("results.run_tally", self.request.user, self.cycle),
                "downloads": list_published_runs(cycle=self.cycle),
                "error": kwargs.get("error"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "publish":
                require_recent_login(request)  # allauth asks for the password, then replays
                if publish_results(cycle_id=self.cycle.pk, actor=request.user):
                    messages.success(request, _("The results are published."))
                else:
                    messages.info(request, _("The results were already published."))
            elif action == "rebuild_downloads":
                count = rebuild_result_downloads(cycle_id=self.cycle.pk, actor=request.user)
                if count:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s download is being built again.",
                            "%(count)s downloads are being built again.",
                            count,
                        )
                        % {"count": count},
                    )
                else:
                    messages.info(request, _("Every download is built already."))
            elif action == "rerun":
                if not rules.has_perm("results.run_tally", request.user, self.cycle):
                    raise PermissionDenied  # a stale page: counting is over (or not begun)
                scope_pk = request.POST.get("scope", "")
                scope = get_object_or_404(
                    BallotScope, cycle=self.cycle, pk=int(scope_pk) if scope_pk.isdigit() else 0
                )
                request_tally(scope=scope, actor=request.user)
                messages.success(
                    request, _("The count of “%(scope)s” was asked for.") % {"scope": scope.name}
                )
            else:
                return self.render_to_response(
                    self.get_context_data(error=_("Unknown action.")), status=400
                )
        except (PublicationError, TallyRefusedError) as exc:
            return self.render_to_response(self.get_context_data(error=exc.message), status=400)
        return redirect("results:staff-tally", slug=self.cycle.slug)
