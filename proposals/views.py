"""Proposal pages: browse, submit, edit, withdraw, discuss, endorse, report, moderate.

Views adapt HTTP to the services: permissions at the door (rules), business rules in
proposals.services, and a ``ProposalError`` becomes a form error with the typed text kept.
"""

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import rules
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin as RulesPermissionRequiredMixin

from accounts.mixins import ProfileRequiredMixin
from budgeting.models import BudgetCycle
from budgeting.phases import Feature
from budgeting.phases import Phase
from budgeting.selectors import list_current_cycles
from budgeting.selectors import list_scopes_for_cycle
from core.predicates import is_staff_member
from proposals.forms import CoAuthorInviteForm
from proposals.forms import CommentForm
from proposals.forms import DismissReportForm
from proposals.forms import HideForm
from proposals.forms import ProposalFilterForm
from proposals.forms import ProposalForm
from proposals.forms import ReportForm
from proposals.forms import WithdrawProposalForm
from proposals.models import CoAuthorInvitation
from proposals.models import Comment
from proposals.models import Proposal
from proposals.models import Report
from proposals.review.predicates import review_phase_has_ended
from proposals.review.selectors import get_recommendation
from proposals.review.selectors import list_recusals
from proposals.selectors import COMMENT_EDIT_WINDOW
from proposals.selectors import Sort
from proposals.selectors import count_counted_proposals
from proposals.selectors import find_similar_proposals
from proposals.selectors import get_proposal_for_viewer
from proposals.selectors import has_endorsed
from proposals.selectors import list_co_author_invitations
from proposals.selectors import list_comments_for_proposal
from proposals.selectors import list_invitations_for
from proposals.selectors import list_open_reports
from proposals.selectors import list_policy_areas_for_cycle
from proposals.selectors import list_proposal_history
from proposals.selectors import list_proposals_of_author
from proposals.selectors import list_proposals_with_place
from proposals.selectors import list_public_proposals
from proposals.selectors import list_recently_resolved_reports
from proposals.selectors import list_scopes_open_to_resident
from proposals.services import ProposalError
from proposals.services.coauthors import answer_invitation
from proposals.services.coauthors import invite_co_author
from proposals.services.discussion import edit_comment
from proposals.services.discussion import endorse_proposal
from proposals.services.discussion import post_comment
from proposals.services.discussion import report_content
from proposals.services.discussion import withdraw_endorsement
from proposals.services.moderation import dismiss_report
from proposals.services.moderation import hide_comment
from proposals.services.moderation import hide_proposal
from proposals.services.submission import create_proposal
from proposals.services.submission import update_proposal
from proposals.services.submission import withdraw_proposal


class PermissionRequiredMixin(RulesPermissionRequiredMixin):
    request: HttpRequest
    kwargs: dict[str, Any]

    """rules' mixin without Django's superuser shortcut: a superuser is not the author of
    someone else's proposal, so the door follows the same rules as the services."""

    def has_permission(self):
        obj = self.get_permission_object()
        return all(
            rules.has_perm(perm, self.request.user, obj) for perm in self.get_permission_required()
        )


PAGE_SIZE = 20
SEED_SESSION_KEY = "proposals_sort_seed"


def _add_service_error(form, error: ProposalError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def _visible_cycle_or_404(request, slug: str) -> BudgetCycle:
    cycle: BudgetCycle = get_object_or_404(
        BudgetCycle.objects.prefetch_related("policy_areas"), slug=slug
    )
    if not rules.has_perm("budgeting.view_cycle", request.user, cycle):
        raise Http404
    return cycle


# --- browsing ----------------------------------------------------------------------------------
class ProposalIndexView(View):
    """The nav's "Proposals": the current cycle's list (or the list of cycles)."""

    def get(self, request):
        cycles = list(list_current_cycles())
        collecting = [cycle for cycle in cycles if cycle.phase == Phase.PROPOSALS]
        if len(cycles) == 1 or len(collecting) == 1:
            return redirect("proposals:proposal-list", slug=(collecting or cycles)[0].slug)
        return render(request, "proposals/cycle_choice.html", {"cycles": cycles})


class _FilteredListMixin:
    def filtered(self, request, cycle):
        scopes = list(list_scopes_for_cycle(cycle=cycle))
        form = ProposalFilterForm(
            request.GET or None,
            scopes=scopes,
            policy_areas=list_policy_areas_for_cycle(cycle=cycle),
        )
        filters = form.filters()
        seed = ""
        if filters["sort"] == Sort.RANDOM:
            seed = request.session.get(SEED_SESSION_KEY) or secrets.token_hex(8)
            request.session[SEED_SESSION_KEY] = seed
        proposals = list_public_proposals(cycle=cycle, seed=seed, **filters)
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        return form, proposals, urlencode(params)


class ProposalListView(_FilteredListMixin, View):
    template_name = "proposals/proposal_list.html"

    def get(self, request, slug):
        cycle = _visible_cycle_or_404(request, slug)
        form, proposals, query_string = self.filtered(request, cycle)
        page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "cycle": cycle,
                "filter_form": form,
                "page_obj": page,
                "query_string": query_string,
                "can_propose": rules.has_perm("proposals.add_proposal", request.user, cycle),
            },
        )


class ProposalMapView(_FilteredListMixin, View):
    template_name = "proposals/proposal_map.html"

    def get(self, request, slug):
        cycle = _visible_cycle_or_404(request, slug)
        form, proposals, query_string = self.filtered(request, cycle)
        markers = list_proposals_with_place(proposals=proposals)
        return render(
            request,
            self.template_name,
            {
                "cycle": cycle,
                "filter_form": form,
                "markers": markers,
                "query_string": query_string,
                "tile_url": settings.CHAMYEO_MAP_TILE_URL,
            },
        )


class SimilarProposalsView(View):
    """The "similar proposals" box for a title (the form fetches it while the resident types;
    without JavaScript the same box appears before submitting)."""

    def get(self, request, slug):
        cycle = _visible_cycle_or_404(request, slug)
        title = request.GET.get("title", "")[:120]
        exclude = request.GET.get("exclude", "")
        similar = find_similar_proposals(
            cycle=cycle, title=title, exclude_pk=int(exclude) if exclude.isdigit() else None
        )
        return render(request, "proposals/includes/_similar.html", {"similar": similar})


class MyProposalsView(ProfileRequiredMixin, TemplateView):
    template_name = "proposals/my_proposals.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposals"] = list_proposals_of_author(author=self.request.user)
        return context


# --- one proposal --------------------------------------------------------------------------------
def proposal_page_context(request, proposal: Proposal, **extra) -> dict:
    user = request.user
    threshold = proposal.cycle.endorsement_threshold
    context = {
        "proposal": proposal,
        "cycle": proposal.cycle,
        "history": list_proposal_history(proposal=proposal),
        "comments": list_comments_for_proposal(proposal=proposal),
        "has_endorsed": has_endorsed(proposal=proposal, user=user),
        "threshold": threshold,
        "threshold_left": max(0, threshold - proposal.endorsement_count),  # type: ignore[attr-defined]
        "comment_edit_minutes": int(COMMENT_EDIT_WINDOW.total_seconds() // 60),
        "comment_form": CommentForm(),
        "hide_form": HideForm(),
        # hidden content: staff with their second factor only (issue #16, item 4)
        "show_content": proposal.hidden_at is None or is_staff_member(user),
        "map_tile_url": settings.CHAMYEO_MAP_TILE_URL,
    }
    if hasattr(proposal, "council_decision") or review_phase_has_ended(proposal.cycle):
        # the 분과's recommendation and the step-asides are public with the decision
        context["recommendation"] = get_recommendation(proposal=proposal)
        context["recusals"] = list_recusals(proposal=proposal)
    context.update(extra)
    return context


class ProposalDetailView(View):
    template_name = "proposals/proposal_detail.html"

    def get(self, request, pk):
        proposal = get_proposal_for_viewer(pk=pk, user=request.user)
        if proposal is None:
            raise Http404
        return render(request, self.template_name, proposal_page_context(request, proposal))


class _ProposalFormMixin(ProfileRequiredMixin, PermissionRequiredMixin):
    """The proposal form page, shared by create (``proposal`` None) and edit."""

    template_name = "proposals/proposal_form.html"
    proposal: Proposal | None = None
    cycle: BudgetCycle

    def make_form(self, data=None, files=None, initial=None):
        return ProposalForm(
            data,
            files,
            initial=initial,
            scopes=list_scopes_open_to_resident(user=self.request.user, cycle=self.cycle),
            policy_areas=list_policy_areas_for_cycle(cycle=self.cycle),
            has_image=bool(self.proposal and self.proposal.image),
        )

    def phase_open(self) -> bool:
        if self.proposal is None:
            return self.cycle.allows(Feature.PROPOSE)
        return rules.has_perm("proposals.change_proposal", self.request.user, self.proposal)

    def render_form(self, form, status=200, similar=None):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "cycle": self.cycle,
                "proposal": self.proposal,
                "similar": similar or [],
                "phase_open": self.phase_open(),
                "used": count_counted_proposals(author=self.request.user, cycle=self.cycle),
                "map_tile_url": settings.CHAMYEO_MAP_TILE_URL,
            },
            status=status,
        )


class ProposalCreateView(_ProposalFormMixin, View):
    permission_required = "proposals.add_proposal_role"

    def get_permission_object(self):
        self.cycle = _visible_cycle_or_404(self.request, self.kwargs["slug"])
        return self.cycle

    def get(self, request, slug):
        return self.render_form(self.make_form())

    def post(self, request, slug):
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        wants_submit = request.POST.get("action") == "submit"
        similar = []
        if wants_submit and not form.cleaned_data["similar_checked"]:
            similar = find_similar_proposals(cycle=self.cycle, title=form.cleaned_data["title"])
        try:
            proposal = create_proposal(
                author=request.user,
                cycle=self.cycle,
                submit=wants_submit and not similar,
                **form.service_values(),
            )
        except ProposalError as error:
            _add_service_error(form, error)
            return self.render_form(form, status=400)
        if similar:
            messages.warning(
                request,
                _(
                    "Your proposal is saved as a draft. Similar proposals already exist: "
                    "please look at them first. You can endorse or comment on one of them "
                    "instead, or submit yours below."
                ),
            )
            return redirect("proposals:proposal-edit", pk=proposal.pk)
        if wants_submit:
            messages.success(request, _("Your proposal is submitted. Thank you!"))
        else:
            messages.success(request, _("Your draft is saved. Only you can see it."))
        return redirect(proposal)


class ProposalEditView(_ProposalFormMixin, View):
    permission_required = "proposals.change_proposal_role"
    proposal: Proposal  # set by get_permission_object (the door)

    def get_permission_object(self):
        self.proposal = get_object_or_404(
            Proposal.objects.select_related("cycle", "scope__district", "policy_area"),
            pk=self.kwargs["pk"],
        )
        self.cycle = self.proposal.cycle
        return self.proposal

    def similar(self, title: str) -> list[Proposal]:
        if self.proposal.status != Proposal.Status.DRAFT:
            return []
        return find_similar_proposals(cycle=self.cycle, title=title, exclude_pk=self.proposal.pk)

    def get(self, request, pk):
        p = self.proposal
        similar = self.similar(p.title)
        initial = {
            "title": p.title,
            "summary": p.summary,
            "description": p.description,
            "problem": p.problem,
            "beneficiaries": p.beneficiaries,
            "cost_estimate_won": p.cost_estimate_won,
            "scope": p.scope_id,
            "policy_area": p.policy_area_id,
            "address": p.address,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "version": p.version,
            "similar_checked": bool(similar),
        }
        return self.render_form(self.make_form(initial=initial), similar=similar)

    def post(self, request, pk):
        form = self.make_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        wants_submit = request.POST.get("action") == "submit"
        was_draft = self.proposal.status == Proposal.Status.DRAFT
        try:
            proposal = update_proposal(
                proposal=self.proposal,
                actor=request.user,
                version=form.cleaned_data["version"],
                remove_image=form.cleaned_data.get("remove_image", False),
                submit=wants_submit,
                **form.service_values(),
            )
        except ProposalError as error:
            _add_service_error(form, error)
            return self.render_form(form, status=409 if error.code == "stale" else 400)
        if was_draft and wants_submit:
            messages.success(request, _("Your proposal is submitted. Thank you!"))
        else:
            messages.success(request, _("Your changes are saved."))
        return redirect(proposal)


class ProposalWithdrawView(ProfileRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "proposals.change_proposal_role"
    template_name = "proposals/proposal_withdraw.html"

    def get_permission_object(self):
        self.proposal = get_object_or_404(
            Proposal.objects.select_related("cycle"), pk=self.kwargs["pk"]
        )
        return self.proposal

    def get(self, request, pk):
        return render(
            request,
            self.template_name,
            {"proposal": self.proposal, "form": WithdrawProposalForm()},
        )

    def post(self, request, pk):
        form = WithdrawProposalForm(request.POST)
        if form.is_valid():
            try:
                result = withdraw_proposal(
                    proposal=self.proposal, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ProposalError as error:
                form.add_error(None, error.message)
            else:
                if result is None:
                    messages.success(request, _("Your draft is deleted."))
                    return redirect("proposals:my-proposals")
                messages.success(request, _("Your proposal is withdrawn."))
                return redirect(result)
        return render(
            request, self.template_name, {"proposal": self.proposal, "form": form}, status=400
        )


# --- deliberation ------------------------------------------------------------------------------
class _ProposalActionMixin(ProfileRequiredMixin, PermissionRequiredMixin):
    proposal: Proposal

    def get_permission_object(self):
        proposal = get_proposal_for_viewer(pk=self.kwargs["pk"], user=self.request.user)
        if proposal is None:
            raise Http404
        self.proposal = proposal
        return self.proposal


class EndorseView(_ProposalActionMixin, View):
    permission_required = "proposals.endorse_proposal"

    def post(self, request, pk):
        try:
            if request.POST.get("action") == "withdraw":
                if withdraw_endorsement(proposal=self.proposal, user=request.user):
                    messages.success(request, _("Your endorsement is withdrawn."))
            else:
                endorse_proposal(proposal=self.proposal, user=request.user)
                messages.success(request, _("Thank you for endorsing this proposal."))
        except ProposalError as error:
            messages.error(request, error.message)
        return redirect(self.proposal.get_absolute_url() + "#endorsements")


class CommentCreateView(_ProposalActionMixin, View):
    permission_required = "proposals.comment_on_proposal"

    def post(self, request, pk):
        form = CommentForm(request.POST)
        if form.is_valid():
            parent = None
            if form.cleaned_data["parent"]:
                parent = Comment.objects.filter(
                    pk=form.cleaned_data["parent"], proposal=self.proposal
                ).first()
            try:
                comment = post_comment(
                    proposal=self.proposal,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    parent=parent,
                )
            except ProposalError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("Your comment is posted."))
                return redirect(f"{self.proposal.get_absolute_url()}#comment-{comment.pk}")
        context = proposal_page_context(request, self.proposal, comment_form=form)
        return render(request, "proposals/proposal_detail.html", context, status=400)


class CommentEditView(ProfileRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "proposals.change_comment"
    template_name = "proposals/comment_form.html"

    def get_permission_object(self):
        self.comment = get_object_or_404(
            Comment.objects.select_related("proposal__cycle"), pk=self.kwargs["pk"]
        )
        return self.comment

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "comment": self.comment, "proposal": self.comment.proposal},
            status=status,
        )

    def get(self, request, pk):
        return self.render_form(CommentForm(initial={"body": self.comment.body}))

    def post(self, request, pk):
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                edit_comment(
                    comment=self.comment, actor=request.user, body=form.cleaned_data["body"]
                )
            except ProposalError as error:
                _add_service_error(form, error)
            else:
                messages.success(request, _("Your comment is updated."))
                return redirect(
                    f"{self.comment.proposal.get_absolute_url()}#comment-{self.comment.pk}"
                )
        return self.render_form(form, status=400)


class ReportView(ProfileRequiredMixin, PermissionRequiredMixin, View):
    """Report a proposal (``pk``) or a comment (``comment_pk``) to the moderators."""

    permission_required = "proposals.report_content"
    template_name = "proposals/report_form.html"

    def get_permission_object(self):
        self.comment = None
        if "comment_pk" in self.kwargs:
            self.comment = get_object_or_404(
                Comment.objects.select_related("proposal__cycle"),
                pk=self.kwargs["comment_pk"],
                hidden_at__isnull=True,
            )
            self.proposal = self.comment.proposal
            return self.comment
        proposal = get_proposal_for_viewer(pk=self.kwargs["pk"], user=self.request.user)
        if proposal is None:
            raise Http404
        self.proposal = proposal
        return self.proposal

    def render_form(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "proposal": self.proposal, "comment": self.comment},
            status=status,
        )

    def get(self, request, **kwargs):
        return self.render_form(ReportForm())

    def post(self, request, **kwargs):
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report_content(
                    reporter=request.user,
                    proposal=self.proposal,
                    comment=self.comment,
                    reason=form.cleaned_data["reason"],
                )
            except ProposalError as error:
                if error.code != "twice":
                    _add_service_error(form, error)
                    return self.render_form(form, status=400)
                messages.info(request, error.message)
            else:
                messages.success(request, _("Thank you. The moderators will look at it."))
            return redirect(self.proposal)
        return self.render_form(form, status=400)


# --- moderation (staff; under /staff/, so MFA applies) -------------------------------------------
class ModerationQueueView(PermissionRequiredMixin, View):
    permission_required = "proposals.moderate"
    template_name = "proposals/moderation_queue.html"

    def get(self, request):
        return render(
            request,
            self.template_name,
            {
                "reports": list_open_reports(),
                "resolved": list_recently_resolved_reports(),
                "hide_form": HideForm(),
                "dismiss_form": DismissReportForm(),
            },
        )


class _HideView(PermissionRequiredMixin, View):
    permission_required = "proposals.moderate"
    # each subclass says what it hides: the target of ``pk``, where to go back to, and how
    get_target: Callable[[int], Any]
    fallback_url: Callable[[Any], str]
    hide: Callable[[Any, Any, str], None]

    def next_url(self, fallback: str) -> str:
        if self.request.POST.get("next") == "queue":
            return reverse("proposals:moderation-queue")
        return fallback

    def post(self, request, pk):
        form = HideForm(request.POST)
        target = self.get_target(pk)
        fallback = self.fallback_url(target)
        if not form.is_valid():
            messages.error(request, _("Give the public reason for hiding it."))
            return redirect(self.next_url(fallback))
        try:
            self.hide(target, request.user, form.cleaned_data["reason"])
        except ProposalError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Hidden. The public reason is shown in its place."))
        return redirect(self.next_url(fallback))


class HideProposalView(_HideView):
    def get_target(self, pk):
        return get_object_or_404(Proposal, pk=pk)

    def fallback_url(self, target):
        return target.get_absolute_url()

    def hide(self, target, actor, reason):
        hide_proposal(proposal=target, actor=actor, reason=reason)


class HideCommentView(_HideView):
    def get_target(self, pk):
        return get_object_or_404(Comment.objects.select_related("proposal"), pk=pk)

    def fallback_url(self, target):
        return f"{target.proposal.get_absolute_url()}#comment-{target.pk}"

    def hide(self, target, actor, reason):
        hide_comment(comment=target, actor=actor, reason=reason)


class DismissReportView(PermissionRequiredMixin, View):
    permission_required = "proposals.moderate"

    def post(self, request, pk):
        report = get_object_or_404(Report, pk=pk)
        form = DismissReportForm(request.POST)
        resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
        dismiss_report(report=report, actor=request.user, resolution=resolution)
        messages.success(request, _("Report closed without action."))
        return redirect("proposals:moderation-queue")


# --- co-authors ----------------------------------------------------------------------------------
class CoAuthorsView(ProfileRequiredMixin, View):
    """The author invites co-authors by e-mail address; the invitee accepts on their page."""

    template_name = "proposals/co_authors.html"

    def proposal(self, pk) -> Proposal:
        proposal = get_object_or_404(Proposal, pk=pk)
        if proposal.author_id != self.request.user.pk:
            raise PermissionDenied
        return proposal

    def render_page(self, proposal, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "proposal": proposal,
                "form": form,
                "invitations": list_co_author_invitations(proposal=proposal),
            },
            status=status,
        )

    def get(self, request, pk):
        return self.render_page(self.proposal(pk), CoAuthorInviteForm())

    def post(self, request, pk):
        proposal = self.proposal(pk)
        form = CoAuthorInviteForm(request.POST)
        if not form.is_valid():
            return self.render_page(proposal, form, status=400)
        try:
            invite_co_author(
                proposal=proposal, author=request.user, email=form.cleaned_data["email"]
            )
        except ProposalError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return self.render_page(proposal, form, status=400)
        messages.success(
            request, _("The invitation is sent; it appears on their invitations page.")
        )
        return redirect("proposals:co-authors", pk=pk)


class InvitationsView(ProfileRequiredMixin, View):
    template_name = "proposals/invitations.html"

    def get(self, request):
        return render(
            request,
            self.template_name,
            {"invitations": list_invitations_for(user=request.user)},
        )

    def post(self, request):
        invitation = get_object_or_404(
            CoAuthorInvitation, pk=request.POST.get("invitation"), invitee=request.user
        )
        try:
            answer_invitation(
                invitation=invitation,
                user=request.user,
                accept=request.POST.get("answer") == "accept",
            )
        except ProposalError as exc:
            messages.error(request, str(exc.message))
            return redirect("proposals:invitations")
        messages.success(request, _("Your answer is recorded."))
        return redirect("proposals:invitations")
