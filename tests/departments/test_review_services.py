"""Routing and the department review: what officials and the budget office see happen."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from budgeting.models import AuditEvent
from departments.models import DepartmentReview
from departments.models import Routing
from departments.services import DepartmentError
from departments.services import parse_cost_breakdown
from departments.services import record_department_review
from departments.services import reroute_proposal
from departments.services import route_open_cycles
from departments.services import save_review_days
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from tests.proposals.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def test_review_phase_routes_each_proposal_to_the_departments_owning_its_area(
    in_review, proposal, department, other_department, policy_area, staff_user
):
    save_review_days(cycle=in_review, staff=staff_user, review_days=10)
    other_department.policy_areas.add(policy_area)  # two departments share the area
    assert route_open_cycles() == 2
    assert route_open_cycles() == 0  # a second beat run routes nothing twice
    reviews = DepartmentReview.objects.filter(proposal=proposal).order_by("department__slug")
    assert [r.department.slug for r in reviews] == ["transport-policy", "welfare-policy"]
    assert all(r.status == "pending" for r in reviews)
    due = reviews[0].due_at - timezone.now()
    assert timedelta(days=9, hours=23) < due <= timedelta(days=10)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PROPOSAL_ROUTED)
    assert event.is_public is True


def test_proposals_are_not_routed_before_the_review_phase(cycle, proposal, department):
    assert route_open_cycles() == 0
    assert Routing.objects.exists() is False


def test_staff_reroute_needs_a_reason_and_keeps_the_old_routing(
    routed, proposal, department, other_department, staff_user
):
    with pytest.raises(DepartmentError) as refused:
        reroute_proposal(
            proposal=proposal, staff=staff_user, departments=[other_department], reason=" "
        )
    assert refused.value.field == "reason"
    assert list(
        Routing.objects.filter(proposal=proposal).values_list("department__slug", "removed_at")
    ) == [("transport-policy", None)]

    reroute_proposal(
        proposal=proposal,
        staff=staff_user,
        departments=[other_department],
        reason="복지 사업입니다",
    )
    old = Routing.objects.get(proposal=proposal, department=department)
    assert old.removed_at is not None
    assert old.removed_reason == "복지 사업입니다"
    assert (
        DepartmentReview.objects.filter(proposal=proposal, department=department).exists() is False
    )
    assert (
        DepartmentReview.objects.get(proposal=proposal, department=other_department).status
        == "pending"
    )


def test_official_records_a_review_that_becomes_the_public_feasibility_record(
    routed, proposal, official
):
    review = record_department_review(
        review=routed,
        official=official,
        verdict="needs_changes",
        legal_basis="도로법 제61조 점용허가",
        overlap_programme="버스정류장 쉘터 교체 사업",
        reviewed_cost_won=25_000_000,
        cost_breakdown=parse_cost_breakdown("그늘막 설치, 20,000,000\n의자, 5,000,000원"),
        duration_months=4,
        consulted="인천연구원",
        consultation_summary="그늘막 규격을 표준화할 것",
        consultation_file=SimpleUploadedFile("consult.pdf", b"%PDF-1.4 report"),
    )
    assert review.status == "submitted"
    assert review.cost_breakdown == [["그늘막 설치", 20_000_000], ["의자", 5_000_000]]
    proposal.refresh_from_db()
    assert proposal.reviewed_cost_won == 25_000_000
    assert review.feasibility_review == FeasibilityReview.objects.get(proposal=proposal)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.DEPARTMENT_REVIEWED)
    assert event.is_public is True
    assert event.parameters["department"] == "transport-policy"


def test_cost_above_the_ballot_cap_is_refused_at_review_time_with_the_cap(
    routed, proposal, official
):
    proposal.scope.per_project_cap_won = 100_000_000
    proposal.scope.save()
    with pytest.raises(DepartmentError) as refused:
        record_department_review(
            review=routed, official=official, verdict="feasible", reviewed_cost_won=150_000_000
        )
    assert refused.value.field == "reviewed_cost_won"
    assert "100,000,000" in str(refused.value.message)
    routed.refresh_from_db()
    proposal.refresh_from_db()
    assert routed.status == "pending"
    assert proposal.reviewed_cost_won is None
    assert FeasibilityReview.objects.exists() is False


@pytest.mark.parametrize(
    ("_case", "kwargs", "field"),
    [
        ("infeasible without a reason code", {"verdict": "infeasible"}, "reason_codes"),
        ("feasible without a cost", {"verdict": "feasible"}, "reviewed_cost_won"),
        (
            "breakdown that does not add up",
            {"verdict": "feasible", "reviewed_cost_won": 10, "cost_breakdown": [["a", 9]]},
            "cost_breakdown",
        ),
        (
            "consultation without a summary",
            {"verdict": "feasible", "reviewed_cost_won": 10, "consulted": "인천연구원"},
            "consultation_summary",
        ),
        (
            "legal obstacle not described",
            {"verdict": "infeasible", "reason_codes": ["legal"], "has_legal_obstacle": True},
            "legal_basis",
        ),
    ],
)
def test_bad_review_input_is_refused_and_changes_nothing(_case, kwargs, field, routed, official):
    with pytest.raises(DepartmentError) as refused:
        record_department_review(review=routed, official=official, **kwargs)
    assert refused.value.field == field
    routed.refresh_from_db()
    assert routed.status == "pending"
    assert FeasibilityReview.objects.exists() is False


def test_oversized_attachment_is_refused(routed, official, monkeypatch):
    monkeypatch.setattr("departments.services.MAX_ATTACHMENT_BYTES", 1024)
    with pytest.raises(DepartmentError) as refused:
        record_department_review(
            review=routed,
            official=official,
            verdict="feasible",
            reviewed_cost_won=10,
            consulted="인천연구원",
            consultation_summary="요약",
            consultation_file=SimpleUploadedFile("big.pdf", b"x" * 2048),
        )
    assert refused.value.field == "consultation_file"
    assert "MB" in str(refused.value.message)


def test_infeasible_review_marks_the_proposal_infeasible(routed, proposal, official):
    record_department_review(
        review=routed, official=official, verdict="infeasible", reason_codes=["legal"],
        legal_basis="사유지", has_legal_obstacle=True,
    )  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.INFEASIBLE


def test_breakdown_lines_must_name_an_item_and_an_amount():
    with pytest.raises(DepartmentError) as refused:
        parse_cost_breakdown("그늘막 설치, 20,000,000\n의자 오백만원")
    assert "2" in str(refused.value.message)


def test_council_feasibility_reviews_migrate_to_department_reviews(
    in_review, proposal, department, staff_user
):
    from django.apps import apps

    from departments.migrations import __name__ as _pkg  # noqa: F401 (the package exists)

    migration = __import__(
        "departments.migrations.0002_from_council_feasibility_reviews", fromlist=["forwards"]
    )
    old = FeasibilityReview.objects.create(
        proposal=proposal, reviewer=staff_user, verdict="feasible", reviewed_cost_won=9_000,
        legal_notes="문제 없음",
    )  # fmt: skip
    second = ProposalFactory(scope=proposal.scope, policy_area=proposal.policy_area)
    FeasibilityReview.objects.create(
        proposal=second, reviewer=staff_user, verdict="infeasible", reason_codes=["site"]
    )
    migration.forwards(apps, None)
    migration.forwards(apps, None)  # running again carries nothing twice
    carried = DepartmentReview.objects.get(feasibility_review=old)
    assert (carried.department, carried.status, carried.verdict, carried.legal_basis) == (
        department,
        "submitted",
        "feasible",
        "문제 없음",
    )
    assert DepartmentReview.objects.count() == 2
