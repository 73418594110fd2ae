# Rectification orders leave joint supervision for their own application. The table keeps its
# name (joint_rectification): only Django's model state moves. The facts subscriptions that open
# orders move with them, keeping their cursors.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

RENAMED = {
    "joint.rectification_orders": "rectification.from_complaints",
    "joint.rectification_from_spot_checks": "rectification.from_spot_checks",
}


def rename_subscriptions(apps, schema_editor):
    Subscription = apps.get_model("facts", "Subscription")
    for old, new in RENAMED.items():
        if not Subscription.objects.filter(key=new).exists():
            Subscription.objects.filter(key=old).update(key=new)


def restore_subscriptions(apps, schema_editor):
    Subscription = apps.get_model("facts", "Subscription")
    for old, new in RENAMED.items():
        if not Subscription.objects.filter(key=old).exists():
            Subscription.objects.filter(key=new).update(key=old)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("facts", "0001_initial"),
        ("joint", "0003_key_matter_to_catalog"),
        ("subjects", "0005_subject_region_to_review"),
        ("workflow", "0002_workflowitem_overall_sla"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Rectification",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.CharField(max_length=32, unique=True, verbose_name="number")),
                        (
                            "source_kind",
                            models.CharField(
                                choices=[
                                    ("record", "Failed check item (inspection record)"),
                                    ("complaint", "Complaint found true"),
                                    ("alert", "Risk alert"),
                                    ("campaign", "Campaign check"),
                                ],
                                max_length=12,
                                verbose_name="source",
                            ),
                        ),
                        ("source_ref", models.CharField(max_length=64, verbose_name="source reference")),
                        ("requirement", models.TextField(verbose_name="what to put right")),
                        ("due_on", models.DateField(verbose_name="due on")),
                        ("state", models.CharField(db_index=True, max_length=16, verbose_name="state")),
                        ("report", models.TextField(blank=True, verbose_name="subject's report")),
                        ("reported_at", models.DateTimeField(blank=True, null=True, verbose_name="reported at")),
                        (
                            "reported_via",
                            models.CharField(
                                blank=True,
                                choices=[("staff", "Entered by staff"), ("portal", "Through the public portal")],
                                max_length=12,
                                verbose_name="reported through",
                            ),
                        ),
                        ("review", models.TextField(blank=True, verbose_name="review")),
                        ("access_code_hash", models.CharField(blank=True, editable=False, max_length=64)),
                        ("issued_at", models.DateTimeField(verbose_name="issued at")),
                        (
                            "department",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="core.department",
                                verbose_name="issuing department",
                            ),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "item",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rectification",
                                to="workflow.workflowitem",
                            ),
                        ),
                        (
                            "subject",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="subjects.subject",
                                verbose_name="subject",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "rectification order",
                        "verbose_name_plural": "rectification orders",
                        "ordering": ["-issued_at", "-id"],
                        "db_table": "joint_rectification",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("source_kind", "source_ref", "department"), name="joint_rectification_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_subscriptions, restore_subscriptions),
    ]
