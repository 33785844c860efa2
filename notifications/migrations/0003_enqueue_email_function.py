"""notifications_enqueue_email(): ``enqueue_email`` in SQL (PostgreSQL only), for writes that run
inside the database (the ballot function). The text lives next to the Python writer in
``notifications.services`` (ENQUEUE_EMAIL_FUNCTION); this installs it. A later change to the text
is installed by a later migration (CREATE OR REPLACE); it must still fit this schema, since a
fresh database runs this migration with the current text."""

from django.db import migrations

from notifications.services import DROP_ENQUEUE_EMAIL_FUNCTION
from notifications.services import ENQUEUE_EMAIL_FUNCTION


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ENQUEUE_EMAIL_FUNCTION)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_ENQUEUE_EMAIL_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_announcement")]

    operations = [migrations.RunPython(create_function, drop_function)]
