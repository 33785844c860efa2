"""Cutting a funded project's budget asks for the password again (allauth), then is recorded."""

import pytest
from django.urls import reverse

from budgeting.models import BudgetCut
from tests.accounts.factories import PASSWORD
from tests.helpers import REAUTHENTICATE

pytestmark = pytest.mark.django_db


def test_cutting_a_budget_asks_for_the_password_again(client, staff_user, project):
    client.force_login(staff_user)
    url = reverse("implementation:staff-budget-cut", kwargs={"pk": project.pk})

    asked = client.post(url, {"amount_won": 10_000_000, "reason": "시의회 감액"})

    assert asked["Location"].startswith(REAUTHENTICATE)
    assert BudgetCut.objects.count() == 0
    replayed = client.post(asked["Location"], {"password": PASSWORD})
    assert replayed.status_code == 302
    assert BudgetCut.objects.get().amount_won == 10_000_000


def test_an_invalid_cut_is_shown_again_without_asking(client, staff_user, project):
    client.force_login(staff_user)
    url = reverse("implementation:staff-budget-cut", kwargs={"pk": project.pk})
    response = client.post(url, {"amount_won": "", "reason": ""})
    assert response.status_code in {200, 400}
    assert BudgetCut.objects.count() == 0
