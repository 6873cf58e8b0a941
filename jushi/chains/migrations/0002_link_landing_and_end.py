"""Links get a landing date and an end date (issue 12, "as of the period's end").

The landing date is the old `linked_on` renamed: every existing link already has one (its enterprise's
entry date, its project's signing date, or the day it was made), so no row is guessed. Existing links are
open (no end date). "Once per node" becomes once per node among open links, so an enterprise that left
may come back as a new link."""

import django.db.models.expressions
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("chains", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="nodelink", name="link_enterprise_once"),
        migrations.RemoveConstraint(model_name="nodelink", name="link_project_once"),
        migrations.RenameField(model_name="nodelink", old_name="linked_on", new_name="landed_on"),
        migrations.AlterField(
            model_name="nodelink",
            name="landed_on",
            field=models.DateField(
                help_text="企业入链或项目签约的日期;某期的产业链数字只数到期末已落地的企业和项目",
                verbose_name="落地日期",
            ),
        ),
        migrations.AddField(
            model_name="nodelink",
            name="ended_on",
            field=models.DateField(
                blank=True,
                help_text="企业或项目不再属于本节点的日期(当天起不再计入);为空表示仍在链上",
                null=True,
                verbose_name="结束日期",
            ),
        ),
        migrations.AddField(
            model_name="nodelink",
            name="end_reason",
            field=models.CharField(blank=True, max_length=300, verbose_name="结束原因"),
        ),
        migrations.AddConstraint(
            model_name="nodelink",
            constraint=models.CheckConstraint(
                condition=models.Q(("ended_on__isnull", True))
                | models.Q(("ended_on__gte", django.db.models.expressions.F("landed_on"))),
                name="link_ends_after_landing",
            ),
        ),
        migrations.AddConstraint(
            model_name="nodelink",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_on__isnull", True), ("enterprise__isnull", False)),
                fields=("node", "enterprise"),
                name="link_enterprise_open_once",
            ),
        ),
        migrations.AddConstraint(
            model_name="nodelink",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ended_on__isnull", True), ("project__isnull", False)),
                fields=("node", "project"),
                name="link_project_open_once",
            ),
        ),
    ]
