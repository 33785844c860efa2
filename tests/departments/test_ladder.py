"""The escalation ladder: thresholds per cycle, frozen once proposals open, reached once,
answered in public; missed deadlines are shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from budgeting.models import AuditEvent
from budgeting.phases import Phase
from departments.models import Escalation
from departments.models import EscalationStep
from departments.services import DepartmentError
from departments.services import answer_escalation
from departments.services import default_ladder
from departments.services import reach_escalation_steps
from departments.services import save_ladder
from notifications.models import OutboxMessage
from proposals.models import Endorsement
from tests.helpers import cycle_in_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder(cycle, staff_user, mayor_office):
    cycle_in_phase(cycle, Phase.DRAFT)
    steps = save_ladder(cycle=cycle, staff=staff_user, steps=default_ladder(office=mayor_office))
    cycle_in_phase(cycle, Phase.PROPOSALS)
    return steps


def _endorse(proposal, count, district):
    """``count`` supporters, written in bulk (the ladder counts rows, not how they came)."""
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(email=f"supporter{start + n}@example.kr") for n in range(count)
    )
    Endorsement.objects.bulk_create(Endorsement(proposal=proposal, user=user) for user in users)


def test_default_ladder_is_seoul_50_100_1000(ladder):
    assert [(s.threshold, s.action, s.days) for s in ladder] == [
        (50, "department_answer", 14),
        (100, "forum", 14),
        (1000, "office_answer", 30),
    ]


def test_ladder_is_frozen_once_the_proposal_phase_opens(ladder, cycle, staff_user):
    with pytest.raises(DepartmentError) as refused:
        save_ladder(cycle=cycle, staff=staff_user, steps=[(10, "department_answer", None, 7)])
    assert refused.value.code == "frozen"
    assert list(EscalationStep.objects.filter(cycle=cycle).values_list("threshold", flat=True)) == [
        50,
        100,
        1000,
    ]


def test_any_number_of_steps_before_proposals_open(cycle, staff_user, mayor_office):
    cycle_in_phase(cycle, Phase.DRAFT)
    save_ladder(
        cycle=cycle,
        staff=staff_user,
        steps=[(5, "department_answer", None, 7), (20, "forum", None, 10),
               (200, "office_answer", mayor_office, 21), (500, "office_answer", mayor_office, 30)],
    )  # fmt: skip
    assert EscalationStep.objects.filter(cycle=cycle).count() == 4
    with pytest.raises(DepartmentError):
        save_ladder(cycle=cycle, staff=staff_user, steps=[(5, "office_answer", None, 7)])
    assert EscalationStep.objects.filter(cycle=cycle).count() == 4


def test_reaching_a_step_is_public_and_notifies_supporters_and_the_department_once(
    ladder, proposal, district, department, official, author
):
    _endorse(proposal, 50, district)
    assert reach_escalation_steps() == 1
    assert reach_escalation_steps() == 0
    escalation = Escalation.objects.get(proposal=proposal)
    assert (escalation.step.threshold, escalation.supporters) == (50, 50)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.ESCALATION_REACHED)
    assert event.is_public is True
    recipients = set(OutboxMessage.objects.values_list("to_email", flat=True))
    assert {author.email, official.email, "transport@city.example"} <= recipients
    assert len(recipients) == 50 + 3  # every supporter, the author, the official, the department


def test_answer_is_public_with_its_date_and_overdue_is_shown(
    ladder, proposal, district, official, other_official, client
):
    _endorse(proposal, 50, district)
    reach_escalation_steps()
    escalation = Escalation.objects.get(proposal=proposal)
    Escalation.objects.filter(pk=escalation.pk).update(
        due_at=timezone.now() - timedelta(days=3, hours=1)
    )

    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "답변이 3일 늦었습니다" in page  # public: "answer overdue by 3 days"

    with pytest.raises(DepartmentError):
        answer_escalation(escalation=escalation, official=other_official, answer="다른 부서")
    answered = answer_escalation(
        escalation=escalation, official=official, answer="내년 사업에 반영합니다"
    )
    assert answered.answered_as == "교통정책과"
    page = client.get(proposal.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "내년 사업에 반영합니다" in page
    assert timezone.localtime(answered.answered_at).strftime("%Y-%m-%d") in page


def test_the_mayors_office_answers_the_top_step(
    cycle, staff_user, mayor_office, proposal, district, official, mayor_official
):
    cycle_in_phase(cycle, Phase.DRAFT)
    save_ladder(
        cycle=cycle,
        staff=staff_user,
        steps=[(2, "department_answer", None, 14), (3, "office_answer", mayor_office, 30)],
    )
    cycle_in_phase(cycle, Phase.PROPOSALS)
    _endorse(proposal, 3, district)
    assert reach_escalation_steps() == 2
    top = Escalation.objects.get(proposal=proposal, step__threshold=3)
    with pytest.raises(DepartmentError):
        answer_escalation(escalation=top, official=official, answer="부서 답변")
    answered = answer_escalation(escalation=top, official=mayor_official, answer="시장 답변")
    assert answered.answered_as == "시장실"


def test_forum_page_is_public_and_moderated(
    ladder, proposal, district, staff_user, resident, client
):
    _endorse(proposal, 100, district)
    reach_escalation_steps()
    forum = Escalation.objects.get(proposal=proposal, step__action="forum")
    url = reverse("departments:forum", kwargs={"pk": forum.pk})
    assert client.get(url).status_code == 200
    anonymous = client.post(url, {"action": "post", "body": "익명"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    assert forum.posts.exists() is False

    client.force_login(resident)
    assert client.post(url, {"action": "post", "body": "찬성합니다"}).status_code == 302
    denied = client.post(url, {"action": "close", "summary": "끝"})
    assert denied.status_code == 403
    forum.refresh_from_db()
    assert forum.answered_at is None

    client.force_login(staff_user)
    client.post(
        url,
        {
            "action": "statement",
            "statement-expert_name": "김교수 (인하대)",
            "statement-body": "안전 기준",
        },
    )
    assert client.post(url, {"action": "close", "summary": "대체로 찬성"}).status_code == 302
    forum.refresh_from_db()
    assert forum.answer == "대체로 찬성"
    assert [p.is_expert_statement for p in forum.posts.all()] == [False, True]
    page = client.get(url).content.decode()
    assert "김교수 (인하대)" in page


def test_staff_set_the_deadline_and_ladder_on_their_page_until_proposals_open(
    client, cycle, staff_user, official, mayor_office
):
    cycle_in_phase(cycle, Phase.DRAFT)
    url = reverse("departments:cycle-settings", kwargs={"slug": cycle.slug})
    client.force_login(official)
    assert client.post(url, {"review_days": "30", "ladder": "5, forum, 7"}).status_code == 403
    assert EscalationStep.objects.exists() is False

    client.force_login(staff_user)
    bad = client.post(url, {"review_days": "30", "ladder": "50, department_answer\n100, forum, 14"})
    assert bad.status_code == 400
    assert "50, department_answer" in bad.content.decode()  # what was typed stays in the form
    assert EscalationStep.objects.exists() is False
    ladder = "50, department_answer, 14\n100, forum, 14\n1000, office_answer, 30, mayor"
    assert client.post(url, {"review_days": "30", "ladder": ladder}).status_code == 302
    assert list(EscalationStep.objects.values_list("threshold", "office__slug")) == [
        (50, None),
        (100, None),
        (1000, "mayor"),
    ]

    cycle_in_phase(cycle, Phase.PROPOSALS)
    frozen = client.post(url, {"review_days": "30", "ladder": "10, forum, 7"})
    assert frozen.status_code == 400
    assert EscalationStep.objects.count() == 3
