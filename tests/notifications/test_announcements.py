"""Announcements: phase-opened and followed-project e-mails, to those who asked, once each."""

import pytest
from django.core import mail
from django.db import transaction

from budgeting.models import ProjectFollow
from budgeting.phases import Phase
from budgeting.services.cycles import advance_phase
from notifications.announcements import expand_announcement
from notifications.announcements import expand_pending_announcements
from notifications.models import Announcement
from notifications.models import OutboxMessage
from notifications.services import send_pending_messages
from notifications.tasks import expand_announcement_task
from proposals.review.services import record_council_decision
from tests.accounts.factories import ResidentProfileFactory
from tests.budgeting.factories import BallotScopeFactory
from tests.helpers import cycle_in_phase
from tests.proposals.factories import ProposalFactory


def opted_in(district, **profile):
    return ResidentProfileFactory(district=district, email_phase_opened=True, **profile).user


def expand_all(announcement, batch_size=500):
    while expand_announcement(announcement_id=announcement.pk, batch_size=batch_size):
        pass


@pytest.mark.django_db
def test_voting_opened_reaches_eligible_residents_who_asked_once_each_in_their_language(
    cycle, district, other_district, district_scope
):
    cycle_in_phase(cycle, Phase.REVIEW)
    korean = opted_in(district)
    english = opted_in(district, preferred_language="en")
    ResidentProfileFactory(district=district)  # did not ask
    opted_in(other_district)  # no ballot in their district (no city-wide ballot)
    opted_in(district, birth_year=2020)  # too young to vote

    advance_phase(cycle=cycle, to=Phase.VOTING)
    announcement = Announcement.objects.get(key=f"phase:{cycle.pk}:voting")
    expand_all(announcement)
    expand_all(announcement)  # a second run adds nothing
    expand_pending_announcements()

    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == sorted(
        [korean.pk, english.pk]
    )
    assert send_pending_messages() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "투표" in by_address[korean.email].subject
    assert by_address[english.email].subject.endswith("voting is open")
    assert cycle.slug in by_address[english.email].body


@pytest.mark.django_db
def test_city_wide_ballot_reaches_every_district_and_batches_walk_all_recipients(
    cycle, district, other_district
):
    BallotScopeFactory(cycle=cycle, district=None, budget_won=1_000_000)
    people = [opted_in(district) for _n in range(3)] + [opted_in(other_district) for _n in range(2)]
    cycle_in_phase(cycle, Phase.DRAFT)

    advance_phase(cycle=cycle, to=Phase.PROPOSALS)
    announcement = Announcement.objects.get()
    calls = 1
    while expand_announcement(announcement_id=announcement.pk, batch_size=2):
        calls += 1

    assert calls == 3
    announcement.refresh_from_db()
    assert announcement.finished_at is not None
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == sorted(
        p.pk for p in people
    )


@pytest.mark.django_db
def test_phases_residents_did_not_ask_about_are_not_announced(cycle, district_scope):
    cycle_in_phase(cycle, Phase.PROPOSALS)
    advance_phase(cycle=cycle, to=Phase.REVIEW)
    assert Announcement.objects.exists() is False


@pytest.mark.django_db
def test_followers_hear_of_updates_and_cuts_unless_they_opted_out(
    cycle, district, district_scope, staff_user
):
    from implementation.services import post_implementation_update
    from implementation.services import record_budget_cut

    project = _funded_project(cycle, district_scope)
    wants = ResidentProfileFactory(district=district, preferred_language="en").user
    opted_out = ResidentProfileFactory(district=district, email_followed_projects=False).user
    for user in (wants, opted_out):
        ProjectFollow.objects.create(user=user, proposal=project)

    update = post_implementation_update(
        proposal=project,
        actor=staff_user,
        status="in_progress",
        percent_done=20,
        spent_won=1_000_000,
        note="착공했습니다",
    )
    late = ResidentProfileFactory(district=district).user
    ProjectFollow.objects.create(user=late, proposal=project)  # followed after the update
    record_budget_cut(
        proposal=project, actor=staff_user, amount_won=5_000_000, reason="시의회 감액"
    )
    for announcement in Announcement.objects.all():
        expand_all(announcement)

    messages = OutboxMessage.objects.order_by("pk")
    assert [(m.recipient_id, m.dedupe_key) for m in messages] == [
        (wants.pk, f"project:update:{update.pk}:{wants.pk}"),
        (wants.pk, f"project:cut:{project.budget_cuts.get().pk}:{wants.pk}"),
        (late.pk, f"project:cut:{project.budget_cuts.get().pk}:{late.pk}"),
    ]
    send_pending_messages()
    progress, cut = mail.outbox[0], mail.outbox[1]
    assert progress.subject.startswith("Progress on")
    assert "착공했습니다" in progress.body
    assert "In progress · 20%" in progress.body
    assert "시의회 감액" in cut.body
    assert "₩5,000,000" in cut.body


def _funded_project(cycle, scope):
    from django.utils import timezone

    from budgeting.models import Allocation
    from budgeting.models import TallyRun
    from proposals.models import Proposal

    cycle_in_phase(cycle, Phase.PUBLISHED)
    project = ProposalFactory(
        scope=scope, cost_estimate_won=50_000_000, status=Proposal.Status.ON_BALLOT
    )
    run = TallyRun.objects.create(
        scope=scope,
        rule="greedy",
        fingerprint="e" * 64,
        status=TallyRun.Status.SUCCEEDED,
        published_at=timezone.now(),
    )
    Allocation.objects.create(
        tally_run=run, proposal=project, cost_won=50_000_000, is_funded=True, rank=1
    )
    return project


@pytest.mark.django_db
def test_review_decision_email_respects_the_authors_preference(
    cycle, district, district_scope, council_member
):
    cycle_in_phase(cycle, Phase.REVIEW)
    wants = ResidentProfileFactory(district=district).user
    does_not = ResidentProfileFactory(district=district, email_proposal_review=False).user
    for author in (wants, does_not):
        proposal = ProposalFactory(scope=district_scope, author=author)
        record_council_decision(
            proposal=proposal, decided_by=council_member, decision="rejected", public_reason="중복"
        )
    assert list(OutboxMessage.objects.values_list("recipient", flat=True)) == [wants.pk]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_phase_change_is_announced_by_the_worker_after_commit_exactly_once(
    live_worker, cycle, district, district_scope
):
    cycle_in_phase(cycle, Phase.REVIEW)
    person = opted_in(district)
    with transaction.atomic():
        advance_phase(cycle=cycle, to=Phase.VOTING)
        assert OutboxMessage.objects.exists() is False  # the page never waits for the fan-out
    announcement = Announcement.objects.get()
    # the on-commit task and a redelivery of it: still one e-mail
    expand_announcement_task.delay(announcement.pk).get(timeout=30)
    expand_announcement_task.delay(announcement.pk).get(timeout=30)
    from notifications.tasks import relay_outbox_task

    relay_outbox_task.delay().get(timeout=30)
    relay_outbox_task.delay().get(timeout=30)
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert OutboxMessage.objects.get().sent_at is not None
