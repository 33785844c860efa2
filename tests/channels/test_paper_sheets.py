"""Walk-in paper ballots in bulk from an office's tally sheet, and corrections of a paper ballot
entered wrongly (issue #13, item 5): each line stored whole or refused with its reason, never
twice; a correction supersedes the earlier entry, is audited, and only while voting is open."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from channels.models import Office
from channels.models import OfficeOfficer
from channels.paper import MAX_SHEET_BYTES
from channels.paper import correct_paper_ballot
from channels.paper import enter_paper_sheet
from channels.services import ChannelError
from channels.services import cast_office_ballot
from channels.services import census_person_key
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import activate_totp
from tests.voting.factories import put_on_ballot
from voting.services.ballots import submit_ballot
from voting.shared import BallotRefusedError
from voting.shared import person_ballot_key

pytestmark = pytest.mark.django_db

PAPER = Participation.Channel.PAPER


@pytest.fixture
def projects(voting_cycle, district_scope):
    """Three projects on an approval ballot of 1 to 2 choices."""
    return put_on_ballot(district_scope, [120_000_000, 90_000_000, 50_000_000])


def _sheet_url(office, cycle, scope):
    kwargs = {"office_pk": office.pk, "slug": cycle.slug, "scope_pk": scope.pk}
    return reverse("channels:paper-sheet", kwargs=kwargs)


def _correct_url(office, cycle, scope):
    kwargs = {"office_pk": office.pk, "slug": cycle.slug, "scope_pk": scope.pk}
    return reverse("channels:paper-correct", kwargs=kwargs)


def _choices_of(scope, census_ref):
    """The stored choices of a walk-in ballot (tests only: the app never reads them back)."""
    key = person_ballot_key(person_key=census_person_key(census_ref), scope_id=scope.pk)
    ballot = Ballot.objects.get(voter_key=key, scope=scope)
    return set(BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", flat=True))


def _events(event_type):
    return AuditEvent.objects.filter(event_type=event_type)


# --- the service --------------------------------------------------------------------------------


def test_good_lines_are_stored_and_bad_ones_refused_with_their_reason(
    voting_cycle, district_scope, projects, office, officer
):
    a, b, c = (p.pk for p in projects)
    sheet = "\n".join(
        [
            "reference,choices",  # a header
            f"900101-1234567, {a} {b}",  # good
            f"900202-2345678, {a} {b} {c}",  # over the limit of 2
            "900303-3456789, 999999",  # not on this ballot
            f"x!, {a}",  # not a reference
            f"900404-4567890,{c}",  # good
            f"900101 1234567, {c}",  # the first line's reference again
            f"=HYPERLINK(1), {a}",  # a formula
            "900505-5678901,",  # nothing marked
        ]
    )
    report = enter_paper_sheet(officer=officer, office=office, scope=district_scope, text=sheet)
    outcome = {row.line: (row.stored, row.code) for row in report.rows}
    assert outcome == {
        2: (True, ""),
        3: (False, "too_many"),
        4: (False, "unknown_project"),
        5: (False, "bad_reference"),
        6: (True, ""),
        7: (False, "duplicate"),
        8: (False, "formula"),
        9: (False, "empty"),
    }
    assert report.stored == 2
    assert "at most 2 projects" in {r.line: r.error for r in report.rows}[3]
    assert Ballot.objects.filter(scope=district_scope).count() == 2
    assert Participation.objects.filter(scope=district_scope, channel=PAPER).count() == 2
    assert _events(AuditEvent.Type.PAPER_BALLOT_ENTERED).count() == 2
    assert _choices_of(district_scope, "900404-4567890") == {c}
    # the fixable lines are handed back; the stored ones are not
    assert "900202-2345678" in report.to_fix
    assert "900101-1234567" not in report.to_fix


def test_a_sheet_sent_again_stores_nothing_twice(
    voting_cycle, district_scope, projects, office, officer
):
    a, b, _c = (p.pk for p in projects)
    sheet = f"A1234567, {a}\nB7654321, {b}\nC5555555, 424242"
    first = enter_paper_sheet(officer=officer, office=office, scope=district_scope, text=sheet)
    assert first.stored == 2
    # the clerk fixes the bad line and, by mistake, sends the whole sheet again
    again = sheet.replace("424242", str(a))
    second = enter_paper_sheet(officer=officer, office=office, scope=district_scope, text=again)
    assert [(row.stored, row.code) for row in second.rows] == [
        (False, "already_voted"),
        (False, "already_voted"),
        (True, ""),
    ]
    assert Ballot.objects.filter(scope=district_scope).count() == 3
    assert _events(AuditEvent.Type.BALLOT_CHANNEL_CONFLICT).count() == 2
    assert second.to_fix == ""  # a person who already voted is not worth typing again


def test_a_person_who_already_voted_by_another_channel_is_refused_and_audited(
    voting_cycle, district_scope, projects, office, officer, district
):
    """The person key of a census reference is the lock whatever the channel: a resident who
    voted at the kiosk (identified by the same reference, typed differently) is refused on the
    sheet, with the audit event of a second ballot; an online voter's ballot is untouched."""
    a, b, _c = (p.pk for p in projects)
    online = ResidentProfileFactory(district=district).user
    submit_ballot(voter=online, scope=district_scope, choices={a: 1})
    cast_office_ballot(
        officer=officer,
        office=office,
        person=census_person_key("K9999999"),
        scope=district_scope,
        choices={a: 1},
        channel=Participation.Channel.KIOSK,
    )
    report = enter_paper_sheet(
        officer=officer, office=office, scope=district_scope, text=f"k-9999999, {b}\nZ1111111,{b}"
    )
    assert [(row.stored, row.code) for row in report.rows] == [
        (False, "already_voted"),
        (True, ""),
    ]
    assert "already voted" in report.rows[0].error
    conflict = _events(AuditEvent.Type.BALLOT_CHANNEL_CONFLICT).get()
    assert conflict.parameters == {"counted_channel": "kiosk", "refused_channel": "paper"}
    assert conflict.actor == officer
    assert Ballot.objects.filter(scope=district_scope).count() == 3
    assert Participation.objects.get(user=online).channel == "online"


def test_an_officer_of_another_office_stores_nothing(
    voting_cycle, district_scope, projects, other_office, officer
):
    with pytest.raises(PermissionDenied):
        enter_paper_sheet(
            officer=officer,
            office=other_office,
            scope=district_scope,
            text=f"A1234567, {projects[0].pk}",
        )
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no ballots"),
        ("\ufeff  \n// a comment\n\t\n", "no ballots"),
        ("reference,choices\n\n", "no ballots"),
        ("\n".join(f"A{n:07d}, 1" for n in range(501)), "at most 500 lines"),
        ("A1234567, 1\n" * 30_000, "longer than 256 kB"),
    ],
)
def test_an_empty_or_huge_sheet_is_refused_whole(
    voting_cycle, district_scope, projects, office, officer, text, message
):
    with pytest.raises(ChannelError) as refused:
        enter_paper_sheet(officer=officer, office=office, scope=district_scope, text=text)
    assert message in refused.value.message
    assert not Ballot.objects.exists()


def test_ranked_and_cumulative_sheets_give_points(
    voting_cycle, district_scope, projects, office, officer
):
    a, b, c = (p.pk for p in projects)
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(ballot_rule="ranked", ranked_max_ranks=3)
    district_scope.cycle.refresh_from_db()
    report = enter_paper_sheet(
        officer=officer,
        office=office,
        scope=district_scope,
        text=f"A1234567; {c} {a}\nB7654321; {a}:1 {b}:1",
    )
    assert [(row.stored, row.code) for row in report.rows] == [
        (True, ""),
        (False, "rank_repeated"),
    ]
    key_points = dict(BallotChoice.objects.values_list("proposal_id", "points"))
    assert key_points == {c: 1, a: 2}


# --- corrections --------------------------------------------------------------------------------


def _enter(office, officer, scope, ref, choices):
    cast_office_ballot(
        officer=officer,
        office=office,
        person=census_person_key(ref),
        scope=scope,
        choices=choices,
        channel=PAPER,
    )


def test_a_correction_supersedes_the_earlier_entry_and_is_audited_publicly(
    voting_cycle, district_scope, projects, office, officer
):
    a, b, c = (p.pk for p in projects)
    _enter(office, officer, district_scope, "900101-1234567", {a: 1, b: 1})
    receipt = Participation.objects.get(scope=district_scope).receipt
    correct_paper_ballot(
        officer=officer,
        office=office,
        census_ref="9001011234567",
        scope=district_scope,
        choices={c: 1},
        reason="Rows of the tally sheet were swapped when typing.",
    )
    assert Ballot.objects.filter(scope=district_scope).count() == 1  # superseded, not added
    assert _choices_of(district_scope, "900101-1234567") == {c}
    participation = Participation.objects.get(scope=district_scope)
    assert participation.channel == PAPER
    assert participation.receipt != receipt
    event = _events(AuditEvent.Type.PAPER_BALLOT_CORRECTED).get()
    assert event.is_public
    assert event.actor == officer
    assert event.reason == "Rows of the tally sheet were swapped when typing."
    assert event.parameters == {"office": office.name}
    assert "900101" not in f"{event.reason} {event.parameters}"
    public = Client().get(voting_cycle.get_absolute_url()).content.decode()
    assert "Paper ballot corrected by a new entry" in public
    assert "Rows of the tally sheet were swapped when typing." in public
    assert office.name in public
    assert "900101" not in public


def test_a_correction_after_the_deadline_is_refused(
    voting_cycle, district_scope, projects, office, officer
):
    a, _b, c = (p.pk for p in projects)
    _enter(office, officer, district_scope, "A1234567", {a: 1})
    BudgetCycle.objects.filter(pk=voting_cycle.pk).update(
        voting_end_at=timezone.now() - timedelta(minutes=1)
    )
    district_scope.cycle.refresh_from_db()
    with pytest.raises(BallotRefusedError) as refused:
        correct_paper_ballot(
            officer=officer,
            office=office,
            census_ref="A1234567",
            scope=district_scope,
            choices={c: 1},
            reason="typed wrongly",
        )
    assert refused.value.code == "voting_closed"
    assert _choices_of(district_scope, "A1234567") == {a}
    assert not _events(AuditEvent.Type.PAPER_BALLOT_CORRECTED).exists()


def test_only_a_paper_ballot_entered_at_this_office_can_be_corrected(
    voting_cycle, district_scope, projects, office, officer, staff_user
):
    a, _b, c = (p.pk for p in projects)
    second = Office.objects.create(name="Bupyeong 1-dong", district=office.district)
    OfficeOfficer.objects.create(user=staff_user, office=second)
    _enter(second, officer, district_scope, "A1234567", {a: 1})
    cast_office_ballot(
        officer=officer,
        office=office,
        person=census_person_key("K7654321"),
        scope=district_scope,
        choices={a: 1},
        channel=Participation.Channel.KIOSK,
    )

    def correct(ref):
        correct_paper_ballot(
            officer=officer,
            office=office,
            census_ref=ref,
            scope=district_scope,
            choices={c: 1},
            reason="typed wrongly",
        )

    with pytest.raises(ChannelError) as elsewhere:
        correct("A1234567")
    assert elsewhere.value.code == "other_office"
    for ref in ("K7654321", "N0000000"):  # a kiosk ballot, and nobody
        with pytest.raises(ChannelError) as nothing:
            correct(ref)
        assert nothing.value.code == "no_paper_ballot"
    assert _choices_of(district_scope, "A1234567") == {a}
    assert Ballot.objects.filter(scope=district_scope).count() == 2
    assert not Participation.objects.filter(person_key=census_person_key("N0000000")).exists()
    assert not _events(AuditEvent.Type.PAPER_BALLOT_CORRECTED).exists()


def test_a_correction_needs_a_reason_without_the_reference(
    voting_cycle, district_scope, projects, office, officer
):
    a, _b, c = (p.pk for p in projects)
    _enter(office, officer, district_scope, "A1234567", {a: 1})
    for reason in ("   ", "wrong row for A-1234567"):
        with pytest.raises(ChannelError) as refused:
            correct_paper_ballot(
                officer=officer,
                office=office,
                census_ref="A1234567",
                scope=district_scope,
                choices={c: 1},
                reason=reason,
            )
        assert refused.value.code == "reason"
    assert _choices_of(district_scope, "A1234567") == {a}


# --- the pages ----------------------------------------------------------------------------------


def test_an_officer_checks_then_stores_a_typed_sheet(
    client, voting_cycle, district_scope, projects, office, officer
):
    a, b, _c = (p.pk for p in projects)
    client.force_login(officer)
    url = _sheet_url(office, voting_cycle, district_scope)
    page = client.get(url).content.decode()
    assert projects[0].title in page
    assert f"<td>{a}</td>" in page
    checked = client.post(url, {"step": "check", "sheet": f"A1234567, {a}\nB7654321, 777"})
    assert checked.status_code == 200
    body = checked.content.decode()
    assert "1 line is ready to be stored" in body
    assert "Project 777 is not on this ballot" in body
    assert not Ballot.objects.exists()  # a check stores nothing
    confirm = {
        "step": "store",
        "sheet": re.search(r'name="sheet" value="([^"]*)"', body).group(1),
        "token": re.search(r'name="token" value="([^"]*)"', body).group(1),
    }
    stored = client.post(url, confirm)
    assert stored.status_code == 200
    assert "1 paper ballot stored" in stored.content.decode()
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    # reloading the result page (the browser posts again) stores nothing and says so
    replay = client.post(url, confirm, follow=True)
    assert "already stored" in replay.content.decode()
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert not _events(AuditEvent.Type.BALLOT_CHANNEL_CONFLICT).exists()
    # then the fixed line alone
    fixed = client.post(url, {"step": "check", "sheet": f"B7654321, {b}"}).content.decode()
    token = re.search(r'name="token" value="([^"]*)"', fixed).group(1)
    client.post(url, {"step": "store", "sheet": f"B7654321, {b}", "token": token})
    assert Ballot.objects.filter(scope=district_scope).count() == 2


def test_a_csv_upload_in_cp949_with_a_header(
    client, voting_cycle, district_scope, projects, office, officer
):
    a, b, _c = (p.pk for p in projects)
    client.force_login(officer)
    csv_text = f'신분확인번호,선택\r\n900101-1234567,{a}\r\n900202-2345678,"{a}, {b}"\r\n'
    upload = SimpleUploadedFile("집계표.csv", csv_text.encode("cp949"), "text/csv")
    url = _sheet_url(office, voting_cycle, district_scope)
    checked = client.post(url, {"step": "check", "file": upload})
    assert checked.status_code == 200
    assert "2 lines are ready to be stored" in checked.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty"),
        (b"\xff\xfe\x00A\x00B", "not a CSV text file"),
        (bytes(range(0x80, 0x100)) * 4, "not UTF-8 or CP949"),
        (b"A1234567, 1\n" * 30_000, "larger than 256 kB"),
        (b"reference,choices\n", "no ballots"),
        (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV text file"),  # an .xlsx
    ],
)
def test_a_junk_upload_gets_a_clear_message_not_a_server_error(
    client, voting_cycle, district_scope, projects, office, officer, content, message
):
    client.force_login(officer)
    url = _sheet_url(office, voting_cycle, district_scope)
    upload = SimpleUploadedFile("sheet.csv", content, "text/csv")
    response = client.post(url, {"step": "check", "file": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ballot.objects.exists()


def test_formula_cells_are_refused_and_shown_escaped(
    client, voting_cycle, district_scope, projects, office, officer
):
    client.force_login(officer)
    url = _sheet_url(office, voting_cycle, district_scope)
    sheet = '=cmd|"/c calc"!A1, 1\n<script>x</script>1234, 1\n@SUM(1), 1'
    body = client.post(url, {"step": "check", "sheet": sheet}).content.decode()
    assert body.count("spreadsheet formula") == 2
    assert "<script>x</script>" not in body
    assert "0 lines are ready" in body
    assert 'name="step" value="store"' not in body  # nothing to store


def test_a_tampered_confirmation_is_checked_again(
    client, voting_cycle, district_scope, projects, office, officer
):
    """The hidden sheet comes back from the browser: it is parsed and checked again."""
    client.force_login(officer)
    url = _sheet_url(office, voting_cycle, district_scope)
    body = client.post(url, {"step": "check", "sheet": f"A1234567, {projects[0].pk}"})
    token = re.search(r'name="token" value="([^"]*)"', body.content.decode()).group(1)
    all_three = " ".join(str(p.pk) for p in projects)
    response = client.post(
        url, {"step": "store", "sheet": f"A1234567, {all_three}", "token": token}
    )
    assert "1 line refused" in response.content.decode()
    assert not Ballot.objects.exists()


def test_officers_elsewhere_get_nothing_from_the_pages(
    client, voting_cycle, district_scope, projects, other_office, office, officer, other_district
):
    a, b, _c = (p.pk for p in projects)
    _enter(office, officer, district_scope, "A1234567", {a: 1})
    other_gu = ResidentProfileFactory(district=other_district).user
    other_gu.is_staff = True
    other_gu.save()
    activate_totp(other_gu)
    StaffRole.objects.create(
        user=other_gu, role=StaffRole.Role.DISTRICT_OFFICER, district=other_district
    )
    sheet = {"step": "check", "sheet": f"B7654321, {a}"}
    correction = {"census_ref": "A1234567", "proposals": [b], "reason": "typed wrongly"}
    attempts = [
        (officer, other_office),  # posted at another office
        (other_gu, office),  # a district officer of another 구
    ]
    for user, where in attempts:
        client.force_login(user)
        for url, data in (
            (_sheet_url(where, voting_cycle, district_scope), sheet),
            (_correct_url(where, voting_cycle, district_scope), correction),
        ):
            assert client.get(url).status_code == 403
            assert client.post(url, data).status_code == 403
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert _choices_of(district_scope, "A1234567") == {a}
    assert not _events(AuditEvent.Type.PAPER_BALLOT_CORRECTED).exists()


def test_an_officer_corrects_a_ballot_on_the_page(
    client, voting_cycle, district_scope, projects, office, officer
):
    a, _b, c = (p.pk for p in projects)
    _enter(office, officer, district_scope, "A1234567", {a: 1})
    client.force_login(officer)
    url = _correct_url(office, voting_cycle, district_scope)
    page = client.get(url).content.decode()
    assert "The earlier choices are not shown to anyone" in page
    assert 'name="reason"' in page
    missing = client.post(url, {"census_ref": "A1234567", "proposals": [c]})
    assert missing.status_code == 400
    done = client.post(
        url, {"census_ref": "A1234567", "proposals": [c], "reason": "typed the wrong row"}
    )
    assert done.status_code == 302
    assert _choices_of(district_scope, "A1234567") == {c}
    nobody = client.post(url, {"census_ref": "Q0000000", "proposals": [c], "reason": "wrong"})
    assert nobody.status_code == 400
    assert "nothing to correct" in nobody.content.decode()


def test_the_pages_are_linked_from_the_walk_in_page(
    client, voting_cycle, district_scope, projects, office, officer
):
    client.force_login(officer)
    kwargs = {"office_pk": office.pk, "slug": voting_cycle.slug, "scope_pk": district_scope.pk}
    page = client.get(reverse("channels:walk-in-paper", kwargs=kwargs)).content.decode()
    assert _sheet_url(office, voting_cycle, district_scope) in page
    assert _correct_url(office, voting_cycle, district_scope) in page


def test_the_size_limit_is_what_the_page_says():
    assert MAX_SHEET_BYTES == 256 * 1024
