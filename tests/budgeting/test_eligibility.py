from datetime import date

import pytest

from budgeting.eligibility import EligibilityRule
from budgeting.eligibility import Ineligibility
from budgeting.eligibility import ResidentFacts
from budgeting.eligibility import check_eligibility

RULE = EligibilityRule(
    minimum_age=14,
    age_counted_on=date(2027, 1, 10),
    accepted_relations=frozenset({"lives", "works"}),
    requires_verification=True,
)


@pytest.mark.parametrize(
    ("_case", "facts", "scope_district", "expected"),
    [
        ("eligible", ResidentFacts(1990, "lives", 1, True), 1, None),
        ("city-wide from any district", ResidentFacts(1990, "works", 2, True), None, None),
        ("no profile", None, 1, Ineligibility.NO_PROFILE),
        ("unverified", ResidentFacts(1990, "lives", 1, False), 1, Ineligibility.UNVERIFIED),
        ("turns 14 in the counting year", ResidentFacts(2013, "lives", 1, True), 1, None),
        (
            "13 in the counting year",
            ResidentFacts(2014, "lives", 1, True),
            1,
            Ineligibility.TOO_YOUNG,
        ),
        (
            "relation not accepted",
            ResidentFacts(1990, "studies", 1, True),
            1,
            Ineligibility.RELATION,
        ),
        ("other district", ResidentFacts(1990, "lives", 2, True), 1, Ineligibility.DISTRICT),
    ],
)
def test_check_eligibility(_case, facts, scope_district, expected):
    assert check_eligibility(facts, RULE, scope_district_id=scope_district) is expected
