"""Events are written unsealed and chained after their transaction commits (no writer waits on another)."""

from django.db import migrations, models

from jianguan.audit.migrations._append_only import (
    PG_FORWARD,
    PG_SEALABLE,
    SQLITE_BACKWARD,
    SQLITE_FORWARD,
    SQLITE_SEALABLE,
)


def _sqlite(schema_editor, statements):
    if schema_editor.connection.vendor == "sqlite":
        for statement in statements:
            schema_editor.execute(statement)


def drop_sqlite_triggers(apps, schema_editor):
    # Rebuilding the table (SQLite's way to alter a column) would drop them anyway.
    _sqlite(schema_editor, SQLITE_BACKWARD)


def allow_sealing(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_SEALABLE)
    _sqlite(schema_editor, SQLITE_SEALABLE)


def refuse_every_update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(PG_FORWARD)
    _sqlite(schema_editor, SQLITE_BACKWARD)


def restore_sqlite_triggers(apps, schema_editor):
    _sqlite(schema_editor, SQLITE_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_keyed_chain")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, restore_sqlite_triggers),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["id"], "verbose_name": "audit event", "verbose_name_plural": "audit events"},
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True, unique=True, verbose_name="sequence"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unsealed_idx"),
        ),
        migrations.RunPython(allow_sealing, refuse_every_update),
    ]
