"""The council's feasibility reviews become department reviews (issue #11).

Each existing ``FeasibilityReview`` gets a submitted ``DepartmentReview`` carrying its verdict,
reasons, notes and cost, linked to it, so the public trail shows every review in one place. The
department is the one owning the proposal's policy area when exactly one does, otherwise none
(shown as "reviewed by the budget council, before department review"). The feasibility rows are
kept: they are the public record the committee's desk and the proposal's status read.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    FeasibilityReview = apps.get_model("proposals", "FeasibilityReview")
    DepartmentReview = apps.get_model("departments", "DepartmentReview")
    Department = apps.get_model("departments", "Department")
    for old in FeasibilityReview.objects.select_related("proposal").order_by("pk").iterator():
        if DepartmentReview.objects.filter(feasibility_review_id=old.pk).exists():
            continue
        owners = list(Department.objects.filter(policy_areas=old.proposal.policy_area_id)[:2])
        department = owners[0] if len(owners) == 1 else None
        if DepartmentReview.objects.filter(proposal_id=old.proposal_id, department=department).exists():
            department = None  # a second council reviewer's review: kept, without department
        DepartmentReview.objects.create(
            proposal_id=old.proposal_id,
            department=department,
            status="submitted",
            official_id=old.reviewer_id,
            verdict=old.verdict,
            reason_codes=old.reason_codes,
            legal_basis=old.legal_notes,
            notes=old.technical_notes,
            reviewed_cost_won=old.reviewed_cost_won,
            submitted_at=old.updated_at,
            feasibility_review_id=old.pk,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("departments", "0001_initial"),
        ("proposals", "0003_committee_boundary"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
