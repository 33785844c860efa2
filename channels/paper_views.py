"""An officer's pages for walk-in paper ballots in bulk (a tally sheet: type or upload, check,
store) and for correcting one (under /staff/: a second factor; the officer posted at the office
or a district officer of its 구, as the single walk-in page).

The sheet page is not wrapped in the request's transaction: each line is stored (and committed)
on its own, so a refused line never undoes the stored ones (``channels.paper``).
"""

import secrets

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from channels.paper import MAX_SHEET_BYTES
from channels.paper import correct_paper_ballot
from channels.paper import decode_sheet
from channels.paper import enter_paper_sheet
from channels.paper import parse_sheet
from channels.paper_forms import PaperCorrectionForm
from channels.paper_forms import PaperSheetConfirmForm
from channels.paper_forms import PaperSheetForm
from channels.services import ChannelError
from channels.views import OfficeMixin
from voting.selectors import get_ballot_limits
from voting.selectors import list_ballot_proposals
from voting.shared import BallotRefusedError

# One-time tokens of the checked sheets waiting for "store": a sheet is stored once, so
# reloading the result page (the browser posts again) stores nothing twice.
SHEET_TOKENS_SESSION = "channels_paper_sheet_tokens"


class OfficeScopeMixin(OfficeMixin):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.scope = get_object_or_404(self.cycle.scopes, pk=kwargs["scope_pk"])
        self.proposals = list_ballot_proposals(scope=self.scope)
        self.limits = get_ballot_limits(scope=self.scope, proposals=self.proposals)

    def page_context(self, **extra):
        return {
            "office": self.office,
            "cycle": self.cycle,
            "scope": self.scope,
            "proposals": self.proposals,
            "limits": self.limits,
        } | extra


@method_decorator([never_cache, transaction.non_atomic_requests], name="dispatch")
class PaperSheetView(OfficeScopeMixin, View):
    """Step 1: type or upload the sheet. Step 2 (``step=check``): every line checked, nothing
    stored. Step 3 (``step=store``): stored line by line, with the outcome of each."""

    template_name = "channels/paper_sheet.html"

    def render_page(self, *, status=200, **context):
        return render(self.request, self.template_name, self.page_context(**context), status=status)

    def get(self, request, office_pk, slug, scope_pk):
        return self.render_page(form=PaperSheetForm())

    def post(self, request, office_pk, slug, scope_pk):
        if request.POST.get("step") == "store":
            return self.store(request)
        return self.check(request)

    def check(self, request):
        form = PaperSheetForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form=form, status=400)
        try:
            upload = form.cleaned_data["file"]
            if upload:  # never more than the limit is read (a longer file is refused)
                text = decode_sheet(upload.read(MAX_SHEET_BYTES + 1))
            else:
                text = form.cleaned_data["sheet"]
            rows = parse_sheet(text=text, scope=self.scope)
        except ChannelError as error:
            form.add_error("file" if form.cleaned_data["file"] else "sheet", error.message)
            return self.render_page(form=form, status=400)
        ready = [row for row in rows if row.is_ready]
        token = secrets.token_urlsafe(16)
        tokens = request.session.get(SHEET_TOKENS_SESSION, [])[-9:]
        request.session[SHEET_TOKENS_SESSION] = [*tokens, token]
        pending = "\n".join(row.text for row in rows if row.error)
        confirm = PaperSheetConfirmForm(
            initial={
                "sheet": "\n".join(row.text for row in ready),
                "pending": pending,
                "token": token,
            }
        )
        return self.render_page(
            preview=rows,
            ready=len(ready),
            refused=len(rows) - len(ready),
            confirm=confirm,
            form=PaperSheetForm(initial={"sheet": pending}),
        )

    def store(self, request):
        confirm = PaperSheetConfirmForm(request.POST)
        if not confirm.is_valid():
            messages.error(request, _("The checked sheet was not sent. Please check it again."))
            return self.render_page(form=PaperSheetForm(), status=400)
        tokens = request.session.get(SHEET_TOKENS_SESSION, [])
        token = confirm.cleaned_data["token"]
        if token not in tokens:
            messages.warning(
                request,
                _(
                    "This sheet was already stored (or its check expired); nothing was stored "
                    "again. Check the sheet again to enter more lines."
                ),
            )
            return redirect(request.path)
        request.session[SHEET_TOKENS_SESSION] = [t for t in tokens if t != token]
        try:
            report = enter_paper_sheet(
                officer=request.user,
                office=self.office,
                scope=self.scope,
                text=confirm.cleaned_data["sheet"],
            )
        except ChannelError as error:
            messages.error(request, error.message)
            return self.render_page(form=PaperSheetForm(), status=400)
        to_fix = "\n".join(filter(None, [confirm.cleaned_data["pending"], report.to_fix]))
        return self.render_page(
            report=report, to_fix=to_fix, form=PaperSheetForm(initial={"sheet": to_fix})
        )


@method_decorator(never_cache, name="dispatch")
class PaperCorrectionView(OfficeScopeMixin, View):
    """Correct a walk-in paper ballot entered at this office: the whole ballot typed again."""

    template_name = "channels/paper_correction.html"

    def render_form(self, form, *, status=200):
        context = self.page_context(form=form)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, office_pk, slug, scope_pk):
        return self.render_form(PaperCorrectionForm(proposals=self.proposals, limits=self.limits))

    def post(self, request, office_pk, slug, scope_pk):
        form = PaperCorrectionForm(request.POST, proposals=self.proposals, limits=self.limits)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            correct_paper_ballot(
                officer=request.user,
                office=self.office,
                census_ref=form.cleaned_data["census_ref"],
                scope=self.scope,
                choices=form.cleaned_choices,
                reason=form.cleaned_data["reason"],
            )
        except (ChannelError, BallotRefusedError) as error:
            form.add_error(None, error.message)
            return self.render_form(form, status=400)
        messages.success(
            request,
            _("The correction is stored; the earlier entry of this paper ballot no longer counts."),
        )
        return redirect(request.path)
