"""Pages of the voting channels: voting with a code (and an SMS check), verifying an account's
phone number, staff's code batches, and an officer's kiosk and walk-in paper ballots.

Views only adapt: they parse, call one service, render. Kiosk pages are never cached and keep
the voter's identity only in the officer's session, which ``KioskFinishView`` clears.
"""

from functools import partial
from typing import TYPE_CHECKING

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from rules.contrib.views import PermissionRequiredMixin

from accounts.models import Consent
from accounts.selectors import has_consent
from accounts.services import change_optional_consent
from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from budgeting.models import Participation
from channels.forms import CensusRefForm
from channels.forms import CodeBatchForm
from channels.forms import PhoneConsentForm
from channels.forms import PhoneNumberForm
from channels.forms import SmsCodeForm
from channels.forms import VotingCodeForm
from channels.forms import WalkInPaperBallotForm
from channels.models import Office
from channels.models import VotingCode
from channels.models import VotingCodeBatch
from channels.selectors import forget_scope_for_code_ballot
from channels.selectors import get_code_receipt
from channels.selectors import get_scope_for_code_ballot
from channels.services import ChannelError
from channels.services import cast_office_ballot
from channels.services import census_person_key
from channels.services import check_phone_code
from channels.services import create_code_batch
from channels.services import find_voting_code
from channels.services import list_code_scopes
from channels.services import list_office_scopes
from channels.services import request_phone_code
from channels.services import revoke_code_batch
from channels.services import take_printable_codes
from channels.services import verify_account_phone
from channels.services import vote_with_code
from voting.ballot_forms import BallotForm
from voting.ballot_forms import parse_choices
from voting.direct import answer_directly
from voting.selectors import get_ballot_limits
from voting.selectors import list_ballot_proposals
from voting.shared import BallotRefusedError

if TYPE_CHECKING:
    # To mypy the mixins below are views (they are only ever mixed into one). At run time the
    # base is object (as voting.views does).
    _ViewMixinBase = View
else:
    _ViewMixinBase = object

CODE_SESSION = "channels_code"  # the id of the code typed on this device
PHONE_SESSION = "channels_phone"  # the number verified on this device (E.164)
VERIFICATION_SESSION = "channels_verification"  # the SMS code being checked
KIOSK_SESSION = "channels_kiosk_voter"  # the kiosk's current voter: person key and office
KIOSK_PHONE_SESSION = "channels_kiosk_phone"  # a code sent to a kiosk voter's phone (phone_views)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _load_ballot(scope: BallotScope):
    proposals = list_ballot_proposals(scope=scope)
    return proposals, get_ballot_limits(scope=scope, proposals=proposals)


# --- voting with a code ------------------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class CodeStartView(View):
    def get(self, request):
        return render(request, "channels/code_start.html", {"form": VotingCodeForm()})

    def post(self, request):
        form = VotingCodeForm(request.POST)
        if form.is_valid():
            try:
                code = find_voting_code(raw=form.cleaned_data["code"])
            except ChannelError as error:
                form.add_error("code", error.message)
            else:
                request.session.cycle_key()
                request.session[CODE_SESSION] = code.pk
                request.session.pop(PHONE_SESSION, None)
                if code.batch.cycle.requires_phone:
                    return redirect("channels:code-phone")
                return redirect("channels:code-ballots")
        return render(request, "channels/code_start.html", {"form": form}, status=400)


def _session_code(request) -> VotingCode:
    code = (
        VotingCode.objects.select_related("batch__cycle")
        .filter(pk=request.session.get(CODE_SESSION), revoked_at__isnull=True)
        .first()
    )
    if code is None:
        raise Http404
    return code


class PhoneStepMixin:
    """Two steps on one page: a number (an SMS is sent), then the code from the SMS."""

    template_name = "channels/phone_verify.html"
    number_form_class: type[PhoneNumberForm] = PhoneNumberForm

    def render_step(self, request, *, number_form=None, code_form=None, status=200):
        waiting = request.session.get(VERIFICATION_SESSION) is not None
        context = {
            "number_form": number_form or self.number_form_class(),
            "code_form": code_form or SmsCodeForm(),
            "waiting_for_code": waiting,
        }
        return render(request, self.template_name, context, status=status)

    def handle_post(self, request, *, user=None):
        if "phone_number" in request.POST:
            form = self.number_form_class(request.POST)
            if form.is_valid():
                try:
                    verification = request_phone_code(
                        raw_number=form.cleaned_data["phone_number"],
                        ip=_client_ip(request),
                        user=user,
                    )
                except ChannelError as error:
                    form.add_error("phone_number", error.message)
                else:
                    request.session[VERIFICATION_SESSION] = verification.pk
                    return None, self.render_step(request)
            request.session.pop(VERIFICATION_SESSION, None)
            return None, self.render_step(request, number_form=form, status=400)
        code_form = SmsCodeForm(request.POST)
        verification_id = request.session.get(VERIFICATION_SESSION)
        if verification_id is None:
            return None, self.render_step(request, status=400)
        if code_form.is_valid():
            try:
                verification = check_phone_code(
                    verification_id=verification_id, code=code_form.cleaned_data["code"]
                )
            except ChannelError as error:
                code_form.add_error("code", error.message)
            else:
                request.session.pop(VERIFICATION_SESSION, None)
                return verification, None
        return None, self.render_step(request, code_form=code_form, status=400)


@method_decorator(never_cache, name="dispatch")
class CodePhoneView(PhoneStepMixin, View):
    def get(self, request):
        _session_code(request)
        return self.render_step(request)

    def post(self, request):
        _session_code(request)
        verification, response = self.handle_post(request)
        if verification is None:
            return response
        request.session[PHONE_SESSION] = verification.phone_number.as_e164
        return redirect("channels:code-ballots")


@method_decorator(never_cache, name="dispatch")
class CodeBallotListView(View):
    def get(self, request):
        code = _session_code(request)
        if code.batch.cycle.requires_phone and not request.session.get(PHONE_SESSION):
            return redirect("channels:code-phone")
        context = {"cycle": code.batch.cycle, "scopes": list_code_scopes(code=code)}
        return render(request, "channels/code_ballots.html", context)


@method_decorator(never_cache, name="dispatch")
class CodeBallotView(View):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scope: BallotScope = get_object_or_404(
            BallotScope.objects.select_related("cycle"), pk=kwargs["scope_pk"]
        )

    def render_form(self, form, *, status=200):
        context = {"scope": self.scope, "cycle": self.scope.cycle, "form": form}
        return render(self.request, "channels/code_ballot.html", context, status=status)

    def get(self, request, scope_pk):
        _session_code(request)
        proposals, limits = _load_ballot(self.scope)
        return self.render_form(BallotForm(proposals=proposals, limits=limits))

    def post(self, request, scope_pk):
        """Most ballots never reach this: ``vote_with_code_directly`` (run by
        ``channels.middleware`` ahead of the rest of the middleware) stores them. This handles
        the rest the same way, and renders the refusals, including one the direct path got
        from the service (``request.code_ballot_refusal``: the service is not called twice)."""
        code = _session_code(request)
        proposals, limits = _load_ballot(self.scope)
        form = BallotForm(request.POST, proposals=proposals, limits=limits)
        if not form.is_valid():
            return self.render_form(form, status=400)
        refusal = getattr(request, "code_ballot_refusal", None)
        if refusal is None:
            try:
                vote_with_code(
                    code_id=code.pk,
                    scope=self.scope,
                    choices=form.cleaned_choices,
                    verified_phone=request.session.get(PHONE_SESSION),
                    costs=limits.costs,
                )
            except (ChannelError, BallotRefusedError) as error:
                refusal = error
        if refusal is not None:
            form.add_error(None, refusal.message)
            return self.render_form(form, status=400)
        return redirect("channels:code-receipt", scope_pk=self.scope.pk)


@method_decorator(never_cache, name="dispatch")
class CodeReceiptView(View):
    """The receipt of the ballot this session's code cast on a scope (printable)."""

    def get(self, request, scope_pk):
        code = _session_code(request)
        scopes = BallotScope.objects.select_related("cycle")
        scope: BallotScope = get_object_or_404(scopes, pk=scope_pk)
        receipt = get_code_receipt(
            code_id=code.pk, scope=scope, verified_phone=request.session.get(PHONE_SESSION)
        )
        if receipt is None:
            return redirect("channels:code-ballots")
        return render(request, "channels/code_receipt.html", {"scope": scope, "receipt": receipt})


_code_ballot_view = CodeBallotView.as_view()


def vote_with_code_directly(request, *, scope_pk: int) -> HttpResponse | None:
    """Store a ballot cast with a code without the full middleware stack, or return None to
    hand the request on to it (and to ``CodeBallotView``).

    As ``voting.views.submit_ballot_directly`` for online ballots (``voting.direct``): Django's
    own middleware objects for the session, the language, the CSRF check and ``request.user``;
    the code typed on this device (the session's, as ``CodeStartView`` left it) and the phone
    number verified on it; the scope and its rule (``get_scope_for_code_ballot``); and the
    service, whose one statement locks, checks and spends the code and writes the ballot. It
    answers a stored ballot (a redirect to the receipt) and a failed CSRF check (403);
    anything else (no code typed, input that does not parse, a refusal) goes on to the full
    stack, which answers it as it always has (a ballot that breaks the rule: the form's
    errors, as before)."""
    return answer_directly(
        request, view=_code_ballot_view, store=partial(_vote_directly, scope_pk=scope_pk)
    )


def _vote_directly(request, *, scope_pk: int) -> HttpResponse | None:
    code_id = request.session.get(CODE_SESSION)
    if code_id is None:
        return None
    scope, costs = get_scope_for_code_ballot(scope_pk=scope_pk)
    if scope is None or costs is None:
        return None
    choices = parse_choices(request.POST, rule=scope.cycle.ballot_rule)
    if choices is None:
        return None  # the form shows why
    try:
        vote_with_code(
            code_id=code_id,
            scope=scope,
            choices=choices,
            verified_phone=request.session.get(PHONE_SESSION),
            costs=costs,
        )
    except (ChannelError, BallotRefusedError) as error:
        if error.code == "voting_closed":
            forget_scope_for_code_ballot(scope_pk=scope_pk)
        request.code_ballot_refusal = error  # the view renders it with the form
        return None
    return HttpResponseRedirect(reverse("channels:code-receipt", kwargs={"scope_pk": scope_pk}))


class CodeFinishView(View):
    def post(self, request):
        request.session.flush()
        messages.success(request, _("You are done. Thank you for voting."))
        return redirect("home")


# --- an account's phone number ----------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class AccountPhoneView(LoginRequiredMixin, PhoneStepMixin, View):
    number_form_class = PhoneConsentForm

    def get(self, request):
        if not hasattr(request.user, "resident_profile"):
            return redirect("accounts:profile")
        return self.render_step(request)

    def post(self, request):
        if not hasattr(request.user, "resident_profile"):
            return redirect("accounts:profile")
        if "phone_number" in request.POST and not has_consent(
            user=request.user, purpose=Consent.Purpose.PHONE
        ):
            form = PhoneConsentForm(request.POST)
            if form.is_valid():
                change_optional_consent(
                    user=request.user, purpose=Consent.Purpose.PHONE, granted=True
                )
        verification, response = self.handle_post(request, user=request.user)
        if verification is None:
            return response
        try:
            verify_account_phone(user=request.user, verification=verification)
        except ChannelError as error:
            messages.error(request, error.message)
            return self.render_step(request, status=400)
        messages.success(request, _("Your mobile phone number is verified."))
        return redirect("channels:account-phone")


# --- staff: voting code batches (under /staff/: MFA) ------------------------------------------
class CodeBatchListView(PermissionRequiredMixin, View):
    permission_required = "channels.manage_voting_codes"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = get_object_or_404(BudgetCycle, slug=kwargs["slug"])

    def render_page(self, form, *, status=200):
        context = {
            "cycle": self.cycle,
            "form": form,
            "batches": self.cycle.voting_code_batches.order_by("-created_at"),
        }
        return render(self.request, "channels/staff_code_batches.html", context, status=status)

    def get(self, request, slug):
        return self.render_page(CodeBatchForm(cycle=self.cycle))

    def post(self, request, slug):
        form = CodeBatchForm(request.POST, cycle=self.cycle)
        if form.is_valid():
            try:
                create_code_batch(
                    cycle=self.cycle,
                    scopes=form.cleaned_data["scopes"],
                    size=form.cleaned_data["size"],
                    label=form.cleaned_data["label"],
                    created_by=request.user,
                )
            except ChannelError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The codes are being generated."))
                return redirect("channels:staff-code-batches", slug=slug)
        return self.render_page(form, status=400)


class BatchMixin(PermissionRequiredMixin, _ViewMixinBase):
    permission_required = "channels.manage_voting_codes"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.batch = get_object_or_404(
            VotingCodeBatch.objects.select_related("cycle"), pk=kwargs["pk"]
        )


@method_decorator(never_cache, name="dispatch")
class CodeBatchPrintView(BatchMixin, View):
    """The printable sheet: the codes in the clear, shown once, then erased from the database."""

    def post(self, request, pk):
        codes = [] if self.batch.revoked_at else take_printable_codes(batch=self.batch)
        context = {"batch": self.batch, "codes": codes}
        return render(request, "channels/code_sheet.html", context)


class CodeBatchRevokeView(BatchMixin, View):
    def post(self, request, pk):
        revoke_code_batch(batch=self.batch, actor=request.user)
        messages.success(request, _("The batch is revoked: none of its codes can vote."))
        return redirect("channels:staff-code-batches", slug=self.batch.cycle.slug)


# --- officers: kiosk and walk-in paper (under /staff/: MFA) ------------------------------------
class OfficeMixin(PermissionRequiredMixin, _ViewMixinBase):
    permission_required = "channels.assist_at_office"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.office = get_object_or_404(Office, pk=kwargs["office_pk"])
        self.cycle = get_object_or_404(BudgetCycle.objects.visible(), slug=kwargs["slug"])

    def get_permission_object(self):
        return self.office

    def has_permission(self):
        # The rule itself, not user.has_perm: a superuser is an officer only where posted.
        return rules.has_perm(self.permission_required, self.request.user, self.office)


def _no_trace(response: HttpResponse) -> HttpResponse:
    """Kiosk pages: never stored by the browser, and the page's own data cleared on leaving."""
    response["Cache-Control"] = "no-store, max-age=0"
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


class KioskView(OfficeMixin, View):
    """The kiosk: blank (the officer identifies the next voter), or the voter's next ballot."""

    def kiosk_voter(self):
        voter = self.request.session.get(KIOSK_SESSION)
        if voter and voter.get("office") == self.office.pk and voter.get("cycle") == self.cycle.pk:
            return voter
        return None

    def render_kiosk(self, template, context, *, status=200):
        base = {"office": self.office, "cycle": self.cycle}
        base["idle_seconds"] = settings.CHAMYEO_KIOSK_IDLE_SECONDS
        response = render(self.request, template, base | context, status=status)
        return _no_trace(response)

    def next_scope(self, voter):
        done = set(voter.get("done", []))
        for scope in list_office_scopes(office=self.office, cycle=self.cycle):
            if scope.pk not in done:
                return scope
        return None

    def get(self, request, office_pk, slug):
        voter = self.kiosk_voter()
        if voter is None:
            return self.render_kiosk("channels/kiosk_identify.html", {"form": CensusRefForm()})
        scope = self.next_scope(voter)
        if scope is None:
            return self.render_kiosk("channels/kiosk_done.html", {})
        proposals, limits = _load_ballot(scope)
        form = BallotForm(proposals=proposals, limits=limits)
        return self.render_kiosk("channels/kiosk_ballot.html", {"scope": scope, "form": form})

    def post(self, request, office_pk, slug):
        voter = self.kiosk_voter()
        if voter is None:  # the officer identifies the voter
            form = CensusRefForm(request.POST)
            if form.is_valid():
                try:
                    person = census_person_key(form.cleaned_data["census_ref"])
                except ChannelError as error:
                    form.add_error("census_ref", error.message)
                else:
                    request.session[KIOSK_SESSION] = {
                        "person": person,
                        "office": self.office.pk,
                        "cycle": self.cycle.pk,
                        "done": [],
                    }
                    return redirect(request.path)
            return self.render_kiosk("channels/kiosk_identify.html", {"form": form}, status=400)
        scope = self.next_scope(voter)
        if scope is None:
            return redirect(request.path)
        proposals, limits = _load_ballot(scope)
        ballot_form = BallotForm(request.POST, proposals=proposals, limits=limits)
        if ballot_form.is_valid():
            try:
                cast_office_ballot(
                    officer=request.user,
                    office=self.office,
                    person=voter["person"],
                    scope=scope,
                    choices=ballot_form.cleaned_choices,
                    channel=Participation.Channel.KIOSK,
                )
            except BallotRefusedError as error:
                if error.code != "already_voted":
                    ballot_form.add_error(None, error.message)
                    context = {"scope": scope, "form": ballot_form}
                    return self.render_kiosk("channels/kiosk_ballot.html", context, status=400)
                messages.info(request, error.message)
            voter["done"] = [*voter["done"], scope.pk]
            request.session[KIOSK_SESSION] = voter
            return redirect(request.path)
        context = {"scope": scope, "form": ballot_form}
        return self.render_kiosk("channels/kiosk_ballot.html", context, status=400)


class KioskFinishView(OfficeMixin, View):
    """Back to the blank screen: the voter's identity leaves the session."""

    def post(self, request, office_pk, slug):
        request.session.pop(KIOSK_SESSION, None)
        request.session.pop(KIOSK_PHONE_SESSION, None)
        return _no_trace(redirect("channels:kiosk", office_pk=office_pk, slug=slug))


class WalkInPaperView(OfficeMixin, View):
    """Enter a walk-in resident's paper ballot, identified by their census/ID reference."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scope = get_object_or_404(self.cycle.scopes, pk=kwargs["scope_pk"])

    def render_form(self, form, *, status=200):
        context = {"office": self.office, "cycle": self.cycle, "scope": self.scope, "form": form}
        return render(self.request, "channels/walk_in_paper.html", context, status=status)

    def get(self, request, office_pk, slug, scope_pk):
        proposals, limits = _load_ballot(self.scope)
        return self.render_form(WalkInPaperBallotForm(proposals=proposals, limits=limits))

    def post(self, request, office_pk, slug, scope_pk):
        proposals, limits = _load_ballot(self.scope)
        form = WalkInPaperBallotForm(request.POST, proposals=proposals, limits=limits)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            cast_office_ballot(
                officer=request.user,
                office=self.office,
                person=census_person_key(form.cleaned_data["census_ref"]),
                scope=self.scope,
                choices=form.cleaned_choices,
                channel=Participation.Channel.PAPER,
            )
        except (ChannelError, BallotRefusedError) as error:
            form.add_error(None, error.message)
            return self.render_form(form, status=400)
        messages.success(request, _("The paper ballot is stored."))
        return redirect(request.path)
