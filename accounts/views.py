from typing import cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from accounts.dashboard import build_dashboard_sections
from accounts.exceptions import ProfileError
from accounts.forms import ResidentCsvForm
from accounts.forms import ResidentProfileForm
from accounts.mixins import ProfileRequiredMixin
from accounts.models import ResidentProfile
from accounts.models import User
from accounts.selectors import get_resident_profile
from accounts.services import MAX_CSV_BYTES
from accounts.services import update_resident_profile
from accounts.services import verify_resident
from accounts.services import verify_residents_from_csv
from budgeting.models import CouncilMembership


class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile_form.html"

    def get(self, request):
        form = ResidentProfileForm(instance=get_resident_profile(user=request.user))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        profile = get_resident_profile(user=request.user)
        form = ResidentProfileForm(request.POST, instance=profile)
        if form.is_valid():
            try:
                update_resident_profile(user=request.user, **form.cleaned_data)
            except ProfileError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your profile is saved."))
                next_url = request.GET.get("next", "")
                if url_has_allowed_host_and_scheme(
                    next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(next_url)
                return redirect("accounts:dashboard")
        return render(request, self.template_name, {"form": form}, status=400)


class DashboardView(ProfileRequiredMixin, TemplateView):
    """My participation: the resident's profile and roles, their e-mail settings, and the
    sections the other apps register (proposals, ballots, endorsements, followed projects)."""

    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["profile"] = get_resident_profile(user=self.request.user)
        user = cast("User", self.request.user)  # ProfileRequiredMixin: logged in
        context["memberships"] = CouncilMembership.objects.filter(user=user).select_related(
            "cycle", "policy_area"
        )
        context["sections"] = build_dashboard_sections(user=user)
        return context


class ResidentListView(PermissionRequiredMixin, View):
    """Staff: residents, with one-by-one verification."""

    permission_required = "accounts.verify_residents"
    template_name = "accounts/staff_residents.html"

    def get(self, request):
        profiles = ResidentProfile.objects.select_related("user", "district").order_by(
            "verified_at", "-created_at"
        )
        query = request.GET.get("q", "").strip()
        if query:
            profiles = profiles.filter(user__email__icontains=query) | profiles.filter(
                display_name__icontains=query
            )
        page = Paginator(profiles, 50).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {"page_obj": page, "query": query, "csv_form": ResidentCsvForm()},
        )


class VerifyResidentView(PermissionRequiredMixin, View):
    permission_required = "accounts.verify_residents"

    def post(self, request, pk):
        profile = get_object_or_404(ResidentProfile, pk=pk)
        if verify_resident(profile=profile, actor=request.user):
            messages.success(request, _("%(name)s is now verified.") % {"name": profile})
        else:
            messages.info(request, _("%(name)s was already verified.") % {"name": profile})
        return redirect("accounts:staff-residents")


class VerifyResidentsCsvView(PermissionRequiredMixin, View):
    permission_required = "accounts.verify_residents"
    template_name = "accounts/staff_verify_csv.html"

    def get(self, request):
        return render(request, self.template_name, {"form": ResidentCsvForm()})

    def post(self, request):
        form = ResidentCsvForm(request.POST, request.FILES)
        report = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_CSV_BYTES:
                form.add_error("file", _("The file is larger than 2 MB. Please split it."))
            else:
                try:
                    report = verify_residents_from_csv(raw=upload.read(), actor=request.user)
                except ProfileError as exc:
                    form.add_error("file", exc.message)
        status = 200 if report else 400
        return render(request, self.template_name, {"form": form, "report": report}, status=status)
