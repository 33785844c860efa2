"""How long personal data is kept: a registry of retention rules, enforced by one beat task.

개인정보 보호법 제21조: personal data whose retention period has passed is destroyed without
delay. Each app that stores such data registers a rule at ``ready()`` (the outbox its delivered
e-mails, accounts the sign-ups never confirmed, ...); ``privacy.enforce_retention`` runs every
rule from Celery beat, and the privacy page lists the same rules, so the stated periods are the
enforced ones. A rule's ``purge`` deletes what is older than the cut-off it is given and returns
how many rows it deleted; running it twice deletes nothing more (idempotent).

``CHAMYEO_RETENTION_DAYS`` (a dict in the settings, optional) overrides a rule's days by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class RetentionRule:
    name: str  # stable, e.g. "notifications.sent_outbox"
    description: StrOrPromise  # what is deleted, for the privacy page
    days: int  # kept this many days after ``purge``'s reference time
    purge: Callable[[datetime], int]  # deletes what is older than the cut-off; returns a count

    @property
    def effective_days(self) -> int:
        overrides: dict[str, int] = getattr(settings, "CHAMYEO_RETENTION_DAYS", {}) or {}
        return int(overrides.get(self.name, self.days))


_RULES: dict[str, RetentionRule] = {}


def register_retention_rule(rule: RetentionRule) -> None:
    """Add (or replace, by name) a rule; apps call this from ``AppConfig.ready()``."""
    _RULES[rule.name] = rule


def list_retention_rules() -> list[RetentionRule]:
    return sorted(_RULES.values(), key=lambda rule: rule.name)


def enforce_retention_rules(*, now: datetime | None = None) -> dict[str, int]:
    """Run every rule once; what each deleted, by name."""
    now = now or timezone.now()
    return {
        rule.name: rule.purge(now - timedelta(days=rule.effective_days))
        for rule in list_retention_rules()
    }
