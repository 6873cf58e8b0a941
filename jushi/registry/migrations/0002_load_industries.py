"""Ship GB/T 4754-2017 (sections, divisions, and the groups and classes the demo and chains need)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "industries_gbt4754_2017.csv"


def load(apps, schema_editor):
    Industry = apps.get_model("registry", "Industry")
    by_code = {i.code: i for i in Industry.objects.all()}
    with DATA.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            parent = by_code.get(row["parent"]) if row["parent"] else None
            obj = by_code.get(row["code"])
            if obj is None:
                obj = Industry.objects.create(
                    code=row["code"], name=row["name"], level=row["level"], parent=parent
                )
                by_code[obj.code] = obj
            elif (obj.name, obj.level, obj.parent_id) != (
                row["name"],
                row["level"],
                parent.pk if parent else None,
            ):
                obj.name, obj.level, obj.parent = row["name"], row["level"], parent
                obj.save()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
