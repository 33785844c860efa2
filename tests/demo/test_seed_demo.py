import pytest
from django.core.management import call_command

from accounts.models import User
from budgeting.models import AuditEvent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import District
from budgeting.models import PolicyArea

pytestmark = pytest.mark.django_db


def _counts():
    return (
        District.objects.count(),
        PolicyArea.objects.count(),
        BudgetCycle.objects.count(),
        BallotScope.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )


def test_seed_demo_creates_the_city_and_is_idempotent():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert District.objects.filter(parent=None).count() == 10  # the gu; dongs sit inside them
    assert first[1] == 12
    assert set(District.objects.values_list("name_en", flat=True)) >= {"Ganghwa-gun", "Ongjin-gun"}
    assert District.objects.get(slug="bupyeong-gu").name_ko == "부평구"
    cycle = BudgetCycle.objects.get(slug="incheon-2027")
    assert cycle.phase == "proposals"
    assert cycle.scopes.filter(district__isnull=True).count() == 1
    assert cycle.scopes.count() == 11
    assert User.objects.get(email="admin@demo.chamyeo.kr").is_staff is True
    # issue 12: the Seoul-style cycle, voting open, its pots at every level and two tracks
    seoul = BudgetCycle.objects.get(slug="seoul-2027")
    assert seoul.phase == "voting"
    levels = {(scope.level, scope.track_slug) for scope in seoul.scopes.select_related("district")}
    assert levels == {
        ("city", ""),
        ("city", "vulnerable"),
        ("city", "youth"),
        ("gu", ""),
        ("dong", ""),
    }
    youth = seoul.scopes.get(track_slug="youth")
    assert (youth.minimum_age, youth.maximum_age, youth.budget_won) == (19, 39, 10_000_000_000)
    assert all(scope.proposals.exists() for scope in seoul.scopes.all())
