"""Voting channels beyond the online account: offices and their officers, SMS phone
verification, one-time voting codes and the office of a ballot cast with an officer's help.

Nothing here holds a choice. A spent code and an office participation say that a person (never
which ballot) voted on a scope, like ``budgeting.Participation``, which they point to or mirror.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

# Codes are read from paper and typed: no 0/O/1/I/L (as budgeting's receipts).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LOOKUP_LENGTH = 4  # the public part: finds the row; the 12 other symbols are the secret


class Office(models.Model):
    """A 구청 or 동 주민센터 where residents vote with an officer's help (kiosk, paper)."""

    name = models.CharField(_("name"), max_length=120)
    district = models.ForeignKey(
        "budgeting.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offices",
        verbose_name=_("district"),
        help_text=_("Empty for a city hall office that serves every district."),
    )
    is_active = models.BooleanField(_("open for voting"), default=True)

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OfficeOfficer(models.Model):
    """A staff member who may identify voters and enter ballots at one office (with MFA)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="office_posts",
        verbose_name=_("officer"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="officers", verbose_name=_("office")
    )
    appointed_at = models.DateTimeField(_("appointed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("office officer")
        verbose_name_plural = _("office officers")
        constraints = [
            models.UniqueConstraint(fields=["user", "office"], name="officeofficer_one_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.office_id}"


class OfficeParticipation(models.Model):
    """Where and with which officer a kiosk or paper ballot was cast: the office and officer of a
    ``budgeting.Participation`` (who voted, never what)."""

    participation = models.OneToOneField(
        "budgeting.Participation",
        on_delete=models.CASCADE,
        related_name="office_record",
        verbose_name=_("participation"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="participations", verbose_name=_("office")
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("officer"),
    )

    class Meta:
        verbose_name = _("office participation")
        verbose_name_plural = _("office participations")

    def __str__(self) -> str:
        return f"{self.office_id} · {self.participation_id}"


class PhoneVerification(models.Model):
    """One SMS code sent to one number: its salted hash, lifetime and tries.

    The code itself is never stored. ``ip_key`` is an HMAC of the requesting address (for the
    per-address rate limit), not the address."""

    phone_number = PhoneNumberField(_("phone number"))
    code_hash = models.CharField(max_length=64)
    salt = models.CharField(max_length=32)
    ip_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        indexes = [
            models.Index(fields=["phone_number", "created_at"], name="phoneverif_by_number"),
            models.Index(fields=["ip_key", "created_at"], name="phoneverif_by_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.pk}"


class VotingCodeBatch(models.Model):
    """Codes generated together for a cycle and some of its scopes (by a Celery task)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being generated")
        READY = "ready", _("Ready")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.CASCADE,
        related_name="voting_code_batches",
        verbose_name=_("cycle"),
    )
    scopes = models.ManyToManyField(
        "budgeting.BallotScope", related_name="voting_code_batches", verbose_name=_("ballots")
    )
    size = models.PositiveIntegerField(_("number of codes"))
    label = models.CharField(_("label"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The printable codes live here only until the sheet is printed once (then erased), so the
    # database never keeps them in the clear after that.
    printable_codes = models.JSONField(default=list, blank=True, editable=False)
    printed_at = models.DateTimeField(_("printed at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("voting code batch")
        verbose_name_plural = _("voting code batches")
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1), name="votingcodebatch_not_empty")
        ]

    def __str__(self) -> str:
        return self.label or f"#{self.pk}"


def new_code_lookup() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LOOKUP_LENGTH))


class VotingCode(models.Model):
    """One one-time voting code: a public lookup and the salted hash of its secret part."""

    batch = models.ForeignKey(
        VotingCodeBatch, on_delete=models.CASCADE, related_name="codes", verbose_name=_("batch")
    )
    lookup = models.CharField(max_length=CODE_LOOKUP_LENGTH)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("voting code")
        verbose_name_plural = _("voting codes")
        constraints = [
            models.UniqueConstraint(fields=["batch", "lookup"], name="votingcode_lookup_per_batch")
        ]
        indexes = [models.Index(fields=["lookup"], name="votingcode_lookup")]

    def __str__(self) -> str:
        return self.lookup


class VotingCodeUse(models.Model):
    """A code spent on one scope: written in the ballot's transaction (one per code and scope)."""

    code = models.ForeignKey(VotingCode, on_delete=models.CASCADE, related_name="uses")
    scope = models.ForeignKey("budgeting.BallotScope", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("voting code use")
        verbose_name_plural = _("voting code uses")
        constraints = [
            models.UniqueConstraint(fields=["code", "scope"], name="votingcodeuse_once_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.code_id} · {self.scope_id}"
