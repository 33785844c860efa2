from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from notifications.services import language_of


class AccountAdapter(DefaultAccountAdapter):
    """Residents without a profile are asked to complete it before anything else; account
    e-mails go out in the resident's e-mail language."""

    def _profile_first(self, request, default):
        user = request.user
        if user.is_authenticated and not hasattr(user, "resident_profile"):
            return reverse("accounts:profile")
        return default

    def get_login_redirect_url(self, request):
        return self._profile_first(request, super().get_login_redirect_url(request))

    def get_signup_redirect_url(self, request):
        return self._profile_first(request, super().get_signup_redirect_url(request))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render in the language the resident chose for e-mails (their profile), whatever the
        page's language; someone without a profile yet (signing up) gets the page's language."""
        user = context.get("user")
        if not isinstance(user, User):
            user = (
                User.objects.select_related("resident_profile").filter(email__iexact=email).first()
            )
        if user is None or getattr(user, "resident_profile", None) is None:
            super().send_mail(template_prefix, email, context)
            return
        with translation.override(language_of(user)):
            super().send_mail(template_prefix, email, context)
