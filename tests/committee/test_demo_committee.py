"""The demo committee: the 2027 cycle's draw (seed revealed, quotas met), school, 분과, meeting."""

import hashlib

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from budgeting.models import AuditEvent
from budgeting.models import BudgetCycle
from budgeting.models import CouncilMembership
from budgeting.models import Subcommittee
from committee.models import Application
from committee.models import Enrolment
from committee.models import Meeting
from committee.models import Recruitment
from committee.selectors import panel_against_quotas
from demo.committee import OPEN_APPLICANTS
from demo.committee import OPEN_RECRUITMENT_CYCLE

pytestmark = pytest.mark.django_db


def test_seed_demo_draws_the_2027_committee_once(client):
    call_command("seed_demo")
    cycle = BudgetCycle.objects.get(slug="incheon-2027")
    recruitment = Recruitment.objects.get(cycle=cycle)
    assert recruitment.status == Recruitment.Status.DRAWN
    assert hashlib.sha256(recruitment.seed.encode()).hexdigest() == recruitment.seed_sha256
    assert Application.objects.filter(recruitment=recruitment).count() == 300
    assert CouncilMembership.objects.filter(cycle=cycle, status="reserve").count() == 20
    assert all(row.met for row in panel_against_quotas(recruitment=recruitment))
    subcommittees = Subcommittee.objects.filter(cycle=cycle)
    assert subcommittees.count() == 3
    assert all(s.members.filter(role="chair").count() == 1 for s in subcommittees)
    assert subcommittees.filter(members__role="expert").count() == 1
    assert Enrolment.objects.filter(course__cycle=cycle, completed_at__isnull=False).count() >= 30
    meeting = Meeting.objects.get(cycle=cycle)
    assert meeting.attendees.count() > 0
    counts = (Application.objects.count(), CouncilMembership.objects.count())
    call_command("seed_demo")
    assert (Application.objects.count(), CouncilMembership.objects.count()) == counts

    page = client.get(reverse("committee:public", kwargs={"slug": cycle.slug}))
    assert page.status_code == 200
    text = page.content.decode()
    assert recruitment.seed in text
    assert "환경·교통분과" in text
    minutes = client.get(meeting.get_absolute_url()).content.decode()
    assert "<table>" in minutes  # Markdown rendered (markdown-it-py + nh3)
    # every committee step of the demo is in the cycle's public record
    recorded = set(
        AuditEvent.objects.filter(cycle=cycle, is_public=True).values_list("event_type", flat=True)
    )
    assert {
        AuditEvent.Type.COMMITTEE_SEED_COMMITTED,
        AuditEvent.Type.COMMITTEE_DRAWN,
        AuditEvent.Type.COMMITTEE_MINUTES_PUBLISHED,
    } <= recorded

    # a recruitment still open, on another demo cycle: the demo resident applies
    open_call = Recruitment.objects.get(cycle__slug=OPEN_RECRUITMENT_CYCLE)
    assert open_call.status == Recruitment.Status.OPEN
    assert open_call.applications.count() == OPEN_APPLICANTS
    resident = User.objects.get(email="resident@demo.chamyeo.kr")
    client.force_login(resident)
    apply_url = reverse("committee:apply", kwargs={"slug": OPEN_RECRUITMENT_CYCLE})
    public = client.get(reverse("committee:public", kwargs={"slug": OPEN_RECRUITMENT_CYCLE}))
    assert apply_url in public.content.decode()
    closes = timezone.localtime(open_call.applications_close_at)
    assert f"{closes:%Y-%m-%d %H:%M}" in public.content.decode()  # the announced closing date
    response = client.post(
        apply_url, {"gender": "woman", "motivation": "동네 일에 참여하고 싶어요"}
    )
    assert response.status_code == 302
    assert open_call.applications.filter(user=resident, outcome="pending").exists()
