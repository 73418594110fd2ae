"""Licences join the publication rules (双公示): add each shipped version's licence rule to the
stored version of the same name. Reads the shipped file itself (no app code)."""

import json
from pathlib import Path

from django.db import migrations

RULES_FILE = Path(__file__).resolve().parent.parent / "data" / "publication_rules.json"


def add_licence_rules(apps, schema_editor):
    RuleSet = apps.get_model("credit", "PublicationRuleSet")
    shipped = json.loads(RULES_FILE.read_text(encoding="utf-8"))["versions"]
    for version in shipped:
        licence = [rule for rule in version["rules"] if rule.get("when", {}).get("kind") == "licence"]
        stored = RuleSet.objects.filter(version=version["version"]).first()
        if stored is None or not licence:
            continue
        names = {rule.get("name") for rule in stored.rules}
        stored.rules = stored.rules + [rule for rule in licence if rule["name"] not in names]
        stored.save(update_fields=["rules"])


def remove_licence_rules(apps, schema_editor):
    RuleSet = apps.get_model("credit", "PublicationRuleSet")
    for stored in RuleSet.objects.all():
        stored.rules = [rule for rule in stored.rules if rule.get("when", {}).get("kind") != "licence"]
        stored.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("credit", "0005_credit_reports")]
    operations = [migrations.RunPython(add_licence_rules, remove_licence_rules)]
