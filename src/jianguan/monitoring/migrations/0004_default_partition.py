"""On PostgreSQL the reading table gets a default partition, so that a reading of a month whose
partition does not exist yet (the application role may not create tables) is stored all the same."""

from django.db import migrations


def default_partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TABLE IF NOT EXISTS monitoring_reading_default PARTITION OF monitoring_reading DEFAULT"
        )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0003_detections")]

    operations = [migrations.RunPython(default_partition, migrations.RunPython.noop)]
