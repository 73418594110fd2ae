"""On PostgreSQL, a trigram index makes name-substring search fast on millions of subjects."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm;")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS subject_name_trgm ON subjects_subject "
                              "USING gin (name gin_trgm_ops);")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS subject_name_trgm;")


class Migration(migrations.Migration):
    dependencies = [("subjects", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
