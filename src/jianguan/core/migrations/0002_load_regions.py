"""Load the division table (GB/T 2260, to county level) and the historical code 371200 莱芜 → 济南.

Reads the CSV shipped beside the app directly: a data migration must not import app code.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"
LEVELS = {"province": 1, "city": 2, "county": 3}


def forward(apps, schema_editor):
    Region = apps.get_model("core", "Region")
    with CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    existing = set(Region.objects.values_list("code", flat=True))
    for level in ("province", "city", "county"):
        Region.objects.bulk_create(
            [Region(code=r["code"], name=r["name"], level=LEVELS[level], parent_id=r["parent"] or None)
             # 东莞, 中山 and 儋州 have no counties: the file repeats them as their own "county"; skip that row.
             for r in rows if r["level"] == level and r["code"] not in existing and r["code"] != r["parent"]],
            batch_size=1000,
        )
    # 莱芜 was merged into 济南 in 2019; old records still carry its code.
    Region.objects.update_or_create(code="371200", defaults={
        "name": "莱芜市", "level": 2, "parent_id": "370000", "is_historical": True, "successor_id": "370100"})


def backward(apps, schema_editor):
    apps.get_model("core", "Region").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
