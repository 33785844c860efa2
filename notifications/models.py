"""A transactional outbox: e-mails are rows written in the same transaction as the change that
causes them, then handed to the mail server by a Celery task. A broker outage never fails the
change, and a delivered message is never sent twice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=5, default="ko")
    template = models.CharField(
        _("template"),
        max_length=200,
        help_text=_("Prefix of <prefix>_subject.txt, <prefix>.txt and optional <prefix>.html"),
    )
    context = models.JSONField(_("context"), default=dict, blank=True)
    # Re-enqueueing with the same key is a no-op: "sent exactly once".
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    # Secret messages (ballot receipts) are deleted once sent, so no lasting row links a person
    # to a ballot; others are kept with sent_at as a record.
    is_secret = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self) -> str:
        return f"{self.template} → {self.to_email}"


class Announcement(models.Model):
    """One event many people hear about (a phase opened, a followed project changed).

    Written in the same transaction as the event; a task then turns it into outbox messages in
    batches of recipients (``cursor`` is the last user id handled), so a page never waits for
    the fan-out and a broker outage only delays it: the periodic relay finishes what is left.
    """

    class Kind(models.TextChoices):
        PHASE_OPENED = "phase_opened", _("A phase opened")
        PROJECT_CHANGED = "project_changed", _("A followed project changed")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    parameters = models.JSONField(_("details"), default=dict, blank=True)
    cursor = models.PositiveBigIntegerField(default=0)
    recipients = models.PositiveIntegerField(_("messages queued"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self) -> str:
        return self.key
