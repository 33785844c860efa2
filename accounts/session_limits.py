"""Shorter sessions for staff and council members: 30 minutes without activity, 12 hours at most.

Residents' sessions are unchanged (Django's two weeks). A session is *limited* when its user is
staff, or was a council member when logging in, or opens a council page as one. The middleware
ends a limited session that has been idle longer than ``CHAMYEO_STAFF_SESSION_IDLE_SECONDS`` or
has lasted longer than ``CHAMYEO_STAFF_SESSION_MAX_SECONDS`` since the login, and sends the user
to the login page with a message (and back to where they were after it). Activity is written to
the session at most once a minute, so staff pages do not write a session row on every request.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from accounts.selectors import has_review_or_staff_role

STARTED_KEY = "chamyeo_session_started_at"
SEEN_KEY = "chamyeo_session_seen_at"
LIMITED_KEY = "chamyeo_session_limited"
SEEN_WRITE_EVERY = 60  # seconds


def mark_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: when this session began, and whether its user has a staff role."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[SEEN_KEY] = now
    request.session[LIMITED_KEY] = has_review_or_staff_role(user=user)


def connect_signals() -> None:
    user_logged_in.connect(mark_login, dispatch_uid="chamyeo_session_limits")


class StaffSessionLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.idle = settings.CHAMYEO_STAFF_SESSION_IDLE_SECONDS
        self.longest = settings.CHAMYEO_STAFF_SESSION_MAX_SECONDS
        self.role_prefixes = tuple(settings.CHAMYEO_MFA_REQUIRED_PREFIXES)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._is_limited(request):
            ended = self._check(request)
            if ended is not None:
                return ended
        return self.get_response(request)

    def _is_limited(self, request) -> bool:
        session = request.session
        if request.user.is_staff or session.get(LIMITED_KEY):
            return True
        if request.path.startswith(self.role_prefixes) and has_review_or_staff_role(
            user=request.user
        ):
            session[LIMITED_KEY] = True  # appointed to a council since logging in
            return True
        return False

    def _check(self, request):
        session = request.session
        now = time.time()
        started = session.setdefault(STARTED_KEY, now)
        seen = session.get(SEEN_KEY, now)
        if now - seen > self.idle:
            message = _(
                "For security, staff and council sessions end after %(minutes)d minutes "
                "without activity. Please log in again."
            ) % {"minutes": self.idle // 60}
        elif now - started > self.longest:
            message = _(
                "For security, staff and council sessions last at most %(hours)d hours. "
                "Please log in again."
            ) % {"hours": self.longest // 3600}
        else:
            if now - seen >= SEEN_WRITE_EVERY or SEEN_KEY not in session:
                session[SEEN_KEY] = now
            return None
        path = request.get_full_path()
        logout(request)
        messages.info(request, message)
        return redirect_to_login(path)
