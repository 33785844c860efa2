"""The demo runs on SQLite, where a code ballot is written statement by statement with the ORM
(the PostgreSQL function channels_cast_code_ballot() does not exist there): the code page and
its direct path store, show the receipt and refuse a spent code the same way, in a fresh SQLite
process."""

import pytest

from tests.helpers import run_on_sqlite

SCRIPT = r"""
import re
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
call_command("migrate", verbosity=0)

from budgeting.models import Ballot, Participation
from channels.models import VotingCodeUse
from channels.services import create_code_batch, generate_code_batch, take_printable_codes
from tests.voting.factories import open_voting, put_on_ballot
from tests.budgeting.factories import BallotScopeFactory, BudgetCycleFactory, DistrictFactory
from tests.accounts.factories import ResidentProfileFactory

district = DistrictFactory()
cycle = open_voting(BudgetCycleFactory(), rule="approval", approval_max_choices=2)
scope = BallotScopeFactory(cycle=cycle, district=district)
a, b, c = put_on_ballot(scope, [10, 20, 30])
staff = ResidentProfileFactory(district=district).user
staff.is_staff = True
staff.save()
batch = create_code_batch(cycle=cycle, scopes=[scope], size=2, created_by=staff)
generate_code_batch(batch_id=batch.pk)
code = take_printable_codes(batch=batch)[0]

client = Client(headers={"accept-language": "en"})
assert client.post(reverse("channels:code-start"), {"code": code}).status_code == 302
url = reverse("channels:code-ballot", kwargs={"scope_pk": scope.pk})
receipt_url = reverse("channels:code-receipt", kwargs={"scope_pk": scope.pk})
refused = client.post(url, {"proposals": [a.pk, b.pk, c.pk]})
assert refused.status_code == 400, refused.status_code
assert not VotingCodeUse.objects.exists()
stored = client.post(url, {"proposals": [a.pk, b.pk]})
assert stored.status_code == 302 and stored["Location"] == receipt_url, stored.status_code
receipt = re.search(r"data-receipt>([A-Z0-9-]+)<", client.get(receipt_url).content.decode())
assert Participation.objects.get(scope=scope).receipt == receipt.group(1)
again = client.post(url, {"proposals": [c.pk]})
assert again.status_code == 400 and "already used on this ballot" in again.content.decode()
assert Ballot.objects.count() == 1 and VotingCodeUse.objects.count() == 1
print("SQLITE CODE VOTING OK")
"""


@pytest.mark.slow
def test_voting_with_a_code_on_sqlite(tmp_path):
    result = run_on_sqlite(SCRIPT, tmp_path / "codes.sqlite3", timeout=600, LANGUAGE_CODE="en")
    assert result.returncode == 0, result.stderr[-5000:]
    assert "SQLITE CODE VOTING OK" in result.stdout
