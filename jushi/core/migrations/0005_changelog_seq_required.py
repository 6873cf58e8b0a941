from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0004_hash_existing_changes")]

    operations = [
        migrations.AlterField(
            model_name="changelog",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="changelog",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="changelog",
            name="hash",
            field=models.CharField(editable=False, max_length=64),
        ),
    ]
