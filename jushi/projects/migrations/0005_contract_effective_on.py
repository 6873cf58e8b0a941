"""Contract changes count from their effective date (issue 12, "as of the period's end").

Existing changes take effect on the date they were recorded with (`on`, until now the only date of a
change); `on` is from now on the recording date, and `effective_on` the date the change counts from."""

from django.db import migrations, models
from django.db.models import F


def effective_from_recorded(apps, schema_editor):
    ContractChange = apps.get_model("projects", "ContractChange")
    ContractChange.objects.filter(effective_on__isnull=True).update(effective_on=F("on"))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_funds_in_place"),
    ]

    operations = [
        migrations.AddField(
            model_name="contractchange",
            name="effective_on",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(effective_from_recorded, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contractchange",
            name="effective_on",
            field=models.DateField(
                help_text="变更自这一天起计入;不能早于签约日期,也不能晚于今天", verbose_name="生效日期"
            ),
        ),
        migrations.AlterField(
            model_name="contractchange",
            name="on",
            field=models.DateField(verbose_name="登记日期"),
        ),
        migrations.AlterModelOptions(
            name="contractchange",
            options={
                "ordering": ["effective_on", "id"],
                "verbose_name": "合同变更",
                "verbose_name_plural": "合同变更",
            },
        ),
        migrations.AddIndex(
            model_name="contractchange",
            index=models.Index(fields=["project", "effective_on"], name="contract_project_effective"),
        ),
    ]
