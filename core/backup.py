"""Back up and restore an installation: the PostgreSQL database (``pg_dump`` custom format) and
every file of the storage (uploads and published downloads), with a manifest of SHA-256s.

A backup is a directory::

    database.dump    pg_dump --format=custom --no-owner --no-privileges
    media.tar        every file of STORAGES["default"] (local disk or the bucket), by its name
    manifest.json    when, which database, each file's size and SHA-256

``restore_backup`` loads the dump into an EMPTY database (it refuses one with tables: nothing is
overwritten) and puts the files back into the configured storage, checking every SHA-256, so a
published download is restored byte for byte or the restore fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from urllib.parse import urlsplit

import psycopg
from django.core.files.base import ContentFile
from django.core.files.storage import Storage

DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"
# what the storage health check writes and deletes: never part of a backup
SKIPPED_PREFIXES = ("health_check_storage_test/",)


class BackupError(Exception):
    """The backup or the restore cannot go on (the message says why)."""


@dataclass(frozen=True)
class Database:
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> Database:
        if settings_dict["ENGINE"] != "django.db.backends.postgresql":
            raise BackupError("Backups need PostgreSQL (DATABASE_URL=postgres://...).")
        return cls(
            name=str(settings_dict["NAME"]),
            user=str(settings_dict.get("USER") or ""),
            password=str(settings_dict.get("PASSWORD") or ""),
            host=str(settings_dict.get("HOST") or ""),
            port=str(settings_dict.get("PORT") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> Database:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql"}:
            raise BackupError("The database to restore into must be a postgres:// URL.")
        return cls(
            name=unquote(parts.path.lstrip("/")),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname or "",
            port=str(parts.port or ""),
        )

    def client_arguments(self) -> list[str]:
        arguments = []
        if self.host:
            arguments += ["--host", self.host]
        if self.port:
            arguments += ["--port", self.port]
        if self.user:
            arguments += ["--username", self.user]
        return arguments

    def client_environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        if self.password:
            environment["PGPASSWORD"] = self.password
        return environment

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
            connect_timeout=10,
        )


def _run(command: list[str], database: Database) -> None:
    result = subprocess.run(  # noqa: S603 (pg_dump / pg_restore with our own arguments)
        command,
        env=database.client_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def stored_names(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in ``storage`` (recursively), in a stable order."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # a file storage whose MEDIA_ROOT was never written to
        return
    for name in sorted(files):
        path = f"{directory}/{name}" if directory else name
        if not path.startswith(SKIPPED_PREFIXES):
            yield path
    for sub in sorted(directories):
        path = f"{directory}/{sub}" if directory else sub
        if not f"{path}/".startswith(SKIPPED_PREFIXES):
            yield from stored_names(storage, path)


def create_backup(*, database: Database, storage: Storage, directory: Path) -> dict[str, Any]:
    """Write a backup into the new directory ``directory``; returns its manifest."""
    directory.mkdir(parents=True, exist_ok=False)
    _run(
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *database.client_arguments(),
            "--file",
            str(directory / DUMP),
            database.name,
        ],
        database,
    )
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(directory / MEDIA, "w") as archive:
        for name in stored_names(storage):
            with storage.open(name, "rb") as stored:
                content = stored.read()
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, io.BytesIO(content))
            files[name] = {"size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    manifest = {
        "format": 1,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database.name,
        "database_sha256": hashlib.sha256((directory / DUMP).read_bytes()).hexdigest(),
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return manifest


def _read_manifest(directory: Path) -> dict[str, Any]:
    for name in (DUMP, MEDIA, MANIFEST):
        if not (directory / name).is_file():
            raise BackupError(f"{directory} is not a backup: {name} is missing.")
    manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text())
    digest = hashlib.sha256((directory / DUMP).read_bytes()).hexdigest()
    if digest != manifest["database_sha256"]:
        raise BackupError(f"{DUMP} does not match the manifest (damaged or replaced).")
    return manifest


def _ensure_empty(database: Database) -> None:
    with database.connect() as connection:
        tables = connection.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    if tables and tables[0]:
        raise BackupError(
            f"The database {database.name} is not empty ({tables[0]} tables): restore into a "
            "new, empty database (createdb), then point DATABASE_URL at it."
        )


def restore_backup(
    *, directory: Path, database: Database, storage: Storage | None
) -> dict[str, int]:
    """Load ``directory`` into the empty ``database`` and, unless ``storage`` is None, its files
    into ``storage``. Returns how many files were written and how many were already there."""
    manifest = _read_manifest(directory)
    # check every file before changing anything
    contents: dict[str, bytes] = {}
    with tarfile.open(directory / MEDIA, "r") as archive:
        for member in archive.getmembers():
            extracted = archive.extractfile(member)
            if extracted is None:
                continue
            content = extracted.read()
            expected = manifest["files"].get(member.name)
            if expected is None or hashlib.sha256(content).hexdigest() != expected["sha256"]:
                raise BackupError(f"{member.name} in {MEDIA} does not match the manifest.")
            contents[member.name] = content
    missing = set(manifest["files"]) - set(contents)
    if missing:
        raise BackupError(f"{MEDIA} lacks {len(missing)} files of the manifest.")
    _ensure_empty(database)
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *database.client_arguments(),
            "--dbname",
            database.name,
            str(directory / DUMP),
        ],
        database,
    )
    written = present = 0
    if storage is not None:
        for name, content in contents.items():
            if storage.exists(name):
                with storage.open(name, "rb") as stored:
                    if (
                        hashlib.sha256(stored.read()).hexdigest()
                        != manifest["files"][name]["sha256"]
                    ):
                        raise BackupError(f"{name} exists in the storage with other content.")
                present += 1
                continue
            saved = storage.save(name, ContentFile(content))
            if saved != name:  # the storage renamed it: the database would not find it
                storage.delete(saved)
                raise BackupError(f"The storage would not keep the name {name}.")
            written += 1
    return {"written": written, "present": present}
