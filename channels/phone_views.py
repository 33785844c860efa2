"""Pages of voting by phone alone (no account, no code) and of the kiosk's phone identification.

Views only adapt: they parse, call one service of ``channels.phone``, render. A phone voter's
session holds the id of their SMS check, the number with its middle digits hidden, and what
they stated about themself; never the number itself. The services re-check everything.
"""

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from budgeting.models import BallotScope
from budgeting.models import BudgetCycle
from channels.forms import SmsCodeForm
from channels.phone import PhoneDeclaration
from channels.phone import check_phone_voting_open
from channels.phone import get_phone_voter
from channels.phone import get_phone_voter_person
from channels.phone import identify_kiosk_voter_by_phone
from channels.phone import list_phone_scopes
from channels.phone import mask_phone_number
from channels.phone import request_kiosk_phone_code
from channels.phone import vote_by_phone
from channels.phone_forms import KioskPhoneNumberForm
from channels.phone_forms import KioskSmsCodeForm
from channels.phone_forms import PhoneDeclarationForm
from channels.services import ChannelError
from channels.sms import sms_available
from channels.views import KIOSK_PHONE_SESSION
from channels.views import KIOSK_SESSION
from channels.views import VERIFICATION_SESSION
from channels.views import KioskView
from channels.views import PhoneStepMixin
from channels.views import _load_ballot
from voting.ballot_forms import BallotForm
from voting.shared import BallotRefusedError

if TYPE_CHECKING:  # to mypy the mixin is a view (as in channels.views)
    _ViewMixinBase = View
else:
    _ViewMixinBase = object

PHONE_VOTE_SESSION = "channels_phone_vote"  # cycle, SMS check id, masked number, statement


# --- voting by phone alone --------------------------------------------------------------------
class PhoneVoteMixin(_ViewMixinBase):
    """The cycle from the URL and this device's phone voter for it (if any)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.cycle = get_object_or_404(BudgetCycle.objects.visible(), slug=kwargs["slug"])

    def phone_voter(self, request) -> dict | None:
        data = request.session.get(PHONE_VOTE_SESSION)
        if data and data.get("cycle") == self.cycle.pk:
            return data
        return None

    def start_again(self, request, message: str) -> HttpResponse:
        request.session.pop(PHONE_VOTE_SESSION, None)
        messages.info(request, message)
        return redirect("channels:phone-vote", slug=self.cycle.slug)

    def checked_voter(self, request):
        """(session data, SMS check, statement), or a response sending the voter back a step."""
        data = self.phone_voter(request)
        if data is None:
            return None, redirect("channels:phone-vote", slug=self.cycle.slug)
        try:
            verification = get_phone_voter(verification_id=data.get("verification"))
        except ChannelError as error:
            return None, self.start_again(request, str(error.message))
        declaration = PhoneDeclaration.from_session(data.get("declared"))
        if declaration is None:
            return None, redirect("channels:phone-vote-about", slug=self.cycle.slug)
        return (data, verification, declaration), None


@method_decorator(never_cache, name="dispatch")
class PhoneVoteStartView(PhoneVoteMixin, PhoneStepMixin, View):
    """The cycle's phone voting: why it is not offered, or the number and then the SMS code."""

    template_name = "channels/phone_vote_start.html"

    def refusal(self) -> str | None:
        try:
            check_phone_voting_open(cycle=self.cycle)
        except ChannelError as error:
            return str(error.message)
        return None

    def render_step(self, request, *, number_form=None, code_form=None, status=200):
        refusal = self.refusal()
        context = {
            "cycle": self.cycle,
            "refusal": refusal,
            "number_form": number_form or self.number_form_class(),
            "code_form": code_form or SmsCodeForm(),
            "waiting_for_code": request.session.get(VERIFICATION_SESSION) is not None,
        }
        if refusal is not None and status == 200 and request.method == "POST":
            status = 403
        return render(request, self.template_name, context, status=status)

    def get(self, request, slug):
        return self.render_step(request)

    def post(self, request, slug):
        if self.refusal() is not None:
            return self.render_step(request, status=403)
        verification, response = self.handle_post(request)
        if verification is None:
            return response
        request.session.cycle_key()
        request.session[PHONE_VOTE_SESSION] = {
            "cycle": self.cycle.pk,
            "verification": verification.pk,
            "number": mask_phone_number(verification.phone_number),
        }
        return redirect("channels:phone-vote-about", slug=slug)


@method_decorator(never_cache, name="dispatch")
class PhoneVoteAboutView(PhoneVoteMixin, View):
    """The phone voter states their district, year of birth and relation to the city."""

    def render_form(self, request, form, *, status=200):
        context = {"cycle": self.cycle, "form": form, "voter": self.phone_voter(request)}
        return render(request, "channels/phone_vote_about.html", context, status=status)

    def get(self, request, slug):
        data = self.phone_voter(request)
        if data is None:
            return redirect("channels:phone-vote", slug=slug)
        declared = PhoneDeclaration.from_session(data.get("declared"))
        initial = declared.as_session() if declared else None
        return self.render_form(request, PhoneDeclarationForm(cycle=self.cycle, initial=initial))

    def post(self, request, slug):
        data = self.phone_voter(request)
        if data is None:
            return redirect("channels:phone-vote", slug=slug)
        form = PhoneDeclarationForm(request.POST, cycle=self.cycle)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        data["declared"] = form.declaration().as_session()
        request.session[PHONE_VOTE_SESSION] = data
        return redirect("channels:phone-vote-ballots", slug=slug)


@method_decorator(never_cache, name="dispatch")
class PhoneVoteBallotListView(PhoneVoteMixin, View):
    def get(self, request, slug):
        checked, response = self.checked_voter(request)
        if checked is None:
            return response
        data, verification, declaration = checked
        scopes = list_phone_scopes(
            cycle=self.cycle,
            declaration=declaration,
            person=get_phone_voter_person(verification=verification),
        )
        context = {"cycle": self.cycle, "scopes": scopes, "voter": data}
        return render(request, "channels/phone_vote_ballots.html", context)


@method_decorator(never_cache, name="dispatch")
class PhoneVoteBallotView(PhoneVoteMixin, View):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scope: BallotScope = get_object_or_404(
            BallotScope.objects.select_related("cycle", "district"),
            pk=kwargs["scope_pk"],
            cycle=self.cycle,
        )

    def render_form(self, request, form, *, status=200):
        context = {"cycle": self.cycle, "scope": self.scope, "form": form}
        return render(request, "channels/phone_vote_ballot.html", context, status=status)

    def get(self, request, slug, scope_pk):
        checked, response = self.checked_voter(request)
        if checked is None:
            return response
        proposals, limits = _load_ballot(self.scope)
        return self.render_form(request, BallotForm(proposals=proposals, limits=limits))

    def post(self, request, slug, scope_pk):
        checked, response = self.checked_voter(request)
        if checked is None:
            return response
        _data, verification, declaration = checked
        proposals, limits = _load_ballot(self.scope)
        form = BallotForm(request.POST, proposals=proposals, limits=limits)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        try:
            ballot = vote_by_phone(
                verification_id=verification.pk,
                scope=self.scope,
                choices=form.cleaned_choices,
                declaration=declaration,
            )
        except (ChannelError, BallotRefusedError) as error:
            form.add_error(None, error.message)
            return self.render_form(request, form, status=400)
        context = {"cycle": self.cycle, "scope": self.scope, "receipt": ballot.receipt}
        return render(request, "channels/phone_vote_receipt.html", context)


class PhoneVoteFinishView(PhoneVoteMixin, View):
    def post(self, request, slug):
        request.session.flush()
        messages.success(request, _("You are done. Thank you for voting."))
        return redirect("home")


# --- the kiosk: identifying the voter by a code sent to their phone ---------------------------
class KioskPhoneView(KioskView):
    """The officer types the voter's number, a code goes to it, the voter types the code on the
    kiosk; then the kiosk shows their ballots (``KioskView``), keyed by the number's HMAC."""

    template = "channels/kiosk_phone.html"

    def pending(self, request) -> dict | None:
        data = request.session.get(KIOSK_PHONE_SESSION)
        if data and data.get("office") == self.office.pk and data.get("cycle") == self.cycle.pk:
            return data
        return None

    def render_phone(self, request, *, number_form=None, code_form=None, status=200):
        pending = self.pending(request)
        context = {
            "number_form": number_form or KioskPhoneNumberForm(),
            "code_form": code_form or KioskSmsCodeForm(),
            "waiting_for_code": pending is not None,
            "masked_number": pending["number"] if pending else "",
            "sms_available": sms_available(),
        }
        return self.render_kiosk(self.template, context, status=status)

    def get(self, request, office_pk, slug):
        if self.kiosk_voter() is not None:
            return redirect("channels:kiosk", office_pk=office_pk, slug=slug)
        return self.render_phone(request)

    def post(self, request, office_pk, slug):
        if self.kiosk_voter() is not None:
            return redirect("channels:kiosk", office_pk=office_pk, slug=slug)
        if "phone_number" in request.POST:
            return self.send_code(request)
        pending = self.pending(request)
        code_form = KioskSmsCodeForm(request.POST)
        if pending is None:
            return self.render_phone(request, status=400)
        if code_form.is_valid():
            try:
                person = identify_kiosk_voter_by_phone(
                    officer=request.user,
                    office=self.office,
                    verification_id=pending["verification"],
                    code=code_form.cleaned_data["code"],
                )
            except ChannelError as error:
                code_form.add_error("code", error.message)
            else:
                request.session.pop(KIOSK_PHONE_SESSION, None)
                request.session[KIOSK_SESSION] = {
                    "person": person,
                    "office": self.office.pk,
                    "cycle": self.cycle.pk,
                    "done": [],
                }
                return redirect("channels:kiosk", office_pk=office_pk, slug=slug)
        return self.render_phone(request, code_form=code_form, status=400)

    def send_code(self, request):
        form = KioskPhoneNumberForm(request.POST)
        request.session.pop(KIOSK_PHONE_SESSION, None)
        if form.is_valid():
            try:
                verification = request_kiosk_phone_code(
                    officer=request.user,
                    office=self.office,
                    raw_number=form.cleaned_data["phone_number"],
                )
            except ChannelError as error:
                form.add_error("phone_number", error.message)
            else:
                request.session[KIOSK_PHONE_SESSION] = {
                    "verification": verification.pk,
                    "office": self.office.pk,
                    "cycle": self.cycle.pk,
                    "number": mask_phone_number(verification.phone_number),
                }
                return redirect(
                    "channels:kiosk-phone", office_pk=self.office.pk, slug=self.cycle.slug
                )
        return self.render_phone(request, number_form=form, status=400)
