"""manage.py backup / restore: a published cycle backed up, restored into a fresh database of its
own and a fresh storage, gives the same published fingerprints and the same files, byte for byte.
On the file backend and on an S3 bucket (the S3 test server)."""

import hashlib
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection

from budgeting.models import ExportFile
from budgeting.models import TallyRun
from budgeting.phases import Phase
from core.backup import MANIFEST
from core.backup import stored_names
from core.storage_config import media_storage
from results.services.counting import tally_scope
from results.services.exports import build_export_file
from results.services.publication import publish_results
from tests.proposals.factories import ProposalFactory
from tests.proposals.factories import image_bytes
from tests.results.factories import cast_ballots
from tests.results.factories import make_cycle
from tests.results.factories import make_scope

# pg_dump reads what is committed: these tests commit (and the tables are emptied after).
pytestmark = pytest.mark.django_db(transaction=True)

PUBLISHED = """
SELECT r.id, r.rule, r.fingerprint, r.ballot_count, e.kind, e.sha256, e.file
FROM budgeting_tallyrun r JOIN budgeting_exportfile e ON e.tally_run_id = r.id
WHERE r.published_at IS NOT NULL ORDER BY r.id, e.kind
"""


def _server(**overrides) -> dict:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"] or None,
        "password": db["PASSWORD"] or None,
        **overrides,
    }


@pytest.fixture
def fresh_database():
    """A new, empty database named after the test database; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    server = _server()
    yield name, f"postgres://{server['user'] or ''}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **_server()) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _publish_a_cycle(staff_user) -> None:
    cycle = make_cycle(phase=Phase.TALLYING, tally_rule="mes")
    scope, (a, b, c, d) = make_scope(
        cycle=cycle, budget_won=1_000_000, costs=[600_000, 400_000, 300_000, 500_000]
    )
    cast_ballots(scope=scope, ballots=[[a, b]] * 6 + [[c]] * 3 + [[d]])
    tally_scope(scope_id=scope.pk)
    publish_results(cycle_id=cycle.pk, actor=staff_user)
    for export in ExportFile.objects.all():
        build_export_file(export_file_id=export.pk)
    ProposalFactory(scope=scope).image.save(
        "그늘막.jpg", ContentFile(image_bytes("JPEG", color=(5, 90, 160)))
    )


def _published(dbname: str) -> list[tuple]:
    with psycopg.connect(dbname=dbname, **_server()) as restored:
        return restored.execute(PUBLISHED).fetchall()


def _files() -> dict[str, str]:
    out = {}
    for name in stored_names(default_storage):
        with default_storage.open(name, "rb") as stored:
            out[name] = hashlib.sha256(stored.read()).hexdigest()
    return out


@pytest.mark.parametrize("backend", ["file", "s3"])
def test_a_backup_restores_into_a_fresh_database_with_the_same_fingerprints(
    backend, request, settings, tmp_path, staff_user, fresh_database
):
    if backend == "s3":
        request.getfixturevalue("s3_storage")
    _publish_a_cycle(staff_user)
    original = _published(connection.settings_dict["NAME"])
    assert len(original) == 3  # the official count's three downloads
    runs = TallyRun.objects.filter(published_at__isnull=False)
    files = _files()
    assert {row[5] for row in original} <= set(files.values())  # every download is stored

    call_command("backup", output=str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    assert sorted(p.name for p in backup.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar",
    ]

    # a new machine: an empty database of its own and an empty storage
    if backend == "s3":
        environment = {
            **request.getfixturevalue("s3_environment"),
            "AWS_STORAGE_BUCKET_NAME": "chamyeo-restored",
        }
        client, _bucket = request.getfixturevalue("s3_bucket")
        client.create_bucket(
            Bucket="chamyeo-restored",
            CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"},
        )
        settings.STORAGES = {**settings.STORAGES, "default": media_storage(environment)[0]}
    else:
        settings.MEDIA_ROOT = tmp_path / "restored-media"
    assert _files() == {}
    name, url = fresh_database

    call_command("restore", str(backup), database_url=url)

    assert _published(name) == original
    assert {r.fingerprint for r in runs} == {row[2] for row in _published(name)}
    assert _files() == files  # every file, byte for byte, under its name
    for _run, _rule, fingerprint, _n, kind, sha256, file_name in _published(name):
        assert files[file_name] == sha256
        if kind == "pb":
            assert sha256 == fingerprint  # the .pb hashes to the published fingerprint


def test_restore_refuses_a_database_that_is_not_empty(tmp_path, staff_user):
    _publish_a_cycle(staff_user)
    call_command("backup", output=str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    before = _published(connection.settings_dict["NAME"])

    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup))  # into the running installation's own database

    assert _published(connection.settings_dict["NAME"]) == before


def test_restore_refuses_a_damaged_backup(tmp_path, staff_user, fresh_database):
    _publish_a_cycle(staff_user)
    call_command("backup", output=str(tmp_path / "backups"))
    (backup,) = (tmp_path / "backups").iterdir()
    manifest = (backup / MANIFEST).read_text()
    (backup / MANIFEST).write_text(manifest.replace('"sha256": "', '"sha256": "0', 1))
    name, url = fresh_database

    with pytest.raises(CommandError, match="does not match the manifest"):
        call_command("restore", str(backup), database_url=url)

    with psycopg.connect(dbname=name, **_server()) as restored:
        tables = restored.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)  # nothing was loaded
    assert Path(backup / "database.dump").stat().st_size > 0
