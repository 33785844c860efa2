"""Announcements: one event, many e-mails (a phase opened, a followed project changed).

``announce_*`` is called by the service that makes the change, inside its transaction: it
writes an ``Announcement`` row and, after commit, enqueues ``expand_announcement_task``. The
task turns the row into outbox messages, ``BATCH_SIZE`` recipients at a time, each with the
dedupe key ``<announcement key>:<user id>``: a resident gets one e-mail per event, whatever is
repeated or redelivered. Only residents who asked for that kind of e-mail (profile) are sent
one, in their language.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from budgeting.models import BudgetCut
from budgeting.models import BudgetCycle
from budgeting.models import ImplementationUpdate
from budgeting.selectors import get_eligibility_rule
from config.broker import enqueue
from notifications.models import Announcement
from notifications.models import OutboxMessage
from notifications.services import kick_outbox_relay
from notifications.tasks import expand_announcement_task
from proposals.models import Proposal

BATCH_SIZE = 500
PHASE_OPENED_EMAIL = "notifications/emails/phase_opened"
PROJECT_CHANGED_EMAIL = "notifications/emails/project_changed"
# The phases residents can ask to hear about.
ANNOUNCED_PHASES = ("proposals", "voting", "published")


def _absolute_url(path: str) -> str:
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}{path}"


def _enqueue_expansion(announcement_id: int) -> None:
    """After commit: ask a worker to fan out. If the broker is down the periodic relay does it."""
    enqueue(expand_announcement_task, (announcement_id,))


def _announce(*, key: str, kind: str, parameters: dict) -> Announcement:
    announcement, created = Announcement.objects.get_or_create(
        key=key, defaults={"kind": kind, "parameters": parameters}
    )
    if created:
        transaction.on_commit(partial(_enqueue_expansion, announcement.pk))
    return announcement


def announce_phase_opened(*, cycle, phase: str) -> Announcement | None:
    """Tell the residents who asked for it that ``phase`` of ``cycle`` opened (once)."""
    if phase not in ANNOUNCED_PHASES:
        return None
    return _announce(
        key=f"phase:{cycle.pk}:{phase}",
        kind=Announcement.Kind.PHASE_OPENED,
        parameters={"cycle_id": cycle.pk, "phase": phase},
    )


def announce_project_changed(*, proposal, change: str, change_id: int) -> Announcement:
    """Tell the followers of ``proposal`` about an update or a cut (``change``: "update"/"cut")."""
    return _announce(
        key=f"project:{change}:{change_id}",
        kind=Announcement.Kind.PROJECT_CHANGED,
        parameters={"proposal_id": proposal.pk, "change": change, "change_id": change_id},
    )


# --- recipients ----------------------------------------------------------------------------------
def _with_verified_address(users: QuerySet) -> QuerySet:
    return users.filter(
        is_active=True, emailaddress__verified=True, emailaddress__primary=True
    ).distinct()


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
    return _with_verified_address(users)


def list_follower_recipients(*, proposal_id: int, changed_at) -> QuerySet:
    """Residents who followed the project before it changed and want these e-mails."""
    return _with_verified_address(
        get_user_model().objects.filter(
            project_follows__proposal_id=proposal_id,
            project_follows__created_at__lte=changed_at,
            resident_profile__email_followed_projects=True,
        )
    )


# --- messages ------------------------------------------------------------------------------------
def _language(user) -> str:
    profile = getattr(user, "resident_profile", None)
    return getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE


def _phase_opened_messages(announcement: Announcement, users: list):

    cycle = BudgetCycle.objects.get(pk=announcement.parameters["cycle_id"])
    phase = announcement.parameters["phase"]
    if phase == "published":
        path = reverse("budgeting:results-cycle", kwargs={"slug": cycle.slug})
    else:
        path = cycle.get_absolute_url()
    url = _absolute_url(path)
    for user in users:
        language = _language(user)
        name = getattr(cycle, f"name_{language}", None) or cycle.name
        context = {"cycle_name": name, "phase": phase, "url": url}
        if phase == "voting":
            context["voting_end"] = timezone.localtime(cycle.voting_end_at).strftime(
                "%Y-%m-%d %H:%M"
            )
        yield user, language, PHASE_OPENED_EMAIL, context


def _project_changed_messages(announcement: Announcement, users: list):

    params = announcement.parameters
    proposal = Proposal.objects.get(pk=params["proposal_id"])
    context = {
        "proposal_title": proposal.title,
        "change": params["change"],
        "url": _absolute_url(proposal.get_absolute_url()),
    }
    if params["change"] == "update":
        update = ImplementationUpdate.objects.get(pk=params["change_id"])
        context.update(
            status=update.status,
            percent_done=update.percent_done,
            spent_won=update.spent_won,
            note=update.note,
        )
    else:
        cut = BudgetCut.objects.get(pk=params["change_id"])
        context.update(kind=cut.kind, amount_won=cut.amount_won, reason=cut.reason)
    for user in users:
        yield user, _language(user), PROJECT_CHANGED_EMAIL, context


def _recipients_and_messages(announcement: Announcement):
    if announcement.kind == Announcement.Kind.PHASE_OPENED:
        cycle = BudgetCycle.objects.get(pk=announcement.parameters["cycle_id"])
        return list_phase_recipients(cycle=cycle), _phase_opened_messages
    return (
        list_follower_recipients(
            proposal_id=announcement.parameters["proposal_id"],
            changed_at=announcement.created_at,
        ),
        _project_changed_messages,
    )


def expand_announcement(*, announcement_id: int, batch_size: int = BATCH_SIZE) -> bool:
    """Queue the e-mails of the next ``batch_size`` recipients. Returns True if more remain.

    Safe to run concurrently and repeatedly: the row is locked (a second run skips it) and
    every message has a dedupe key.
    """
    with transaction.atomic():
        announcement = (
            Announcement.objects.select_for_update(skip_locked=True)
            .filter(pk=announcement_id, finished_at__isnull=True)
            .first()
        )
        if announcement is None:
            return False  # finished, or another worker holds it (and carries on)
        users_qs, build = _recipients_and_messages(announcement)
        users = list(
            users_qs.filter(pk__gt=announcement.cursor)
            .select_related("resident_profile")
            .order_by("pk")[:batch_size]
        )
        messages = [
            OutboxMessage(
                recipient=user,
                to_email=user.email,
                language=language,
                template=template,
                context=context,
                dedupe_key=f"{announcement.key}:{user.pk}",
            )
            for user, language, template, context in build(announcement, users)
        ]
        created = OutboxMessage.objects.bulk_create(messages, ignore_conflicts=True)
        announcement.recipients += len(created)
        if users:
            announcement.cursor = users[-1].pk
        more = len(users) == batch_size
        if not more:
            announcement.finished_at = timezone.now()
        announcement.save(update_fields=["cursor", "recipients", "finished_at"])
        if messages:
            transaction.on_commit(kick_outbox_relay)
    return more


def expand_pending_announcements(*, limit_batches: int = 20) -> int:
    """The periodic relay's catch-up: expand announcements whose task never ran. Returns how
    many batches it handled."""
    handled = 0
    for pk in Announcement.objects.filter(finished_at__isnull=True).values_list("pk", flat=True):
        while handled < limit_batches:
            handled += 1
            if not expand_announcement(announcement_id=pk):
                break
    return handled
