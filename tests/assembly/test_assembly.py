"""The general assembly (총회): schedule, attendance, the vote under the per-person lock, secrecy,
public minutes and tallies, and who may do what."""

import pytest
from django.urls import reverse

from assembly.models import Assembly
from assembly.models import AssemblyBallot
from assembly.models import AssemblyChoice
from assembly.models import AssemblyVoter
from assembly.models import Attendance
from assembly.services import AssemblyError
from assembly.services import cast_assembly_vote
from assembly.services import record_attendance
from assembly.services import set_assembly_status
from budgeting.models import Ballot
from budgeting.phases import Phase
from tests.accounts.factories import ResidentProfileFactory
from tests.helpers import cycle_in_phase
from voting.services.ballots import submit_ballot


@pytest.mark.django_db
def test_attendee_who_voted_online_counts_once_in_each_source(
    assembly, district_scope, shortlist, resident, staff_user
):
    a, b, c = shortlist
    # the resident voted online
    submit_ballot(voter=resident, scope=district_scope, choices={a.pk: 1})
    # and attends the assembly, where an officer runs the kiosk with them
    attendance = record_attendance(assembly=assembly, user=resident, actor=staff_user)
    assert attendance.role == Attendance.Role.RESIDENT
    cast_assembly_vote(
        attendance=attendance,
        scope=district_scope,
        proposal_ids=[b.pk, c.pk],
        channel=AssemblyVoter.Channel.KIOSK,
        actor=staff_user,
    )

    # a second assembly vote (their paper ballot entered too) is refused and stores nothing
    with pytest.raises(AssemblyError) as refused:
        cast_assembly_vote(
            attendance=attendance,
            scope=district_scope,
            proposal_ids=[a.pk],
            channel=AssemblyVoter.Channel.PAPER,
            actor=staff_user,
        )
    assert refused.value.code == "already_voted"
    # also at a second assembly of the same cycle
    second = Assembly.objects.create(
        cycle=assembly.cycle,
        title="추가 총회",
        starts_at=assembly.starts_at,
        place="온라인",
        status=Assembly.Status.VOTING,
    )
    again = record_attendance(assembly=second, user=resident, actor=staff_user)
    with pytest.raises(AssemblyError):
        cast_assembly_vote(
            attendance=again,
            scope=district_scope,
            proposal_ids=[a.pk],
            channel=AssemblyVoter.Channel.KIOSK,
            actor=staff_user,
        )

    # one ballot in each source: online, and the assembly
    assert Ballot.objects.filter(scope=district_scope).count() == 1
    assert AssemblyBallot.objects.filter(scope=district_scope).count() == 1
    assert sorted(
        AssemblyChoice.objects.filter(ballot__scope=district_scope).values_list(
            "proposal_id", flat=True
        )
    ) == [b.pk, c.pk]


@pytest.mark.django_db
def test_closing_the_vote_rewrites_ballots_with_new_keys_and_publishes_the_tallies(
    assembly, district_scope, shortlist, resident, council_member, staff_user, client
):
    a, b, _c = shortlist
    for person, chosen in ((resident, [a.pk]), (council_member, [a.pk, b.pk])):
        attendance = record_attendance(assembly=assembly, user=person, actor=staff_user)
        cast_assembly_vote(
            attendance=attendance,
            scope=district_scope,
            proposal_ids=chosen,
            channel=AssemblyVoter.Channel.PAPER,
            actor=staff_user,
        )
    assert Attendance.objects.get(user=council_member).role == Attendance.Role.COMMITTEE
    before = set(AssemblyBallot.objects.values_list("pk", flat=True))
    url = reverse("assembly:detail", kwargs={"slug": assembly.cycle.slug, "pk": assembly.pk})
    assert "경로당 냉방" not in client.get(url).content.decode()  # tallies wait for the close

    set_assembly_status(assembly=assembly, status=Assembly.Status.CLOSED, actor=staff_user)

    # nothing left in storage follows the order or the key the votes were written with
    after = set(AssemblyBallot.objects.values_list("pk", flat=True))
    assert len(after) == 2
    assert not before & after
    # and the public page shows attendance and each project's approvals
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 committee member" in html
    assert "1 resident" in html
    assert "2 ballots" in html
    assert "경로당 냉방" in html
    # a closed vote cannot be reopened
    with pytest.raises(AssemblyError):
        set_assembly_status(assembly=assembly, status=Assembly.Status.VOTING, actor=staff_user)


@pytest.mark.django_db
def test_a_resident_of_another_district_may_not_vote_on_this_districts_ballot(
    assembly, district_scope, shortlist, other_district, staff_user
):
    outsider = ResidentProfileFactory(district=other_district).user
    attendance = record_attendance(assembly=assembly, user=outsider, actor=staff_user)
    with pytest.raises(AssemblyError) as refused:
        cast_assembly_vote(
            attendance=attendance,
            scope=district_scope,
            proposal_ids=[shortlist[0].pk],
            channel=AssemblyVoter.Channel.KIOSK,
            actor=staff_user,
        )
    assert refused.value.code == "ineligible"
    assert not AssemblyVoter.objects.exists()
    assert not AssemblyBallot.objects.exists()


@pytest.mark.django_db
def test_staff_schedule_record_attendance_and_enter_a_vote_through_the_screens(
    cycle, district_scope, shortlist, resident, staff_user, client
):
    cycle_in_phase(cycle, Phase.VOTING)
    client.force_login(staff_user)
    # schedule
    response = client.post(
        reverse("assembly:staff-list", kwargs={"slug": cycle.slug}),
        {"title": "주민총회", "starts_at": "2027-06-01T14:00", "place": "구청", "online_url": ""},
    )
    assembly = Assembly.objects.get(cycle=cycle)
    assert response.status_code == 302
    console = reverse("assembly:staff-console", kwargs={"pk": assembly.pk})
    # an unknown address re-renders with the error, nothing recorded
    response = client.post(console, {"action": "attend", "email": "nobody@example.org"})
    assert response.status_code == 400
    assert not Attendance.objects.exists()
    client.post(console, {"action": "attend", "email": resident.email})
    client.post(console, {"action": "voting"})
    attendance = Attendance.objects.get(user=resident)
    vote_url = reverse(
        "assembly:staff-vote", kwargs={"pk": assembly.pk, "attendance_pk": attendance.pk}
    )
    assert client.get(vote_url).status_code == 200
    # no project chosen: re-rendered with the reason
    response = client.post(vote_url, {"scope": district_scope.pk, "channel": "kiosk"})
    assert response.status_code == 400
    response = client.post(
        vote_url,
        {"scope": district_scope.pk, "channel": "kiosk", "proposals": [shortlist[1].pk]},
    )
    assert response.status_code == 302
    assert AssemblyBallot.objects.filter(scope=district_scope).count() == 1
    # the minutes are public at once
    client.post(console, {"action": "minutes", "minutes": "안건 1: 주민 발언 12건"})
    client.logout()
    page = client.get(reverse("assembly:detail", kwargs={"slug": cycle.slug, "pk": assembly.pk}))
    assert "주민 발언 12건" in page.content.decode()


@pytest.mark.django_db
def test_residents_cannot_use_the_staff_screens(assembly, resident, client):
    client.force_login(resident)
    console = reverse("assembly:staff-console", kwargs={"pk": assembly.pk})
    assert client.get(console).status_code == 403
    response = client.post(console, {"action": "minutes", "minutes": "가짜 회의록"})
    assert response.status_code == 403
    assembly.refresh_from_db()
    assert assembly.minutes == ""
