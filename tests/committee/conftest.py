"""A cycle in review whose committee works in 분과, and the people around one proposal."""

import random

import pytest

from budgeting.models import SubcommitteeMember
from budgeting.phases import Phase
from committee.models import Recruitment
from committee.services import apply_to_committee
from committee.services import assign_seat
from committee.services import declare_interest
from committee.services import open_recruitment
from committee.services import parse_quota_lines
from committee.services import save_recruitment
from committee.services import save_subcommittee
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import CouncilMembershipFactory
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory
from tests.proposals.review.review_factories import FeasibilityReviewFactory
from tests.proposals.review.review_factories import RubricCriterionFactory


@pytest.fixture
def transport(db):
    return PolicyAreaFactory(slug="transport", name_ko="교통", name_en="Transport")


@pytest.fixture
def culture(db):
    return PolicyAreaFactory(slug="culture", name_ko="문화", name_en="Culture")


def _member(cycle, district, name):
    user = ResidentProfileFactory(district=district, display_name=name).user
    CouncilMembershipFactory(cycle=cycle, user=user)
    activate_totp(user)
    return user


@pytest.fixture
def board(cycle, district, other_district, transport, culture, district_scope, resident):
    """Two 분과 (transport; culture), their people and a transport proposal in review."""
    cycle.policy_areas.set([transport, culture])
    traffic = save_subcommittee(
        cycle=cycle, name_ko="교통분과", name_en="Transport", policy_areas=[transport]
    )
    arts = save_subcommittee(
        cycle=cycle, name_ko="문화분과", name_en="Culture", policy_areas=[culture]
    )
    people = {
        "member_in": _member(cycle, district, "교통위원"),
        "member_out": _member(cycle, district, "문화위원"),
        "chair": _member(cycle, district, "교통위원장"),
        "recused": _member(cycle, district, "회피위원"),
        "interested": _member(cycle, district, "이해위원"),
    }
    expert = ResidentProfileFactory(district=district, display_name="전문가").user
    activate_totp(expert)
    people["expert"] = expert
    assign_seat(subcommittee=traffic, user=people["member_in"], role=SubcommitteeMember.Role.MEMBER)
    assign_seat(subcommittee=arts, user=people["member_out"], role=SubcommitteeMember.Role.MEMBER)
    assign_seat(subcommittee=traffic, user=people["chair"], role=SubcommitteeMember.Role.CHAIR)
    assign_seat(subcommittee=traffic, user=people["recused"], role=SubcommitteeMember.Role.MEMBER)
    assign_seat(
        subcommittee=traffic, user=people["interested"], role=SubcommitteeMember.Role.MEMBER
    )
    assign_seat(subcommittee=traffic, user=expert, role=SubcommitteeMember.Role.EXPERT)
    declare_interest(
        cycle=cycle, user=people["interested"], kind="organisation", organisation="부평버스협동조합"
    )
    proposal = ProposalFactory(
        scope=district_scope,
        policy_area=transport,
        author=resident,
        title="부평 버스 쉼터",
        description="부평버스협동조합이 관리하는 정류장에 쉼터를 짓습니다.",
        reviewed_cost_won=50_000_000,
    )
    cycle_in_phase(cycle, Phase.REVIEW)
    proposal.refresh_from_db()
    RubricCriterionFactory(cycle=cycle)
    FeasibilityReviewFactory(proposal=proposal, reviewer=people["member_in"])
    return {"cycle": proposal.cycle, "proposal": proposal, "traffic": traffic, **people}


QUOTAS = (
    "gender,woman,5,5\ngender,man,5,5\nage_band,19-39,3,4\nage_band,40-59,3,4\nage_band,60+,3,4"
)


@pytest.fixture
def recruitment(cycle, district, other_district):
    recruitment = save_recruitment(
        cycle=cycle,
        seats=10,
        reserves=6,
        min_age=19,
        require_verified=False,
        school_rule=Recruitment.SchoolRule.NONE,
        custom_attribute="",
        quotas=parse_quota_lines(QUOTAS, seats=10),
    )
    open_recruitment(recruitment=recruitment)
    rng = random.Random(7)
    for n in range(48):
        profile = ResidentProfileFactory(
            district=rng.choice([district, other_district]),
            birth_year=cycle.year - [25, 45, 70][n % 3],
        )
        apply_to_committee(
            recruitment=recruitment,
            user=profile.user,
            gender=["woman", "man"][n % 2],
            custom_answer=False,
            name_is_public=n % 4 == 0,
        )
    return recruitment
