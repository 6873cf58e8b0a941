import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        # Existing accounts get the migration time: their password age starts now.
        migrations.AddField(
            model_name="user",
            name="password_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="密码修改时间"),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("admin", "开发区管理员"),
                    ("staff", "工作人员"),
                    ("leader", "领导(只读)"),
                    ("reporter", "企业填报员"),
                    ("regional", "上级部门(多开发区)"),
                    ("sysadmin", "系统管理员"),
                    ("secadmin", "安全管理员"),
                    ("auditadmin", "审计管理员"),
                ],
                default="leader",
                max_length=10,
                verbose_name="角色",
            ),
        ),
    ]
