"""On PostgreSQL the reading table becomes a table partitioned by month of `measured_at` (same
columns, same key); the monthly partitions are created as months arrive (`services.ensure_partitions`).
SQLite keeps the plain table."""

from django.db import migrations

FORWARD = """
ALTER TABLE monitoring_reading RENAME TO monitoring_reading_plain;
CREATE TABLE monitoring_reading (LIKE monitoring_reading_plain INCLUDING DEFAULTS) PARTITION BY RANGE (measured_at);
ALTER TABLE monitoring_reading ADD PRIMARY KEY (device_id, measured_at);
DROP TABLE monitoring_reading_plain;
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop)]
