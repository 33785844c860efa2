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
