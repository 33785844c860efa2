"""The office's spreadsheets: the review queue and the ladder's answers, per department, as
CSV or XLSX (tablib). Every text cell goes through ``safe_cell`` (no formula runs)."""

import tablib  # type: ignore[import-untyped]  # ships no annotations
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.models import BudgetCycle
from core.spreadsheets import safe_row
from departments.selectors import days_overdue
from departments.selectors import list_answers
from departments.selectors import list_review_queue

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _date(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


def review_queue_dataset(*, cycle: BudgetCycle, department_ids: set[int] | None) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            _("Proposal"),
            _("Title"),
            _("Department"),
            _("Status"),
            _("Due"),
            _("Days overdue"),
            _("Feasibility"),
            _("Reasons"),
            _("Reviewed cost (won)"),
            _("Duration (months)"),
            _("Overlapping existing programme"),
            _("Consulted"),
            _("Reviewed at"),
        ],
        title=_("Review queue")[:31],
    )
    for review in list_review_queue(cycle=cycle, department_ids=department_ids):
        overdue = 0 if review.submitted_at else days_overdue(review.due_at, None)
        data.append(
            safe_row(
                [
                    review.proposal_id,
                    review.proposal.title,
                    review.department.name_ko if review.department else "",
                    str(review.get_status_display()),
                    _date(review.due_at),
                    overdue,
                    str(review.get_verdict_display()) if review.verdict else "",
                    " ".join(review.reason_codes),
                    review.reviewed_cost_won,
                    review.duration_months,
                    review.overlap_programme,
                    review.consulted,
                    _date(review.submitted_at),
                ]
            )
        )
    return data


def answers_dataset(*, cycle: BudgetCycle, department_ids: set[int] | None) -> tablib.Dataset:
    data = tablib.Dataset(
        headers=[
            _("Proposal"),
            _("Title"),
            _("Supporters"),
            _("Action"),
            _("Reached at"),
            _("Due"),
            _("Answered at"),
            _("Days overdue"),
            _("Answered by"),
            _("Answer"),
        ],
        title=_("Answers")[:31],
    )
    for escalation in list_answers(cycle=cycle, department_ids=department_ids):
        data.append(
            safe_row(
                [
                    escalation.proposal_id,
                    escalation.proposal.title,
                    escalation.step.threshold,
                    str(escalation.step.get_action_display()),
                    _date(escalation.reached_at),
                    _date(escalation.due_at),
                    _date(escalation.answered_at),
                    days_overdue(escalation.due_at, escalation.answered_at),
                    escalation.answered_as,
                    escalation.answer,
                ]
            )
        )
    return data


def export_bytes(data: tablib.Dataset, fmt: str) -> bytes:
    if fmt == "csv":
        return ("\ufeff" + data.export("csv")).encode("utf-8")  # BOM: Excel reads Korean right
    return bytes(data.export("xlsx"))
