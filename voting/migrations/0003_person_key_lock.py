"""budgeting_cast_ballot() with a 13th parameter, the person key: the participation lock is
taken on (person key, scope), so one person has one ballot per scope whatever the account or
channel (budgeting 0015 adds the column and its unique index). The 12-parameter function is
dropped (a different signature would be a second function beside it)."""

from django.db import migrations

from voting.ballot_sql import CAST_BALLOT_FUNCTION
from voting.ballot_sql import DROP_TWELVE_PARAMETER_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TWELVE_PARAMETER_FUNCTION)
        schema_editor.execute(CAST_BALLOT_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0002_receipt_with_the_participation"),
        ("budgeting", "0015_participation_person_key_and_channels"),
    ]

    operations = [migrations.RunPython(create_function, migrations.RunPython.noop)]
