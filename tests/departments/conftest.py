import pytest

from budgeting.models import Subcommittee
from budgeting.models import SubcommitteeMember
from budgeting.phases import Phase
from departments.models import Department
from departments.models import DepartmentOfficial
from departments.services import route_proposal
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import PolicyAreaFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory


@pytest.fixture
def policy_area(cycle):
    area = PolicyAreaFactory(slug="transport", name_ko="교통", name_en="Transport")
    cycle.policy_areas.add(area)
    return area


@pytest.fixture
def other_area(cycle):
    area = PolicyAreaFactory(slug="welfare", name_ko="복지", name_en="Welfare")
    cycle.policy_areas.add(area)
    return area


@pytest.fixture
def department(policy_area):
    dept = Department.objects.create(
        name_ko="교통정책과", name_en="Transport Policy Division", slug="transport-policy",
        email="transport@city.example",
    )  # fmt: skip
    dept.policy_areas.add(policy_area)
    return dept


@pytest.fixture
def other_department(other_area):
    dept = Department.objects.create(
        name_ko="복지정책과", name_en="Welfare Policy Division", slug="welfare-policy"
    )
    dept.policy_areas.add(other_area)
    return dept


@pytest.fixture
def mayor_office(db):
    return Department.objects.create(name_ko="시장실", name_en="Mayor's Office", slug="mayor")


def _official(dept, name: str, *, mfa: bool = True):
    user = UserFactory(email=f"{name}@city.example")
    DepartmentOfficial.objects.create(user=user, department=dept)
    if mfa:
        activate_totp(user)
    return user


@pytest.fixture
def official(department):
    return _official(department, "official")


@pytest.fixture
def official_without_mfa(department):
    return _official(department, "nomfa", mfa=False)


@pytest.fixture
def other_official(other_department):
    return _official(other_department, "other")


@pytest.fixture
def mayor_official(mayor_office):
    return _official(mayor_office, "mayor")


@pytest.fixture
def author(district):
    return ResidentProfileFactory(district=district, display_name="최제안").user


@pytest.fixture
def proposal(author, district_scope, policy_area):
    return ProposalFactory(
        author=author,
        scope=district_scope,
        policy_area=policy_area,
        title="부평시장 버스정류장 그늘막 설치",
        cost_estimate_won=30_000_000,
    )


@pytest.fixture
def in_review(cycle):
    return cycle_in_phase(cycle, Phase.REVIEW)


@pytest.fixture
def expert(cycle, policy_area):
    user = UserFactory(email="expert@univ.example")
    subcommittee = Subcommittee.objects.create(cycle=cycle, name="교통분과")
    subcommittee.policy_areas.add(policy_area)
    SubcommitteeMember.objects.create(
        subcommittee=subcommittee, user=user, role=SubcommitteeMember.Role.EXPERT
    )
    activate_totp(user)
    return user


@pytest.fixture
def routed(in_review, proposal, department):
    """``proposal`` in a cycle under review, routed to ``department`` (a pending review)."""
    route_proposal(proposal=proposal)
    return proposal.department_reviews.get(department=department)
