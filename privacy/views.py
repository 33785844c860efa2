"""The privacy policy (처리방침) and a resident's own data: consents, download, deletion."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.consents import OPTIONAL_TERMS
from accounts.consents import POLICY_VERSION
from accounts.consents import TERMS
from accounts.selectors import get_current_consents
from accounts.services import change_optional_consent
from core.retention import list_retention_rules
from privacy.forms import DeleteAccountForm
from privacy.forms import OptionalConsentsForm
from privacy.selectors import build_personal_data
from privacy.services import PrivacyError
from privacy.services import delete_account


class PolicyView(TemplateView):
    template_name = "privacy/policy.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "terms": TERMS,
                "retention_rules": list_retention_rules(),
                "policy_version": POLICY_VERSION,
                "privacy_contact": settings.CHAMYEO_PRIVACY_CONTACT,
                "city_name": settings.CHAMYEO_CITY_NAME,
            }
        )
        return context


class MyDataView(LoginRequiredMixin, View):
    template_name = "privacy/my_data.html"

    def render_page(self, request, *, consents_form=None, delete_form=None, status=200):
        current = get_current_consents(user=request.user)
        if consents_form is None:
            consents_form = OptionalConsentsForm(
                initial={
                    terms.purpose: current.get(terms.purpose, False) for terms in OPTIONAL_TERMS
                }
            )
        return render(
            request,
            self.template_name,
            {
                "consents_form": consents_form,
                "delete_form": delete_form or DeleteAccountForm(user=request.user),
                "current_consents": current,
                "terms": TERMS,
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(request)


class DownloadView(LoginRequiredMixin, View):
    def get(self, request):
        document = json.dumps(
            build_personal_data(user=request.user), ensure_ascii=False, indent=2
        ).encode("utf-8")
        response = HttpResponse(document, content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="chamyeo-my-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response


class ConsentsView(MyDataView):
    def post(self, request):
        form = OptionalConsentsForm(request.POST)
        if not form.is_valid():  # check boxes: never invalid, but keep the contract
            return self.render_page(request, consents_form=form, status=400)
        changed = [
            purpose
            for purpose, granted in form.cleaned_data.items()
            if change_optional_consent(user=request.user, purpose=purpose, granted=granted)
        ]
        if changed:
            messages.success(request, _("Your consents are saved."))
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("privacy:my-data")


class DeleteAccountView(MyDataView):
    def post(self, request):
        form = DeleteAccountForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render_page(request, delete_form=form, status=400)
        try:
            delete_account(user=request.user)
        except PrivacyError as error:
            form.add_error(None, error.message)
            return self.render_page(request, delete_form=form, status=400)
        logout(request)
        messages.success(
            request,
            _(
                "Your account is deleted and your personal data erased. Your public proposals "
                "and comments now show “Former resident”."
            ),
        )
        return redirect("home")
