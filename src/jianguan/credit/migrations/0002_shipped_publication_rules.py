"""Load the shipped publication rule versions (credit/data/publication_rules.json)."""

import datetime as dt

from django.db import migrations


def load(apps, schema_editor):
    from jianguan.credit.publication_periods import shipped_versions

    RuleSet = apps.get_model("credit", "PublicationRuleSet")
    for version in shipped_versions():
        RuleSet.objects.update_or_create(
            version=version["version"],
            defaults={
                "effective_from": dt.date.fromisoformat(version["effective_from"]),
                "effective_to": dt.date.fromisoformat(version["effective_to"]) if version["effective_to"] else None,
                "source": version.get("source", ""),
                "rules": version["rules"],
                "longer_repair_wait": version.get("longer_repair_wait", {}),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
