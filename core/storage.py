"""Where uploads and published downloads are kept (``STORAGES["default"]``, see settings).

Every link the app prints is ``MEDIA_URL`` + the file's name, whatever the backend: the media
view (``config.media``) checks who may see the file, then streams it or, for a public object in
a bucket, redirects to a signed link that expires. So pages stay cacheable (their links never
expire) and nothing in the bucket needs to be public.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import Storage
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class S3MediaStorage(S3Storage):  # type: ignore[misc]  # django-storages ships no annotations
    """An S3-compatible bucket whose links go through the app (``url``); ``direct_url`` signs."""

    def url(
        self,
        name: str,
        parameters: dict[str, Any] | None = None,
        expire: int | None = None,
        http_method: str | None = None,
    ) -> str:
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def direct_url(self, name: str) -> str:
        """A link to the object itself: signed, valid CHAMYEO_MEDIA_URL_EXPIRE seconds (or the
        custom domain's link when AWS_S3_CUSTOM_DOMAIN is set)."""
        url: str = super().url(name)
        return url


def direct_url(storage: Storage, name: str) -> str | None:
    """The storage's own link to ``name`` when it has one the browser can follow, else None."""
    if isinstance(storage, S3MediaStorage):
        return storage.direct_url(name)
    return None
