from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations: the request of a view behind a login, whose ``user`` is a ``User``."""

    user: User


class ProfileRequiredMixin(AccessMixin):
    """Log in first, then complete the resident profile, then take part."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not hasattr(request.user, "resident_profile"):
            messages.info(request, _("Please complete your resident profile to take part."))
            url = reverse("accounts:profile") + "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # the view's
