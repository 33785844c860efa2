"""Real threads on PostgreSQL: the same tally sheet stored by two clerks at the same moment (a
double click, two tablets) gives one ballot per person; every second line is refused and
audited, never stored twice."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from budgeting.models import AuditEvent
from budgeting.models import Ballot
from budgeting.models import Participation
from channels.paper import enter_paper_sheet
from tests.voting.factories import put_on_ballot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_one_sheet_stored_twice_at_once_gives_one_ballot_per_person(
    voting_cycle, district_scope, office, officer
):
    first, second = (p.pk for p in put_on_ballot(district_scope, [10, 20]))
    sheet = "\n".join(f"A{n:07d}, {first if n % 2 else second}" for n in range(1, 21))
    go = threading.Event()

    def store():
        go.wait(timeout=30)
        try:
            return enter_paper_sheet(
                officer=officer, office=office, scope=district_scope, text=sheet
            ).stored
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(store) for _ in range(2)]
        go.set()
        stored = [future.result(timeout=120) for future in futures]

    assert sum(stored) == 20
    assert Ballot.objects.filter(scope=district_scope).count() == 20
    assert Participation.objects.filter(scope=district_scope, channel="paper").count() == 20
    conflicts = AuditEvent.objects.filter(event_type=AuditEvent.Type.BALLOT_CHANNEL_CONFLICT)
    assert conflicts.count() == 20
