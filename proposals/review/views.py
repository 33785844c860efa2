"""The council's review desk under /council/ (MFA required by accounts.middleware).

Views gate on ``proposals.view_review_desk`` (the cycle's council or staff; others get 403,
anonymous visitors the login page). Each action then checks its own permission on POST: if
it is refused (author, phase over, proposal no longer under review) the form is shown again
with the reason and the typed text kept, with status 403, and nothing changes.
"""

from functools import cached_property
from typing import TYPE_CHECKING
from typing import Any

import rules
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.mixins import AuthenticatedHttpRequest
from accounts.selectors import has_review_or_staff_role
from budgeting.models import BudgetCycle
from budgeting.phases import Feature
from budgeting.selectors import get_council_membership
from budgeting.selectors import get_subcommittee_seat_for_area
from budgeting.selectors import list_scopes_for_cycle
from proposals.models import FeasibilityReview
from proposals.models import Proposal
from proposals.review.forms import CouncilDecisionForm
from proposals.review.forms import FeasibilityReviewForm
from proposals.review.forms import MergeForm
from proposals.review.forms import RecommendationForm
from proposals.review.forms import ReviewQueueFilterForm
from proposals.review.forms import RubricScoreForm
from proposals.review.forms import StepAsideForm
from proposals.review.predicates import REFUSAL_CODES
from proposals.review.predicates import Action
from proposals.review.predicates import get_review_refusal
from proposals.review.selectors import QueueSort
from proposals.review.selectors import get_decision_revision
from proposals.review.selectors import get_member_scores
from proposals.review.selectors import get_recommendation
from proposals.review.selectors import get_review_summary
from proposals.review.selectors import list_merge_candidates
from proposals.review.selectors import list_recusals
from proposals.review.selectors import list_review_cycles
from proposals.review.selectors import list_review_queue
from proposals.review.selectors import list_rubric
from proposals.review.services import merge_proposals
from proposals.review.services import record_council_decision
from proposals.review.services import record_feasibility_review
from proposals.review.services import record_recommendation
from proposals.review.services import score_proposal
from proposals.review.services import step_aside
from proposals.services import ProposalError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

QUEUE_PAGE_SIZE = 25


def explain_refusal(
    *, user, proposal: Proposal, council_only: bool = False, action: str = Action.REVIEW
) -> str:
    """Why ``user`` may not act on ``proposal`` now, for the page ("" when they may)."""
    refusal = get_review_refusal(
        user=user, proposal=proposal, council_only=council_only, action=action
    )
    return refusal.message if refusal is not None else ""


class CouncilHomeView(TemplateView):
    """The cycles whose review desk the user may open."""

    template_name = "proposals/review/home.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_review_or_staff_role(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cycles"] = list_review_cycles(user=self.request.user)
        return context


class ReviewQueueView(PermissionRequiredMixin, TemplateView):
    permission_required = "proposals.view_review_desk"
    template_name = "proposals/review/queue.html"

    @cached_property
    def cycle(self) -> BudgetCycle:
        return get_object_or_404(BudgetCycle.objects.visible(), slug=self.kwargs["slug"])

    def get_permission_object(self):
        return self.cycle

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        membership = get_council_membership(user=user, cycle=self.cycle)
        form = ReviewQueueFilterForm(
            self.request.GET,
            areas=self.cycle.policy_areas.all(),
            scopes=list_scopes_for_cycle(cycle=self.cycle),
            subcommittee=membership.policy_area if membership else None,
        )
        filters = form.filters()
        queue = list_review_queue(user=user, cycle=self.cycle, filters=filters)
        # As on the public list: a page number that is not one shows page 1, past the end the last.
        page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            {
                "cycle": self.cycle,
                "membership": membership,
                "filter_form": form,
                "selected_area": filters.policy_area,
                "sort_is_urgent": filters.sort == QueueSort.URGENT,
                "page_obj": page,
                "proposals": page.object_list,
                "query_string": form.query_string(),
                "review_open": self.cycle.allows(Feature.REVIEW),
            }
        )
        return context


class ProposalDeskMixin(PermissionRequiredMixin):
    """A proposal on the review desk; the council of its cycle and staff may open it."""

    permission_required = "proposals.view_review_desk"
    kwargs: dict[str, Any]

    @cached_property
    def proposal(self) -> Proposal:
        return get_object_or_404(
            Proposal.objects.exclude(status=Proposal.Status.DRAFT).select_related(
                "cycle", "scope__district", "policy_area", "author__resident_profile", "merged_into"
            ),
            pk=self.kwargs["pk"],
        )

    def get_permission_object(self):
        return self.proposal

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # type: ignore[misc]  # the view's
        context["proposal"] = self.proposal
        context["cycle"] = self.proposal.cycle
        return context


class ReviewProposalView(ProposalDeskMixin, TemplateView):
    template_name = "proposals/review/proposal.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, proposal = self.request.user, self.proposal
        context.update(
            {
                "summary": get_review_summary(proposal=proposal, user=user),
                "can_review": rules.has_perm("proposals.review_proposal", user, proposal),
                "can_score": rules.has_perm("proposals.score_proposal", user, proposal),
                "can_decide": rules.has_perm("proposals.decide_proposal", user, proposal),
                "can_recommend": rules.has_perm("proposals.recommend_proposal", user, proposal),
                "can_step_aside": rules.has_perm("proposals.step_aside", user, proposal),
                "seat": get_subcommittee_seat_for_area(
                    user=user, cycle=proposal.cycle, policy_area_id=proposal.policy_area_id
                ),
                "recusals": list_recusals(proposal=proposal),
                "recommendation": get_recommendation(proposal=proposal),
                "refusal": explain_refusal(user=user, proposal=proposal),
                "endorsement_count": proposal.endorsements.count(),
                "has_rubric": list_rubric(cycle=proposal.cycle).exists(),
            }
        )
        return context


class ProposalActionView(ProposalDeskMixin, FormView):
    """Shared flow of the four actions: check, validate, call one service, report."""

    request: AuthenticatedHttpRequest  # staff or the council (the permission above)
    template_name = "proposals/review/action_form.html"
    action_permission = ""
    council_only = False
    action = Action.REVIEW
    heading: "StrOrPromise" = ""
    submit_label = gettext_lazy("Save")
    success_message: "StrOrPromise" = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "heading": self.heading,
                "submit_label": self.submit_label,
                "can_act": self.may_act(),
                "refusal": explain_refusal(
                    user=self.request.user,
                    proposal=self.proposal,
                    council_only=self.council_only,
                    action=self.action,
                ),
            }
        )
        return context

    def may_act(self) -> bool:
        return rules.has_perm(self.action_permission, self.request.user, self.proposal)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not self.may_act():
            form.is_valid()  # keep what was typed, shown again with the reason
            form.add_error(
                None,
                explain_refusal(
                    user=request.user,
                    proposal=self.proposal,
                    council_only=self.council_only,
                    action=self.action,
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=403)
        if not form.is_valid():
            if any(form[name].errors for name in form.fields if form[name].is_hidden):
                # a tampered or truncated page: say so, since hidden fields show no errors
                form.add_error(None, _("The page was incomplete. Please check and send again."))
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            self.perform(form)
        except ProposalError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
            status = 409 if exc.code in ("stale", "conflict") else 400
            if exc.code in REFUSAL_CODES:
                status = 403
            return self.render_to_response(self.get_context_data(form=form), status=status)
        messages.success(request, self.success_message)
        return redirect("proposals:review-proposal", pk=self.proposal.pk)

    def perform(self, form) -> None:
        raise NotImplementedError


class FeasibilityReviewView(ProposalActionView):
    action_permission = "proposals.review_proposal"
    form_class = FeasibilityReviewForm
    heading = gettext_lazy("Feasibility review")
    submit_label = gettext_lazy("Save review")
    success_message = gettext_lazy("Your feasibility review is saved.")

    def get_initial(self):
        mine = FeasibilityReview.objects.filter(
            proposal=self.proposal, reviewer=self.request.user
        ).first()
        return FeasibilityReviewForm.initial_from(mine)

    def perform(self, form) -> None:
        record_feasibility_review(
            proposal=self.proposal, reviewer=self.request.user, **form.cleaned_data
        )


class CouncilDecisionView(ProposalActionView):
    action_permission = "proposals.decide_proposal"
    action = Action.DECIDE
    form_class = CouncilDecisionForm
    heading = gettext_lazy("Council decision")
    submit_label = gettext_lazy("Record the decision")

    success_message = gettext_lazy(
        "The decision is recorded and published; the authors will be e-mailed."
    )

    def get_initial(self):
        initial = {"expected_revision": get_decision_revision(proposal=self.proposal)}
        decision = getattr(self.proposal, "council_decision", None)
        if decision is not None:
            initial.update({"decision": decision.decision, "public_reason": decision.public_reason})
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current_decision"] = getattr(self.proposal, "council_decision", None)
        return context

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 409:
            # Show the current decision and let the member decide again from it.
            form = response.context_data["form"]
            data = form.data.copy()
            data["expected_revision"] = str(get_decision_revision(proposal=self.proposal))
            form.data = data
        return response

    def perform(self, form) -> None:
        record_council_decision(
            proposal=self.proposal,
            decided_by=self.request.user,
            decision=form.cleaned_data["decision"],
            public_reason=form.cleaned_data["public_reason"],
            expected_revision=form.cleaned_data["expected_revision"],
        )


class MergeProposalsView(ProposalActionView):
    action_permission = "proposals.merge_proposal"
    action = Action.MERGE
    form_class = MergeForm
    heading = gettext_lazy("Merge duplicates into this proposal")
    submit_label = gettext_lazy("Merge")
    success_message = gettext_lazy("The proposals are merged; their authors will be e-mailed.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = list_merge_candidates(proposal=self.proposal)
        return kwargs

    def perform(self, form) -> None:
        merge_proposals(
            survivor=self.proposal,
            duplicates=list(form.cleaned_data["duplicates"]),
            merged_by=self.request.user,
            public_reason=form.cleaned_data["public_reason"],
        )


class RubricScoreView(ProposalActionView):
    action_permission = "proposals.score_proposal"
    council_only = True
    action = Action.SCORE
    form_class = RubricScoreForm
    heading = gettext_lazy("Score on the rubric")
    submit_label = gettext_lazy("Save scores")

    success_message = gettext_lazy(
        "Your scores are saved. They become public when the review phase ends."
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["criteria"] = list_rubric(cycle=self.proposal.cycle)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["form"].fields:
            context["can_act"] = False
            context["refusal"] = _("This cycle has no published rubric yet.")
        return context

    def get_initial(self):
        scores = get_member_scores(proposal=self.proposal, member=self.request.user)
        return {f"criterion_{pk}": points for pk, points in scores.items()}

    def perform(self, form) -> None:
        score_proposal(proposal=self.proposal, member=self.request.user, points=form.points())


class RecommendationView(ProposalActionView):
    """The 분과's chair records its recommendation to the plenary (public)."""

    action_permission = "proposals.recommend_proposal"
    action = Action.RECOMMEND
    form_class = RecommendationForm
    heading = gettext_lazy("Subcommittee recommendation")
    submit_label = gettext_lazy("Record the recommendation")
    success_message = gettext_lazy("The subcommittee's recommendation is recorded and public.")

    def get_initial(self):
        current = get_recommendation(proposal=self.proposal)
        if current is None:
            return {}
        return {"recommendation": current.recommendation, "reason": current.reason}

    def perform(self, form) -> None:
        record_recommendation(
            proposal=self.proposal,
            chair=self.request.user,
            recommendation=form.cleaned_data["recommendation"],
            reason=form.cleaned_data["reason"],
        )


class StepAsideView(ProposalActionView):
    """A member steps aside from a proposal, with a reason published with the decision."""

    action_permission = "proposals.step_aside"
    action = Action.STEP_ASIDE
    form_class = StepAsideForm
    heading = gettext_lazy("Step aside from this proposal")
    submit_label = gettext_lazy("Step aside")
    success_message = gettext_lazy("You stepped aside. Your reason is published with the decision.")

    def perform(self, form) -> None:
        step_aside(
            proposal=self.proposal, member=self.request.user, reason=form.cleaned_data["reason"]
        )
