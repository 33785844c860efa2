import pytest

from budgeting.models import CouncilMembership
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.budgeting.factories import PolicyAreaFactory
from tests.proposals.factories import ProposalFactory


@pytest.fixture
def policy_area(cycle):
    area = PolicyAreaFactory(slug="transport", name_ko="교통", name_en="Transport")
    cycle.policy_areas.add(area)
    return area


@pytest.fixture
def author(district):
    """A verified resident of ``district`` who wrote ``proposal``."""
    return ResidentProfileFactory(district=district, display_name="최제안").user


@pytest.fixture
def proposal(author, district_scope, policy_area):
    return ProposalFactory(
        author=author,
        scope=district_scope,
        policy_area=policy_area,
        title="부평시장 버스정류장 그늘막 설치",
        summary="여름철 정류장에 그늘막과 의자를 설치합니다.",
        description="시장 앞 정류장은 그늘이 없어 **어르신들**이 힘들어합니다.",
        cost_estimate_won=30_000_000,
    )


@pytest.fixture
def draft_proposal(author, district_scope, policy_area):
    return ProposalFactory(
        author=author,
        scope=district_scope,
        policy_area=policy_area,
        title="초안: 공원 산책로 조명",
        status="draft",
        submitted_at=None,
    )


@pytest.fixture
def council_author(cycle, district):
    """A council member of ``cycle`` who is the author of ``council_proposal``."""
    user = ResidentProfileFactory(district=district, display_name="정위원").user
    CouncilMembership.objects.create(cycle=cycle, user=user)
    activate_totp(user)
    return user


@pytest.fixture
def council_proposal(council_author, district_scope, policy_area):
    return ProposalFactory(
        author=council_author,
        scope=district_scope,
        policy_area=policy_area,
        title="위원 제안: 경로당 냉방기 교체",
    )


@pytest.fixture
def proposal_form_data(district_scope, policy_area):
    """A complete, valid submission as the browser would post it."""
    return {
        "title": "부평공원 어린이 물놀이터",
        "summary": "여름에 아이들이 안전하게 놀 수 있는 바닥분수를 만듭니다.",
        "description": "부평공원 남쪽 잔디밭에 바닥분수를 설치합니다.\n\n- 7~8월 운영\n- 수질 관리",
        "problem": "근처에 무료 물놀이 시설이 없습니다.",
        "beneficiaries": "어린이와 가족",
        "cost_estimate_won": "120000000",
        "scope": str(district_scope.pk),
        "policy_area": str(policy_area.pk),
        "address": "인천 부평구 부평동 부평공원",
        "latitude": "37.489500",
        "longitude": "126.723600",
        "action": "submit",
        "similar_checked": "on",
    }
