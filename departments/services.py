"""Writes of the departments app: routing, the department review, reminders, the ladder.

Decisions (the issue leaves them open):

- Routing happens when the cycle's review phase is open (a beat task, so it also catches
  proposals that arrive late); a proposal goes to every department owning its policy area.
  Staff re-route with a public reason; the old routing is kept with that reason.
- The review is due ``review_days`` (per cycle, default 21) after routing. An overdue review is
  listed for the budget office and its department is e-mailed once (``reminder_sent_at``).
- A submitted review is public at once (the department acts publicly) and becomes the
  proposal's feasibility review, which the committee's desk and the proposal's status read.
- The ladder is the cycle's to set until the proposal phase opens, then frozen.
"""

import re
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.predicates import is_budget_office
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.phases import Phase
from budgeting.phases import phase_index
from core.exceptions import ApplicationError
from core.links import absolute_url
from departments.models import CycleSettings
from departments.models import Department
from departments.models import DepartmentReview
from departments.models import Escalation
from departments.models import EscalationStep
from departments.models import ForumPost
from departments.models import Routing
from departments.predicates import is_answering_official
from departments.predicates import is_forum_moderator
from departments.predicates import is_reviewing_official
from departments.selectors import get_review_days
from departments.selectors import list_active_routings
from departments.selectors import list_escalation_owner_ids
from departments.selectors import list_overdue_reviews
from departments.selectors import list_owning_departments
from notifications.services import enqueue_email
from proposals.models import Endorsement
from proposals.models import Proposal
from proposals.review.services import record_department_verdict
from proposals.services import ProposalError

# "item, 20,000,000" / "item: 20000000원" / "item<TAB>₩20,000,000"
BREAKDOWN_LINE = re.compile(r"^(?P<item>.+?)\s*[,:\t]\s*₩?\s*(?P<amount>\d[\d,]*)\s*원?$")
if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_SUFFIXES = frozenset({".pdf", ".hwp", ".hwpx", ".docx", ".xlsx", ".txt"})
DEFAULT_LADDER: tuple[tuple[int, str, int], ...] = (
    (50, EscalationStep.Action.DEPARTMENT_ANSWER, 14),
    (100, EscalationStep.Action.FORUM, 14),
    (1000, EscalationStep.Action.OFFICE_ANSWER, 30),
)
REMINDER_EMAIL = "departments/emails/review_overdue"
ESCALATION_EMAIL = "departments/emails/escalation_reached"


class DepartmentError(ApplicationError):
    """A rule of department review or the ladder refused an action; ``field`` names the input."""

    def __init__(
        self, message: "StrOrPromise", *, code: str = "invalid", field: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.field = field


def _day(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


# --- routing -----------------------------------------------------------------------------------
def _open_review(*, proposal: Proposal, department: Department, now: datetime) -> None:
    days = get_review_days(cycle=proposal.cycle)
    DepartmentReview.objects.get_or_create(
        proposal=proposal, department=department, defaults={"due_at": now + timedelta(days=days)}
    )


@transaction.atomic
def route_proposal(*, proposal: Proposal) -> list[Routing]:
    """Send ``proposal`` to the departments owning its policy area (once; nothing if routed)."""
    proposal = Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
    if proposal.routings.exists():
        return []
    now = timezone.now()
    created = []
    for department in list_owning_departments(policy_area_id=proposal.policy_area_id):
        created.append(Routing.objects.create(proposal=proposal, department=department))
        _open_review(proposal=proposal, department=department, now=now)
    if created:
        record_audit_event(
            cycle=proposal.cycle,
            event_type=AuditEvent.Type.PROPOSAL_ROUTED,
            subject=proposal,
            is_public=True,
            departments=[r.department.slug for r in created],
        )
    return created


def route_open_cycles() -> int:
    """Route every submitted, unrouted proposal of cycles in their review phase (beat)."""
    count = 0
    proposals = Proposal.objects.filter(
        cycle__phase=Phase.REVIEW,
        status=Proposal.Status.SUBMITTED,
        hidden_at__isnull=True,
        routings__isnull=True,
    ).values_list("pk", flat=True)
    for pk in list(proposals):
        count += len(route_proposal(proposal=Proposal.objects.get(pk=pk)))
    return count


@transaction.atomic
def reroute_proposal(
    *, proposal: Proposal, staff: User, departments: list[Department], reason: str
) -> list[Routing]:
    """The budget office sends ``proposal`` to ``departments`` (one or more), with a reason.

    Departments no longer on the list keep their routing, marked removed with the reason, and
    a pending review of theirs is withdrawn; a submitted review stays in the public record.
    """
    if not is_budget_office(staff):
        raise DepartmentError(_("Only the budget office routes proposals."), code="permission")
    proposal = Proposal.objects.select_for_update().select_related("cycle").get(pk=proposal.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DepartmentError(_("Give the reason for the new routing."), field="reason")
    if not departments:
        raise DepartmentError(_("Choose at least one department."), field="departments")
    if phase_index(proposal.cycle.phase) > phase_index(Phase.REVIEW):
        raise DepartmentError(_("The review phase of this cycle is over."), code="phase")
    now = timezone.now()
    wanted = {d.pk: d for d in departments}
    current = {r.department_id: r for r in list_active_routings(proposal=proposal)}
    for department_id, routing in current.items():
        if department_id not in wanted:
            routing.removed_at, routing.removed_reason = now, reason[:300]
            routing.save(update_fields=["removed_at", "removed_reason"])
            DepartmentReview.objects.filter(
                proposal=proposal,
                department_id=department_id,
                status=DepartmentReview.Status.PENDING,
            ).delete()
    created = []
    for department_id, department in wanted.items():
        if department_id in current:
            continue
        created.append(
            Routing.objects.create(
                proposal=proposal, department=department, routed_by=staff, reason=reason[:300]
            )
        )
        _open_review(proposal=proposal, department=department, now=now)
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.PROPOSAL_ROUTED,
        subject=proposal,
        actor=staff,
        is_public=True,
        reason=reason,
        departments=sorted(d.slug for d in departments),
    )
    return created


# --- the department review ---------------------------------------------------------------------
def parse_cost_breakdown(text: str) -> list[list[Any]]:
    """Lines "item, amount" (amount in whole won, commas allowed) → [[item, amount], ...]."""
    rows: list[list[Any]] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = BREAKDOWN_LINE.match(line)
        digits = match["amount"].replace(",", "") if match else ""
        if match is None or not match["item"].strip() or int(digits) < 1:
            raise DepartmentError(
                _('Line %(number)s of the cost breakdown: write "item, amount in won".')
                % {"number": number},
                field="cost_breakdown",
            )
        rows.append([match["item"].strip()[:120], int(digits)])
    return rows


def check_attachment(upload: UploadedFile | None) -> None:
    if upload is None:
        return
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise DepartmentError(
            _("The attachment is %(size)s MB; at most %(limit)s MB is accepted.")
            % {
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "limit": MAX_ATTACHMENT_BYTES // 1024 // 1024,
            },
            field="consultation_file",
        )
    if Path(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise DepartmentError(
            _("Attach a PDF, HWP, Word, Excel or text file."), field="consultation_file"
        )


@transaction.atomic
def record_department_review(
    *,
    review: DepartmentReview,
    official: User,
    verdict: str,
    reason_codes: list[str] | tuple[str, ...] = (),
    legal_basis: str = "",
    has_legal_obstacle: bool = False,
    notes: str = "",
    overlap_programme: str = "",
    reviewed_cost_won: int | None = None,
    cost_breakdown: list[list[Any]] | None = None,
    duration_months: int | None = None,
    consulted: str = "",
    consultation_summary: str = "",
    consultation_file: UploadedFile | None = None,
) -> DepartmentReview:
    """The department's official records (or corrects) its review of a proposal.

    It becomes public at once and is the proposal's feasibility review (status, reviewed cost).
    """
    review = (
        DepartmentReview.objects.select_for_update(of=("self",))
        .select_related("proposal", "proposal__cycle", "proposal__scope", "department")
        .get(pk=review.pk)
    )
    if not is_reviewing_official(official, review):
        raise DepartmentError(
            _("Only an official of the department this proposal is routed to reviews it."),
            code="permission",
        )
    if not Routing.objects.filter(
        proposal=review.proposal, department=review.department, removed_at__isnull=True
    ).exists():
        raise DepartmentError(_("This proposal is no longer routed to your department."))
    breakdown = cost_breakdown or []
    if breakdown and reviewed_cost_won is not None:
        total = sum(int(amount) for _item, amount in breakdown)
        if total != int(reviewed_cost_won):
            raise DepartmentError(
                _(
                    "The cost breakdown adds up to %(total)s won, not the reviewed cost "
                    "(%(cost)s won)."
                )
                % {"total": f"{total:,}", "cost": f"{int(reviewed_cost_won):,}"},
                field="cost_breakdown",
            )
    consulted, consultation_summary = consulted.strip(), consultation_summary.strip()
    if bool(consulted) != bool(consultation_summary):
        raise DepartmentError(
            _("For an external consultation, give both who was consulted and a summary."),
            field="consultation_summary" if consulted else "consulted",
        )
    check_attachment(consultation_file)
    if consultation_file is not None and not consulted:
        raise DepartmentError(
            _("An attachment belongs to an external consultation: say who was consulted."),
            field="consulted",
        )
    if has_legal_obstacle and not legal_basis.strip():
        raise DepartmentError(_("Describe the legal obstacle."), field="legal_basis")
    try:
        feasibility = record_department_verdict(
            proposal=review.proposal,
            official=official,
            verdict=verdict,
            reason_codes=reason_codes,
            legal_notes=legal_basis,
            technical_notes=notes,
            reviewed_cost_won=reviewed_cost_won,
        )
    except ProposalError as exc:
        raise DepartmentError(exc.message, code=exc.code, field=exc.field) from exc
    review.official = official
    review.status = DepartmentReview.Status.SUBMITTED
    review.verdict = feasibility.verdict
    review.reason_codes = feasibility.reason_codes
    review.legal_basis = legal_basis.strip()
    review.has_legal_obstacle = bool(has_legal_obstacle)
    review.notes = notes.strip()
    review.overlap_programme = overlap_programme.strip()[:200]
    review.reviewed_cost_won = feasibility.reviewed_cost_won
    review.cost_breakdown = breakdown
    review.duration_months = duration_months
    review.consulted = consulted[:200]
    review.consultation_summary = consultation_summary
    if consultation_file is not None:
        review.consultation_file = consultation_file
    review.submitted_at = timezone.now()
    review.feasibility_review = feasibility
    review.save()
    record_audit_event(
        cycle=review.proposal.cycle,
        event_type=AuditEvent.Type.DEPARTMENT_REVIEWED,
        subject=review.proposal,
        actor=official,
        is_public=True,
        department=review.department.slug if review.department else "",
        verdict=review.verdict,
        reason_codes=review.reason_codes,
        reviewed_cost_won=review.reviewed_cost_won,
    )
    return review


def send_review_reminders(*, now: datetime | None = None) -> int:
    """E-mail each overdue review's department once (its address and its officials)."""
    sent = 0
    for pk in list(
        list_overdue_reviews(now=now)
        .filter(reminder_sent_at__isnull=True)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            review = (
                DepartmentReview.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=pk, reminder_sent_at__isnull=True)
                .select_related("proposal", "department")
                .first()
            )
            if review is None or review.department is None:
                continue
            context = {
                "proposal_title": review.proposal.title,
                "department": review.department.name_ko,
                "due_at": _day(review.due_at),
                "url": absolute_url(f"/staff/departments/reviews/{review.pk}/"),
            }
            if review.department.email:
                enqueue_email(
                    template=REMINDER_EMAIL,
                    context=context,
                    to_email=review.department.email,
                    language="ko",
                    dedupe_key=f"review-overdue:{review.pk}:dept",
                )
            for post in review.department.officials.select_related("user"):
                enqueue_email(
                    template=REMINDER_EMAIL,
                    context=context,
                    recipient=post.user,
                    dedupe_key=f"review-overdue:{review.pk}:{post.user_id}",
                )
            review.reminder_sent_at = timezone.now()
            review.save(update_fields=["reminder_sent_at"])
            sent += 1
    return sent


@transaction.atomic
def save_review_days(*, cycle: BudgetCycle, staff: User, review_days: int) -> CycleSettings:
    if not is_budget_office(staff):
        raise DepartmentError(_("Only the budget office sets deadlines."), code="permission")
    if review_days < 1:
        raise DepartmentError(_("Give at least one day."), field="review_days")
    row, _created = CycleSettings.objects.update_or_create(
        cycle=cycle, defaults={"review_days": review_days}
    )
    return row


# --- the escalation ladder ---------------------------------------------------------------------
def ladder_is_frozen(cycle: BudgetCycle) -> bool:
    """Residents gather support under the ladder published before proposals open."""
    return phase_index(cycle.phase) >= phase_index(Phase.PROPOSALS)


@transaction.atomic
def save_ladder(
    *, cycle: BudgetCycle, staff: User, steps: list[tuple[int, str, Department | None, int]]
) -> list[EscalationStep]:
    """Replace ``cycle``'s ladder with ``steps`` (threshold, action, office, days)."""
    if not is_budget_office(staff):
        raise DepartmentError(_("Only the budget office sets the ladder."), code="permission")
    cycle = BudgetCycle.objects.select_for_update().get(pk=cycle.pk)
    if ladder_is_frozen(cycle):
        raise DepartmentError(
            _("The ladder is frozen: the proposal phase of this cycle has opened."), code="frozen"
        )
    thresholds = [threshold for threshold, _action, _office, _days in steps]
    if len(set(thresholds)) != len(thresholds):
        raise DepartmentError(_("Each step needs its own number of supporters."), field="ladder")
    for threshold, action, office, days in steps:
        if threshold < 1 or days < 1:
            raise DepartmentError(_("Supporters and days are at least 1."), field="ladder")
        if action not in EscalationStep.Action.values:
            raise DepartmentError(_("Choose an action for every step."), field="ladder")
        if action == EscalationStep.Action.OFFICE_ANSWER and office is None:
            raise DepartmentError(
                _("An answer by a named office needs the office."), field="ladder"
            )
    EscalationStep.objects.filter(cycle=cycle).delete()
    created = [
        EscalationStep.objects.create(
            cycle=cycle, threshold=threshold, action=action, office=office, days=days
        )
        for threshold, action, office, days in sorted(steps, key=lambda step: step[0])
    ]
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.CYCLE_RULES_CHANGED,
        subject=cycle,
        actor=staff,
        is_public=True,
        ladder=[[s.threshold, s.action, s.days] for s in created],
    )
    return created


def parse_ladder(text: str) -> list[tuple[int, str, Department | None, int]]:
    """Lines "supporters, action, days[, office slug]" → steps for ``save_ladder``."""
    steps: list[tuple[int, str, Department | None, int]] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = [part.strip() for part in raw.split(",")]
        if parts == [""]:
            continue
        office = None
        valid = len(parts) in (3, 4) and parts[0].isdigit() and parts[2].isdigit()
        if valid and len(parts) == 4:
            office = Department.objects.filter(slug=parts[3]).first()
            valid = office is not None
        if not valid or parts[1] not in EscalationStep.Action.values:
            raise DepartmentError(
                _('Line %(number)s of the ladder: write "supporters, action, days[, office]".')
                % {"number": number},
                field="ladder",
            )
        steps.append((int(parts[0]), parts[1], office, int(parts[2])))
    return steps


def default_ladder(*, office: Department | None) -> list[tuple[int, str, Department | None, int]]:
    """Democracy Seoul's 50 / 100 / 1,000 (the last step needs an office, e.g. the mayor's)."""
    return [
        (threshold, action, office if action == EscalationStep.Action.OFFICE_ANSWER else None, days)
        for threshold, action, days in DEFAULT_LADDER
        if office is not None or action != EscalationStep.Action.OFFICE_ANSWER
    ]


def _notify_escalation(escalation: Escalation) -> None:
    proposal = escalation.proposal
    context = {
        "proposal_title": proposal.title,
        "threshold": escalation.step.threshold,
        "action": escalation.step.action,
        "due_at": _day(escalation.due_at),
        "url": absolute_url(proposal.get_absolute_url()),
    }
    people = {proposal.author_id: proposal.author}
    for endorsement in Endorsement.objects.filter(proposal=proposal).select_related("user"):
        people.setdefault(endorsement.user_id, endorsement.user)
    owners = Department.objects.filter(pk__in=list_escalation_owner_ids(escalation=escalation))
    for department in owners:
        for post in department.officials.select_related("user"):
            people.setdefault(post.user_id, post.user)
        if department.email:
            enqueue_email(
                template=ESCALATION_EMAIL,
                context=context,
                to_email=department.email,
                language="ko",
                dedupe_key=f"escalation:{escalation.pk}:dept:{department.pk}",
            )
    if escalation.moderator is not None:
        people.setdefault(escalation.moderator.pk, escalation.moderator)
    for user_id in sorted(people):
        enqueue_email(
            template=ESCALATION_EMAIL,
            context=context,
            recipient=people[user_id],
            dedupe_key=f"escalation:{escalation.pk}:{user_id}",
        )


def reach_escalation_steps(*, now: datetime | None = None) -> int:
    """Create the escalations proposals have reached (by supporters), once each (beat)."""
    now = now or timezone.now()
    reached = 0
    for step in EscalationStep.objects.select_related("cycle").order_by("cycle", "threshold"):
        candidates = (
            Proposal.objects.public()
            .filter(cycle=step.cycle)
            .exclude(escalations__step=step)
            .exclude(status__in=[Proposal.Status.WITHDRAWN, Proposal.Status.MERGED])
        )
        for proposal in candidates:
            supporters = proposal.endorsements.count()
            if supporters >= step.threshold:
                reached += int(
                    reach_step(proposal=proposal, step=step, supporters=supporters, now=now)
                )
    return reached


@transaction.atomic
def reach_step(*, proposal: Proposal, step: EscalationStep, supporters: int, now: datetime) -> bool:
    """Record that ``proposal`` reached ``step`` (False when it already had)."""
    Proposal.objects.select_for_update().get(pk=proposal.pk)
    if Escalation.objects.filter(proposal=proposal, step=step).exists():
        return False
    escalation = Escalation.objects.create(
        proposal=proposal,
        step=step,
        reached_at=now,
        supporters=supporters,
        due_at=now + timedelta(days=step.days),
        notified_at=now,
    )
    record_audit_event(
        cycle=proposal.cycle,
        event_type=AuditEvent.Type.ESCALATION_REACHED,
        subject=proposal,
        is_public=True,
        threshold=step.threshold,
        action=step.action,
        supporters=supporters,
    )
    _notify_escalation(escalation)
    return True


@transaction.atomic
def answer_escalation(*, escalation: Escalation, official: User, answer: str) -> Escalation:
    """The answering office publishes its written answer (it may correct it; dated again)."""
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("proposal", "proposal__cycle", "step", "step__office")
        .get(pk=escalation.pk)
    )
    if not is_answering_official(official, escalation):
        raise DepartmentError(
            _("Only an official of the answering department or office answers this."),
            code="permission",
        )
    answer = (answer or "").strip()
    if not answer:
        raise DepartmentError(_("Write the answer."), field="answer")
    owners = list_escalation_owner_ids(escalation=escalation)
    department = official.department_posts.filter(department_id__in=owners).first()
    escalation.answer = answer
    escalation.answered_at = timezone.now()
    escalation.answered_by = official
    escalation.answered_as = department.department.name_ko if department else ""
    escalation.save()
    record_audit_event(
        cycle=escalation.proposal.cycle,
        event_type=AuditEvent.Type.ESCALATION_ANSWERED,
        subject=escalation.proposal,
        actor=official,
        is_public=True,
        threshold=escalation.step.threshold,
        answered_as=escalation.answered_as,
        overdue=escalation.answered_at > escalation.due_at,
    )
    return escalation


# --- the deliberation forum --------------------------------------------------------------------
def forum_is_open(escalation: Escalation, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return escalation.is_forum and escalation.answered_at is None and now < escalation.due_at


@transaction.atomic
def post_to_forum(
    *, escalation: Escalation, author: User, body: str, expert_name: str = ""
) -> ForumPost:
    """A verified resident contributes; the moderator posts experts' statements (named)."""
    if not forum_is_open(escalation):
        raise DepartmentError(_("This forum is closed."), code="closed")
    body = (body or "").strip()
    if not body:
        raise DepartmentError(_("Write your contribution."), field="body")
    expert_name = (expert_name or "").strip()
    if expert_name and not is_forum_moderator(author, escalation):
        raise DepartmentError(
            _("Only the moderator posts experts' statements."), field="expert_name"
        )
    profile = getattr(author, "resident_profile", None)
    is_resident = profile is not None and profile.verified_at is not None
    if not expert_name and not is_forum_moderator(author, escalation) and not is_resident:
        raise DepartmentError(_("Verified residents take part in the forum."), code="permission")
    return ForumPost.objects.create(
        escalation=escalation,
        author=author,
        body=body,
        is_expert_statement=bool(expert_name),
        expert_name=expert_name[:150],
    )


@transaction.atomic
def close_forum(*, escalation: Escalation, moderator: User, summary: str) -> Escalation:
    """The moderator closes the forum with a public summary (its answer)."""
    escalation = (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("step", "proposal__cycle")
        .get(pk=escalation.pk)
    )
    if not is_forum_moderator(moderator, escalation):
        raise DepartmentError(_("Only the forum's moderator closes it."), code="permission")
    summary = (summary or "").strip()
    if not summary:
        raise DepartmentError(_("Write the closing summary."), field="summary")
    escalation.answer = summary
    escalation.answered_at = timezone.now()
    escalation.answered_by = moderator
    escalation.answered_as = _("Forum moderator")
    escalation.save()
    record_audit_event(
        cycle=escalation.proposal.cycle,
        event_type=AuditEvent.Type.ESCALATION_ANSWERED,
        subject=escalation.proposal,
        actor=moderator,
        is_public=True,
        threshold=escalation.step.threshold,
        forum_closed=True,
    )
    return escalation


@transaction.atomic
def assign_moderator(*, escalation: Escalation, staff: User, moderator: User) -> Escalation:
    if not is_budget_office(staff):
        raise DepartmentError(_("Only the budget office assigns moderators."), code="permission")
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    escalation.moderator = moderator
    escalation.save(update_fields=["moderator"])
    return escalation
