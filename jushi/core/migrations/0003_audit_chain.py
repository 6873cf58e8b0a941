import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The audit hash chain: link fields on the change log, security events, and the chain head.
    The links stay empty here; 0004 hashes the existing rows and 0005 makes `seq` required."""

    dependencies = [
        ("core", "0002_notification"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
                ("verified_at", models.DateTimeField(blank=True, null=True)),
                ("verified_ok", models.BooleanField(null=True)),
                ("verified_count", models.BigIntegerField(default=0)),
                ("verified_message", models.CharField(blank=True, max_length=500)),
            ],
            options={"verbose_name": "审计链头", "verbose_name_plural": "审计链头"},
        ),
        migrations.AddField(
            model_name="changelog",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="changelog",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="changelog",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="changelog",
            name="time",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
            ),
        ),
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField(editable=False, unique=True, verbose_name="序号")),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64)),
                (
                    "time",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="时间"
                    ),
                ),
                ("user_name", models.CharField(blank=True, max_length=150, verbose_name="用户名")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("login", "登录"),
                            ("logout", "退出"),
                            ("login_fail", "登录失败"),
                            ("permission", "权限变更"),
                            ("export", "导出"),
                            ("prune", "清理审计记录"),
                        ],
                        db_index=True,
                        max_length=10,
                        verbose_name="事件",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("web", "页面"),
                            ("api", "接口"),
                            ("import", "导入"),
                            ("cli", "命令行"),
                            ("demo", "演示数据"),
                        ],
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                ("ip", models.CharField(blank=True, max_length=45, verbose_name="IP 地址")),
                ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="对象")),
                (
                    "zone_id",
                    models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="开发区"),
                ),
                ("before", models.JSONField(blank=True, null=True, verbose_name="修改前")),
                ("after", models.JSONField(blank=True, null=True, verbose_name="修改后")),
                ("detail", models.JSONField(blank=True, null=True, verbose_name="详情")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="用户",
                    ),
                ),
            ],
            options={
                "verbose_name": "安全事件",
                "verbose_name_plural": "安全事件",
                "ordering": ["-time", "-id"],
            },
        ),
    ]
