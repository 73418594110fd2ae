"""On PostgreSQL the rule states and the hourly aggregates leave room in their pages for the next
version of a row: every delivery rewrites the states of its devices' rules and the hours it falls
in, and an updated row that fits on its own page is written without touching the indexes (a HOT
update; none of the updated columns is indexed). Full pages send every update through all the
table's indexes (500 states and 300 hours a delivery: about half their time). Pages already written
keep their fill until they are rewritten."""

from django.db import migrations

FILL = {"monitoring_rulestate": 50, "monitoring_readinghour": 70}


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, percent in FILL.items():
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")


def fill_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in FILL:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_default_partition")]

    operations = [migrations.RunPython(leave_room, fill_up)]
