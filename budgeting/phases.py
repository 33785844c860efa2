"""The phases of a budget cycle and what each one allows (adhocracy4's feature map)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    DRAFT = "draft", _("Preparation")
    PROPOSALS = "proposals", _("Proposals")
    REVIEW = "review", _("Council review")
    VOTING = "voting", _("Voting")
    TALLYING = "tallying", _("Counting")
    PUBLISHED = "published", _("Results")
    IMPLEMENTATION = "implementation", _("Implementation")


PHASE_ORDER: tuple[Phase, ...] = (
    Phase.DRAFT,
    Phase.PROPOSALS,
    Phase.REVIEW,
    Phase.VOTING,
    Phase.TALLYING,
    Phase.PUBLISHED,
    Phase.IMPLEMENTATION,
)

# Phases from which the dates alone never move a cycle: publication is an admin's decision.
MANUAL_ONLY_TARGETS: frozenset[Phase] = frozenset({Phase.PUBLISHED, Phase.IMPLEMENTATION})

# Once voting opens, the rules residents vote under can no longer change.
RULES_FROZEN_PHASES: frozenset[Phase] = frozenset(
    {Phase.VOTING, Phase.TALLYING, Phase.PUBLISHED, Phase.IMPLEMENTATION}
)


class Feature(models.TextChoices):
    PROPOSE = "propose", _("Submit and edit proposals")
    COMMENT = "comment", _("Comment")
    ENDORSE = "endorse", _("Endorse proposals")
    REVIEW = "review", _("Council review")
    VOTE = "vote", _("Vote")
    VIEW_RESULTS = "view_results", _("See results")
    TRACK = "track", _("Track funded projects")


PHASE_FEATURES: dict[Phase, frozenset[Feature]] = {
    Phase.DRAFT: frozenset(),
    Phase.PROPOSALS: frozenset({Feature.PROPOSE, Feature.COMMENT, Feature.ENDORSE}),
    Phase.REVIEW: frozenset({Feature.REVIEW, Feature.COMMENT}),
    Phase.VOTING: frozenset({Feature.VOTE}),
    Phase.TALLYING: frozenset(),
    Phase.PUBLISHED: frozenset({Feature.VIEW_RESULTS}),
    Phase.IMPLEMENTATION: frozenset({Feature.VIEW_RESULTS, Feature.TRACK}),
}


def next_phase(phase: str) -> Phase | None:
    """The phase after ``phase``, or None for the last one."""
    index = PHASE_ORDER.index(Phase(phase))
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


def phase_index(phase: str) -> int:
    return PHASE_ORDER.index(Phase(phase))
