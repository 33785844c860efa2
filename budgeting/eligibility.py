"""Who may vote in a cycle: a pure function of a resident's facts and the cycle's rule."""

from dataclasses import dataclass
from datetime import date
from enum import Enum


class Ineligibility(Enum):
    NO_PROFILE = "no_profile"
    UNVERIFIED = "unverified"
    TOO_YOUNG = "too_young"
    RELATION = "relation"
    DISTRICT = "district"
    TRACK_AGE = "track_age"
    PHONE = "phone"


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    minimum_age: int
    age_counted_on: date
    accepted_relations: frozenset[str]
    requires_verification: bool
    requires_phone: bool = False


@dataclass(frozen=True, slots=True)
class ResidentFacts:
    birth_year: int
    relation: str
    district_id: int
    is_verified: bool
    district_parent_id: int | None = None
    has_verified_phone: bool = False


@dataclass(frozen=True, slots=True)
class TrackBounds:
    """A themed track's own age bounds (e.g. youth: 19 to 39), on top of the cycle's rule."""

    minimum_age: int | None = None
    maximum_age: int | None = None


NO_TRACK = TrackBounds()


def age_in_year(*, birth_year: int, on: date) -> int:
    """Age counted by year of birth (we do not collect full birth dates, by design)."""
    return on.year - birth_year


def check_eligibility(
    facts: ResidentFacts | None,
    rule: EligibilityRule,
    *,
    scope_district_id: int | None,
    track: TrackBounds = NO_TRACK,
) -> Ineligibility | None:
    """Return why ``facts`` may not vote on (or propose in) a scope under ``rule``, or None.

    ``scope_district_id`` is None for a city-wide ballot, which every eligible resident votes on;
    a gu's pot is open to the gu's residents and to those of its dongs, a dong's pot to the
    dong's. ``track`` holds a themed track's own age bounds, counted on the same day.
    """
    if facts is None:
        return Ineligibility.NO_PROFILE
    age = age_in_year(birth_year=facts.birth_year, on=rule.age_counted_on)
    failures = (  # in the order residents are told about them
        (rule.requires_verification and not facts.is_verified, Ineligibility.UNVERIFIED),
        (rule.requires_phone and not facts.has_verified_phone, Ineligibility.PHONE),
        (age < rule.minimum_age, Ineligibility.TOO_YOUNG),
        (facts.relation not in rule.accepted_relations, Ineligibility.RELATION),
        (
            scope_district_id is not None
            and scope_district_id not in (facts.district_id, facts.district_parent_id),
            Ineligibility.DISTRICT,
        ),
    )
    return next((reason for failed, reason in failures if failed), None) or _check_track(age, track)


def _check_track(age: int, track: TrackBounds) -> Ineligibility | None:
    if (track.minimum_age is not None and age < track.minimum_age) or (
        track.maximum_age is not None and age > track.maximum_age
    ):
        return Ineligibility.TRACK_AGE
    return None
