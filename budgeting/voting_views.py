"""Ballot pages: choose, confirm, submit, receipt, withdraw; staff paper-ballot entry.

Views only adapt: they parse the form, call one service or selector, and render. Every page
shows the requesting resident's own ballot only (found by their voter key), never anyone else's.
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from accounts.mixins import ProfileRequiredMixin
from budgeting.ballot_rules import measure_ballot
from budgeting.models import BudgetCycle
from budgeting.selectors import list_scopes_for_cycle
from budgeting.services.ballots import start_ballot
from budgeting.services.ballots import submit_ballot
from budgeting.services.ballots import withdraw_ballot
from budgeting.services.paper import enter_paper_ballot
from budgeting.services.paper import find_paper_voter
from budgeting.voting import BallotRefusedError
from budgeting.voting import order_for_voter
from budgeting.voting import voter_key
from budgeting.voting_forms import BallotForm
from budgeting.voting_forms import PaperBallotForm
from budgeting.voting_forms import parse_choices
from budgeting.voting_selectors import get_ballot_limits
from budgeting.voting_selectors import get_own_ballot
from budgeting.voting_selectors import get_own_choices
from budgeting.voting_selectors import get_participation
from budgeting.voting_selectors import get_scope_for_voting
from budgeting.voting_selectors import list_ballot_proposals


class ScopeMixin:
    """Loads the cycle and ballot scope from the URL (404 when either is unknown or a draft)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scope = None
        if "scope_pk" in kwargs:
            self.scope = get_scope_for_voting(slug=kwargs["slug"], scope_pk=kwargs["scope_pk"])
            if self.scope is None:
                raise Http404
            self.cycle = self.scope.cycle
        else:
            self.cycle = get_object_or_404(BudgetCycle.objects.visible(), slug=kwargs["slug"])

    def get_permission_object(self):
        return self.scope or self.cycle

    def load_ballot(self):
        self.proposals = list_ballot_proposals(scope=self.scope)
        self.limits = get_ballot_limits(scope=self.scope, proposals=self.proposals)


class ResidentBallotMixin(ProfileRequiredMixin, ScopeMixin, PermissionRequiredMixin):
    permission_required = "budgeting.submit_ballot"

    def render_ballot(self, form, *, choices, status=200, template="budgeting/ballot_form.html"):
        key = voter_key(user_id=self.request.user.pk, scope_id=self.scope.pk)
        participation = get_participation(user=self.request.user, scope=self.scope)
        context = {
            "cycle": self.cycle,
            "scope": self.scope,
            "form": form,
            "proposals": order_for_voter(self.proposals, key=key),
            "limits": self.limits,
            "chosen": choices,
            "meter": measure_ballot(self.limits, choices),
            "participation": participation,
        }
        return render(self.request, template, context, status=status)


class BallotFormView(ResidentBallotMixin, View):
    """The ballot: choose, then review on a confirmation page before submitting."""

    def get(self, request, *args, **kwargs):
        start_ballot(voter=request.user, scope=self.scope)
        self.load_ballot()
        choices = get_own_choices(ballot=get_own_ballot(user=request.user, scope=self.scope))
        form = BallotForm(
            proposals=self.proposals,
            limits=self.limits,
            initial=BallotForm.initial_for(choices, limits=self.limits),
        )
        return self.render_ballot(form, choices=choices)

    def post(self, request, *args, **kwargs):
        self.load_ballot()
        form = BallotForm(request.POST, proposals=self.proposals, limits=self.limits)
        if "back" in request.POST:  # from the confirmation page, to change the choices
            choices = form.parse_leniently()
            form = BallotForm(
                proposals=self.proposals,
                limits=self.limits,
                initial=BallotForm.initial_for(choices, limits=self.limits),
            )
            return self.render_ballot(form, choices=choices)
        if not form.is_valid():
            return self.render_ballot(form, choices=form.parse_leniently(), status=400)
        return self.render_ballot(
            form,
            choices=form.cleaned_choices,
            template="budgeting/ballot_confirm.html",
        )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BallotSubmitView(ResidentBallotMixin, View):
    """The service's own transaction is the unit of work (no request-wide transaction, so no
    savepoints on the hot path); reads before it need none."""

    def post(self, request, *args, **kwargs):
        # The service checks the rule, the phase and the deadline; the form is only built to
        # re-show the ballot when it refuses (or when the input does not even parse).
        choices = parse_choices(request.POST, rule=self.cycle.ballot_rule)
        if choices is not None:
            try:
                submit_ballot(voter=request.user, scope=self.scope, choices=choices)
            except BallotRefusedError as error:
                return self.refuse(error.message)
            # No flash message: the receipt page says it (and cookie messages cost ~5 ms here).
            return redirect(
                "budgeting:ballot-receipt", slug=self.cycle.slug, scope_pk=self.scope.pk
            )
        return self.refuse(None)

    def refuse(self, message):
        self.load_ballot()
        form = BallotForm(self.request.POST, proposals=self.proposals, limits=self.limits)
        form.is_valid()
        if message:
            form.add_error(None, message)
        return self.render_ballot(form, choices=form.parse_leniently(), status=400)


class BallotReceiptView(ProfileRequiredMixin, ScopeMixin, View):
    """The requesting resident's own receipt (printable), or a way back to the ballot."""

    def get(self, request, *args, **kwargs):
        ballot = get_own_ballot(user=request.user, scope=self.scope)
        if ballot is None:
            messages.info(request, _("You have no ballot on this scope yet."))
            return redirect(self.cycle.get_absolute_url())
        context = {
            "cycle": self.cycle,
            "scope": self.scope,
            "receipt": ballot.receipt,
            "participation": get_participation(user=request.user, scope=self.scope),
            "can_change": request.user.has_perm("budgeting.submit_ballot", self.scope),
        }
        return render(request, "budgeting/ballot_receipt.html", context)


class BallotWithdrawView(ResidentBallotMixin, View):
    def get(self, request, *args, **kwargs):
        participation = get_participation(user=request.user, scope=self.scope)
        context = {"cycle": self.cycle, "scope": self.scope, "participation": participation}
        return render(request, "budgeting/ballot_withdraw.html", context)

    def post(self, request, *args, **kwargs):
        try:
            withdraw_ballot(voter=request.user, scope=self.scope)
        except BallotRefusedError as error:
            messages.error(request, error.message)
            return redirect(self.cycle.get_absolute_url())
        messages.success(
            request, _("Your ballot was withdrawn. You may vote again until voting closes.")
        )
        return redirect(self.cycle.get_absolute_url())


# --- staff: paper ballots (under /staff/, so staff need MFA) ----------------------------------
class PaperBallotIndexView(ScopeMixin, PermissionRequiredMixin, View):
    permission_required = "budgeting.enter_paper_ballot"

    def get(self, request, *args, **kwargs):
        context = {"cycle": self.cycle, "scopes": list_scopes_for_cycle(cycle=self.cycle)}
        return render(request, "budgeting/staff_paper_ballots.html", context)


class PaperBallotView(ScopeMixin, PermissionRequiredMixin, View):
    """Enter one paper ballot. The page never shows stored ballots, only that one was stored."""

    permission_required = "budgeting.enter_paper_ballot"

    def render_form(self, form, *, status=200):
        context = {"cycle": self.cycle, "scope": self.scope, "form": form, "limits": self.limits}
        return render(self.request, "budgeting/staff_paper_ballot.html", context, status=status)

    def get(self, request, *args, **kwargs):
        self.load_ballot()
        return self.render_form(PaperBallotForm(proposals=self.proposals, limits=self.limits))

    def post(self, request, *args, **kwargs):
        self.load_ballot()
        form = PaperBallotForm(request.POST, proposals=self.proposals, limits=self.limits)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            voter = find_paper_voter(email=form.cleaned_data["email"])
            enter_paper_ballot(
                staff=request.user, voter=voter, scope=self.scope, choices=form.cleaned_choices
            )
        except BallotRefusedError as error:
            form.add_error(None, error.message)
            return self.render_form(form, status=400)
        messages.success(request, _("The paper ballot is stored."))
        return redirect(
            reverse(
                "budgeting:staff-paper-ballot",
                kwargs={"slug": self.cycle.slug, "scope_pk": self.scope.pk},
            )
        )
