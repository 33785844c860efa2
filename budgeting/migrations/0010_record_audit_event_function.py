"""budgeting_record_audit_event(): ``record_audit_event`` in SQL (PostgreSQL only), for writes that
run inside the database (the ballot function, voting.ballot_sql). The text lives next to the
Python writer in ``budgeting.audit`` (RECORD_AUDIT_EVENT_FUNCTION); this installs it. A later
change to the text is installed by a later migration (CREATE OR REPLACE); it must still fit this
schema, since a fresh database runs this migration with the current text."""

from django.db import migrations

from budgeting.audit import DROP_RECORD_AUDIT_EVENT_FUNCTION
from budgeting.audit import RECORD_AUDIT_EVENT_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RECORD_AUDIT_EVENT_FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_RECORD_AUDIT_EVENT_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("budgeting", "0009_exportfile_build_retries")]

    operations = [migrations.RunPython(create_function, drop_function)]
