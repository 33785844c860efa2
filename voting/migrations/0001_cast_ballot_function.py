"""budgeting_cast_ballot() from voting.ballot_sql, the one place its SQL lives: the version that
writes its audit events and receipt e-mail through budgeting_record_audit_event() and
notifications_enqueue_email(). It replaces (CREATE OR REPLACE, same name and signature) the
version budgeting 0007 installed, which stays as history and comes back on reversal.

It is voting's migration, not budgeting's, because budgeting may not import voting (the app
order in pyproject.toml's import contracts). A later change to the text is installed by a later
migration; it must still fit this schema, since a fresh database runs this one with the current
text."""

from importlib import import_module

from django.db import migrations

from voting.ballot_sql import CAST_BALLOT_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CAST_BALLOT_FUNCTION)


def restore_first_version(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        first = import_module("budgeting.migrations.0007_cast_ballot_function")
        schema_editor.execute(first.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("budgeting", "0007_cast_ballot_function"),
        ("budgeting", "0010_record_audit_event_function"),
        ("notifications", "0003_enqueue_email_function"),
    ]

    operations = [migrations.RunPython(create_function, restore_first_version)]
