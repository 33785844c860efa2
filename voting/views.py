"""Ballot pages: choose, confirm, submit, receipt, withdraw; staff paper-ballot entry.

Views only adapt: they parse the form, call one service or selector, and render. Every page
shows the requesting resident's own ballot only (found by their voter key), never anyone else's.
"""

from functools import partial
from typing import TYPE_CHECKING
from typing import cast

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import load_backend
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.http import Http404
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from accounts.mixins import AuthenticatedHttpRequest
from accounts.mixins import ProfileRequiredMixin
from accounts.models import User
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.selectors import list_scopes_for_cycle
from voting.ballot_rules import RANKED
from voting.ballot_rules import measure_ballot
from voting.direct import answer_directly
from voting.forms import BallotForm
from voting.forms import PaperBallotForm
from voting.forms import parse_choices
from voting.selectors import forget_scope_for_submission
from voting.selectors import get_ballot_limits
from voting.selectors import get_own_ballot
from voting.selectors import get_own_choices
from voting.selectors import get_participation
from voting.selectors import get_scope_for_submission
from voting.selectors import get_scope_for_voting
from voting.selectors import get_voter
from voting.selectors import list_ballot_proposals
from voting.selectors import list_ballot_sections
from voting.selectors import list_my_ballots
from voting.services.ballots import start_ballot
from voting.services.ballots import submit_ballot
from voting.services.ballots import withdraw_ballot
from voting.services.paper import enter_paper_ballot
from voting.services.paper import find_paper_voter
from voting.shared import BallotRefusedError
from voting.shared import order_for_voter
from voting.shared import voter_key

if TYPE_CHECKING:
    # To mypy the mixins below are views (they are only ever mixed into one), so that
    # ``super().setup`` and ``self.request`` are the view's. At run time the base is object.
    _ViewMixinBase = View
else:
    _ViewMixinBase = object


class ScopeMixin(_ViewMixinBase):
    """Loads the cycle and ballot scope from the URL (404 when either is unknown or a draft)."""

    cycle: BudgetCycle
    scope: BallotScope | None  # None on a cycle's page (no scope in the URL)

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
        scope = cast("BallotScope", self.scope)  # only pages with a scope in the URL load one
        self.proposals = list_ballot_proposals(scope=scope)
        self.limits = get_ballot_limits(scope=scope, proposals=self.proposals)


class ResidentBallotMixin(ProfileRequiredMixin, ScopeMixin, PermissionRequiredMixin):
    request: AuthenticatedHttpRequest  # logged in (ProfileRequiredMixin)
    scope: BallotScope  # every ballot URL names its scope
    permission_required = "voting.submit_ballot"

    def render_ballot(self, form, *, choices, status=200, template="voting/ballot_form.html"):
        key = voter_key(user_id=self.request.user.pk, scope_id=self.scope.pk)
        participation = get_participation(user=self.request.user, scope=self.scope)
        proposals = order_for_voter(self.proposals, key=key)
        chosen_proposals = [p for p in proposals if p.pk in choices]
        if self.limits.rule == RANKED:  # the confirmation lists them first choice first
            chosen_proposals.sort(key=lambda p: choices[p.pk])
        context = {
            "cycle": self.cycle,
            "scope": self.scope,
            "form": form,
            "proposals": proposals,
            "chosen_proposals": chosen_proposals,
            "rank_options": range(1, self.limits.max_ranks + 1),
            "limits": self.limits,
            "chosen": choices,
            "meter": measure_ballot(self.limits, choices),
            "participation": participation,
        }
        return render(self.request, template, context, status=status)


class BallotPageView(ProfileRequiredMixin, ScopeMixin, PermissionRequiredMixin, View):
    """One page with every pot the resident may vote in (city-wide, gu, dong, themed tracks),
    each with its own form, limit and meter, and what is left to vote on. Each pot's form goes
    on to that pot's confirmation and submission (one ballot per pot, as the count needs)."""

    request: AuthenticatedHttpRequest
    permission_required = "voting.open_ballot_page"

    def get(self, request, *args, **kwargs):
        sections = list_ballot_sections(user=request.user, cycle=self.cycle)
        for section in sections:
            start_ballot(voter=request.user, scope=section.scope)
        context = {
            "cycle": self.cycle,
            "sections": sections,
            "left_to_vote": [s for s in sections if not s.has_voted and s.proposals],
        }
        return render(request, "voting/ballot_page.html", context)


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
            template="voting/ballot_confirm.html",
        )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class BallotSubmitView(ResidentBallotMixin, View):
    """The service's own statement is the unit of work (no request-wide transaction, so no
    savepoints on the hot path); reads before it need none.

    Most submissions never reach this view: ``submit_ballot_directly`` (run by
    ``voting.middleware`` ahead of the rest of the middleware) stores them. This view
    handles the rest the same way, and renders the refusals, including a refusal the direct path
    got from the service (``request.ballot_refusal``: the service is not called twice)."""

    def post(self, request, *args, **kwargs):
        refusal = getattr(request, "ballot_refusal", None)
        if refusal is not None:
            return self.refuse(refusal.message)
        # The service checks the rule, the phase and the deadline; the form is only built to
        # re-show the ballot when it refuses (or when the input does not even parse).
        choices = parse_choices(request.POST, rule=self.cycle.ballot_rule)
        if choices is not None:
            try:
                submit_ballot(voter=request.user, scope=self.scope, choices=choices)
            except BallotRefusedError as error:
                return self.refuse(error.message)
            # No flash message: the receipt page says it (and cookie messages cost ~5 ms here).
            return redirect("voting:ballot-receipt", slug=self.cycle.slug, scope_pk=self.scope.pk)
        return self.refuse(None)

    def refuse(self, message):
        self.load_ballot()
        form = BallotForm(self.request.POST, proposals=self.proposals, limits=self.limits)
        form.is_valid()
        if message:
            form.add_error(None, message)
        return self.render_ballot(form, choices=form.parse_leniently(), status=400)


_submit_view = BallotSubmitView.as_view()


def get_session_voter(session) -> User | None:
    """The user Django's ``get_user`` finds for ``session`` with the current secret key, with
    their resident profile loaded in the same query; None where it would find nobody or do
    more than find them (another kind of backend, a hash that matches a fallback key only: the
    full stack then runs ``get_user`` itself). Calling Django's ``get_user`` here instead reads
    the user and then the profile in two queries, one through the ORM: measured, 0.6 to 0.9 ms
    more CPU a ballot and about 15% of the path's throughput. tests/voting/test_direct_submit.py
    holds the two to the same answers."""
    try:
        user_id = session[SESSION_KEY]
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if not isinstance(backend, ModelBackend):
        return None
    user = get_voter(user_id=user_id)
    if user is None or not backend.user_can_authenticate(user):
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user


def submit_ballot_directly(request, *, slug: str, scope_pk: int) -> HttpResponse | None:
    """Store a submitted ballot without the full middleware stack, or return None to hand the
    request on to it (and to ``BallotSubmitView``).

    The ballot POST is the one request every resident makes at the same time near a deadline,
    so it skips what it does not need (messages, allauth, CSP, the MFA check that concerns staff
    pages) but keeps what protects it: Django's own middleware objects for the session, the
    language, the CSRF check and ``request.user``; the voter as Django's ``get_user`` finds them
    (``get_session_voter``); their profile and eligibility, the phase, the ballot rule, and the
    service (which locks, reads the deadline and writes). It answers a stored ballot (a
    redirect to the receipt) and a failed CSRF check (403, as the full stack would); anything
    else (not logged in, no profile, not allowed, input that does not parse, a refusal) goes on
    to the full stack, which answers it as it always has. Without a session cookie there is
    nobody to log in.
    """
    return answer_directly(
        request,
        view=_submit_view,
        store=partial(_store_directly, slug=slug, scope_pk=scope_pk),
    )


def _store_directly(request, *, slug: str, scope_pk: int) -> HttpResponse | None:
    voter = get_session_voter(request.session)
    if voter is None:
        return None
    scope, costs = get_scope_for_submission(slug=slug, scope_pk=scope_pk)
    # The permission is eligibility: a resident profile that fits the scope, and the phase.
    if scope is None or not voter.has_perm("voting.submit_ballot", scope):
        return None
    choices = parse_choices(request.POST, rule=scope.cycle.ballot_rule)
    if choices is None:
        return None
    try:
        submit_ballot(voter=voter, scope=scope, choices=choices, costs=costs)
    except BallotRefusedError as error:
        if error.code == "voting_closed":
            forget_scope_for_submission(slug=slug, scope_pk=scope_pk)
        request.ballot_refusal = error  # the view renders it with the form
        return None
    return HttpResponseRedirect(
        reverse("voting:ballot-receipt", kwargs={"slug": slug, "scope_pk": scope_pk})
    )


class BallotReceiptView(ProfileRequiredMixin, ScopeMixin, View):
    """The requesting resident's own receipt (printable), or a way back to the ballot."""

    scope: BallotScope  # its URL names the scope

    def get(self, request, *args, **kwargs):
        # The receipt is kept with the participation (who voted), never with the ballot.
        participation = get_participation(user=request.user, scope=self.scope)
        if participation is None or participation.voted_at is None or not participation.receipt:
            messages.info(request, _("You have no ballot on this scope yet."))
            return redirect(self.cycle.get_absolute_url())
        context = {
            "cycle": self.cycle,
            "scope": self.scope,
            "receipt": participation.receipt,
            "participation": participation,
            "can_change": request.user.has_perm("voting.submit_ballot", self.scope),
            # after one ballot, point to the others they may still vote on (district, city-wide)
            "other_ballots": [
                line
                for line in list_my_ballots(user=request.user)
                if line.may_vote and line.status != "voted" and line.scope.pk != self.scope.pk
            ],
            "receipts_listed": rules.has_perm("results.view_results", request.user, self.cycle),
        }
        return render(request, "voting/ballot_receipt.html", context)


class BallotWithdrawView(ResidentBallotMixin, View):
    def get(self, request, *args, **kwargs):
        participation = get_participation(user=request.user, scope=self.scope)
        context = {"cycle": self.cycle, "scope": self.scope, "participation": participation}
        return render(request, "voting/ballot_withdraw.html", context)

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
    permission_required = "voting.enter_paper_ballot"

    def get(self, request, *args, **kwargs):
        # a district officer sees only their 구's pots
        scopes = [
            scope
            for scope in list_scopes_for_cycle(cycle=self.cycle)
            if rules.has_perm("voting.enter_paper_ballot", request.user, scope)
        ]
        context = {"cycle": self.cycle, "scopes": scopes}
        return render(request, "voting/staff_paper_ballots.html", context)


class PaperBallotView(ScopeMixin, PermissionRequiredMixin, View):
    """Enter one paper ballot. The page never shows stored ballots, only that one was stored."""

    scope: BallotScope  # its URL names the scope
    permission_required = "voting.enter_paper_ballot"

    def render_form(self, form, *, status=200):
        context = {"cycle": self.cycle, "scope": self.scope, "form": form, "limits": self.limits}
        return render(self.request, "voting/staff_paper_ballot.html", context, status=status)

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
                "voting:staff-paper-ballot",
                kwargs={"slug": self.cycle.slug, "scope_pk": self.scope.pk},
            )
        )
