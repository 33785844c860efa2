"""``/media/<name>``: every uploaded image and published download, on any storage backend.

Django serves media only with DEBUG on, and on several nodes no local disk holds every file. So
the app answers ``/media/`` itself, in every environment: it finds which record owns the file,
checks that the visitor may see that record (a draft proposal's image is its author's alone), then

- for a public file in an S3 bucket: redirects to a signed link that expires (the bytes never
  pass through Python);
- for a public file on the file backend with ``CHAMYEO_MEDIA_ACCEL_REDIRECT`` set: answers with
  ``X-Accel-Redirect`` and nginx sends the file from its internal location;
- otherwise (a private file, or no nginx): streams the file from the storage.

A name no record owns is a 404, as is one the visitor may not see (nothing tells them it exists).
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import quote

import rules
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.http import Http404
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from budgeting.models import ExportFile
from budgeting.models import ImplementationPhoto
from core.storage import direct_url
from proposals.models import Proposal
from proposals.selectors import get_proposal_for_viewer

PUBLIC_MAX_AGE = 60 * 60
SIGNED_REDIRECT_MAX_AGE = 60  # well inside CHAMYEO_MEDIA_URL_EXPIRE


def _proposal_image_visible(user, proposal: Proposal) -> bool:
    if get_proposal_for_viewer(pk=proposal.pk, user=user) is None:
        return False
    if proposal.hidden_at is not None and not user.is_staff:
        return False  # the page shows a hidden proposal's notice, never its content
    return bool(rules.has_perm("budgeting.view_cycle", user, proposal.cycle))


def may_see(user, name: str) -> bool | None:
    """Whether ``user`` may see the stored file ``name``; None when no record owns it."""
    proposal = Proposal.objects.select_related("cycle").filter(image=name).first()
    if proposal is not None:
        return _proposal_image_visible(user, proposal)
    photo = (
        ImplementationPhoto.objects.select_related("update__proposal__cycle")
        .filter(image=name)
        .first()
    )
    if photo is not None:
        proposal = photo.update.proposal
        return bool(
            rules.has_perm("implementation.view_accountability", user, proposal.cycle)
        ) and _proposal_image_visible(user, proposal)
    export = ExportFile.objects.select_related("tally_run").filter(file=name).first()
    if export is not None:
        return (
            export.status == ExportFile.Status.SUCCEEDED
            and export.tally_run.published_at is not None
        )
    return None


def _clean_name(path: str) -> str:
    name = posixpath.normpath(path).lstrip("/")
    if name in {"", "."} or name.startswith("..") or "\\" in name or "\x00" in name:
        raise Http404
    return name


@require_safe
def media_view(request, path: str) -> HttpResponseBase:
    name = _clean_name(path)
    if not may_see(request.user, name):
        raise Http404
    public = bool(may_see(AnonymousUser(), name))
    if public:
        link = direct_url(default_storage, name)
        if link is not None:
            response: HttpResponseBase = HttpResponseRedirect(link)
            response["Cache-Control"] = f"public, max-age={SIGNED_REDIRECT_MAX_AGE}"
            return response
        if settings.CHAMYEO_MEDIA_ACCEL_REDIRECT:
            response = HttpResponse()
            response["X-Accel-Redirect"] = (
                settings.CHAMYEO_MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(name)
            )
            response["Content-Type"] = mimetypes.guess_type(name)[0] or "application/octet-stream"
            response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
            return response
    try:
        stream = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(stream, content_type=mimetypes.guess_type(name)[0])
    response["Cache-Control"] = (
        f"public, max-age={PUBLIC_MAX_AGE}" if public else "private, no-store"
    )
    return response
