"""The official's pages, the exports and the public trail, as people use them."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from departments.models import DepartmentReview
from departments.services import record_department_review

pytestmark = pytest.mark.django_db


def test_review_form_refuses_a_cost_above_the_cap_and_keeps_what_was_typed(
    client, routed, official
):
    routed.proposal.scope.per_project_cap_won = 50_000_000
    routed.proposal.scope.save()
    client.force_login(official)
    url = reverse("departments:review", kwargs={"pk": routed.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "verdict": "feasible",
            "reviewed_cost_won": "70,000,000",
            "legal_basis": "도로법 점용허가 필요",
            "overlap_programme": "정류장 쉘터 사업",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "50,000,000" in page  # the cap is shown at review time
    assert "도로법 점용허가 필요" in page
    assert "정류장 쉘터 사업" in page
    routed.refresh_from_db()
    assert routed.status == "pending"


def test_review_form_records_the_review_with_a_consultation(client, routed, official):
    client.force_login(official)
    response = client.post(
        reverse("departments:review", kwargs={"pk": routed.pk}),
        {
            "verdict": "feasible",
            "reviewed_cost_won": "25,000,000",
            "cost_breakdown": "그늘막, 20,000,000\n의자, 5,000,000",
            "duration_months": "3",
            "consulted": "인천연구원",
            "consultation_summary": "표준 규격 권고",
            "consultation_file": SimpleUploadedFile("report.pdf", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 302
    routed.refresh_from_db()
    assert (routed.status, routed.reviewed_cost_won, routed.consulted) == (
        "submitted",
        25_000_000,
        "인천연구원",
    )
    page = client.get(routed.proposal.get_absolute_url()).content.decode()
    assert "인천연구원" in page
    assert "표준 규격 권고" in page


def test_exports_of_the_queue_as_csv_and_xlsx_neutralise_formulas(client, routed, official, cycle):
    routed.proposal.title = '=HYPERLINK("https://evil.example")'
    routed.proposal.save()
    record_department_review(
        review=routed, official=official, verdict="feasible", reviewed_cost_won=9_000
    )
    client.force_login(official)
    csv_url = reverse(
        "departments:export", kwargs={"slug": cycle.slug, "kind": "reviews", "fmt": "csv"}
    )
    text = client.get(csv_url).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "9000" in text
    xlsx_url = reverse(
        "departments:export", kwargs={"slug": cycle.slug, "kind": "reviews", "fmt": "xlsx"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(xlsx_url).content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == '\'=HYPERLINK("https://evil.example")'
    assert rows[1][8] == 9000


def test_desk_lists_the_officials_reviews_and_staff_see_overdue(
    client, routed, official, staff_user
):
    DepartmentReview.objects.filter(pk=routed.pk).update(due_at=routed.due_at.replace(year=2020))
    client.force_login(official)
    page = client.get(reverse("departments:desk")).content.decode()
    assert routed.proposal.title in page
    client.force_login(staff_user)
    page = client.get(reverse("departments:desk"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Overdue reviews" in page
    assert routed.proposal.title in page


def test_cycle_page_counts_reviews_by_department_and_reason(client, routed, official, cycle):
    record_department_review(
        review=routed, official=official, verdict="infeasible", reason_codes=["site"]
    )
    page = client.get(
        reverse("budgeting:cycle-detail", kwargs={"slug": cycle.slug}), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "Transport Policy Division" in text
    assert "Site not available: 1" in text
