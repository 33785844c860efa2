"""The audit log refuses TRUNCATE as it refuses UPDATE and DELETE (``budgeting.audit``).

PostgreSQL only: the demo's SQLite has no triggers of this kind (nor TRUNCATE).
"""

from django.db import migrations

from budgeting.audit import DROP_REFUSE_AUDIT_TRUNCATE_SQL
from budgeting.audit import REFUSE_AUDIT_TRUNCATE_SQL


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_AUDIT_TRUNCATE_SQL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_REFUSE_AUDIT_TRUNCATE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("budgeting", "0014_merge_ranked_ballots"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
