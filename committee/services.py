"""Writes for the committee: recruitment and the draw, seats, the budget school, meetings, 분과."""

import csv
import io
import secrets
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import list_users_by_email
from budgeting.audit import record_audit_event
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import DeclaredInterest
from budgeting.models import District
from budgeting.models import PolicyArea
from budgeting.models import Subcommittee
from budgeting.models import SubcommitteeMember
from committee.lottery import DrawRefused
from committee.lottery import QuotaSpec
from committee.lottery import Shortfall
from committee.lottery import applicant_table_csv
from committee.lottery import draw
from committee.lottery import next_reserve
from committee.lottery import sha256_hex
from committee.models import Application
from committee.models import Course
from committee.models import CourseSession
from committee.models import Enrolment
from committee.models import Meeting
from committee.models import Quota
from committee.models import Recruitment
from committee.models import SessionCompletion
from committee.selectors import age_band_for
from committee.selectors import as_applicant
from committee.selectors import has_completed_school
from committee.selectors import list_active_applications
from committee.selectors import list_quota_specs
from core.exceptions import ApplicationError
from core.links import absolute_url
from notifications.services import enqueue_email
from notifications.services import language_of

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime


DRAW_EMAIL = "committee/emails/draw_outcome"
CALLED_UP_EMAIL = "committee/emails/called_up"
CERTIFICATE_EMAIL = "committee/emails/school_certificate"


class CommitteeError(ApplicationError):
    """A committee rule refused an action; ``reasons`` lists every reason (a refused draw)."""

    def __init__(
        self, message: str, *, code: str = "invalid", reasons: "Sequence[str]" = ()
    ) -> None:
        super().__init__(message, code=code)
        self.reasons = list(reasons)


# --- recruitment ---------------------------------------------------------------------------------
QUOTA_FEATURES = {choice.value for choice in Quota.Feature}


def parse_quota_lines(text: str, *, seats: int) -> list[QuotaSpec]:
    """Quotas from "attribute,value,at least,at most" lines (what the staff form takes)."""
    specs: list[QuotaSpec] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(csv.reader(io.StringIO(text.strip())), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 4:
            raise CommitteeError(
                _("Line %(n)s: write attribute, value, at least, at most.") % {"n": number}
            )
        feature, value, low, high = (cell.strip() for cell in row)
        if feature not in QUOTA_FEATURES:
            raise CommitteeError(
                _("Line %(n)s: the attribute must be one of %(features)s.")
                % {"n": number, "features": ", ".join(sorted(QUOTA_FEATURES))}
            )
        if not (low.isdigit() and high.isdigit()) or int(low) > int(high) or int(high) > seats:
            raise CommitteeError(
                _("Line %(n)s: at least and at most are whole numbers, at least ≤ at most ≤ seats.")
                % {"n": number}
            )
        if (feature, value) in seen or not value:
            raise CommitteeError(_("Line %(n)s: each value once.") % {"n": number})
        seen.add((feature, value))
        specs.append(QuotaSpec(feature, value, int(low), int(high)))
    return specs


@transaction.atomic
def save_recruitment(
    *,
    cycle: BudgetCycle,
    seats: int,
    reserves: int,
    min_age: int,
    require_verified: bool,
    school_rule: str,
    custom_attribute: str,
    quotas: "Sequence[QuotaSpec]",
    applications_close_at: "datetime | None" = None,
    actor: User | None = None,
) -> Recruitment:
    """Create or change a cycle's recruitment (only before applications close)."""
    recruitment = Recruitment.objects.select_for_update().filter(cycle=cycle).first()
    if recruitment is not None and recruitment.status not in (
        Recruitment.Status.DRAFT,
        Recruitment.Status.OPEN,
    ):
        raise CommitteeError(_("Applications are closed: the recruitment can no longer change."))
    if recruitment is None:
        recruitment = Recruitment(cycle=cycle)
    recruitment.seats = seats
    recruitment.reserves = reserves
    recruitment.min_age = min_age
    recruitment.require_verified = require_verified
    recruitment.school_rule = school_rule
    recruitment.custom_attribute = custom_attribute
    recruitment.applications_close_at = applications_close_at
    recruitment.save()
    recruitment.quotas.all().delete()
    Quota.objects.bulk_create(
        Quota(
            recruitment=recruitment,
            feature=q.feature,
            value=q.value,
            min_seats=q.min,
            max_seats=q.max,
        )
        for q in quotas
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.COMMITTEE_RECRUITMENT_SAVED,
        subject=recruitment,
        actor=actor,
        is_public=True,  # the rules of the draw are public
        seats=seats,
        reserves=reserves,
        min_age=min_age,
        require_verified=require_verified,
        school_rule=school_rule,
        custom_attribute=custom_attribute,
        quotas=[[q.feature, q.value, q.min, q.max] for q in quotas],
    )
    return recruitment


@transaction.atomic
def open_recruitment(*, recruitment: Recruitment, actor: User | None = None) -> Recruitment:
    recruitment = Recruitment.objects.select_for_update().get(pk=recruitment.pk)
    if recruitment.status != Recruitment.Status.DRAFT:
        raise CommitteeError(_("Only a recruitment being prepared can open."))
    recruitment.status = Recruitment.Status.OPEN
    recruitment.save(update_fields=["status"])
    record_audit_event(
        cycle=recruitment.cycle,
        event_type=AuditEvent.Type.COMMITTEE_RECRUITMENT_OPENED,
        subject=recruitment,
        actor=actor,
        is_public=True,
    )
    return recruitment


def application_refusal(*, recruitment: Recruitment, user: User) -> str:
    """Why ``user`` may not apply now ("" when they may)."""
    if recruitment.status != Recruitment.Status.OPEN:
        return _("Applications are not open.")
    profile = getattr(user, "resident_profile", None)
    if profile is None:
        return _("Complete your resident profile first.")
    if recruitment.require_verified and not profile.is_verified:
        return _("Only verified residents can apply.")
    if recruitment.cycle.year - profile.birth_year < recruitment.min_age:
        return _("Applicants must be at least %(age)s in %(year)s.") % {
            "age": recruitment.min_age,
            "year": recruitment.cycle.year,
        }
    if recruitment.school_rule == Recruitment.SchoolRule.BEFORE_DRAW and not (
        has_completed_school(user=user, cycle=recruitment.cycle)
    ):
        return _("Complete the budget school before applying.")
    return ""


@transaction.atomic
def apply_to_committee(
    *,
    recruitment: Recruitment,
    user: User,
    gender: str,
    custom_answer: bool,
    name_is_public: bool,
    motivation: str = "",
) -> Application:
    """A resident applies; district and age band come from their profile (kept private)."""
    recruitment = Recruitment.objects.select_for_update().get(pk=recruitment.pk)
    refusal = application_refusal(recruitment=recruitment, user=user)
    if refusal:
        raise CommitteeError(refusal, code="refused")
    if gender not in Application.Gender.values:
        raise CommitteeError(_("Choose an answer for gender."))
    profile = user.resident_profile
    application, created = Application.objects.get_or_create(
        recruitment=recruitment,
        user=user,
        defaults={
            "district_id": profile.district_id,
            "gender": gender,
            "age_band": age_band_for(birth_year=profile.birth_year, year=recruitment.cycle.year),
            "custom_answer": custom_answer,
            "name_is_public": name_is_public,
            "motivation": motivation,
        },
    )
    if not created:  # applying again changes the answers (and un-withdraws)
        application.district_id = profile.district_id
        application.gender = gender
        application.custom_answer = custom_answer
        application.name_is_public = name_is_public
        application.motivation = motivation
        application.outcome = Application.Outcome.PENDING
        application.save()
    return application


@transaction.atomic
def withdraw_application(*, application: Application) -> Application:
    application = (
        Application.objects.select_for_update().select_related("recruitment").get(pk=application.pk)
    )
    if application.recruitment.status != Recruitment.Status.OPEN:
        raise CommitteeError(_("Applications are closed; write to the budget office instead."))
    application.outcome = Application.Outcome.WITHDRAWN
    application.save(update_fields=["outcome"])
    return application


@transaction.atomic
def close_applications(
    *, recruitment: Recruitment, seed: str = "", actor: User | None = None
) -> Recruitment:
    """Close applications and commit to the draw.

    Applicant numbers are given in a random order (so they reveal nothing about who applied
    when); the SHA-256 of the anonymised table and of the seed are published now; the seed
    itself (a fresh random one unless staff bring their own) is revealed at the draw.
    """
    recruitment = Recruitment.objects.select_for_update().get(pk=recruitment.pk)
    if recruitment.status != Recruitment.Status.OPEN:
        raise CommitteeError(_("Only open applications can close."))
    applications = list(list_active_applications(recruitment=recruitment))
    order = list(range(1, len(applications) + 1))
    secrets.SystemRandom().shuffle(order)
    for application, number in zip(applications, order, strict=True):
        application.public_id = f"A{number:04d}"
    Application.objects.bulk_update(applications, ["public_id"])
    seed = seed.strip() or secrets.token_hex(16)
    recruitment.sealed_seed = seed
    recruitment.seed_sha256 = sha256_hex(seed)
    table = applicant_table_csv(
        as_applicant(a)
        for a in list_active_applications(recruitment=recruitment).select_related("district")
    )
    recruitment.table_sha256 = sha256_hex(table)
    recruitment.closed_at = timezone.now()
    recruitment.status = Recruitment.Status.CLOSED
    recruitment.save()
    record_audit_event(
        cycle=recruitment.cycle,
        event_type=AuditEvent.Type.COMMITTEE_SEED_COMMITTED,
        subject=recruitment,
        actor=actor,
        is_public=True,  # the commitment: anyone can check the seed revealed at the draw
        seed_sha256=recruitment.seed_sha256,
        table_sha256=recruitment.table_sha256,
        applicants=len(applications),
    )
    return recruitment


def explain_shortfall(shortfall: Shortfall, *, recruitment: Recruitment) -> str:
    """One refusal reason in words: which quota, and by how much."""
    feature = dict(Quota.Feature.choices).get(shortfall.feature, shortfall.feature)
    if shortfall.feature == Quota.Feature.CUSTOM and recruitment.custom_attribute:
        feature = recruitment.custom_attribute
    values = {
        "feature": feature,
        "value": shortfall.value,
        "needed": shortfall.needed,
        "available": shortfall.available,
        "missing": shortfall.missing,
    }
    if shortfall.kind == "pool":
        return _("%(needed)s seats but only %(available)s applicants: %(missing)s short.") % values
    if shortfall.kind == "applicants":
        return (
            _(
                "%(feature)s “%(value)s” needs at least %(needed)s seats but only %(available)s "
                "applicants have it: %(missing)s short."
            )
            % values
        )
    if shortfall.kind == "minimums":
        return (
            _(
                "The minimums for %(feature)s add up to %(needed)s, more than the %(available)s "
                "seats, by %(missing)s."
            )
            % values
        )
    if shortfall.kind == "maximums":
        return (
            _(
                "The maximums for %(feature)s (counting only values applicants have) allow "
                "%(available)s seats, fewer than the %(needed)s seats, by %(missing)s."
            )
            % values
        )
    return _("No panel meets every quota at once: %(detail)s") % {"detail": shortfall.detail}


@dataclass
class DrawReport:
    members: list[CouncilMembership] = field(default_factory=list)
    reserves: list[CouncilMembership] = field(default_factory=list)


@transaction.atomic
def run_draw(*, recruitment: Recruitment, actor: User | None = None) -> DrawReport:
    """Draw the committee from the closed applications with the committed seed.

    Refused (nothing changes) with every reason when the quotas cannot be met. Selected
    applicants become members (seat numbers in a random order, so a seat number does not lead
    back to an applicant number), reserves become reserve memberships in their order.
    """
    recruitment = (
        Recruitment.objects.select_for_update().select_related("cycle").get(pk=recruitment.pk)
    )
    if recruitment.status != Recruitment.Status.CLOSED:
        raise CommitteeError(_("Close applications (and commit to the seed) before the draw."))
    applications = list(
        list_active_applications(recruitment=recruitment).select_related(
            "district", "user__resident_profile"
        )
    )
    by_id = {a.public_id: a for a in applications}
    quotas = list_quota_specs(recruitment=recruitment)
    try:
        outcome = draw(
            [as_applicant(a) for a in applications],
            quotas,
            seats=recruitment.seats,
            reserves=recruitment.reserves,
            seed=recruitment.sealed_seed,
            algorithm=recruitment.algorithm,
        )
    except DrawRefused as refused:
        reasons = [explain_shortfall(s, recruitment=recruitment) for s in refused.shortfalls]
        raise CommitteeError(
            _("The quotas cannot be met; change them and draw again."),
            code="quotas",
            reasons=reasons,
        ) from refused
    cycle = recruitment.cycle
    taken = set(CouncilMembership.objects.filter(cycle=cycle).values_list("seat_number", flat=True))
    seat_numbers = [n for n in range(1, len(taken) + len(outcome.panel) + 1) if n not in taken]
    seat_numbers = seat_numbers[: len(outcome.panel)]
    secrets.SystemRandom().shuffle(seat_numbers)
    report = DrawReport()
    for public_id, seat in zip(outcome.panel, seat_numbers, strict=True):
        application = by_id[public_id]
        application.outcome = Application.Outcome.SELECTED
        report.members.append(
            _seat(cycle, application, status=CouncilMembership.Status.MEMBER, seat=seat)
        )
    for rank, public_id in enumerate(outcome.reserves, start=1):
        application = by_id[public_id]
        application.outcome = Application.Outcome.RESERVE
        application.reserve_rank = rank
        report.reserves.append(
            _seat(cycle, application, status=CouncilMembership.Status.RESERVE, rank=rank)
        )
    drawn = set(outcome.panel) | set(outcome.reserves)
    for application in applications:
        if application.public_id not in drawn:
            application.outcome = Application.Outcome.NOT_SELECTED
    Application.objects.bulk_update(applications, ["outcome", "reserve_rank"])
    recruitment.seed = recruitment.sealed_seed
    recruitment.status = Recruitment.Status.DRAWN
    recruitment.drawn_at = timezone.now()
    recruitment.save(update_fields=["seed", "status", "drawn_at"])
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.COMMITTEE_DRAWN,
        subject=recruitment,
        actor=actor,
        is_public=True,
        seed=recruitment.seed,
        seed_sha256=recruitment.seed_sha256,
        table_sha256=recruitment.table_sha256,
        algorithm=recruitment.algorithm,
        members=len(report.members),
        reserves=len(report.reserves),
    )
    for application in applications:
        _email_draw_outcome(recruitment, application)
    return report


def _email_draw_outcome(recruitment: Recruitment, application: Application) -> None:
    """Tell an applicant the draw's outcome for them (once per recruitment and applicant)."""
    cycle = recruitment.cycle
    user = application.user
    language = language_of(user)
    with translation.override(language):
        context = {
            "cycle_name": str(cycle.name),
            "outcome": application.outcome,
            "reserve_rank": application.reserve_rank,
            "school_after": recruitment.school_rule == Recruitment.SchoolRule.AFTER_DRAW,
            "url": absolute_url(reverse("committee:public", kwargs={"slug": cycle.slug})),
            "interests_url": absolute_url(
                reverse("committee:interests", kwargs={"slug": cycle.slug})
            ),
        }
    enqueue_email(
        template=DRAW_EMAIL,
        context=context,
        recipient=user,
        language=language,
        dedupe_key=f"committee-draw:{recruitment.pk}:{user.pk}",
    )


def _seat(
    cycle: BudgetCycle,
    application: Application,
    *,
    status: str,
    seat: int | None = None,
    rank: int | None = None,
) -> CouncilMembership:
    membership, _created = CouncilMembership.objects.update_or_create(
        cycle=cycle,
        user=application.user,
        defaults={
            "status": status,
            "seat_number": seat,
            "reserve_rank": rank,
            "name_is_public": application.name_is_public,
        },
    )
    return membership


LEAVING_EVENTS = {
    "staff": AuditEvent.Type.COMMITTEE_MEMBER_REPLACED,
    "school": AuditEvent.Type.COMMITTEE_MEMBER_REMOVED_NO_SCHOOL,
    "self": AuditEvent.Type.COMMITTEE_MEMBER_RESIGNED,
}


@transaction.atomic
def replace_member(
    *,
    membership: CouncilMembership,
    reason: str,
    actor: User | None = None,
    cause: str = "staff",
) -> CouncilMembership | None:
    """``membership`` leaves; the first reserve (in order) who keeps every quota takes a seat.

    ``cause`` says why: staff record it (``staff``), the budget school was not completed
    (``school``) or the member resigned (``self``). One public audit event names the seat that
    ended and the seat taken (their numbers); the reserve called up is
    e-mailed. Returns the new member's membership, or None when no reserve keeps the quotas
    (the seat stays empty and staff are told).
    """
    if cause not in LEAVING_EVENTS:
        raise ValueError(cause)
    membership = (
        CouncilMembership.objects.select_for_update(of=("self",))
        .select_related("cycle", "user__resident_profile")
        .get(pk=membership.pk)
    )
    if membership.status != CouncilMembership.Status.MEMBER:
        raise CommitteeError(_("Only a sitting member can leave."))
    reason = reason.strip()
    if not reason:
        raise CommitteeError(_("Say why the member leaves."))
    membership.status = CouncilMembership.Status.LEFT
    membership.left_at = timezone.now()
    membership.left_reason = reason[:200]
    membership.save(update_fields=["status", "left_at", "left_reason"])
    chosen = _call_up_reserve(membership)
    record_audit_event(
        cycle=membership.cycle,
        event_type=LEAVING_EVENTS[cause],
        subject=membership,
        actor=actor,
        is_public=True,  # the committee page lists who left and why
        reason=membership.left_reason,
        # seat numbers only: no name in the append-only log (a person may be erased later)
        seat=membership.seat_number,
        replaced_by_seat=chosen.seat_number if chosen is not None else None,
    )
    if chosen is not None:
        _email_called_up(chosen)
    return chosen


def _email_called_up(membership: CouncilMembership) -> None:
    cycle = membership.cycle
    language = language_of(membership.user)
    with translation.override(language):
        context = {
            "cycle_name": str(cycle.name),
            "seat": membership.seat_number,
            "url": absolute_url(reverse("committee:public", kwargs={"slug": cycle.slug})),
            "interests_url": absolute_url(
                reverse("committee:interests", kwargs={"slug": cycle.slug})
            ),
        }
    enqueue_email(
        template=CALLED_UP_EMAIL,
        context=context,
        recipient=membership.user,
        language=language,
        dedupe_key=f"committee-called-up:{membership.pk}",
    )


def _call_up_reserve(membership: CouncilMembership) -> CouncilMembership | None:
    """The first reserve who keeps every quota once ``membership`` has left takes a seat."""
    cycle = membership.cycle
    recruitment = Recruitment.objects.filter(cycle=cycle, status=Recruitment.Status.DRAWN).first()
    if recruitment is None:
        return None
    applications = {
        a.user_id: a
        for a in list_active_applications(recruitment=recruitment).select_related("district")
    }
    leaving = applications.get(membership.user_id)
    sitting = CouncilMembership.objects.filter(cycle=cycle, status=CouncilMembership.Status.MEMBER)
    panel = [as_applicant(applications[m.user_id]) for m in sitting if m.user_id in applications]
    reserve_rows = list(
        CouncilMembership.objects.filter(cycle=cycle, status=CouncilMembership.Status.RESERVE)
        .select_related("user__resident_profile")
        .order_by("reserve_rank")
    )
    reserves = [
        as_applicant(applications[m.user_id]) for m in reserve_rows if m.user_id in applications
    ]
    if leaving is not None:
        panel.append(as_applicant(leaving))
    candidate = next_reserve(
        panel=panel,
        leaving=leaving.public_id if leaving is not None else "",
        reserves=reserves,
        quotas=list_quota_specs(recruitment=recruitment),
    )
    if candidate is None:
        return None
    if leaving is not None:
        leaving.outcome = Application.Outcome.NOT_SELECTED
        leaving.save(update_fields=["outcome"])
    chosen_application = next(
        a for a in applications.values() if a.public_id == candidate.public_id
    )
    chosen_application.outcome = Application.Outcome.SELECTED
    chosen_application.save(update_fields=["outcome"])
    chosen = next(m for m in reserve_rows if m.user_id == chosen_application.user_id)
    chosen.cycle = cycle
    highest = max(
        CouncilMembership.objects.filter(cycle=cycle).values_list("seat_number", flat=True),
        key=lambda n: n or 0,
        default=0,
    )
    chosen.status = CouncilMembership.Status.MEMBER
    chosen.seat_number = (highest or 0) + 1
    chosen.reserve_rank = None
    chosen.save(update_fields=["status", "seat_number", "reserve_rank"])
    return chosen


def leave_committee(*, user: User, cycle: BudgetCycle, reason: str) -> CouncilMembership | None:
    """A member resigns: their seat goes to the next reserve who keeps the quotas."""
    membership = CouncilMembership.objects.filter(
        cycle=cycle, user=user, status=CouncilMembership.Status.MEMBER
    ).first()
    if membership is None:
        raise CommitteeError(_("Only a sitting member can leave."))
    return replace_member(membership=membership, reason=reason, actor=user, cause="self")


@transaction.atomic
def remove_members_without_school(
    *, recruitment: Recruitment, actor: User | None = None
) -> list[CouncilMembership]:
    """Where the school is required after the draw: members without the certificate leave and
    are replaced. Returns the memberships that ended."""
    if recruitment.school_rule != Recruitment.SchoolRule.AFTER_DRAW:
        raise CommitteeError(
            _("This recruitment does not require the budget school after the draw.")
        )
    ended = []
    for membership in CouncilMembership.objects.filter(
        cycle=recruitment.cycle, status=CouncilMembership.Status.MEMBER
    ).select_related("user"):
        if not has_completed_school(user=membership.user, cycle=recruitment.cycle):
            with translation.override(settings.LANGUAGE_CODE):  # the public record's language
                reason = _("Budget school not completed")
            replace_member(membership=membership, reason=reason, actor=actor, cause="school")
            ended.append(membership)
    return ended


# --- 분과 (subcommittees) ----------------------------------------------------------------------
@transaction.atomic
def save_subcommittee(
    *,
    cycle: BudgetCycle,
    name_ko: str,
    name_en: str,
    policy_areas: "Sequence[PolicyArea]",
    subcommittee: Subcommittee | None = None,
    actor: User | None = None,
) -> Subcommittee:
    """Create a 분과, or rename it or change its policy areas (``subcommittee`` given)."""
    if not policy_areas:
        raise CommitteeError(_("A subcommittee covers at least one policy area."))
    taken = Subcommittee.objects.filter(cycle=cycle, policy_areas__in=policy_areas)
    if subcommittee is not None:
        taken = taken.exclude(pk=subcommittee.pk)
    if taken.exists():
        raise CommitteeError(_("A policy area belongs to one subcommittee only."))
    name_ko, name_en = name_ko.strip(), name_en.strip()
    if not name_ko:
        raise CommitteeError(_("Name the subcommittee."))
    created = subcommittee is None
    if subcommittee is None:
        subcommittee = Subcommittee(cycle=cycle)
    elif subcommittee.cycle_id != cycle.pk:
        raise CommitteeError(_("That subcommittee belongs to another cycle."))
    subcommittee.name_ko = name_ko  # type: ignore[attr-defined]  # django-modeltranslation
    subcommittee.name_en = name_en or name_ko  # type: ignore[attr-defined]
    subcommittee.name = name_ko
    subcommittee.save()
    subcommittee.policy_areas.set(policy_areas)
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.COMMITTEE_SUBCOMMITTEE_SAVED,
        subject=subcommittee,
        actor=actor,
        is_public=True,
        created=created,
        name_ko=name_ko,
        name_en=subcommittee.name_en,  # type: ignore[attr-defined]
        policy_areas=sorted(area.slug for area in policy_areas),
    )
    return subcommittee


@transaction.atomic
def assign_seat(
    *,
    subcommittee: Subcommittee,
    user: User,
    role: str,
    affiliation: str = "",
    actor: User | None = None,
) -> SubcommitteeMember:
    """Seat ``user`` in ``subcommittee`` (staff reassign by seating them elsewhere).

    Chairs and members must sit on the committee and sit in one 분과 only (a new seat moves
    them); expert members need not be committee members. A new chair makes the old one a member.
    """
    if role not in SubcommitteeMember.Role.values:
        raise CommitteeError(_("Choose a role."))
    cycle = subcommittee.cycle
    if role != SubcommitteeMember.Role.EXPERT:
        if not CouncilMembership.objects.filter(
            cycle=cycle, user=user, status=CouncilMembership.Status.MEMBER
        ).exists():
            raise CommitteeError(
                _("Only members of this cycle's committee can sit as member or chair.")
            )
        SubcommitteeMember.objects.filter(user=user, subcommittee__cycle=cycle).exclude(
            subcommittee=subcommittee
        ).delete()
    if role == SubcommitteeMember.Role.CHAIR:
        SubcommitteeMember.objects.filter(
            subcommittee=subcommittee, role=SubcommitteeMember.Role.CHAIR
        ).exclude(user=user).update(role=SubcommitteeMember.Role.MEMBER)
    seat, _created = SubcommitteeMember.objects.update_or_create(
        subcommittee=subcommittee, user=user, defaults={"role": role, "affiliation": affiliation}
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.COMMITTEE_SEAT_ASSIGNED,
        subject=subcommittee,
        actor=actor,
        is_public=True,  # 분과 membership is public (the committee page)
        seat=_seat_number(seat),
        role=role,
        affiliation=affiliation,
    )
    return seat


def _seat_number(seat: SubcommitteeMember) -> int | None:
    """The committee seat ("member 17") of a 분과 seat's person; None for an outside expert.
    The append-only log names no one: a person may be erased later."""
    return (
        CouncilMembership.objects.filter(cycle_id=seat.subcommittee.cycle_id, user_id=seat.user_id)
        .values_list("seat_number", flat=True)
        .first()
    )


@transaction.atomic
def remove_seat(*, seat: SubcommitteeMember, actor: User | None = None) -> None:
    number = _seat_number(seat)
    subcommittee = seat.subcommittee
    seat.delete()
    record_audit_event(
        cycle=subcommittee.cycle,
        event_type=AuditEvent.Type.COMMITTEE_SEAT_REMOVED,
        subject=subcommittee,
        actor=actor,
        is_public=True,
        seat=number,
        role=seat.role,
        affiliation=seat.affiliation,
    )


@transaction.atomic
def declare_interest(
    *,
    cycle: BudgetCycle,
    user: User,
    kind: str,
    organisation: str = "",
    district: District | None = None,
    policy_area: PolicyArea | None = None,
    description: str = "",
) -> DeclaredInterest:
    if kind not in DeclaredInterest.Kind.values:
        raise CommitteeError(_("Choose the kind of interest."))
    if kind == DeclaredInterest.Kind.DISTRICT and district is None:
        raise CommitteeError(_("Name the district."))
    if kind == DeclaredInterest.Kind.POLICY_AREA and policy_area is None:
        raise CommitteeError(_("Name the policy area."))
    if kind == DeclaredInterest.Kind.ORGANISATION and len(organisation.strip()) < 2:
        raise CommitteeError(_("Name the organisation."))
    interest = DeclaredInterest.objects.create(
        cycle=cycle,
        user=user,
        kind=kind,
        organisation=organisation.strip(),
        district=district if kind == DeclaredInterest.Kind.DISTRICT else None,
        policy_area=policy_area if kind == DeclaredInterest.Kind.POLICY_AREA else None,
        description=description.strip(),
    )
    record_audit_event(
        cycle=cycle,
        event_type=AuditEvent.Type.COMMITTEE_INTEREST_DECLARED,
        subject=interest,
        actor=user,
        is_public=False,  # declared to the committee; the blocks it causes show in the queue
        kind=kind,
        organisation=interest.organisation,
        district=interest.district.slug if interest.district else "",
        policy_area=interest.policy_area.slug if interest.policy_area else "",
    )
    return interest


# --- budget school -------------------------------------------------------------------------------
def enrol(*, course: Course, user: User) -> Enrolment:
    if not course.is_published:
        raise CommitteeError(_("This course is not published."))
    enrolment, _created = Enrolment.objects.get_or_create(course=course, user=user)
    return enrolment


def _update_completion(enrolment: Enrolment) -> None:
    needed = set(CourseSession.objects.filter(course=enrolment.course).values_list("pk", flat=True))
    done = set(enrolment.completions.values_list("session_id", flat=True))
    if needed and needed <= done and enrolment.completed_at is None:
        enrolment.completed_at = timezone.now()
        enrolment.certificate_code = f"{enrolment.course.cycle.year}-{secrets.token_hex(4).upper()}"
        enrolment.save(update_fields=["completed_at", "certificate_code"])
        _email_certificate(enrolment)


def _email_certificate(enrolment: Enrolment) -> None:
    user = enrolment.user
    language = language_of(user)
    with translation.override(language):
        context = {
            "course_title": enrolment.course.title,
            "cycle_name": str(enrolment.course.cycle.name),
            "certificate_code": enrolment.certificate_code,
            "url": absolute_url(
                reverse("committee:certificate", kwargs={"code": enrolment.certificate_code})
            ),
        }
    enqueue_email(
        template=CERTIFICATE_EMAIL,
        context=context,
        recipient=user,
        language=language,
        dedupe_key=f"school-certificate:{enrolment.pk}",
    )


@transaction.atomic
def confirm_online_session(
    *, enrolment: Enrolment, session: CourseSession, minutes_studied: int
) -> SessionCompletion:
    """The resident confirms they studied an online session, and for how long."""
    if session.course_id != enrolment.course_id:
        raise CommitteeError(_("This session belongs to another course."))
    if session.kind != CourseSession.Kind.ONLINE:
        raise CommitteeError(_("Attendance at an in-person session is recorded by staff."))
    if minutes_studied < session.duration_minutes:
        raise CommitteeError(
            _("This session takes %(minutes)s minutes; confirm once you have studied it all.")
            % {"minutes": session.duration_minutes}
        )
    completion, _created = SessionCompletion.objects.get_or_create(
        enrolment=enrolment,
        session=session,
        defaults={
            "method": SessionCompletion.Method.SELF_CONFIRMED,
            "minutes_studied": minutes_studied,
        },
    )
    _update_completion(enrolment)
    return completion


@transaction.atomic
def record_attendance(*, session: CourseSession, user: User, actor: User) -> SessionCompletion:
    """Staff record that ``user`` attended ``session`` (enrolling them if needed)."""
    enrolment, _created = Enrolment.objects.get_or_create(course=session.course, user=user)
    completion, _created = SessionCompletion.objects.get_or_create(
        enrolment=enrolment,
        session=session,
        defaults={
            "method": SessionCompletion.Method.STAFF_RECORDED,
            "minutes_studied": session.duration_minutes,
            "recorded_by": actor,
        },
    )
    _update_completion(enrolment)
    return completion


@dataclass
class AttendanceReport:
    recorded: int = 0
    already: int = 0
    unknown: list[str] = field(default_factory=list)


def record_attendance_csv(*, session: CourseSession, raw: bytes, actor: User) -> AttendanceReport:
    """Attendance from a list of e-mail addresses (one per line or first column of a CSV)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommitteeError(_("The file must be UTF-8 text.")) from error
    emails = []
    for row in csv.reader(io.StringIO(text)):
        if row and "@" in row[0]:
            emails.append(row[0].strip().lower())
    if not emails:
        raise CommitteeError(_("The file lists no e-mail addresses."))
    users = {u.email.lower(): u for u in list_users_by_email(emails=set(emails))}
    report = AttendanceReport()
    for email in dict.fromkeys(emails):
        user = users.get(email)
        if user is None:
            report.unknown.append(email)
            continue
        before = SessionCompletion.objects.filter(enrolment__user=user, session=session).exists()
        record_attendance(session=session, user=user, actor=actor)
        if before:
            report.already += 1
        else:
            report.recorded += 1
    return report


# --- meetings ------------------------------------------------------------------------------------
@transaction.atomic
def save_meeting(
    *,
    cycle: BudgetCycle,
    title: str,
    held_at: "datetime",
    place: str,
    minutes: str,
    attendees: "Sequence[CouncilMembership]",
    subcommittee: Subcommittee | None = None,
    meeting: Meeting | None = None,
    actor: User | None = None,
) -> Meeting:
    """Create or change a meeting; publishing or changing its minutes is a public audit event
    (with the SHA-256 of the text, so a later silent edit would show)."""
    if any(m.cycle_id != cycle.pk for m in attendees):
        raise CommitteeError(_("Attendees must be members of this cycle's committee."))
    if subcommittee is not None and subcommittee.cycle_id != cycle.pk:
        raise CommitteeError(_("That subcommittee belongs to another cycle."))
    if meeting is None:
        meeting = Meeting(cycle=cycle)
    elif meeting.cycle_id != cycle.pk:
        raise CommitteeError(_("That meeting belongs to another cycle."))
    minutes = minutes.strip()
    minutes_changed = bool(minutes) and minutes != meeting.minutes.strip()
    first_minutes = not meeting.minutes.strip()
    meeting.title = title
    meeting.held_at = held_at
    meeting.place = place
    meeting.minutes = minutes
    meeting.subcommittee = subcommittee
    meeting.save()
    meeting.attendees.set(attendees)
    if minutes_changed:
        record_audit_event(
            cycle=cycle,
            event_type=AuditEvent.Type.COMMITTEE_MINUTES_PUBLISHED,
            subject=meeting,
            actor=actor,
            is_public=True,
            title=title,
            revised=not first_minutes,
            minutes_sha256=sha256_hex(minutes),
            attendees=len(attendees),
        )
    return meeting


def save_course(*, cycle: BudgetCycle, title: str, description: str, is_published: bool) -> Course:
    return Course.objects.create(
        cycle=cycle, title=title, description=description, is_published=is_published
    )


def add_session(
    *,
    course: Course,
    title: str,
    kind: str,
    duration_minutes: int,
    starts_at: "datetime | None" = None,
    place: str = "",
    material: str = "",
) -> CourseSession:
    if kind not in CourseSession.Kind.values:
        raise CommitteeError(_("Choose online or in person."))
    if kind == CourseSession.Kind.IN_PERSON and starts_at is None:
        raise CommitteeError(_("An in-person session needs its date and time."))
    order = course.sessions.count() + 1
    return CourseSession.objects.create(
        course=course,
        order=order,
        title=title,
        kind=kind,
        duration_minutes=duration_minutes,
        starts_at=starts_at,
        place=place,
        material=material,
    )
