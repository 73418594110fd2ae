# The key-matter list now belongs to the catalogue (catalog 0002): campaigns point there, and joint
# supervision's model state lets go of it. No table changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_key_matter"),
        ("joint", "0002_assist_request"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="campaign",
                    name="key_matter",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalog.keymatter",
                    ),
                ),
                migrations.DeleteModel(name="KeyMatter"),
            ],
            database_operations=[],
        ),
    ]
