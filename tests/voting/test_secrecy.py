"""After a test election, nothing in the database, the audit log or the logs links a person to
what they chose."""

import logging
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db import models
from django.urls import reverse

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import BallotChoice
from budgeting.models import Participation
from notifications.models import OutboxMessage
from notifications.services import send_pending_messages
from tests.voting.factories import ballot_form_data
from tests.voting.factories import make_residents
from tests.voting.factories import ranked
from voting.services.ballots import erase_write_order
from voting.services.ballots import submit_ballot
from voting.services.paper import enter_paper_ballot

pytestmark = pytest.mark.django_db

USER_MODEL = settings.AUTH_USER_MODEL


def _run_election(client, district, staff_user, scope, projects) -> list:
    voters = make_residents(district, 6)
    url = reverse("voting:ballot-submit", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk})
    rule = scope.cycle.ballot_rule

    def ballot(*indexes):  # a ranked ballot ranks them in this order
        return ballot_form_data(rule, ranked(projects[i % 4].pk for i in indexes))

    for index, voter in enumerate(voters[:5]):
        client.force_login(voter)
        client.get(
            reverse("voting:ballot-form", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk})
        )
        assert client.post(url, ballot(index)).status_code == 302
        if index % 2 == 0:  # some change their vote (ranked: two projects, in order)
            second = (index + 1, index) if rule == "ranked" else (index + 1,)
            assert client.post(url, ballot(*second)).status_code == 302
    client.force_login(voters[4])
    client.post(
        reverse("voting:ballot-withdraw", kwargs={"slug": scope.cycle.slug, "scope_pk": scope.pk})
    )
    enter_paper_ballot(staff=staff_user, voter=voters[5], scope=scope, choices={projects[2].pk: 1})
    send_pending_messages()  # receipts go out; secret outbox rows are deleted once sent
    return voters


def _references_user(model) -> bool:
    return any(
        isinstance(field, models.ForeignKey | models.OneToOneField)
        and field.related_model is apps.get_model(USER_MODEL)
        for field in model._meta.concrete_fields
    )


@pytest.mark.parametrize("cycle_fixture", ["voting_cycle", "ranked_cycle"])
def test_no_row_anywhere_links_a_user_to_a_choice(
    client, caplog, cycle_fixture, request, district, staff_user, district_scope, district_projects
):
    request.getfixturevalue(cycle_fixture)
    caplog.set_level(logging.DEBUG)
    voters = _run_election(client, district, staff_user, district_scope, district_projects)
    assert Ballot.objects.count() == 5  # 5 online, one withdrawn, one paper
    assert Participation.objects.filter(voted_at__isnull=False).count() == 5
    assert OutboxMessage.objects.count() == 0

    ballot_ids = {str(pk) for pk in Ballot.objects.values_list("pk", flat=True)}
    choice_ids = {str(pk) for pk in BallotChoice.objects.values_list("pk", flat=True)}
    # ranked: two of the changed ballots that remain (the third is withdrawn) rank two projects
    choices = 5 + 2 * (cycle_fixture == "ranked_cycle")
    voter_keys = set(Ballot.objects.values_list("voter_key", flat=True))
    secrets = ballot_ids | choice_ids | voter_keys
    assert len(secrets) == 5 + choices + 5
    # The receipts are kept with who voted (the participation), never with what they chose.
    receipts = set(
        Participation.objects.filter(voted_at__isnull=False).values_list("receipt", flat=True)
    )
    assert len(receipts) == 5
    assert not Participation.objects.filter(voted_at__isnull=True, receipt__isnull=False).exists()

    # 1. Ballots and choices have no user, no time, no receipt: nothing but what the count needs
    #    (the weighted rule's budget-school source: a yes/no tag of the group, never a person).
    assert {f.name for f in Ballot._meta.concrete_fields} == {
        "id",
        "voter_key",
        "scope",
        "from_school_graduate",
    }
    assert {f.name for f in BallotChoice._meta.concrete_fields} == {
        "id",
        "ballot",
        "proposal",
        "points",
    }
    for model in (Ballot, BallotChoice):
        assert not _references_user(model)
        assert not any(isinstance(f, models.DateField) for f in model._meta.concrete_fields)
    # 2. Every other table of every app: no row mentions a ballot, a choice, a receipt or a key,
    #    and no table references both a user and a ballot or choice.
    scanned = 0
    for model in apps.get_models(include_auto_created=True):
        if model in (Ballot, BallotChoice):
            continue
        related = {getattr(f, "related_model", None) for f in model._meta.concrete_fields}
        assert not (_references_user(model) and related & {Ballot, BallotChoice}), model
        for row in model._default_manager.all().values():
            text = repr(row)
            scanned += 1
            leaked = [secret for secret in secrets if secret in text]
            assert leaked == [], (model, row)
            if model is not Participation:  # a receipt is only with the person who holds it
                assert not [code for code in receipts if code in text], (model, row)
    assert scanned > 50
    # 3. The audit log says that ballots changed, never whose or what.
    ballot_events = AuditEvent.objects.filter(
        event_type__in=[AuditEvent.Type.BALLOT_CHANGED, AuditEvent.Type.BALLOT_WITHDRAWN]
    )
    assert ballot_events.count() == 4  # 3 changes, 1 withdrawal
    assert set(ballot_events.values_list("actor", flat=True)) == {None}
    project_ids = {str(p.pk) for p in district_projects}
    for event in AuditEvent.objects.all():
        assert not set(re.findall(r"\d+", repr(event.parameters))) & project_ids, event.parameters
    # 4. No log line holds a receipt, a key, a ballot id or a project chosen.
    titles = {p.title for p in district_projects}
    for record in caplog.records:
        message = record.getMessage()
        assert not [s for s in secrets | receipts | titles if s in message], message
    # 5. Turnout exists per person; the link to what they chose does not.
    assert Participation.objects.filter(user__in=voters).count() == 6


def _linked_by_transaction_id() -> int:
    """Ballots whose row version was written by the transaction that wrote a participation."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM budgeting_ballot b JOIN budgeting_participation p "
            "ON b.xmin::text = p.xmin::text"
        )
        return cursor.fetchone()[0]


def _distinct_ballot_transaction_ids() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM budgeting_ballot")
        return cursor.fetchone()[0]


def _ballot_ids_in_physical_order() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM budgeting_ballot ORDER BY ctid")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cycle_fixture", ["voting_cycle", "ranked_cycle"])
def test_closing_erases_the_write_order_that_links_ballots_to_voters(
    cycle_fixture, request, district, district_scope, district_projects
):
    voting_cycle = request.getfixturevalue(cycle_fixture)
    cast_in_order = []
    for index, voter in enumerate(make_residents(district, 10)):
        ballot = submit_ballot(
            voter=voter, scope=district_scope, choices={district_projects[index % 4].pk: 1}
        )
        cast_in_order.append(ballot.pk)
    stored = {b.pk: b.voter_key for b in Ballot.objects.all()}
    choices = set(BallotChoice.objects.values_list("ballot_id", "proposal_id", "points"))
    # During voting, a DBA could join on the transaction stamp or on the order of the rows.
    assert _linked_by_transaction_id() == 10
    assert _ballot_ids_in_physical_order() == cast_in_order

    assert erase_write_order(cycle=voting_cycle) == 10
    # every ballot now carries the close transaction's stamp, which no participation has
    assert _linked_by_transaction_id() == 0

    assert _distinct_ballot_transaction_ids() == 1  # every ballot now carries the same stamp
    assert _ballot_ids_in_physical_order() != cast_in_order  # 1 in 3,628,800 to fail by chance
    assert {b.pk: b.voter_key for b in Ballot.objects.all()} == stored
    assert set(BallotChoice.objects.values_list("ballot_id", "proposal_id", "points")) == choices
