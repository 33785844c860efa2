"""The general assembly's steps in the audit log: each action writes exactly its event; public
events give counts by role, never a name; a vote's event is not public and says neither who nor
what; refused actions (and actions that change nothing) write nothing."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from assembly.models import Assembly
from assembly.models import AssemblyVoter
from assembly.services import AssemblyError
from assembly.services import cast_assembly_vote
from assembly.services import change_assembly
from assembly.services import record_attendance
from assembly.services import save_minutes
from assembly.services import schedule_assembly
from assembly.services import set_assembly_status
from budgeting.audit import sha256_hex
from budgeting.models import AuditEvent
from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.accounts.factories import UserFactory
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db

T = AuditEvent.Type


class Log:
    """The events written to ``cycle``'s log since the last look."""

    def __init__(self, cycle):
        self.cycle = cycle
        self.seen = set(AuditEvent.objects.filter(cycle=cycle).values_list("pk", flat=True))

    def new(self) -> list[AuditEvent]:
        events = list(
            AuditEvent.objects.filter(cycle=self.cycle)
            .exclude(pk__in=self.seen)
            .order_by("position")
        )
        self.seen |= {event.pk for event in events}
        return events


def _one(log: Log, event_type) -> AuditEvent:
    events = log.new()
    assert [event.event_type for event in events] == [event_type]
    return events[0]


def test_scheduling_and_changing_write_one_public_event_each(cycle, staff_user, resident):
    cycle = cycle_in_phase(cycle, Phase.REVIEW)
    log = Log(cycle)
    starts = cycle.voting_start_at + timedelta(days=2)
    assembly = schedule_assembly(
        cycle=cycle, title="주민총회", starts_at=starts, place="구청", actor=staff_user
    )
    event = _one(log, T.ASSEMBLY_SCHEDULED)
    assert event.is_public
    assert event.subject == assembly
    assert event.actor == staff_user
    assert event.parameters["place"] == "구청"

    change_assembly(
        assembly=assembly,
        title="주민총회",
        starts_at=starts,
        place="구청 대강당",
        online_url="https://meet.example.org/a",
        actor=staff_user,
    )
    event = _one(log, T.ASSEMBLY_CHANGED)
    assert event.is_public
    assert event.parameters["changed"] == ["online_url", "place"]
    assert event.parameters["place"] == "구청 대강당"

    # the same details again: nothing changed, nothing written
    change_assembly(
        assembly=assembly,
        title="주민총회",
        starts_at=starts,
        place="구청 대강당",
        online_url="https://meet.example.org/a",
        actor=staff_user,
    )
    # refused: a resident; and scheduling once voting has closed
    with pytest.raises(AssemblyError):
        change_assembly(assembly=assembly, title="x", starts_at=starts, place="y", actor=resident)
    with pytest.raises(AssemblyError):
        schedule_assembly(cycle=cycle, title="총회", starts_at=starts, place="구청", actor=resident)
    cycle_in_phase(cycle, Phase.TALLYING)
    with pytest.raises(AssemblyError):
        schedule_assembly(
            cycle=cycle, title="총회", starts_at=starts, place="구청", actor=staff_user
        )
    assert log.new() == []
    assert Assembly.objects.get().place == "구청 대강당"


def test_attendance_is_public_by_role_counts_and_never_names_the_attendee(
    assembly, resident, council_member, staff_user, client
):
    log = Log(assembly.cycle)
    record_attendance(assembly=assembly, user=resident, actor=staff_user)
    event = _one(log, T.ASSEMBLY_ATTENDANCE_RECORDED)
    assert event.is_public
    assert event.subject == assembly
    assert event.parameters == {"committee": 0, "resident": 1}
    record_attendance(assembly=assembly, user=council_member, actor=staff_user)
    event = _one(log, T.ASSEMBLY_ATTENDANCE_RECORDED)
    assert event.parameters == {"committee": 1, "resident": 1}

    # recording the same person again changes nothing and writes nothing; refusals neither
    record_attendance(assembly=assembly, user=resident, actor=staff_user)
    with pytest.raises(AssemblyError):
        record_attendance(assembly=assembly, user=UserFactory(), actor=staff_user)  # no profile
    with pytest.raises(AssemblyError):
        record_attendance(assembly=assembly, user=ResidentProfileFactory().user, actor=resident)
    assert log.new() == []

    # no public view names who attended: the cycle page and the audit-trail download
    slug = assembly.cycle.slug
    page = client.get(
        reverse("budgeting:cycle-detail", kwargs={"slug": slug}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Attendance at the general assembly recorded" in page
    assert "committee members 1, residents 1" in page
    trail = client.get(reverse("budgeting:audit-trail", kwargs={"slug": slug}))
    trail_text = b"".join(trail.streaming_content) if trail.streaming else trail.content
    public_text = page + trail_text.decode()
    for person in (resident, council_member):
        profile = person.resident_profile
        assert profile.display_name not in public_text
        assert person.email not in public_text
    contents = [e.get("content") or "" for e in json.loads(trail_text)["events"]]
    assert len([c for c in contents if "assembly_attendance_recorded" in c]) == 2


def test_opening_and_closing_the_vote_write_one_public_event_each(
    cycle, district_scope, shortlist, staff_user, resident
):
    cycle = cycle_in_phase(cycle, Phase.VOTING)
    assembly = Assembly.objects.create(
        cycle=cycle, title="총회", starts_at=cycle.voting_start_at, place="구청"
    )
    log = Log(cycle)
    with pytest.raises(AssemblyError):
        set_assembly_status(assembly=assembly, status=Assembly.Status.VOTING, actor=resident)
    assert log.new() == []
    set_assembly_status(assembly=assembly, status=Assembly.Status.VOTING, actor=staff_user)
    assert _one(log, T.ASSEMBLY_VOTE_OPENED).is_public
    # opening an open vote again changes nothing
    set_assembly_status(assembly=assembly, status=Assembly.Status.VOTING, actor=staff_user)
    assert log.new() == []
    attendance = record_attendance(assembly=assembly, user=resident, actor=staff_user)
    cast_assembly_vote(
        attendance=attendance,
        scope=district_scope,
        proposal_ids=[shortlist[0].pk],
        channel=AssemblyVoter.Channel.KIOSK,
        actor=staff_user,
    )
    log.new()
    set_assembly_status(assembly=assembly, status=Assembly.Status.CLOSED, actor=staff_user)
    event = _one(log, T.ASSEMBLY_VOTE_CLOSED)
    assert event.is_public
    assert event.parameters == {"ballots": 1}
    # a closed vote is not opened again, and the refusal writes nothing
    with pytest.raises(AssemblyError):
        set_assembly_status(assembly=assembly, status=Assembly.Status.VOTING, actor=staff_user)
    with pytest.raises(AssemblyError):
        change_assembly(
            assembly=assembly,
            title="총회",
            starts_at=assembly.starts_at,
            place="다른 곳",
            actor=staff_user,
        )
    assert log.new() == []


def test_minutes_are_public_with_the_sha256_of_their_text(assembly, staff_user, resident):
    log = Log(assembly.cycle)
    save_minutes(assembly=assembly, minutes="안건 1: 주민 발언 12건", actor=staff_user)
    event = _one(log, T.ASSEMBLY_MINUTES_SAVED)
    assert event.is_public
    assert event.parameters == {
        "revised": False,
        "minutes_sha256": sha256_hex("안건 1: 주민 발언 12건"),
    }
    save_minutes(assembly=assembly, minutes="안건 1: 주민 발언 13건", actor=staff_user)
    event = _one(log, T.ASSEMBLY_MINUTES_SAVED)
    assert event.parameters["revised"] is True
    assert event.parameters["minutes_sha256"] == sha256_hex("안건 1: 주민 발언 13건")
    # the same text again, or a resident's attempt: nothing written
    save_minutes(assembly=assembly, minutes="안건 1: 주민 발언 13건", actor=staff_user)
    with pytest.raises(AssemblyError):
        save_minutes(assembly=assembly, minutes="가짜 회의록", actor=resident)
    assert log.new() == []
    assembly.refresh_from_db()
    assert assembly.minutes == "안건 1: 주민 발언 13건"


def test_each_vote_is_a_non_public_event_that_says_neither_who_nor_what(
    assembly, district_scope, shortlist, resident, other_district_resident, staff_user, client
):
    attendance = record_attendance(assembly=assembly, user=resident, actor=staff_user)
    log = Log(assembly.cycle)
    cast_assembly_vote(
        attendance=attendance,
        scope=district_scope,
        proposal_ids=[shortlist[1].pk, shortlist[2].pk],
        channel=AssemblyVoter.Channel.PAPER,
        actor=staff_user,
    )
    event = _one(log, T.ASSEMBLY_VOTE_RECORDED)
    assert event.is_public is False
    assert event.subject == assembly
    assert event.actor == staff_user  # the officer who entered it, not the attendee
    assert event.parameters == {"scope": district_scope.pk, "channel": "paper"}
    assert event.reason == ""

    # refused: a second vote of the same person; an outsider on this district's ballot
    with pytest.raises(AssemblyError):
        cast_assembly_vote(
            attendance=attendance,
            scope=district_scope,
            proposal_ids=[shortlist[0].pk],
            channel=AssemblyVoter.Channel.KIOSK,
            actor=staff_user,
        )
    outsider = record_attendance(assembly=assembly, user=other_district_resident, actor=staff_user)
    log.new()
    with pytest.raises(AssemblyError):
        cast_assembly_vote(
            attendance=outsider,
            scope=district_scope,
            proposal_ids=[shortlist[0].pk],
            channel=AssemblyVoter.Channel.KIOSK,
            actor=staff_user,
        )
    assert log.new() == []

    # the public record shows nothing of it
    slug = assembly.cycle.slug
    trail = client.get(reverse("budgeting:audit-trail", kwargs={"slug": slug}))
    trail_text = b"".join(trail.streaming_content) if trail.streaming else trail.content
    assert b"assembly_vote_recorded" not in trail_text
    page = client.get(
        reverse("budgeting:cycle-detail", kwargs={"slug": slug}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "general assembly vote recorded" not in page


def test_the_staff_screens_write_the_same_events(
    cycle, district_scope, shortlist, staff_user, client
):
    cycle = cycle_in_phase(cycle, Phase.VOTING)
    log = Log(cycle)
    client.force_login(staff_user)
    client.post(
        reverse("assembly:staff-list", kwargs={"slug": cycle.slug}),
        {"title": "주민총회", "starts_at": "2027-06-01T14:00", "place": "구청", "online_url": ""},
    )
    assembly = Assembly.objects.get(cycle=cycle)
    _one(log, T.ASSEMBLY_SCHEDULED)
    console = reverse("assembly:staff-console", kwargs={"pk": assembly.pk})
    # bad input on the change form: re-rendered with the error, nothing changed or written
    response = client.post(
        console,
        {"action": "change", "change-title": "", "change-starts_at": "x", "change-place": "구청"},
    )
    assert response.status_code == 400
    assert log.new() == []
    response = client.post(
        console,
        {
            "action": "change",
            "change-title": "주민총회",
            "change-starts_at": "2027-06-02T14:00",
            "change-place": "구청",
            "change-online_url": "",
        },
    )
    assert response.status_code == 302
    assert _one(log, T.ASSEMBLY_CHANGED).parameters["changed"] == ["starts_at"]
    client.post(console, {"action": "minutes", "minutes": "회의록"})
    _one(log, T.ASSEMBLY_MINUTES_SAVED)
    client.post(console, {"action": "voting"})
    _one(log, T.ASSEMBLY_VOTE_OPENED)
