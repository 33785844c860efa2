"""E-mails when a phase of a cycle opens, to the residents who asked for them.

Registered with notifications at ``BudgetingConfig.ready()``; ``advance_phase`` calls
``announce_phase_opened`` inside its transaction.
"""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from budgeting.models import BudgetCycle
from budgeting.selectors import get_eligibility_rule
from core.links import absolute_url
from notifications.announcements import announce
from notifications.announcements import register_announcement_kind
from notifications.announcements import with_verified_address
from notifications.models import Announcement
from notifications.services import language_of

PHASE_OPENED_EMAIL = "notifications/emails/phase_opened"
# The phases residents can ask to hear about.
ANNOUNCED_PHASES = ("proposals", "voting", "published")


def announce_phase_opened(*, cycle, phase: str) -> Announcement | None:
    """Tell the residents who asked for it that ``phase`` of ``cycle`` opened (once)."""
    if phase not in ANNOUNCED_PHASES:
        return None
    return announce(
        key=f"phase:{cycle.pk}:{phase}",
        kind=Announcement.Kind.PHASE_OPENED,
        parameters={"cycle_id": cycle.pk, "phase": phase},
    )


def list_phase_recipients(*, cycle) -> QuerySet:
    """Residents who asked for phase e-mails and may take part in ``cycle`` (its eligibility
    rule: age, relation, verification, and a district with a ballot unless there is a
    city-wide one)."""
    rule = get_eligibility_rule(cycle=cycle)
    users = get_user_model().objects.filter(
        resident_profile__email_phase_opened=True,
        resident_profile__relation__in=rule.accepted_relations,
        resident_profile__birth_year__lte=rule.age_counted_on.year - rule.minimum_age,
    )
    if rule.requires_verification:
        users = users.filter(resident_profile__verified_at__isnull=False)
    districts = list(cycle.scopes.values_list("district_id", flat=True))
    if None not in districts:
        users = users.filter(resident_profile__district_id__in=districts)
    return with_verified_address(users)


def _phase_recipients(announcement: Announcement) -> QuerySet:
    cycle = BudgetCycle.objects.get(pk=announcement.parameters["cycle_id"])
    return list_phase_recipients(cycle=cycle)


def _phase_opened_messages(announcement: Announcement, users: list):
    cycle = BudgetCycle.objects.get(pk=announcement.parameters["cycle_id"])
    phase = announcement.parameters["phase"]
    if phase == "published":
        path = reverse("results:results-cycle", kwargs={"slug": cycle.slug})
    else:
        path = cycle.get_absolute_url()
    url = absolute_url(path)
    for user in users:
        language = language_of(user)
        name = getattr(cycle, f"name_{language}", None) or cycle.name
        context = {"cycle_name": name, "phase": phase, "url": url}
        if phase == "voting":
            context["voting_end"] = timezone.localtime(cycle.voting_end_at).strftime(
                "%Y-%m-%d %H:%M"
            )
        yield user, language, PHASE_OPENED_EMAIL, context


def register() -> None:
    register_announcement_kind(
        Announcement.Kind.PHASE_OPENED,
        recipients=_phase_recipients,
        messages=_phase_opened_messages,
    )
