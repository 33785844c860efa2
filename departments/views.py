"""Pages of the departments app. Officials' and the budget office's pages sit under
/staff/departments/ (second factor required); the deliberation forum is public."""

from functools import cached_property
from urllib.parse import quote

import rules
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin as RulesPermissionRequiredMixin

from accounts.predicates import is_budget_office
from budgeting.models import BudgetCycle
from departments.exports import FORMATS
from departments.exports import answers_dataset
from departments.exports import export_bytes
from departments.exports import review_queue_dataset
from departments.forms import AnswerForm
from departments.forms import CloseForumForm
from departments.forms import CycleSettingsForm
from departments.forms import DepartmentReviewForm
from departments.forms import ExpertStatementForm
from departments.forms import ForumPostForm
from departments.forms import RouteForm
from departments.models import Department
from departments.models import DepartmentReview
from departments.models import Escalation
from departments.models import EscalationStep
from departments.predicates import is_forum_moderator
from departments.selectors import days_overdue
from departments.selectors import get_review_days
from departments.selectors import list_active_routings
from departments.selectors import list_departments
from departments.selectors import list_escalations
from departments.selectors import list_ladder
from departments.selectors import list_official_department_ids
from departments.selectors import list_overdue_reviews
from departments.selectors import list_review_queue
from departments.services import DepartmentError
from departments.services import answer_escalation
from departments.services import close_forum
from departments.services import forum_is_open
from departments.services import ladder_is_frozen
from departments.services import parse_cost_breakdown
from departments.services import parse_ladder
from departments.services import post_to_forum
from departments.services import record_department_review
from departments.services import reroute_proposal
from departments.services import save_ladder
from departments.services import save_review_days
from proposals.models import Proposal


class PermissionRequiredMixin(RulesPermissionRequiredMixin):
    """Asks the rule itself: a superuser is not an official, so Django's "superusers have every
    permission" shortcut must not let the budget office review in a department's name."""

    def has_permission(self) -> bool:
        obj = self.get_permission_object()
        return all(
            rules.has_perm(perm, self.request.user, obj)  # type: ignore[attr-defined]
            for perm in self.get_permission_required()
        )


def _add_error(form, exc: DepartmentError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _department_scope(user) -> set[int] | None:
    """None (every department) for the budget office; else the official's departments."""
    return None if is_budget_office(user) else list_official_department_ids(user=user)


class DeskView(PermissionRequiredMixin, View):
    """The official's desk: their departments' reviews and answers; for the budget office, every
    department and the overdue lists."""

    permission_required = "departments.open_desk"

    def get(self, request):
        scope = _department_scope(request.user)
        cycles = BudgetCycle.objects.filter(proposals__department_reviews__isnull=False).distinct()
        rows = []
        for cycle in cycles.order_by("-pk"):
            reviews = list(list_review_queue(cycle=cycle, department_ids=scope))
            escalations = [
                e
                for e in list_escalations(cycle=cycle)
                if scope is None
                or e.step.action == EscalationStep.Action.FORUM
                or request.user.has_perm("departments.answer_escalation", e)
            ]
            rows.append({"cycle": cycle, "reviews": reviews, "escalations": escalations})
        overdue = list(list_overdue_reviews()) if scope is None else []
        return render(
            request,
            "departments/desk.html",
            {
                "rows": rows,
                "overdue": overdue,
                "is_office": scope is None,
                "departments": [d for d in list_departments() if scope is None or d.pk in scope],
            },
        )


class ReviewView(PermissionRequiredMixin, View):
    permission_required = "departments.review_proposal"
    template_name = "departments/review_form.html"

    @cached_property
    def review(self) -> DepartmentReview:
        return get_object_or_404(
            DepartmentReview.objects.select_related(
                "proposal", "proposal__scope", "proposal__cycle", "department"
            ).exclude(department__isnull=True),
            pk=self.kwargs["pk"],
        )

    def get_permission_object(self) -> DepartmentReview:
        return self.review

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "review": self.review,
                "proposal": self.review.proposal,
                "cap_won": self.review.proposal.scope.project_cost_cap_won,
                "form": form,
                "overdue_days": days_overdue(self.review.due_at, self.review.submitted_at),
            },
            status=status,
        )

    def get(self, request, pk):
        review = self.review
        initial = {
            "verdict": review.verdict,
            "reason_codes": review.reason_codes,
            "legal_basis": review.legal_basis,
            "has_legal_obstacle": review.has_legal_obstacle,
            "overlap_programme": review.overlap_programme,
            "reviewed_cost_won": review.reviewed_cost_won,
            "cost_breakdown": "\n".join(
                f"{item}, {amount}" for item, amount in review.cost_breakdown
            ),
            "duration_months": review.duration_months,
            "notes": review.notes,
            "consulted": review.consulted,
            "consultation_summary": review.consultation_summary,
        }
        return self.render_form(DepartmentReviewForm(initial=initial))

    def post(self, request, pk):
        form = DepartmentReviewForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            breakdown = parse_cost_breakdown(data["cost_breakdown"])
            record_department_review(
                review=self.review,
                official=request.user,
                verdict=data["verdict"],
                reason_codes=data["reason_codes"],
                legal_basis=data["legal_basis"],
                has_legal_obstacle=data["has_legal_obstacle"],
                notes=data["notes"],
                overlap_programme=data["overlap_programme"],
                reviewed_cost_won=data["reviewed_cost_won"],
                cost_breakdown=breakdown,
                duration_months=data["duration_months"],
                consulted=data["consulted"],
                consultation_summary=data["consultation_summary"],
                consultation_file=data["consultation_file"] or None,
            )
        except DepartmentError as exc:
            _add_error(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("The review is recorded and public on the proposal's page."))
        return redirect("departments:desk")


class RouteView(PermissionRequiredMixin, View):
    """The budget office re-routes a proposal (one or more departments), with a public reason."""

    permission_required = "departments.route_proposal"
    template_name = "departments/route_form.html"

    @cached_property
    def proposal(self) -> Proposal:
        return get_object_or_404(
            Proposal.objects.public().select_related("cycle"), pk=self.kwargs["pk"]
        )

    def form(self, data=None):
        current = [r.department for r in list_active_routings(proposal=self.proposal)]
        return RouteForm(
            data, departments=Department.objects.all(), initial={"departments": current}
        )

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "proposal": self.proposal,
                "form": form,
                "routings": self.proposal.routings.select_related("department"),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_form(self.form())

    def post(self, request, pk):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            reroute_proposal(
                proposal=self.proposal,
                staff=request.user,
                departments=list(form.cleaned_data["departments"]),
                reason=form.cleaned_data["reason"],
            )
        except DepartmentError as exc:
            _add_error(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("The proposal is routed."))
        return redirect("departments:desk")


class AnswerView(PermissionRequiredMixin, View):
    permission_required = "departments.answer_escalation"
    template_name = "departments/answer_form.html"

    @cached_property
    def escalation(self) -> Escalation:
        return get_object_or_404(
            Escalation.objects.select_related("proposal", "step", "step__office"),
            pk=self.kwargs["pk"],
        )

    def get_permission_object(self) -> Escalation:
        return self.escalation

    def render_form(self, form, status=200):
        escalation = self.escalation
        context = {
            "escalation": escalation,
            "proposal": escalation.proposal,
            "form": form,
            "overdue_days": days_overdue(escalation.due_at, escalation.answered_at),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_form(AnswerForm(initial={"answer": self.escalation.answer}))

    def post(self, request, pk):
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            answer_escalation(
                escalation=self.escalation,
                official=request.user,
                answer=form.cleaned_data["answer"],
            )
        except DepartmentError as exc:
            _add_error(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("The answer is published on the proposal's page."))
        return redirect("departments:desk")


class ExportView(PermissionRequiredMixin, View):
    """The review queue or the answers of a cycle, as CSV or XLSX; officials get their
    departments' rows only, the budget office every department's (or one: ?department=slug)."""

    permission_required = "departments.open_desk"

    def get(self, request, slug, kind, fmt):
        cycle = get_object_or_404(BudgetCycle, slug=slug)
        if fmt not in FORMATS or kind not in {"reviews", "answers"}:
            raise Http404
        scope = _department_scope(request.user)
        wanted = request.GET.get("department", "")
        if wanted:
            department = get_object_or_404(Department, slug=wanted)
            if scope is not None and department.pk not in scope:
                raise Http404
            scope = {department.pk}
        builder = review_queue_dataset if kind == "reviews" else answers_dataset
        data = builder(cycle=cycle, department_ids=scope)
        response = HttpResponse(export_bytes(data, fmt), content_type=FORMATS[fmt])
        name = f"{cycle.slug}-{kind}{'-' + wanted if wanted else ''}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class CycleSettingsView(PermissionRequiredMixin, View):
    """The budget office sets a cycle's review deadline and its ladder (frozen once proposals
    open: the page then shows it, and a change is refused with the reason)."""

    permission_required = "departments.manage"
    template_name = "departments/cycle_settings.html"

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle, slug=self.kwargs["slug"])

    def render_form(self, form, status=200):
        context = {
            "cycle": self.cycle,
            "form": form,
            "ladder": list(list_ladder(cycle=self.cycle)),
            "is_frozen": ladder_is_frozen(self.cycle),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, slug):
        steps = list_ladder(cycle=self.cycle)
        initial = {
            "review_days": get_review_days(cycle=self.cycle),
            "ladder": "\n".join(
                f"{s.threshold}, {s.action}, {s.days}" + (f", {s.office.slug}" if s.office else "")
                for s in steps
            ),
        }
        return self.render_form(CycleSettingsForm(initial=initial))

    def post(self, request, slug):
        form = CycleSettingsForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            with transaction.atomic():
                save_review_days(
                    cycle=self.cycle,
                    staff=request.user,
                    review_days=form.cleaned_data["review_days"],
                )
                ladder = form.cleaned_data["ladder"]
                current = "\n".join(
                    f"{s.threshold}, {s.action}, {s.days}"
                    + (f", {s.office.slug}" if s.office else "")
                    for s in list_ladder(cycle=self.cycle)
                )
                if ladder.strip() != current.strip():
                    save_ladder(cycle=self.cycle, staff=request.user, steps=parse_ladder(ladder))
        except DepartmentError as exc:
            _add_error(form, exc)
            return self.render_form(form, status=400)
        messages.success(request, _("The settings are saved."))
        return redirect("departments:cycle-settings", slug=slug)


class ForumView(View):
    """A public deliberation forum (공론장): contributions, experts' statements, the summary."""

    template_name = "departments/forum.html"

    @cached_property
    def escalation(self) -> Escalation:
        escalation = get_object_or_404(
            Escalation.objects.select_related("proposal", "step", "moderator"),
            pk=self.kwargs["pk"],
            step__action=EscalationStep.Action.FORUM,
        )
        if escalation.proposal.hidden_at is not None:
            raise Http404
        return escalation

    def render_page(self, status=200, **forms):
        escalation = self.escalation
        is_moderator = is_forum_moderator(self.request.user, escalation)
        context = {
            "escalation": escalation,
            "proposal": escalation.proposal,
            "posts": escalation.posts.all(),
            "is_open": forum_is_open(escalation),
            "is_moderator": is_moderator,
            "post_form": forms.get("post_form") or ForumPostForm(),
            "statement_form": forms.get("statement_form")
            or ExpertStatementForm(prefix="statement"),
            "close_form": forms.get("close_form") or CloseForumForm(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render_page()

    def post(self, request, pk):  # noqa: PLR0911 (each refusal answers at once)
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={quote(request.path)}")
        action = request.POST.get("action", "post")
        form_class = {
            "post": ForumPostForm,
            "statement": ExpertStatementForm,
            "close": CloseForumForm,
        }.get(action)
        if form_class is None:
            return HttpResponse(_("Unknown action."), status=400)
        form = form_class(request.POST, prefix="statement" if action == "statement" else None)
        key = {"post": "post_form", "statement": "statement_form", "close": "close_form"}[action]
        if action != "post" and not is_forum_moderator(request.user, self.escalation):
            return HttpResponse(_("Only the forum's moderator does this."), status=403)
        if not form.is_valid():
            return self.render_page(status=400, **{key: form})
        try:
            if action == "close":
                close_forum(
                    escalation=self.escalation,
                    moderator=request.user,
                    summary=form.cleaned_data["summary"],
                )
            else:
                post_to_forum(
                    escalation=self.escalation,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    expert_name=form.cleaned_data.get("expert_name", ""),
                )
        except DepartmentError as exc:
            if exc.code == "permission":
                return HttpResponse(exc.message, status=403)
            _add_error(form, exc)
            return self.render_page(status=400, **{key: form})
        return redirect("departments:forum", pk=pk)
