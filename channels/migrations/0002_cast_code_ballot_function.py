"""channels_cast_code_ballot(), from channels.code_ballot_sql: a code is checked and spent and its
ballot stored (through budgeting_cast_ballot, installed by voting 0003) in one statement.
Reversal drops it (vote_with_code then needs the ORM's steps)."""

from django.db import migrations

from channels.code_ballot_sql import CAST_CODE_BALLOT_FUNCTION

DROP_FUNCTION = (
    "DROP FUNCTION IF EXISTS channels_cast_code_ballot(bigint, boolean, bigint, bigint, text, "
    "timestamptz, text, text, uuid, text, bigint[], integer[], jsonb, jsonb, text)"
)


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CAST_CODE_BALLOT_FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("voting", "0003_person_key_lock"),
    ]

    operations = [migrations.RunPython(create_function, drop_function)]
