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
    has_verified_phone: bool = False


def age_in_year(*, birth_year: int, on: date) -> int:
    """Age counted by year of birth (we do not collect full birth dates, by design)."""
    return on.year - birth_year


def check_eligibility(
    facts: ResidentFacts | None, rule: EligibilityRule, *, scope_district_id: int | None
) -> Ineligibility | None:
    """Return why ``facts`` may not vote on a scope under ``rule``, or None when they may.

    ``scope_district_id`` is None for a city-wide ballot, which every eligible resident votes on.
    """
    if facts is None:
        return Ineligibility.NO_PROFILE
    failures = (  # in the order residents are told about them
        (rule.requires_verification and not facts.is_verified, Ineligibility.UNVERIFIED),
        (rule.requires_phone and not facts.has_verified_phone, Ineligibility.PHONE),
        (
            age_in_year(birth_year=facts.birth_year, on=rule.age_counted_on) < rule.minimum_age,
            Ineligibility.TOO_YOUNG,
        ),
        (facts.relation not in rule.accepted_relations, Ineligibility.RELATION),
        (
            scope_district_id is not None and facts.district_id != scope_district_id,
            Ineligibility.DISTRICT,
        ),
    )
    return next((reason for failed, reason in failures if failed), None)
