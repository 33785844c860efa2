"""``manage.py restore DIR [--database-url URL] [--no-media]``: a backup of ``manage.py backup``
into an EMPTY database (DATABASE_URL's, or URL) and the configured storage, every SHA-256
checked (see core/backup.py). Run ``manage.py migrate`` afterwards if the code is newer."""

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser
from django.db import connection

from core.backup import BackupError
from core.backup import Database
from core.backup import restore_backup


class Command(BaseCommand):
    help = "Restore a backup into an empty database and the configured storage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="a directory written by manage.py backup")
        parser.add_argument("--database-url", help="restore into this database instead")
        parser.add_argument(
            "--no-media", action="store_true", help="the database only (files restored apart)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database = (
            Database.from_url(options["database_url"])
            if options["database_url"]
            else Database.from_settings(connection.settings_dict)
        )
        try:
            counts = restore_backup(
                directory=Path(options["directory"]),
                database=database,
                storage=None if options["no_media"] else default_storage,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored into {database.name}: {counts['written']} files written, "
            f"{counts['present']} already there"
        )
