"""One reminder e-mail, a day before voting closes, to residents who opened a ballot but did
not submit it. Opt-out (``ResidentProfile.voting_reminders``) respected; sent once."""

from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from budgeting.models import Participation
from core.links import absolute_url
from notifications.services import enqueue_email
from notifications.services import language_of
from voting.selectors import list_participations_due_a_reminder


def send_voting_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders that are due; safe to run at once and repeatedly. Returns how many."""
    now = now or timezone.now()
    queued = 0
    with transaction.atomic():
        due = list(
            list_participations_due_a_reminder(now=now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        for participation in due:
            cycle = participation.scope.cycle
            language = language_of(participation.user)
            with translation.override(language):  # names in the resident's e-mail language
                context = {
                    "cycle_name": str(cycle.name),
                    "scope_name": str(participation.scope.name),
                    "voting_end_at": f"{timezone.localtime(cycle.voting_end_at):%Y-%m-%d %H:%M}",
                    "ballot_url": absolute_url(
                        reverse(
                            "voting:ballot-form",
                            kwargs={"slug": cycle.slug, "scope_pk": participation.scope_id},
                        )
                    ),
                }
            message = enqueue_email(
                template="budgeting/emails/voting_reminder",
                context=context,
                recipient=participation.user,
                language=language,
                dedupe_key=f"voting-reminder:{participation.pk}",
            )
            queued += message is not None
        Participation.objects.filter(pk__in=[p.pk for p in due]).update(reminder_sent_at=now)
    return queued
