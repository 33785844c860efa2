"""Permission matrix for residents: only the budget office verifies residents (no phase)."""

import pytest
import rules

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous_user", False),
        ("user_without_profile", False),
        ("unverified_resident", False),
        ("resident", False),
        ("other_district_resident", False),
        ("council_member", False),
        ("staff_user", True),
    ],
)
def test_verify_residents(role, allowed, request):
    assert rules.has_perm("accounts.verify_residents", request.getfixturevalue(role)) is allowed
