""" "My participation" (나의 참여): my proposals and their answers, my ballots (whether, never
what), endorsements, followed projects, what e-mails I get, and where I can still vote."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ResidentProfile
from budgeting.models import ProjectFollow
from budgeting.phases import Phase
from proposals.models import CouncilDecision
from proposals.models import Proposal
from tests.accounts.factories import ResidentProfileFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import EndorsementFactory
from tests.proposals.factories import ProposalFactory
from tests.voting.factories import open_voting
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot

pytestmark = pytest.mark.django_db

URL = reverse("accounts:dashboard")


def _page(client, user, language="en") -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, section_id: str) -> str:
    return page.split(f'id="{section_id}"')[1].split("</section>", maxsplit=1)[0]


@pytest.fixture
def voting(cycle, district_scope, citywide_scope):
    open_voting(cycle, rule="approval", approval_min_choices=1, approval_max_choices=2)
    district_scope.cycle.refresh_from_db()
    return {
        "cycle": cycle,
        "district": district_scope,
        "citywide": citywide_scope,
        "district_projects": put_on_ballot(district_scope, [100_000_000, 90_000_000]),
        "citywide_projects": put_on_ballot(citywide_scope, [400_000_000]),
    }


def test_my_proposals_show_their_state_and_the_councils_answer(client, resident, council_member):
    proposal = ProposalFactory(
        author=resident, title="골목길 가로등 교체", status=Proposal.Status.REJECTED
    )
    CouncilDecision.objects.create(
        proposal=proposal,
        decision=CouncilDecision.Decision.REJECTED,
        public_reason="이미 구청 사업으로 올해 교체합니다.",
        decided_by=council_member,
    )
    ProposalFactory(title="남의 제안")  # someone else's

    section = _section(_page(client, resident), "my-proposals")

    assert "골목길 가로등 교체" in section
    assert "Council decision: Not put on the ballot" in section
    assert "이미 구청 사업으로 올해 교체합니다." in section
    assert "남의 제안" not in section


def test_my_ballots_say_whether_i_voted_never_what(client, resident, voting):
    chosen = voting["citywide_projects"][0]
    submit_ballot(voter=resident, scope=voting["citywide"], choices={chosen.pk: 1})

    page = _page(client, resident)
    ballots = _section(page, "my-ballots")

    assert "City-wide" in ballots
    assert "Voted" in ballots
    assert (
        reverse(
            "voting:ballot-receipt",
            kwargs={"slug": voting["cycle"].slug, "scope_pk": voting["citywide"].pk},
        )
        in ballots
    )
    assert chosen.title not in page  # the choice itself is never shown here
    assert "Not voted yet" in ballots  # the district ballot


def test_after_the_city_wide_ballot_i_am_pointed_to_my_district_ballot(client, resident, voting):
    submit_ballot(
        voter=resident, scope=voting["citywide"], choices={voting["citywide_projects"][0].pk: 1}
    )
    district_form = reverse(
        "voting:ballot-form",
        kwargs={"slug": voting["cycle"].slug, "scope_pk": voting["district"].pk},
    )
    citywide_form = reverse(
        "voting:ballot-form",
        kwargs={"slug": voting["cycle"].slug, "scope_pk": voting["citywide"].pk},
    )

    prompt = _section(_page(client, resident), "still-to-vote")
    client.force_login(resident)
    receipt = client.get(
        reverse(
            "voting:ballot-receipt",
            kwargs={"slug": voting["cycle"].slug, "scope_pk": voting["citywide"].pk},
        )
    ).content.decode()

    assert district_form in prompt
    assert citywide_form not in prompt  # voted there already
    assert "Thank you for voting." in prompt
    assert district_form in _section(receipt, "other-ballots")


def test_a_withdrawn_ballot_says_so_and_asks_again(client, resident, voting):
    scope = voting["district"]
    submit_ballot(voter=resident, scope=scope, choices={voting["district_projects"][0].pk: 1})
    withdraw_ballot(voter=resident, scope=scope)

    page = _page(client, resident)

    assert "Withdrawn" in _section(page, "my-ballots")
    form = reverse(
        "voting:ballot-form", kwargs={"slug": voting["cycle"].slug, "scope_pk": scope.pk}
    )
    assert form in _section(page, "still-to-vote")
    assert "you withdrew your ballot" in _section(page, "still-to-vote")


def test_nothing_to_vote_on_when_voting_is_closed(client, resident, voting):
    submit_ballot(
        voter=resident, scope=voting["citywide"], choices={voting["citywide_projects"][0].pk: 1}
    )
    cycle_in_phase(voting["cycle"], Phase.TALLYING)

    page = _page(client, resident)

    assert 'id="still-to-vote"' not in page
    ballots = _section(page, "my-ballots")
    assert "Voted" in ballots
    assert "Did not vote" in ballots  # the district ballot, now closed
    assert "ballots/" + str(voting["district"].pk) + '/"' not in ballots  # no vote link


def test_an_unverified_resident_learns_what_the_badge_means_and_why_they_cannot_vote(
    client, unverified_resident, voting
):
    voting["cycle"].requires_verification = True
    voting["cycle"].save()

    page = _page(client, unverified_resident)
    korean = _page(client, unverified_resident, language="ko")

    assert "Not verified yet" in page
    assert "means the city has not yet checked that you live, work or study here" in page
    assert "Only verified residents may vote in this cycle." in _section(page, "still-to-vote")
    assert "미확인 주민" in korean
    assert "시가 아직 확인하지 않았다는 뜻입니다" in korean


def test_endorsements_and_followed_projects(client, resident, district_scope):
    endorsed = ProposalFactory(scope=district_scope, cycle=district_scope.cycle, title="공원 벤치")
    EndorsementFactory(proposal=endorsed, user=resident)
    followed = ProposalFactory(
        scope=district_scope, cycle=district_scope.cycle, title="도서관 연장"
    )
    ProjectFollow.objects.create(user=resident, proposal=followed)
    other = ResidentProfileFactory(district=district_scope.district).user
    EndorsementFactory(proposal=ProposalFactory(title="다른 주민 공감"), user=other)

    page = _page(client, resident)

    assert "공원 벤치" in _section(page, "my-endorsements")
    assert "다른 주민 공감" not in page
    assert "도서관 연장" in _section(page, "followed-projects")


def test_what_we_send_you_and_no_sms(client, resident):
    ResidentProfile.objects.filter(user=resident).update(
        preferred_language="en", voting_reminders=False, email_followed_projects=True
    )

    notices = _section(_page(client, resident), "my-notices")

    assert "Language of e-mails: <strong>English</strong>" in notices
    assert "✘ A reminder before voting closes" in notices
    assert "✔ News of the projects I follow" in notices
    assert "Text messages (SMS): not offered yet" in notices
    assert reverse("accounts:profile") in notices


def test_a_published_equal_shares_ballot_links_to_how_my_share_was_spent(client, resident, voting):
    voting["cycle"].tally_rule = "mes"
    voting["cycle"].save()
    submit_ballot(
        voter=resident, scope=voting["citywide"], choices={voting["citywide_projects"][0].pk: 1}
    )
    cycle_in_phase(voting["cycle"], Phase.PUBLISHED)
    voting["cycle"].refresh_from_db()
    assert voting["cycle"].phase == Phase.PUBLISHED
    assert timezone.now()

    ballots = _section(_page(client, resident), "my-ballots")

    assert (
        reverse(
            "results:my-share",
            kwargs={"slug": voting["cycle"].slug, "scope_pk": voting["citywide"].pk},
        )
        in ballots
    )
