"""Factories for budget cycles, districts, policy areas, scopes and council memberships."""

from datetime import timedelta

import factory
from django.utils import timezone

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import District
from budgeting.models import PolicyArea
from tests.accounts.factories import UserFactory


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"district-{n}")
    name_ko = factory.Sequence(lambda n: f"{n}구")
    name_en = factory.Sequence(lambda n: f"District {n}")
    order = factory.Sequence(int)


class PolicyAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyArea
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"area-{n}")
    name_ko = factory.Sequence(lambda n: f"분야 {n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")


class BudgetCycleFactory(factory.django.DjangoModelFactory):
    """A cycle whose proposal phase runs now; move it with tests.helpers.cycle_in_phase."""

    class Meta:
        model = BudgetCycle

    name_ko = factory.Sequence(lambda n: f"{2027 + n}년 주민참여예산")
    name_en = factory.Sequence(lambda n: f"Participatory Budget {2027 + n}")
    slug = factory.Sequence(lambda n: f"cycle-{n}")
    year = 2027
    proposals_start_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    proposals_end_at = factory.LazyAttribute(lambda o: o.proposals_start_at + timedelta(days=30))
    voting_start_at = factory.LazyAttribute(lambda o: o.proposals_end_at + timedelta(days=30))
    voting_end_at = factory.LazyAttribute(lambda o: o.voting_start_at + timedelta(days=14))


class BallotScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BallotScope

    cycle = factory.SubFactory(BudgetCycleFactory)
    district = factory.SubFactory(DistrictFactory)
    budget_won = 500_000_000


class CouncilMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMembership

    cycle = factory.SubFactory(BudgetCycleFactory)
    user = factory.SubFactory(UserFactory)
