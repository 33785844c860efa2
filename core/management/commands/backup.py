"""``manage.py backup --output DIR``: the database (pg_dump) and every stored file, with a
manifest of SHA-256s, into a new directory DIR/<UTC time>/ (see core/backup.py)."""

from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser
from django.db import connection

from core.backup import BackupError
from core.backup import Database
from core.backup import create_backup


class Command(BaseCommand):
    help = "Back up the database (pg_dump, custom format) and the storage's files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="where the backup directory goes")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["output"]) / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        try:
            manifest = create_backup(
                database=Database.from_settings(connection.settings_dict),
                storage=default_storage,
                directory=directory,
            )
        except (BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{directory} ({len(manifest['files'])} files)")
