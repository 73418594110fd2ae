# The 督办 record is an urging order: the platform's own word "supervision" is no longer its name.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0002_personal_sealed"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel(old_name="Supervision", new_name="Urging"),
        migrations.AlterModelOptions(
            name="urging",
            options={
                "ordering": ["order", "issued_at"],
                "verbose_name": "urging order (督办单)",
                "verbose_name_plural": "urging orders (督办单)",
            },
        ),
        migrations.AlterField(
            model_name="urging",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="urgings", to="complaints.workorder"
            ),
        ),
        migrations.AlterField(
            model_name="urging",
            name="reason",
            field=models.CharField(
                choices=[
                    ("overdue", "Overdue (超期)"),
                    ("dissatisfied", "Dissatisfied return call (回访不满意)"),
                    ("manual", "Urging by the office (人工督办)"),
                ],
                max_length=16,
                verbose_name="reason",
            ),
        ),
    ]
