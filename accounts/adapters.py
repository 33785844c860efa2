from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Residents without a profile are asked to complete it before anything else."""

    def _profile_first(self, request, default):
        user = request.user
        if user.is_authenticated and not hasattr(user, "resident_profile"):
            return reverse("accounts:profile")
        return default

    def get_login_redirect_url(self, request):
        return self._profile_first(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request):
        return self._profile_first(request, super().get_signup_redirect_url(request))
