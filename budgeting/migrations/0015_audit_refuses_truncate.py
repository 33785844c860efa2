"""The audit log refuses TRUNCATE as it refuses UPDATE and DELETE (``budgeting.audit``)."""

from django.db import migrations

from budgeting.audit import DROP_REFUSE_AUDIT_TRUNCATE_SQL
from budgeting.audit import REFUSE_AUDIT_TRUNCATE_SQL


class Migration(migrations.Migration):
    dependencies = [
        ("budgeting", "0014_merge_ranked_ballots"),
    ]

    operations = [
        migrations.RunSQL(REFUSE_AUDIT_TRUNCATE_SQL, DROP_REFUSE_AUDIT_TRUNCATE_SQL),
    ]
