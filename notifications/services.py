"""Queue e-mails in the outbox (inside the caller's transaction) and deliver them."""

import logging
import threading
import time
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail import get_connection
from django.db import IntegrityError
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils import translation

from core.broker import enqueue
from notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def language_of(user: Any) -> str:
    profile = getattr(user, "resident_profile", None)
    language: str = getattr(profile, "preferred_language", None) or settings.LANGUAGE_CODE
    return language


def enqueue_email(
    *,
    template: str,
    context: dict[str, Any],
    recipient: Any = None,  # accounts.models.User, above this app
    to_email: str = "",
    language: str | None = None,
    dedupe_key: str | None = None,
    is_secret: bool = False,
) -> OutboxMessage | None:
    """Write an e-mail to the outbox; it is sent after the surrounding transaction commits.

    ``context`` must be JSON (ids, names, codes), rendered at sending time in the recipient's
    language. With a ``dedupe_key`` already used, nothing is queued and None is returned.
    """
    values = prepare_email(
        template=template,
        context=context,
        recipient=recipient,
        to_email=to_email,
        language=language,
        dedupe_key=dedupe_key,
        is_secret=is_secret,
    )
    if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(**values)
    except IntegrityError:  # the same key queued concurrently
        return None
    transaction.on_commit(partial(kick_outbox_relay))
    return message


def prepare_email(
    *,
    template: str,
    context: dict[str, Any],
    recipient: Any = None,  # accounts.models.User, above this app
    to_email: str = "",
    language: str | None = None,
    dedupe_key: str | None = None,
    is_secret: bool = False,
) -> dict[str, Any]:
    """The outbox row for an e-mail, as field values. ``enqueue_email`` writes it; a write that
    runs inside PostgreSQL (the ballot function) passes them to ``notifications_enqueue_email()``
    (``ENQUEUE_EMAIL_FUNCTION`` below) and its caller then calls ``transaction.on_commit(
    kick_outbox_relay_soon)``."""
    if recipient is None and not to_email:
        raise ValueError("enqueue_email needs a recipient or an address")
    return {
        "recipient": recipient,
        "to_email": to_email or recipient.email,
        "language": language or (language_of(recipient) if recipient else "ko"),
        "template": template,
        "context": context,
        "dedupe_key": dedupe_key,
        "is_secret": is_secret,
    }


# ``enqueue_email`` in SQL, for writes that run inside PostgreSQL (the ballot function in
# voting.ballot_sql): the row ``enqueue_email`` writes from ``prepare_email``'s values, the same
# columns, nothing when the ``dedupe_key`` is used already (returns NULL then). It cannot kick
# the relay: its caller does, after commit. PL/pgSQL, so its plan is kept for the session (see
# budgeting.audit). Installed by migration notifications 0003; change the two together
# (tests/voting/test_ballot_path_parity.py compares the rows they write).
ENQUEUE_EMAIL_FUNCTION = r"""
CREATE OR REPLACE FUNCTION notifications_enqueue_email(
    p_template text,
    p_context jsonb,
    p_to_email text,
    p_language text,
    p_recipient_id bigint DEFAULT NULL,
    p_dedupe_key text DEFAULT NULL,
    p_is_secret boolean DEFAULT false,
    p_created_at timestamptz DEFAULT now()
) RETURNS bigint
LANGUAGE plpgsql AS $fn$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO notifications_outboxmessage (recipient_id, to_email, language, template, context,
                                             dedupe_key, is_secret, created_at, sent_at,
                                             attempts, last_error)
    VALUES (p_recipient_id, p_to_email, p_language, p_template, p_context,
            p_dedupe_key, p_is_secret, p_created_at, NULL, 0, '')
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id INTO v_id;
    RETURN v_id;
END
$fn$;
"""

DROP_ENQUEUE_EMAIL_FUNCTION = (
    "DROP FUNCTION IF EXISTS notifications_enqueue_email("
    "text, jsonb, text, text, bigint, text, boolean, timestamptz);"
)


def kick_outbox_relay(countdown: float | None = None) -> None:
    """Ask a worker to deliver now (or in ``countdown`` seconds). If the broker is down this
    does nothing: the message stays in the outbox and the periodic relay (beat) sends it once
    the broker is back."""
    enqueue("notifications.relay_outbox", countdown=countdown)


# Busy writers (ballots) kick at most once per interval per process: one relay run delivers
# everything committed before it, so one kick per interval is enough.
KICK_INTERVAL_S = 0.5
_kick_lock = threading.Lock()
_last_kick_at = 0.0  # monotonic time the last kick runs at (in the future when one is waiting)


def kick_outbox_relay_soon() -> None:
    """``kick_outbox_relay`` at most once per ``KICK_INTERVAL_S``: the first kick goes now; one
    asked for within the interval goes with a countdown to the interval's end, and any asked
    for while that one waits need nothing (it runs after their commit). So a message waits at
    most the interval, and a vote costs a broker round trip only now and then."""
    global _last_kick_at  # noqa: PLW0603 (a per-process rate limit)
    now = time.monotonic()
    with _kick_lock:
        if _last_kick_at > now:
            return  # a kick waiting to run will deliver this message too
        countdown = max(0.0, _last_kick_at + KICK_INTERVAL_S - now)
        _last_kick_at = now + countdown
    kick_outbox_relay(countdown=countdown or None)


def _render(message: OutboxMessage) -> EmailMultiAlternatives:
    with translation.override(message.language):
        subject = render_to_string(f"{message.template}_subject.txt", message.context)
        body = render_to_string(f"{message.template}.txt", message.context)
        try:
            html = render_to_string(f"{message.template}.html", message.context)
        except TemplateDoesNotExist:
            html = None
    email = EmailMultiAlternatives(
        subject=" ".join(subject.split()), body=body, to=[message.to_email]
    )
    if html:
        email.attach_alternative(html, "text/html")
    return email


# Messages claimed and sent per transaction, over one connection to the mail server: a burst of
# ballot receipts costs one SMTP session and one claim query per batch rather than per message.
# If a worker dies mid-batch, the batch's messages stay queued and are sent again (at least once).
SEND_BATCH_SIZE = 25


def send_pending_messages(*, limit: int = 200) -> int:
    """Deliver queued messages; safe to run concurrently and repeatedly. Returns how many sent."""
    sent = 0
    failed: set[int] = set()  # tried and failed in this run: next run retries them
    while sent < limit:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
                .exclude(pk__in=failed)
                .order_by("created_at", "pk")[: min(SEND_BATCH_SIZE, limit - sent)]
            )
            if not batch:
                return sent
            delivered, failed_now = _send_batch(batch)
            failed |= failed_now
            OutboxMessage.objects.filter(pk__in=[m.pk for m in delivered if m.is_secret]).delete()
            done_at = timezone.now()
            for message in delivered:
                message.sent_at = done_at
                message.attempts += 1
                message.context = {}  # what was sent need not be kept
            OutboxMessage.objects.bulk_update(
                [m for m in delivered if not m.is_secret], ["sent_at", "attempts", "context"]
            )
            sent += len(delivered)
    return sent


def _send_batch(batch: list[OutboxMessage]) -> tuple[list[OutboxMessage], set[int]]:
    """Send each message over one connection; a message that fails is recorded and skipped."""
    delivered: list[OutboxMessage] = []
    failed: set[int] = set()
    connection = get_connection()
    try:
        connection.open()
    except Exception as exc:  # the mail server is down: every message waits for the next run
        logger.warning("Opening the mail connection failed: %s", exc)
        for message in batch:
            _note_failure(message, exc)
            failed.add(message.pk)
        return delivered, failed
    try:
        for message in batch:
            try:
                email = _render(message)
                email.connection = connection
                if email.send() != 1:
                    raise RuntimeError("the mail server did not accept the message")
            except Exception as exc:
                logger.warning("Sending outbox message %s failed: %s", message.pk, exc)
                _note_failure(message, exc)
                failed.add(message.pk)
                continue
            delivered.append(message)
    finally:
        try:
            connection.close()
        except Exception as exc:  # already sent: a failed QUIT loses nothing
            logger.warning("Closing the mail connection failed: %s", exc)
    return delivered, failed


def _note_failure(message: OutboxMessage, exc: Exception) -> None:
    message.attempts += 1
    message.last_error = str(exc)[:2000]
    message.save(update_fields=["attempts", "last_error"])


# --- retention (core.retention; registered in apps.py) ------------------------------------------
SENT_OUTBOX_RETENTION_DAYS = 30


def purge_sent_outbox(before: datetime) -> int:
    """Delete delivered e-mails (their address and context are personal data) sent before
    ``before``; what is not delivered yet stays for the relay."""
    deleted, _by_model = OutboxMessage.objects.filter(
        sent_at__isnull=False, sent_at__lt=before
    ).delete()
    return deleted
