"""Admin: staff publish the rubric; review records are read-only there (made on the desk)."""

import pytest
from django.urls import reverse

from proposals.review.services import record_council_decision
from tests.proposals.review.review_factories import RubricCriterionFactory

pytestmark = pytest.mark.django_db


def test_staff_add_a_rubric_criterion_in_both_languages(client, staff_user, cycle):
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:proposals_rubriccriterion_add"),
        {
            "cycle": cycle.pk,
            "name_ko": "공익성",
            "name_en": "Public benefit",
            "description_ko": "",
            "description_en": "",
            "max_points": 5,
            "order": 1,
        },
    )
    assert response.status_code == 302
    assert list(cycle.rubric_criteria.values_list("name_ko", "name_en")) == [
        ("공익성", "Public benefit")
    ]


def test_decisions_are_read_only_in_the_admin(client, staff_user, in_review, proposal):
    decision = record_council_decision(
        proposal=proposal, decided_by=staff_user, decision="rejected", public_reason="중복"
    )
    RubricCriterionFactory(cycle=in_review)
    client.force_login(staff_user)
    assert client.get(reverse("admin:proposals_councildecision_changelist")).status_code == 200
    assert client.get(reverse("admin:proposals_councildecision_add")).status_code == 403
    url = reverse("admin:proposals_councildecision_change", args=[decision.pk])
    client.post(url, {"decision": "on_ballot", "public_reason": "바꿈"})
    decision.refresh_from_db()
    assert (decision.decision, decision.public_reason) == ("rejected", "중복")
    assert client.get(reverse("admin:proposals_rubriccriterion_changelist")).status_code == 200
