# Rectification orders now belong to their own application (rectification 0001); joint
# supervision's model state lets go of them. No table changes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("joint", "0003_key_matter_to_catalog"),
        ("rectification", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Rectification")],
            database_operations=[],
        ),
    ]
