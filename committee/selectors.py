"""Reads for the committee: recruitment, the published draw inputs, the school, the public page."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count
from django.db.models import Prefetch
from django.db.models import Q
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import District
from budgeting.models import Subcommittee
from budgeting.models import SubcommitteeMember
from committee.lottery import Applicant
from committee.lottery import QuotaSpec
from committee.lottery import applicant_table_csv
from committee.lottery import quota_table_csv
from committee.models import Application
from committee.models import Course
from committee.models import CourseSession
from committee.models import Enrolment
from committee.models import Meeting
from committee.models import Quota
from committee.models import Recruitment

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("19-39", 19, 39),
    ("40-59", 40, 59),
    ("60+", 60, 200),
)


def age_band_for(*, birth_year: int, year: int) -> str:
    """Seoul's three bands (19–39, 40–59, 60+), by age reached in the cycle's year."""
    age = year - birth_year
    for name, low, high in AGE_BANDS:
        if low <= age <= high:
            return name
    return "under-19"


def get_recruitment(*, cycle: BudgetCycle) -> Recruitment | None:
    return Recruitment.objects.filter(cycle=cycle).select_related("cycle").first()


def list_quota_specs(*, recruitment: Recruitment) -> list[QuotaSpec]:
    return [
        QuotaSpec(q.feature, q.value, q.min_seats, q.max_seats)
        for q in Quota.objects.filter(recruitment=recruitment)
    ]


def list_active_applications(*, recruitment: Recruitment) -> QuerySet[Application]:
    return Application.objects.filter(recruitment=recruitment).exclude(
        outcome=Application.Outcome.WITHDRAWN
    )


def as_applicant(application: Application) -> Applicant:
    return Applicant(
        public_id=application.public_id,
        district=application.district.slug,
        gender=application.gender,
        age_band=application.age_band,
        custom="yes" if application.custom_answer else "no",
    )


def list_published_applicants(*, recruitment: Recruitment) -> list[Applicant]:
    """The anonymised applicant table (only once applications are closed)."""
    if recruitment.status in (Recruitment.Status.DRAFT, Recruitment.Status.OPEN):
        return []
    applications = list_active_applications(recruitment=recruitment).select_related("district")
    return [as_applicant(a) for a in applications]


def published_table_csv(*, recruitment: Recruitment) -> str:
    return applicant_table_csv(list_published_applicants(recruitment=recruitment))


def published_quotas_csv(*, recruitment: Recruitment) -> str:
    return quota_table_csv(list_quota_specs(recruitment=recruitment))


def get_application(*, recruitment: Recruitment, user) -> Application | None:
    if not user.is_authenticated:
        return None
    return Application.objects.filter(recruitment=recruitment, user=user).first()


@dataclass(frozen=True)
class QuotaRow:
    feature: str
    feature_label: str
    value: str
    value_label: str
    min_seats: int
    max_seats: int
    applicants: int
    seats: int

    @property
    def met(self) -> bool:
        return self.min_seats <= self.seats <= self.max_seats


def panel_against_quotas(*, recruitment: Recruitment) -> list[QuotaRow]:
    """Aggregates only: per quota, applicants and seats won (never who)."""
    applications = list(
        list_active_applications(recruitment=recruitment).select_related("district")
    )
    labels = value_labels(recruitment=recruitment)
    pool: Counter[tuple[str, str]] = Counter()
    panel: Counter[tuple[str, str]] = Counter()
    for a in applications:
        for feature, value in as_applicant(a).__dict__.items():
            if feature == "public_id":
                continue
            pool[(feature, value)] += 1
            if a.outcome == Application.Outcome.SELECTED:
                panel[(feature, value)] += 1
    feature_labels = dict(Quota.Feature.choices)
    return [
        QuotaRow(
            feature=q.feature,
            feature_label=str(
                recruitment.custom_attribute or feature_labels[q.feature]
                if q.feature == Quota.Feature.CUSTOM
                else feature_labels[q.feature]
            ),
            value=q.value,
            value_label=labels.get((q.feature, q.value), q.value),
            min_seats=q.min_seats,
            max_seats=q.max_seats,
            applicants=pool[(q.feature, q.value)],
            seats=panel[(q.feature, q.value)],
        )
        for q in Quota.objects.filter(recruitment=recruitment)
    ]


def value_labels(*, recruitment: Recruitment) -> dict[tuple[str, str], str]:
    """Readable names for the table's codes (district slugs, genders, yes/no)."""
    labels: dict[tuple[str, str], str] = {
        ("district", d.slug): str(d.name) for d in District.objects.all()
    }
    labels[("custom", "yes")] = str(_("Yes"))
    labels[("custom", "no")] = str(_("No"))
    for value, label in Application.Gender.choices:
        labels[("gender", value)] = str(label)
    return labels


# --- the committee in public ---------------------------------------------------------------------
def list_public_subcommittees(*, cycle: BudgetCycle) -> QuerySet[Subcommittee]:
    return (
        Subcommittee.objects.filter(cycle=cycle)
        .prefetch_related(
            "policy_areas",
            Prefetch(
                "members",
                queryset=SubcommitteeMember.objects.select_related("user__resident_profile"),
            ),
        )
        .order_by("name")
    )


def list_members(*, cycle: BudgetCycle) -> QuerySet[CouncilMembership]:
    return (
        CouncilMembership.objects.filter(cycle=cycle)
        .exclude(status=CouncilMembership.Status.RESERVE)
        .select_related("user__resident_profile")
        .order_by("seat_number", "pk")
    )


def list_reserves(*, cycle: BudgetCycle) -> QuerySet[CouncilMembership]:
    """The reserves in the order they are called up (staff only: they show names)."""
    return (
        CouncilMembership.objects.filter(cycle=cycle, status=CouncilMembership.Status.RESERVE)
        .select_related("user__resident_profile")
        .order_by("reserve_rank", "pk")
    )


def count_reserves(*, cycle: BudgetCycle) -> int:
    return CouncilMembership.objects.filter(
        cycle=cycle, status=CouncilMembership.Status.RESERVE
    ).count()


def list_meetings(*, cycle: BudgetCycle) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(cycle=cycle)
        .select_related("subcommittee")
        .annotate(present=Count("attendees"))
        .order_by("-held_at")
    )


def list_cycles_with_committee() -> QuerySet[BudgetCycle]:
    return (
        BudgetCycle.objects.visible()
        .filter(Q(recruitment__isnull=False) | Q(subcommittees__isnull=False))
        .distinct()
    )


# --- budget school -------------------------------------------------------------------------------
def list_courses(*, cycle: BudgetCycle, include_unpublished: bool = False) -> QuerySet[Course]:
    courses = Course.objects.filter(cycle=cycle).annotate(session_count=Count("sessions"))
    if not include_unpublished:
        courses = courses.filter(is_published=True)
    return courses


def list_sessions(*, course: Course) -> QuerySet[CourseSession]:
    return CourseSession.objects.filter(course=course).order_by("order", "pk")


def get_enrolment(*, course: Course, user) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return Enrolment.objects.filter(course=course, user=user).first()


def completed_session_ids(*, enrolment: Enrolment | None) -> set[int]:
    if enrolment is None:
        return set()
    return set(enrolment.completions.values_list("session_id", flat=True))


def has_completed_school(*, user, cycle: BudgetCycle) -> bool:
    """Whether ``user`` completed a budget-school course of ``cycle`` (the certificate)."""
    return (
        user.is_authenticated
        and Enrolment.objects.filter(
            user=user, course__cycle=cycle, completed_at__isnull=False
        ).exists()
    )


def count_school_completions(*, cycle: BudgetCycle) -> int:
    return Enrolment.objects.filter(course__cycle=cycle, completed_at__isnull=False).count()
