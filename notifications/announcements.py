"""Announcements: one event, many e-mails (a phase opened, a followed project changed).

``announce`` is called by the service that makes the change, inside its transaction: it writes
an ``Announcement`` row and, after commit, enqueues the ``notifications.expand_announcement``
task. The task turns the row into outbox messages, ``BATCH_SIZE`` recipients at a time, each
with the dedupe key ``<announcement key>:<user id>``: a resident gets one e-mail per event,
whatever is repeated or redelivered. Only residents who asked for that kind of e-mail (profile)
are sent one, in their language.

Who receives an announcement of a kind, and what they are sent, is known by the app that owns
the event (budgeting: a phase opened; implementation: a followed project changed). It registers
both with ``register_announcement_kind`` in its ``AppConfig.ready()``, so this app, lower in the
order, imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.broker import enqueue
from notifications.models import Announcement
from notifications.models import OutboxMessage
from notifications.services import kick_outbox_relay

BATCH_SIZE = 500

# (user, language, template, context) for each recipient of one batch
Message = tuple[Any, str, str, dict[str, Any]]


@dataclass(frozen=True)
class AnnouncementKind:
    recipients: Callable[[Announcement], QuerySet]
    messages: Callable[[Announcement, list], Iterable[Message]]


_KINDS: dict[str, AnnouncementKind] = {}


def register_announcement_kind(
    kind: str,
    *,
    recipients: Callable[[Announcement], QuerySet],
    messages: Callable[[Announcement, list], Iterable[Message]],
) -> None:
    """Say who receives an announcement of ``kind`` and what they are sent (at ``ready()``)."""
    _KINDS[kind] = AnnouncementKind(recipients=recipients, messages=messages)


def with_verified_address(users: QuerySet) -> QuerySet:
    """Active users whose primary address is verified: the only ones announcements reach."""
    return users.filter(
        is_active=True, emailaddress__verified=True, emailaddress__primary=True
    ).distinct()


def _enqueue_expansion(announcement_id: int) -> None:
    """After commit: ask a worker to fan out. If the broker is down the periodic relay does it."""
    enqueue("notifications.expand_announcement", (announcement_id,))


def announce(*, key: str, kind: str, parameters: dict) -> Announcement:
    """Record the event ``key`` once and fan it out after commit (a repeated key is a no-op)."""
    if kind not in _KINDS:
        raise ValueError(f"No announcement kind {kind!r} is registered")
    announcement, created = Announcement.objects.get_or_create(
        key=key, defaults={"kind": kind, "parameters": parameters}
    )
    if created:
        transaction.on_commit(partial(_enqueue_expansion, announcement.pk))
    return announcement


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
        kind = _KINDS[announcement.kind]
        users_qs = kind.recipients(announcement)
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
            for user, language, template, context in kind.messages(announcement, users)
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
