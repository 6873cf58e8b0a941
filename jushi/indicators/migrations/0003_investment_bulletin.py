"""The project ledger now computes the investment indicators. The bulletin keeps to what bulletins
print: funds in place, the signings with their total, and the newly started 亿元 projects; the
out-of-province part and the signed 亿元 count stay on the dashboard and the indicator pages."""

from django.db import migrations


def apply(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=["INV_FUND_OUT", "INV_BIG_N"]).update(in_bulletin=False)
    Indicator.objects.filter(code="INV_BIG_START").update(name="新建亿元以上项目数")


def revert(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Indicator.objects.filter(code__in=["INV_FUND_OUT", "INV_BIG_N"]).update(in_bulletin=True)
    Indicator.objects.filter(code="INV_BIG_START").update(name="新开工亿元以上项目数")


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_catalog")]
    operations = [migrations.RunPython(apply, revert)]
