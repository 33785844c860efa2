"""Officials' exports of a cycle to CSV and XLSX (tablib), every text cell spreadsheet-safe.

Never a ballot's choices, never a voter's name: participation is exported as counts only, the
paper-ballot log names the pot and the officer who entered a ballot, not the resident. Tables
that name people (proposal authors, reviewers, officers) are ``personal``: the view asks for
re-authentication before it hands them out, and every export is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tablib  # type: ignore[import-untyped]  # ships no annotations
from django.db.models import Avg
from django.db.models import Count
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from console.dashboards import turnout_by_age_band
from console.dashboards import turnout_by_channel
from console.dashboards import turnout_by_district
from console.dashboards import turnout_by_pot
from core.spreadsheets import safe_row
from proposals.models import CouncilDecision
from proposals.models import CouncilScore
from proposals.models import FeasibilityReview
from proposals.models import Proposal

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _dataset(headers: list[str], rows) -> tablib.Dataset:
    data = tablib.Dataset(headers=[str(h) for h in headers])
    for row in rows:
        data.append(safe_row(row))
    return data


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def proposals_table(cycle: BudgetCycle) -> tablib.Dataset:
    proposals = (
        Proposal.objects.filter(cycle=cycle)
        .select_related("scope", "policy_area", "author")
        .order_by("pk")
    )
    return _dataset(
        [
            _("id"),
            _("title"),
            _("pot"),
            _("policy area"),
            _("status"),
            _("estimated cost (won)"),
            _("reviewed cost (won)"),
            _("submitted at"),
            _("author"),
        ],
        (
            [
                p.pk,
                p.title,
                p.scope.name if p.scope_id else "",
                p.policy_area.name if p.policy_area_id else "",
                p.get_status_display(),
                p.cost_estimate_won,
                p.reviewed_cost_won,
                _when(p.submitted_at),
                str(p.author.public_name) if p.author_id else "",
            ]
            for p in proposals
        ),
    )


def reviews_table(cycle: BudgetCycle) -> tablib.Dataset:
    reviews = (
        FeasibilityReview.objects.filter(proposal__cycle=cycle)
        .select_related("proposal", "reviewer")
        .order_by("proposal_id", "pk")
    )
    labels = dict(FeasibilityReview.ReasonCode.choices)
    return _dataset(
        [
            _("proposal id"),
            _("title"),
            _("verdict"),
            _("reasons"),
            _("reviewed cost (won)"),
            _("legal notes"),
            _("technical notes"),
            _("reviewer"),
            _("updated at"),
        ],
        (
            [
                r.proposal_id,
                r.proposal.title,
                r.get_verdict_display(),
                "; ".join(str(labels.get(code, code)) for code in r.reason_codes),
                r.reviewed_cost_won,
                r.legal_notes,
                r.technical_notes,
                str(r.reviewer.public_name),
                _when(r.updated_at),
            ]
            for r in reviews
        ),
    )


def scores_table(cycle: BudgetCycle) -> tablib.Dataset:
    """The committee's rubric scores per proposal and criterion (totals, not who gave what)."""
    scores = (
        CouncilScore.objects.filter(proposal__cycle=cycle)
        .values("proposal_id", "proposal__title", "criterion__name", "criterion__max_points")
        .annotate(
            members=Count("member_id", distinct=True), total=Sum("points"), mean=Avg("points")
        )
        .order_by("proposal_id", "criterion__order", "criterion__name")
    )
    return _dataset(
        [
            _("proposal id"),
            _("title"),
            _("criterion"),
            _("maximum points"),
            _("members who scored"),
            _("total points"),
            _("mean points"),
        ],
        (
            [
                s["proposal_id"],
                s["proposal__title"],
                s["criterion__name"],
                s["criterion__max_points"],
                s["members"],
                s["total"],
                round(float(s["mean"]), 2),
            ]
            for s in scores
        ),
    )


def decisions_table(cycle: BudgetCycle) -> tablib.Dataset:
    decisions = (
        CouncilDecision.objects.filter(proposal__cycle=cycle)
        .select_related("proposal")
        .order_by("proposal_id")
    )
    return _dataset(
        [_("proposal id"), _("title"), _("decision"), _("public reason"), _("decided at")],
        (
            [
                d.proposal_id,
                d.proposal.title,
                d.get_decision_display(),
                d.public_reason,
                _when(d.decided_at),
            ]
            for d in decisions
        ),
    )


def participation_table(cycle: BudgetCycle) -> tablib.Dataset:
    """Counts of people who voted by pot, district, age band and channel; nothing else."""
    headers = [_("breakdown"), _("group"), _("voters"), _("registered residents"), _("population")]
    rows: list[list] = []
    for label, turnout in (
        (_("pot"), turnout_by_pot(cycle=cycle)),
        (_("district"), turnout_by_district(cycle=cycle)),
        (_("age band"), turnout_by_age_band(cycle=cycle)),
        (_("channel"), turnout_by_channel(cycle=cycle)),
    ):
        rows.extend(
            [label, row.label, row.voters, row.registered, row.population] for row in turnout
        )
    return _dataset(headers, rows)


def paper_log_table(cycle: BudgetCycle) -> tablib.Dataset:
    """Paper ballots entered and corrected, and second ballots refused: when, which pot, which
    officer."""
    events = (
        AuditEvent.objects.filter(
            cycle=cycle,
            event_type__in=[
                AuditEvent.Type.PAPER_BALLOT_ENTERED,
                AuditEvent.Type.PAPER_BALLOT_CORRECTED,
                AuditEvent.Type.BALLOT_CHANNEL_CONFLICT,
            ],
        )
        .select_related("actor")
        .order_by("position", "pk")
    )
    scopes = {str(scope.pk): scope.name for scope in cycle.scopes.all()}
    return _dataset(
        [_("when"), _("event"), _("pot"), _("counted channel"), _("refused channel"), _("by")],
        (
            [
                _when(e.created_at),
                e.get_event_type_display(),
                scopes.get(e.subject_id, ""),
                e.parameters.get("counted_channel", ""),
                e.parameters.get("refused_channel", ""),
                str(e.actor.public_name) if e.actor_id else "",
            ]
            for e in events
        ),
    )


@dataclass(frozen=True)
class ExportKind:
    slug: str
    label: object
    build: Callable[[BudgetCycle], tablib.Dataset]
    personal: bool  # names people: re-authentication first


EXPORTS = {
    kind.slug: kind
    for kind in (
        ExportKind("proposals", gettext_lazy("Proposals"), proposals_table, personal=True),
        ExportKind("reviews", gettext_lazy("Feasibility reviews"), reviews_table, personal=True),
        ExportKind("scores", gettext_lazy("Committee scores"), scores_table, personal=False),
        ExportKind("decisions", gettext_lazy("Decisions"), decisions_table, personal=False),
        ExportKind(
            "participation",
            gettext_lazy("Participation counts"),
            participation_table,
            personal=False,
        ),
        ExportKind(
            "paper-ballots", gettext_lazy("Paper-ballot log"), paper_log_table, personal=True
        ),
    )
}


def export_cycle_table(*, cycle: BudgetCycle, kind: ExportKind, fmt: str, actor: User) -> bytes:
    """The table ``kind`` of ``cycle`` as ``fmt`` (csv or xlsx); audited (not public)."""
    data = kind.build(cycle)
    content = data.export(fmt)
    if isinstance(content, str):
        content = ("\ufeff" + content).encode("utf-8")  # a BOM, so Excel reads Korean CSV
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.DATA_EXPORTED,
        actor=actor,
        is_public=False,
        table=kind.slug,
        format=fmt,
        rows=data.height,
        personal=kind.personal,
    )
    return content
