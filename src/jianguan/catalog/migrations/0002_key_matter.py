# The key-matter list moves from joint supervision to the catalogue, where spot checks and joint
# supervision both read it. The tables stay as they are: only Django's model state moves.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("core", "0001_initial"),
        ("joint", "0002_assist_request"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KeyMatter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.CharField(max_length=16, verbose_name="code")),
                        ("version", models.PositiveIntegerField(verbose_name="version")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("measures", models.TextField(verbose_name="measures")),
                        ("review_on", models.DateField(verbose_name="review date")),
                        ("effective_from", models.DateField(verbose_name="effective from")),
                        ("list_version", models.CharField(max_length=32, verbose_name="list version")),
                        (
                            "cooperating_sectors",
                            models.ManyToManyField(related_name="+", to="core.sector", verbose_name="cooperating sectors"),
                        ),
                        (
                            "items",
                            models.ManyToManyField(
                                related_name="+", to="catalog.supervisionitem", verbose_name="supervision items"
                            ),
                        ),
                        (
                            "lead_sector",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.sector",
                                verbose_name="lead sector",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "key matter",
                        "verbose_name_plural": "key matters",
                        "ordering": ["code", "-version"],
                        "db_table": "joint_keymatter",
                        "constraints": [
                            models.UniqueConstraint(fields=("code", "version"), name="joint_key_matter_version")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
