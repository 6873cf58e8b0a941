"""Blank is not zero (DOMAIN.md section 3): a figure reported for this period with its same period last
year left empty is a blocking error. The reporter fills the last-year figure; a plant that did not
produce a year ago enters 0 and explains it. Every field of the shipped forms has a meaningful
last-year value (stocks such as 期末从业人员 too: the figure at the same date last year), so the rule
applies to each field. Added to every form that carries the shipped rules; a form that already has a
rule with this code is left alone."""

from django.db import migrations

CODE = "last_year_blank"
RULE = {
    "name": "本期有数、上年同期不得为空",
    "severity": "blocking",
    "applies_to": "each_field",
    "expression": "blank(this) or not is_null(last_year(this))",
    "message": "上年同期为空:请填写上年同期数,新投产企业填 0 并说明",
    "is_builtin": True,
}
FORMS = ("ind-monthly", "svc-quarterly")


def forward(apps, schema_editor):
    ReportForm = apps.get_model("reporting", "ReportForm")
    Rule = apps.get_model("reporting", "Rule")
    for form in ReportForm.objects.filter(code__in=FORMS):
        if Rule.objects.filter(form=form, code=CODE).exists():
            continue
        after = Rule.objects.filter(form=form, code="blank_after_nonzero").first()  # the other blank rule
        Rule.objects.create(form=form, code=CODE, order=(after.order if after else 100) + 5, **RULE)


def backward(apps, schema_editor):
    apps.get_model("reporting", "Rule").objects.filter(
        code=CODE, form__code__in=FORMS, expression=RULE["expression"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_unit_scale_positive_last_year")]

    operations = [migrations.RunPython(forward, backward)]
