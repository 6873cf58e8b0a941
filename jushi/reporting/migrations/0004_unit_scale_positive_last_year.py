"""The unit-slip rule compared a positive figure with a negative last year (a loss turned into a
profit) and called it a unit error. It now needs both years positive, and divides once instead of
twice. Only a rule still holding the shipped text is changed; one a zone has edited is left alone."""

from django.db import migrations

OLD = "not (this > 0 and (ratio(this, last_year(this)) >= 500 or ratio(this, last_year(this)) <= 0.002))"
NEW = "not (this > 0 and last_year(this) > 0) or between(ratio(this, last_year(this)), 0.002, 500)"


def forward(apps, schema_editor):
    apps.get_model("reporting", "Rule").objects.filter(code="unit_scale", expression=OLD).update(
        expression=NEW
    )


def backward(apps, schema_editor):
    apps.get_model("reporting", "Rule").objects.filter(code="unit_scale", expression=NEW).update(
        expression=OLD
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_value_submission_index")]

    operations = [migrations.RunPython(forward, backward)]
