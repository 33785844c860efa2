import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction

from notifications.models import OutboxMessage
from notifications.services import SEND_BATCH_SIZE
from notifications.services import enqueue_email
from notifications.services import send_pending_messages
from notifications.tasks import relay_outbox_task

TEMPLATE = "notifications/emails/test_message"


@pytest.mark.django_db
def test_message_is_sent_once_and_kept_as_a_record(resident):
    enqueue_email(
        template=TEMPLATE,
        context={"name": "이주민", "code": "A1"},
        recipient=resident,
        dedupe_key="k1",
    )
    assert send_pending_messages() == 1
    assert send_pending_messages() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [resident.email]
    assert "A1" in mail.outbox[0].body
    message = OutboxMessage.objects.get()
    assert message.sent_at is not None
    assert message.context == {}


@pytest.mark.django_db
def test_same_dedupe_key_queues_nothing_more(resident):
    assert enqueue_email(
        template=TEMPLATE, context={"code": "A"}, recipient=resident, dedupe_key="once"
    )
    assert (
        enqueue_email(
            template=TEMPLATE, context={"code": "A"}, recipient=resident, dedupe_key="once"
        )
        is None
    )
    send_pending_messages()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_secret_message_leaves_no_row_once_sent(resident):
    enqueue_email(template=TEMPLATE, context={"code": "R-123"}, recipient=resident, is_secret=True)
    assert send_pending_messages() == 1
    assert OutboxMessage.objects.exists() is False
    assert "R-123" in mail.outbox[0].body


@pytest.mark.django_db
def test_message_is_rendered_in_the_recipients_language(resident):
    resident.resident_profile.preferred_language = "en"
    resident.resident_profile.save()
    enqueue_email(template=TEMPLATE, context={"name": "Lee", "code": "1"}, recipient=resident)
    send_pending_messages()
    assert mail.outbox[0].subject.startswith("Test message")


@pytest.mark.django_db
def test_a_failing_send_is_kept_for_a_retry(resident, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    enqueue_email(template=TEMPLATE, context={"code": "X"}, recipient=resident)
    assert send_pending_messages() == 0
    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert message.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_pending_messages() == 1


class CountingBackend(locmem.EmailBackend):
    """locmem, counting connections opened; refuses messages to refused@…"""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return super().open()

    def send_messages(self, messages):
        if any(address.startswith("refused@") for m in messages for address in m.to):
            raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_burst_goes_over_one_connection_per_batch_and_one_refusal_stops_no_other(settings):
    """After a burst of ballots the relay sends the receipts over one mail connection per
    batch; a message the server refuses waits for a retry without holding up the others."""
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.opened = 0
    addresses = [f"voter{n}@example.org" for n in range(SEND_BATCH_SIZE + 5)]
    addresses[3] = "refused@example.org"
    for address in addresses:
        enqueue_email(template=TEMPLATE, context={"code": address}, to_email=address)

    assert send_pending_messages() == len(addresses) - 1
    assert CountingBackend.opened == 2  # two batches
    assert sorted(m.to[0] for m in mail.outbox) == sorted(set(addresses) - {"refused@example.org"})
    waiting = OutboxMessage.objects.get(sent_at__isnull=True)
    assert (waiting.to_email, waiting.attempts) == ("refused@example.org", 1)
    assert "550" in waiting.last_error
    assert send_pending_messages() == 0  # still refused; tried again
    assert OutboxMessage.objects.get(pk=waiting.pk).attempts == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_after_commit_exactly_once(live_worker, resident):
    with transaction.atomic():
        enqueue_email(template=TEMPLATE, context={"code": "W"}, recipient=resident, dedupe_key="w")
    # the on-commit kick and a second delivery of the relay task: still one e-mail
    relay_outbox_task.delay().get(timeout=30)
    relay_outbox_task.delay().get(timeout=30)
    assert OutboxMessage.objects.get().sent_at is not None
    assert len(mail.outbox) == 1


def test_kick_with_the_broker_down_fails_once_then_pauses(free_port_broker):
    import time

    from core import broker
    from notifications import services

    services.kick_outbox_relay()  # fails on the closed port, never raises
    assert broker.is_paused()
    started = time.monotonic()
    services.kick_outbox_relay()  # skipped while paused
    assert time.monotonic() - started < 0.05


@pytest.fixture
def free_port_broker():
    """Point the Celery app at a port where nothing listens (a broker that is down)."""
    import socket

    from config.celery_app import app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    old = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.pool.force_close_all()
    yield
    app.conf.broker_url = old
    app.pool.force_close_all()
