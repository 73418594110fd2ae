"""The shared cache's table (rate limits across processes): created wherever the schema is migrated."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_policy_document")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
