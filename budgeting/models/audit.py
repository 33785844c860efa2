from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)


class AuditEvent(models.Model):
    """Who did what, when, to which thing, and why. Written only by ``record_audit_event`` (and
    its SQL twin); never records what a person chose on a ballot.

    Append-only and chained (``budgeting.audit``): on PostgreSQL triggers refuse UPDATE and
    DELETE (except clearing ``actor`` when a person's account is erased) and give every new
    event its ``position`` in its cycle's chain, the previous event's ``chain_hash`` and its own
    (SHA-256 over the previous hash and the SHA-256 of the event's content).
    """

    class Type(models.TextChoices):
        PHASE_ADVANCED = "phase_advanced", _("Phase changed")
        CYCLE_CREATED = "cycle_created", _("Budget cycle created")
        CYCLE_CLONED = "cycle_cloned", _("Budget cycle copied from an earlier one")
        CYCLE_RULES_CHANGED = "cycle_rules_changed", _("Budget cycle rules changed")
        CYCLE_RULES_CHANGE_REFUSED = (
            "cycle_rules_change_refused",
            _("Change to frozen rules refused"),
        )
        DEADLINE_CHANGED = "deadline_changed", _("Deadline changed")
        PHASE_REOPENED = "phase_reopened", _("Phase re-opened")
        COUNCIL_MEMBER_APPOINTED = "council_member_appointed", _("Council member appointed")
        RESIDENT_VERIFIED = "resident_verified", _("Resident verified")
        RESIDENTS_VERIFIED_FROM_CSV = (
            "residents_verified_from_csv",
            _("Residents verified from a list"),
        )
        # proposals and council review
        PROPOSAL_SUBMITTED = "proposal_submitted", _("Proposal submitted")
        PROPOSAL_EDITED = "proposal_edited", _("Proposal edited")
        PROPOSAL_WITHDRAWN = "proposal_withdrawn", _("Proposal withdrawn")
        PROPOSAL_HIDDEN = "proposal_hidden", _("Proposal hidden by moderation")
        COMMENT_HIDDEN = "comment_hidden", _("Comment hidden by moderation")
        ENDORSEMENT_THRESHOLD_REACHED = (
            "endorsement_threshold_reached",
            _("Endorsement threshold reached"),
        )
        FEASIBILITY_REVIEWED = "feasibility_reviewed", _("Feasibility reviewed")
        PROPOSALS_MERGED = "proposals_merged", _("Proposals merged")
        COUNCIL_DECISION_RECORDED = "council_decision_recorded", _("Council decision")
        RUBRIC_SCORED = "rubric_scored", _("Proposal scored on the rubric")
        # departments and the escalation ladder
        PROPOSAL_ROUTED = "proposal_routed", _("Proposal sent to a department")
        DEPARTMENT_REVIEWED = "department_reviewed", _("Department review recorded")
        ESCALATION_REACHED = "escalation_reached", _("Supporters reached a step of the ladder")
        ESCALATION_ANSWERED = "escalation_answered", _("Answer given on the ladder")
        # voting
        BALLOT_CHANGED = "ballot_changed", _("A ballot was changed")
        BALLOT_WITHDRAWN = "ballot_withdrawn", _("A ballot was withdrawn")
        PAPER_BALLOT_ENTERED = "paper_ballot_entered", _("Paper ballot entered")
        PAPER_BALLOT_CORRECTED = (
            "paper_ballot_corrected",
            _("Paper ballot corrected by a new entry"),
        )
        BALLOT_CHANNEL_CONFLICT = "ballot_channel_conflict", _("Second ballot refused")
        VOTING_CODES_CREATED = "voting_codes_created", _("Voting codes generated")
        VOTING_CODES_REVOKED = "voting_codes_revoked", _("Voting codes revoked")
        VOTING_CLOSED = "voting_closed", _("Voting closed")
        RECEIPTS_LISTED = "receipts_listed", _("Receipt codes of the counted ballots listed")
        BALLOTS_SEALED = (
            "ballots_sealed",
            _("Earlier versions of ballot and participation rows erased from disk"),
        )
        # tally and publication
        TALLY_STARTED = "tally_started", _("Counting started")
        TALLY_SUCCEEDED = "tally_succeeded", _("Counting finished")
        TALLY_FAILED = "tally_failed", _("Counting failed")
        RESULTS_PUBLISHED = "results_published", _("Results published")
        EXPORTS_REBUILD_REQUESTED = (
            "exports_rebuild_requested",
            _("Downloads of the results built again"),
        )
        # the residents' committee (issue 10)
        COMMITTEE_RECRUITMENT_SAVED = (
            "committee_recruitment_saved",
            _("Committee recruitment set up or changed"),
        )
        COMMITTEE_RECRUITMENT_OPENED = (
            "committee_recruitment_opened",
            _("Applications to the committee opened"),
        )
        COMMITTEE_SEED_COMMITTED = (
            "committee_seed_committed",
            _("Applications to the committee closed; the draw's seed committed"),
        )
        COMMITTEE_DRAWN = "committee_drawn", _("Committee drawn by lot; seed revealed")
        COMMITTEE_MEMBER_REPLACED = (
            "committee_member_replaced",
            _("Committee member left; a reserve called up"),
        )
        COMMITTEE_MEMBER_REMOVED_NO_SCHOOL = (
            "committee_member_removed_no_school",
            _("Committee member removed: budget school not completed"),
        )
        COMMITTEE_MEMBER_RESIGNED = (
            "committee_member_resigned",
            _("Committee member resigned"),
        )
        COMMITTEE_SUBCOMMITTEE_SAVED = (
            "committee_subcommittee_saved",
            _("Subcommittee set up or changed"),
        )
        COMMITTEE_SEAT_ASSIGNED = (
            "committee_seat_assigned",
            _("Subcommittee seat assigned"),
        )
        COMMITTEE_SEAT_REMOVED = "committee_seat_removed", _("Subcommittee seat removed")
        COMMITTEE_INTEREST_DECLARED = (
            "committee_interest_declared",
            _("Committee member declared an interest"),
        )
        COMMITTEE_STEPPED_ASIDE = (
            "committee_stepped_aside",
            _("Committee member stepped aside from a proposal"),
        )
        SUBCOMMITTEE_RECOMMENDATION_RECORDED = (
            "subcommittee_recommendation_recorded",
            _("Subcommittee recommendation recorded"),
        )
        COMMITTEE_MINUTES_PUBLISHED = (
            "committee_minutes_published",
            _("Committee meeting minutes published"),
        )
        PUBLICATION_WARNING_ACKNOWLEDGED = (
            "publication_warning_acknowledged",
            _("Pre-publication warning acknowledged"),
        )
        # the general assembly (총회) and the survey source of the weighted rule (issue 12)
        ASSEMBLY_SCHEDULED = "assembly_scheduled", _("General assembly scheduled")
        ASSEMBLY_CHANGED = "assembly_changed", _("General assembly's date, place or link changed")
        ASSEMBLY_ATTENDANCE_RECORDED = (
            "assembly_attendance_recorded",
            _("Attendance at the general assembly recorded"),
        )
        ASSEMBLY_VOTE_OPENED = "assembly_vote_opened", _("General assembly's vote opened")
        ASSEMBLY_VOTE_CLOSED = "assembly_vote_closed", _("General assembly's vote closed")
        ASSEMBLY_MINUTES_SAVED = (
            "assembly_minutes_saved",
            _("General assembly's minutes published"),
        )
        ASSEMBLY_VOTE_RECORDED = "assembly_vote_recorded", _("A general assembly vote recorded")
        SURVEY_COUNTS_SAVED = "survey_counts_saved", _("Survey counts entered")
        # the budget office's console
        POPULATION_IMPORTED = "population_imported", _("Population table imported")
        DATA_EXPORTED = "data_exported", _("Data exported for officials")
        STAFF_ROLE_GRANTED = "staff_role_granted", _("Staff role granted")
        STAFF_ROLE_REVOKED = "staff_role_revoked", _("Staff role revoked")
        # implementation
        IMPLEMENTATION_UPDATED = "implementation_updated", _("Project progress updated")
        PROJECT_CUT = "project_cut", _("Funded project cut or reduced")

    cycle = models.ForeignKey(
        "budgeting.BudgetCycle",
        on_delete=models.PROTECT,  # a cycle with a history cannot be deleted
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("budget cycle"),
    )
    event_type = models.CharField(_("event"), max_length=50, choices=Type.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    is_public = models.BooleanField(_("public"), default=False)
    reason = models.TextField(_("reason"), blank=True)
    parameters = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # The hash chain (set by the database on insert; by record_audit_event where there is no
    # trigger, i.e. SQLite): the event's place in its cycle's chain (1, 2, ...; events without
    # a cycle form one chain of their own), the previous event's hash and this one's.
    position = models.PositiveBigIntegerField(_("position in the chain"), default=0)
    content_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, blank=True, editable=False)
    chain_hash = models.CharField(_("chain hash"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["cycle", "is_public", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "position"],
                condition=Q(cycle__isnull=False),
                name="auditevent_one_per_position",
            ),
            models.UniqueConstraint(
                fields=["position"],
                condition=Q(cycle__isnull=True),
                name="auditevent_one_per_position_without_cycle",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} ({self.created_at:%Y-%m-%d %H:%M})"
