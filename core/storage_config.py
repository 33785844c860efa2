"""``STORAGES["default"]`` from the environment (read by the settings; no Django import here).

``CHAMYEO_STORAGE=file`` (the default): ``MEDIA_ROOT`` on this machine, for the demo and a single
node. ``CHAMYEO_STORAGE=s3``: an S3-compatible bucket shared by every node (MinIO, NCP Object
Storage, NHN Cloud, AWS) through django-storages, addressed by ``AWS_STORAGE_BUCKET_NAME``,
``AWS_S3_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_S3_REGION_NAME``
(ap-northeast-2, Seoul, by default) and optionally ``AWS_S3_CUSTOM_DOMAIN``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

STORAGE_CHOICES = ("file", "s3")


class StorageConfigError(ValueError):
    """CHAMYEO_STORAGE names no backend we know."""


def media_storage(environ: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The default storage's STORAGES entry, and the origins the browser is sent to for media
    (for CSP ``img-src``; empty for the file backend, whose files come from the site itself)."""
    choice = environ.get("CHAMYEO_STORAGE") or "file"
    if choice == "file":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}, []
    if choice != "s3":
        raise StorageConfigError(
            f"CHAMYEO_STORAGE must be one of {', '.join(STORAGE_CHOICES)}, not {choice!r}."
        )
    endpoint_url = environ.get("AWS_S3_ENDPOINT_URL") or None
    region = environ.get("AWS_S3_REGION_NAME") or "ap-northeast-2"
    custom_domain = environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    options = {
        "bucket_name": environ.get("AWS_STORAGE_BUCKET_NAME", ""),
        "endpoint_url": endpoint_url,
        "region_name": region,
        # None: boto3 looks further (an instance role, ~/.aws)
        "access_key": environ.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": environ.get("AWS_SECRET_ACCESS_KEY") or None,
        "custom_domain": custom_domain,
        # No ACL on upload: objects are as private as the bucket (private unless the city opens
        # it). Public files are reached through a signed link that expires (the media view
        # redirects to one), private ones only through the app after a permission check.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": int(environ.get("CHAMYEO_MEDIA_URL_EXPIRE") or 300),
        "signature_version": "s3v4",
        # MinIO and the Korean clouds' endpoints take path-style addresses
        "addressing_style": environ.get("AWS_S3_ADDRESSING_STYLE") or "path",
        # two residents' "photo.jpg" get two names, as on the file backend (never overwritten)
        "file_overwrite": False,
    }
    if custom_domain:
        origin = f"https://{custom_domain}"
    elif endpoint_url:
        parts = urlsplit(endpoint_url)
        origin = f"{parts.scheme}://{parts.netloc}"
    else:
        origin = f"https://s3.{region}.amazonaws.com"
    return {"BACKEND": "core.storage.S3MediaStorage", "OPTIONS": options}, [origin]
