"""Admin: implementation updates and cuts are listed there, never added, changed or deleted
(staff write them on the staff pages, where the services audit them)."""

import pytest
from django.urls import reverse

from implementation.services import post_implementation_update
from implementation.services import record_budget_cut

pytestmark = pytest.mark.django_db


def test_updates_and_cuts_are_read_only_in_the_admin(client, project, staff_user):
    update = post_implementation_update(
        proposal=project,
        actor=staff_user,
        status="in_progress",
        percent_done=40,
        spent_won=10_000_000,
        note="착공",
    )
    cut = record_budget_cut(
        proposal=project, actor=staff_user, amount_won=5_000_000, reason="시의회 감액"
    )
    client.force_login(staff_user)
    for model, record in [("implementationupdate", update), ("budgetcut", cut)]:
        assert client.get(reverse(f"admin:budgeting_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:budgeting_{model}_add")).status_code == 403
        change = reverse(f"admin:budgeting_{model}_change", args=[record.pk])
        client.post(change, {"note": "바꿈", "reason": "바꿈", "percent_done": 90})
        assert (
            client.post(reverse(f"admin:budgeting_{model}_delete", args=[record.pk])).status_code
            == 403
        )
    update.refresh_from_db()
    cut.refresh_from_db()
    assert (update.note, update.percent_done, cut.reason) == ("착공", 40, "시의회 감액")
