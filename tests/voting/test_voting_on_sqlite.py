"""The demo runs on SQLite, where ballots are written statement by statement with the ORM (the
PostgreSQL function does not exist there): the same outcomes, checked in a fresh SQLite process."""

import pytest

from tests.helpers import run_on_sqlite

SCRIPT = r"""
import django
django.setup()
from datetime import timedelta
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
call_command("migrate", verbosity=0)

from budgeting.models import AuditEvent, BallotChoice, Participation
from voting.services.ballots import submit_ballot
from voting.services.paper import enter_paper_ballot
from voting.shared import BallotRefusedError
from notifications.models import OutboxMessage
from tests.voting.factories import open_voting, put_on_ballot
from tests.budgeting.factories import BallotScopeFactory, BudgetCycleFactory, DistrictFactory
from tests.accounts.factories import ResidentProfileFactory

district = DistrictFactory()
cycle = open_voting(BudgetCycleFactory(), rule="approval", approval_max_choices=2)
scope = BallotScopeFactory(cycle=cycle, district=district)
a, b, c = put_on_ballot(scope, [10, 20, 30])
resident = ResidentProfileFactory(district=district).user
other = ResidentProfileFactory(district=district).user
staff = ResidentProfileFactory(district=district).user
staff.is_staff = True
staff.save()

client = Client()
client.force_login(resident)
url = reverse("voting:ballot-submit", kwargs={"slug": cycle.slug, "scope_pk": scope.pk})
assert client.post(url, {"proposals": [a.pk, b.pk]}).status_code == 302
assert client.post(url, {"proposals": [c.pk]}).status_code == 302
assert client.post(url, {"proposals": [a.pk, b.pk, c.pk]}).status_code == 400
assert set(BallotChoice.objects.values_list("proposal_id", flat=True)) == {c.pk}
assert AuditEvent.objects.filter(event_type="ballot_changed").count() == 1
assert OutboxMessage.objects.count() == 0  # sent in-process (no Redis), then deleted: secret

enter_paper_ballot(staff=staff, voter=other, scope=scope, choices={a.pk: 1})
try:
    submit_ballot(voter=other, scope=scope, choices={b.pk: 1})
    raise AssertionError("online after paper was stored")
except BallotRefusedError as error:
    assert error.code == "already_voted", error.code
assert AuditEvent.objects.filter(event_type="ballot_channel_conflict").count() == 1

late = ResidentProfileFactory(district=district).user
with time_machine.travel(cycle.voting_end_at + timedelta(seconds=1), tick=False):
    try:
        submit_ballot(voter=late, scope=scope, choices={a.pk: 1})
        raise AssertionError("stored after the deadline")
    except BallotRefusedError as error:
        assert error.code == "voting_closed", error.code
assert not Participation.objects.filter(user=late).exists()
print("SQLITE VOTING OK")
"""


@pytest.mark.slow
def test_submitting_changing_and_refusing_ballots_on_sqlite(tmp_path):
    result = run_on_sqlite(SCRIPT, tmp_path / "voting.sqlite3", timeout=600, LANGUAGE_CODE="en")
    assert result.returncode == 0, result.stderr[-5000:]
    assert "SQLITE VOTING OK" in result.stdout
