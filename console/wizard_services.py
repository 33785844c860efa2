"""The set-up wizard's writes and checks: a new draft cycle, its dates, pots and policy areas.

Settings go through budgeting's ``update_cycle`` (which refuses frozen rules and audits); pots
(city, gu and dong level, free or themed tracks) one by one through ``check_scope_change_allowed``
(frozen once voting opens), always within the cycle's total.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from budgeting.audit import record_audit_event
from budgeting.exceptions import RulesFrozenError
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import PolicyArea
from budgeting.phases import Phase
from budgeting.phases import phase_index
from budgeting.services.cycles import check_scope_change_allowed
from budgeting.services.cycles import default_cycle_dates

# Korean public holidays (공휴일), including substitute holidays and election days, for the years
# the console plans. A date on one of them is shown, never refused. Check against the
# government's calendar (관공서의 공휴일에 관한 규정) when adding a year.
PUBLIC_HOLIDAYS: dict[date, Any] = {
    date(2026, 1, 1): gettext_lazy("New Year's Day"),
    date(2026, 2, 16): gettext_lazy("Seollal"),
    date(2026, 2, 17): gettext_lazy("Seollal"),
    date(2026, 2, 18): gettext_lazy("Seollal"),
    date(2026, 3, 1): gettext_lazy("Independence Movement Day"),
    date(2026, 3, 2): gettext_lazy("Substitute holiday"),
    date(2026, 5, 5): gettext_lazy("Children's Day"),
    date(2026, 5, 24): gettext_lazy("Buddha's Birthday"),
    date(2026, 5, 25): gettext_lazy("Substitute holiday"),
    date(2026, 6, 3): gettext_lazy("Local elections"),
    date(2026, 6, 6): gettext_lazy("Memorial Day"),
    date(2026, 8, 15): gettext_lazy("Liberation Day"),
    date(2026, 8, 17): gettext_lazy("Substitute holiday"),
    date(2026, 9, 24): gettext_lazy("Chuseok"),
    date(2026, 9, 25): gettext_lazy("Chuseok"),
    date(2026, 9, 26): gettext_lazy("Chuseok"),
    date(2026, 10, 3): gettext_lazy("National Foundation Day"),
    date(2026, 10, 5): gettext_lazy("Substitute holiday"),
    date(2026, 10, 9): gettext_lazy("Hangul Day"),
    date(2026, 12, 25): gettext_lazy("Christmas"),
    date(2027, 1, 1): gettext_lazy("New Year's Day"),
    date(2027, 2, 6): gettext_lazy("Seollal"),
    date(2027, 2, 7): gettext_lazy("Seollal"),
    date(2027, 2, 8): gettext_lazy("Seollal"),
    date(2027, 2, 9): gettext_lazy("Substitute holiday"),
    date(2027, 3, 1): gettext_lazy("Independence Movement Day"),
    date(2027, 5, 5): gettext_lazy("Children's Day"),
    date(2027, 5, 13): gettext_lazy("Buddha's Birthday"),
    date(2027, 6, 6): gettext_lazy("Memorial Day"),
    date(2027, 8, 15): gettext_lazy("Liberation Day"),
    date(2027, 8, 16): gettext_lazy("Substitute holiday"),
    date(2027, 9, 14): gettext_lazy("Chuseok"),
    date(2027, 9, 15): gettext_lazy("Chuseok"),
    date(2027, 9, 16): gettext_lazy("Chuseok"),
    date(2027, 10, 3): gettext_lazy("National Foundation Day"),
    date(2027, 10, 4): gettext_lazy("Substitute holiday"),
    date(2027, 10, 9): gettext_lazy("Hangul Day"),
    date(2027, 10, 11): gettext_lazy("Substitute holiday"),
    date(2027, 12, 25): gettext_lazy("Christmas"),
    date(2027, 12, 27): gettext_lazy("Substitute holiday"),
    date(2028, 1, 1): gettext_lazy("New Year's Day"),
    date(2028, 1, 26): gettext_lazy("Seollal"),
    date(2028, 1, 27): gettext_lazy("Seollal"),
    date(2028, 1, 28): gettext_lazy("Seollal"),
    date(2028, 3, 1): gettext_lazy("Independence Movement Day"),
    date(2028, 4, 12): gettext_lazy("National Assembly elections"),
    date(2028, 5, 2): gettext_lazy("Buddha's Birthday"),
    date(2028, 5, 5): gettext_lazy("Children's Day"),
    date(2028, 6, 6): gettext_lazy("Memorial Day"),
    date(2028, 8, 15): gettext_lazy("Liberation Day"),
    date(2028, 10, 2): gettext_lazy("Chuseok"),
    date(2028, 10, 3): gettext_lazy("Chuseok"),
    date(2028, 10, 4): gettext_lazy("Chuseok"),
    date(2028, 10, 5): gettext_lazy("Substitute holiday"),
    date(2028, 10, 9): gettext_lazy("Hangul Day"),
    date(2028, 12, 25): gettext_lazy("Christmas"),
}

DATE_FIELDS = (
    "proposals_start_at",
    "proposals_end_at",
    "voting_start_at",
    "voting_end_at",
    "results_expected_at",
)

# A date field's phase: it may not change once that phase has started (the control room moves
# the current phase's end instead).
DATE_FIELD_PHASE = {
    "proposals_start_at": Phase.PROPOSALS,
    "proposals_end_at": Phase.REVIEW,
    "voting_start_at": Phase.VOTING,
    "voting_end_at": Phase.TALLYING,
    "results_expected_at": Phase.PUBLISHED,
}


@dataclass(frozen=True)
class DateNotice:
    """A public holiday within the plan: shown to the office, never an error."""

    day: date
    holiday: str
    what: str


def _day(moment: datetime) -> date:
    return timezone.localdate(moment)


def check_dates(values: dict[str, datetime | None]) -> dict[str, str]:
    """Errors in plain words, by field, for dates out of order or overlapping."""
    errors: dict[str, str] = {}
    p_start, p_end = values.get("proposals_start_at"), values.get("proposals_end_at")
    v_start, v_end = values.get("voting_start_at"), values.get("voting_end_at")
    results = values.get("results_expected_at")
    if p_start and p_end and p_end <= p_start:
        errors["proposals_end_at"] = _("Proposals must close after they open.")
    if p_end and v_start and v_start < p_end:
        errors["voting_start_at"] = _(
            "Voting would open while proposals are still open: the review needs the time in "
            "between. Open voting after proposals close."
        )
    if v_start and v_end and v_end <= v_start:
        errors["voting_end_at"] = _("Voting must close after it opens.")
    if v_end and results and results < v_end:
        errors["results_expected_at"] = _("Results cannot be expected before voting closes.")
    return errors


def list_date_notices(values: dict[str, datetime | None]) -> list[DateNotice]:
    """Public holidays on which a phase opens or closes, and those during voting."""
    labels = {
        "proposals_start_at": _("proposals open"),
        "proposals_end_at": _("proposals close"),
        "voting_start_at": _("voting opens"),
        "voting_end_at": _("voting closes"),
        "results_expected_at": _("results expected"),
    }
    notices: list[DateNotice] = []
    seen: set[date] = set()
    for name in DATE_FIELDS:
        moment = values.get(name)
        if moment is None:
            continue
        day = _day(moment)
        if day in PUBLIC_HOLIDAYS:
            notices.append(DateNotice(day, str(PUBLIC_HOLIDAYS[day]), str(labels[name])))
            seen.add(day)
    v_start, v_end = values.get("voting_start_at"), values.get("voting_end_at")
    if v_start and v_end and v_start < v_end:
        for day, holiday in sorted(PUBLIC_HOLIDAYS.items()):
            if _day(v_start) < day < _day(v_end) and day not in seen:
                notices.append(DateNotice(day, str(holiday), _("during voting")))
    return sorted(notices, key=lambda notice: notice.day)


def locked_date_fields(*, cycle: BudgetCycle) -> list[str]:
    """Date fields whose phase has started: they are history (or a deadline moved in the
    control room), no longer a plan to edit."""
    current = phase_index(cycle.phase)
    return [name for name, phase in DATE_FIELD_PHASE.items() if phase_index(phase) <= current]


def suggest_dates(*, year: int) -> dict[str, datetime]:
    """A first plan: proposals from 1 March of the year before the budget year (Seoul's
    calendar: proposals in spring, vote in summer for next year's budget)."""
    start = timezone.make_aware(datetime.combine(date(year - 1, 3, 2), time(9, 0)))
    now = timezone.now()
    if start < now:
        start = timezone.localtime(now + timedelta(days=7)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
    return default_cycle_dates(start=start, proposals_days=30, review_days=60, voting_days=14)


@transaction.atomic
def create_draft_cycle(
    *,
    actor: User,
    name_ko: str,
    name_en: str,
    slug: str,
    year: int,
    description_ko: str = "",
    description_en: str = "",
) -> BudgetCycle:
    """A new cycle in preparation with a suggested plan of dates (changed in the next step)."""
    cycle = BudgetCycle(
        name=name_ko,
        slug=slug,
        year=year,
        phase=Phase.DRAFT,
        **suggest_dates(year=year),
    )
    cycle.name_ko = name_ko  # type: ignore[attr-defined]  # django-modeltranslation
    cycle.name_en = name_en or name_ko  # type: ignore[attr-defined]
    cycle.description_ko = description_ko  # type: ignore[attr-defined]
    cycle.description_en = description_en  # type: ignore[attr-defined]
    cycle.full_clean()
    cycle.save()
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.CYCLE_CREATED,
        subject=cycle,
        actor=actor,
        is_public=False,
        year=year,
    )
    return cycle


def _over_total(*, cycle: BudgetCycle, total: int | None) -> None:
    pots = cycle.scopes.aggregate(total=Sum("budget_won"))["total"] or 0
    if total and pots > total:
        raise ValidationError(
            _(
                "The pots add up to %(sum)s won, more than the cycle's total of %(total)s won. "
                "Lower a pot or raise the total."
            )
            % {"sum": f"{pots:,}", "total": f"{total:,}"}
        )


def _pots_changed(*, cycle: BudgetCycle, actor: User, **details: Any) -> None:
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.CYCLE_RULES_CHANGED,
        subject=cycle,
        actor=actor,
        is_public=cycle.phase != Phase.DRAFT,
        fields=["pots"],
        **details,
    )


@transaction.atomic
def set_total_budget(*, cycle: BudgetCycle, actor: User, total_budget_won: int | None) -> None:
    """The cycle's total, which the pots must fit (refused once voting opens)."""
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.rules_are_frozen:
        raise RulesFrozenError(_("Voting has opened, so the pots can no longer change."))
    if cycle.total_budget_won == total_budget_won:
        return
    _over_total(cycle=cycle, total=total_budget_won)
    BudgetCycle.objects.filter(pk=cycle.pk).update(total_budget_won=total_budget_won)
    _pots_changed(cycle=cycle, actor=actor, total_budget_won=total_budget_won)


def _pot_summary(scope: BallotScope) -> dict[str, Any]:
    return {
        "scope": scope.slug,
        "level": scope.level,
        "budget_won": scope.budget_won,
        "per_project_cap_won": scope.per_project_cap_won,
        "minimum_age": scope.minimum_age,
        "maximum_age": scope.maximum_age,
        "max_choices": scope.max_choices,
    }


@transaction.atomic
def save_pot(*, cycle: BudgetCycle, actor: User, scope: BallotScope) -> BallotScope:
    """Add or change one pot (a free pot or a themed track, at city, gu or dong level): refused
    once voting opens, or when the pots would no longer fit the cycle's total."""
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.rules_are_frozen:
        raise RulesFrozenError(_("Voting has opened, so the pots can no longer change."))
    scope.cycle = cycle
    adding = scope.pk is None
    check_scope_change_allowed(
        scope=scope,
        new_budget_won=scope.budget_won,
        new_values={field: getattr(scope, field) for field in BallotScope.FROZEN_FIELDS},
    )
    scope.full_clean()
    scope.save()
    _over_total(cycle=cycle, total=cycle.total_budget_won)
    _pots_changed(
        cycle=cycle, actor=actor, pot=_pot_summary(scope), action="added" if adding else "changed"
    )
    return scope


@transaction.atomic
def remove_pot(*, cycle: BudgetCycle, actor: User, scope: BallotScope) -> None:
    """Take a pot off the cycle: refused once voting opens or when proposals were filed in it."""
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.rules_are_frozen:
        raise RulesFrozenError(_("Voting has opened, so the pots can no longer change."))
    check_scope_change_allowed(scope=scope, deleting=True)
    summary = _pot_summary(scope)
    try:
        with transaction.atomic():
            scope.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("Proposals were filed in “%(pot)s”: it cannot be removed.") % {"pot": scope.name}
        ) from exc
    _pots_changed(cycle=cycle, actor=actor, pot=summary, action="removed")


@transaction.atomic
def set_policy_areas(*, cycle: BudgetCycle, actor: User, areas: list[PolicyArea]) -> None:
    cycle.policy_areas.set(areas)
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.CYCLE_RULES_CHANGED,
        subject=cycle,
        actor=actor,
        is_public=cycle.phase != Phase.DRAFT,
        fields=["policy_areas"],
        policy_areas=sorted(area.slug for area in areas),
    )
