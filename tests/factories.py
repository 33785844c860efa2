"""Shared factories (factory_boy, Korean fake data)."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.utils import timezone

from accounts.models import ResidentProfile
from accounts.models import User
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import District
from budgeting.models import PolicyArea
from proposals.models import Proposal

PASSWORD = "a-Strong-test-password-42"


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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.kr")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class ResidentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentProfile

    user = factory.SubFactory(UserFactory)
    display_name = factory.Faker("name", locale="ko_KR")
    district = factory.SubFactory(DistrictFactory)
    birth_year = 1985
    relation = ResidentProfile.Relation.LIVES
    verified_at = factory.LazyFunction(timezone.now)


def activate_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user).exists()
    return secret


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


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    scope = factory.SubFactory(BallotScopeFactory)
    cycle = factory.LazyAttribute(lambda o: o.scope.cycle)
    policy_area = factory.SubFactory(PolicyAreaFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"동네 쉼터 만들기 {n}")
    summary = "버스 정류장 옆 그늘막과 의자"
    description = "주민들이 쉴 수 있는 공간을 만듭니다."
    cost_estimate_won = 30_000_000
    status = Proposal.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
