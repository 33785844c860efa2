"""budgeting_cast_ballot() again, from voting.ballot_sql: the receipt is written to the voter's
participation (who voted, never what), no longer to the ballot, whose receipt column budgeting
0011 drops. Reversal installs the same text (0001's history is this module's text too)."""

from django.db import migrations

from voting.ballot_sql import CAST_BALLOT_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CAST_BALLOT_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0001_cast_ballot_function"),
        ("budgeting", "0011_receipts_apart_audit_chain"),
    ]

    operations = [migrations.RunPython(create_function, migrations.RunPython.noop)]
