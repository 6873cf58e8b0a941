"""The pipeline's stages as data (DOMAIN.md §6): order, time limit, forecast probability (that a
project in the stage is signed) and the fields a project must have to enter the stage. Every stage
entered also needs its date (签约日期, 摘牌日期, 开工日期…); the service asks for those itself.
`install` is reused by browser tests, which run on a flushed database."""

from django.db import migrations

STAGES = [
    # code, name, order, time limit (days), probability, required fields
    ("lead", "线索", 1, 3, "0.10", []),
    ("talks", "在谈", 2, 90, "0.30", ["industry"]),
    ("signed", "签约", 3, 180, "1.00", ["agreed_investment", "contract_no"]),
    ("land", "供地", 4, 90, "1.00", ["parcel", "land_mu"]),
    ("started", "开工", 5, 540, "1.00", []),
    ("producing", "投产", 6, 365, "1.00", []),
    ("full", "达产", 7, None, "1.00", []),
]


def install(apps, schema_editor=None):
    Stage = apps.get_model("projects", "Stage")
    for code, name, order, limit, probability, required in STAGES:
        Stage.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "time_limit_days": limit,
                "probability": probability,
                "required_fields": required,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("projects", "Stage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
