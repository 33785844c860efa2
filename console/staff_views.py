"""The staff roles page (the budget office, with its second factor): who holds which role,
granting one to an existing account and revoking one, each with its reason (audited)."""

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

import console.roles  # noqa: F401  (registers console.manage_staff)
from accounts.models import User
from console.staff_forms import GrantForm
from console.staff_forms import StaffReasonForm
from console.staff_services import get_grant
from console.staff_services import grant_role
from console.staff_services import list_grants
from console.staff_services import list_staff_without_role
from console.staff_services import revoke_role


class StaffRolesView(PermissionRequiredMixin, View):
    permission_required = "console.manage_staff"
    template_name = "console/staff/roles.html"

    def render_page(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "grants": list_grants(),
                "without_role": list_staff_without_role(),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(GrantForm())

    def post(self, request):
        form = GrantForm(request.POST)
        if not form.is_valid():
            return self.render_page(form, status=400)
        data = form.cleaned_data
        person = data["email"]
        try:
            grant_role(
                actor=cast("User", request.user),
                person=person,
                role=data["role"],
                reason=data["reason"],
                district=data.get("district"),
                department=data.get("department"),
            )
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
            return self.render_page(form, status=400)
        messages.success(
            request,
            _(
                "%(email)s now holds the role. The next staff page they open asks them to set "
                "up an authenticator app first."
            )
            % {"email": person.email},
        )
        return redirect("console:staff-roles")


class StaffRoleRevokeView(PermissionRequiredMixin, View):
    permission_required = "console.manage_staff"
    template_name = "console/staff/revoke.html"

    def get_grant(self):
        grant = get_grant(self.kwargs["key"])
        if grant is None:
            raise Http404
        return grant

    def render_page(self, grant, form, status=200):
        return render(
            self.request, self.template_name, {"grant": grant, "form": form}, status=status
        )

    def get(self, request, key):
        return self.render_page(self.get_grant(), StaffReasonForm())

    def post(self, request, key):
        grant = self.get_grant()
        form = StaffReasonForm(request.POST)
        if not form.is_valid():
            return self.render_page(grant, form, status=400)
        try:
            revoke_role(
                actor=cast("User", request.user), grant=grant, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
            return self.render_page(self.get_grant(), form, status=400)
        messages.success(request, _("The role is revoked."))
        return redirect("console:staff-roles")
