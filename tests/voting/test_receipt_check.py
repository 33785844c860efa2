"""After publication each ballot publishes the receipt codes of the ballots counted (a page with a
search box and a file), as many as the ballots in the ``.pb``, with no choice next to them."""

import gzip

import pytest
from django.urls import reverse

from budgeting.models import BudgetCycle
from budgeting.models import Participation
from budgeting.models import TallyRun
from budgeting.phases import Phase
from budgeting.tally import read_pb_text
from results.services.counting import tally_scope
from results.services.publication import publish_results
from results.services.tallying import close_voting
from tests.helpers import dates_for_phase
from tests.voting.factories import make_residents
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def election(voting_cycle, district, district_scope, district_projects, staff_user):
    a, b, c, _ = district_projects
    voters = make_residents(district, 5)
    receipts = {}
    for voter, choice in zip(voters, [a, a, b, c, c], strict=True):
        receipts[voter.pk] = submit_ballot(
            voter=voter, scope=district_scope, choices={choice.pk: 1}
        ).receipt
    replaced = receipts[voters[0].pk]
    receipts[voters[0].pk] = submit_ballot(
        voter=voters[0], scope=district_scope, choices={b.pk: 1}
    ).receipt
    withdrawn = receipts.pop(voters[4].pk)
    withdraw_ballot(voter=voters[4], scope=district_scope)
    dates = dates_for_phase(Phase.TALLYING)
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(
        voting_start_at=dates["voting_start_at"], voting_end_at=dates["voting_end_at"]
    )
    close_voting(cycle_id=voting_cycle.pk)
    run = tally_scope(scope_id=district_scope.pk)
    return {
        "cycle": voting_cycle,
        "scope": district_scope,
        "run": run,
        "voters": voters,
        "receipts": receipts,
        "replaced": replaced,
        "withdrawn": withdrawn,
        "staff": staff_user,
    }


def _url(e, name="results:receipts") -> str:
    return reverse(name, kwargs={"slug": e["cycle"].slug, "scope_pk": e["scope"].pk})


def _publish(e) -> None:
    publish_results(cycle_id=e["cycle"].pk, actor=e["staff"])


def test_nothing_is_listed_before_publication(client, election):
    for url in (_url(election), _url(election, "results:receipts-download")):
        response = client.get(url)
        assert response.status_code in {302, 403, 404}  # anonymous: to the login page
        assert election["receipts"][election["voters"][1].pk] not in response.content.decode()


def test_the_list_has_one_code_per_counted_ballot_in_code_order(client, election):
    _publish(election)
    response = client.get(_url(election, "results:receipts-download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    codes = b"".join(response.streaming_content).decode().split("\n")[:-1]
    run = TallyRun.objects.get(pk=election["run"].pk)
    pb = read_pb_text(gzip.decompress(bytes(run.canonical_pb_gz)).decode())
    assert len(codes) == run.ballot_count == int(pb.meta["num_votes"]) == 4
    assert set(codes) == set(election["receipts"].values())
    assert codes == sorted(codes)
    assert election["replaced"] not in codes
    assert election["withdrawn"] not in codes


def test_a_resident_finds_their_code_and_sees_no_choice(client, election, district_projects):
    _publish(election)
    code = election["receipts"][election["voters"][0].pk]
    response = client.get(_url(election), {"code": code.lower().replace("-", " ")})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Your ballot was counted" in content
    assert code in content
    for project in district_projects:  # the page never shows what any ballot chose
        assert project.title not in content
    assert "Why the list shows no choices" in content


def test_a_replaced_code_is_not_found(client, election):
    _publish(election)
    response = client.get(_url(election), {"code": election["replaced"]})
    assert response.status_code == 200
    assert "is not in the list of counted ballots" in response.content.decode()


@pytest.mark.parametrize("bad", ["12345", "0000-0000-0000-0000", "ABCD-EFGH-JKMN-PQR!", "x" * 41])
def test_a_malformed_code_is_refused_with_a_reason(client, election, bad):
    _publish(election)
    response = client.get(_url(election), {"code": bad})
    assert response.status_code == 400
    content = response.content.decode()
    assert "invalid-feedback" in content


def test_the_receipt_page_links_to_the_check_after_publication(client, election):
    voter = election["voters"][1]
    client.force_login(voter)
    receipt_url = reverse(
        "voting:ballot-receipt",
        kwargs={"slug": election["cycle"].slug, "scope_pk": election["scope"].pk},
    )
    page = client.get(receipt_url).content.decode()
    assert election["receipts"][voter.pk] in page
    assert "Check that your ballot was counted" not in page  # not published yet
    assert "never what a ballot chose" in page
    _publish(election)
    page = client.get(receipt_url).content.decode()
    assert "Check that your ballot was counted" in page
    assert Participation.objects.get(user=voter).receipt == election["receipts"][voter.pk]


def test_the_receipt_email_promises_only_what_the_list_does(mailoutbox, election):
    from notifications.services import send_pending_messages

    send_pending_messages()
    body = mailoutbox[-1].body  # in the resident's language, Korean here
    assert "공개되는 집계된 투표 목록에서 이 코드를 찾아 확인할 수 있습니다" in body
    assert "코드로 어떻게 투표했는지 알아내거나 증명할 수 없습니다" in body
    assert "익명 투표 목록" not in body  # the old promise of a list of ballots
