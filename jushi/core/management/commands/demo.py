import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test import override_settings

from jushi.core import clock

DEMO_PASSWORD = "jushi-demo-2024"


class Command(BaseCommand):
    help = "准备演示环境:迁移数据库,载入喀什经开区演示数据(可重复执行),打印演示账号,并启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只迁移和载入数据,不启动服务")
        parser.add_argument("--addrport", default="127.0.0.1:8000", help="服务地址,默认 127.0.0.1:8000")

    def handle(self, *args, **opts):
        started = time.monotonic()
        # The demo runs as of its own date (its data ends with H1 2024 reported), unless JUSHI_TODAY says
        # otherwise; loading and serving both see it, so overdue flags and default periods match the data.
        if not settings.JUSHI_TODAY:
            settings.JUSHI_TODAY = clock.DEMO_DATE.isoformat()
        # Demo logins work with a password alone, unless JUSHI_2FA_REQUIRED says otherwise; production
        # requires two-factor login for admins (and anyone may enrol on the 双因素认证 page).
        two_factor_demo_off = "JUSHI_2FA_REQUIRED" not in os.environ
        if two_factor_demo_off:
            settings.JUSHI_2FA_REQUIRED = False
        # The demo's e-mails (reminders, escalations, review notices) go to files, not to the terminal and
        # not to anyone, unless EMAIL_BACKEND says otherwise; links in them point at the address served.
        overrides = {}
        mail_dir = None
        if "EMAIL_BACKEND" not in os.environ:
            mail_dir = Path(settings.VAR_DIR) / "mail"
            overrides.update(
                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                EMAIL_FILE_PATH=str(mail_dir),
            )
        if "JUSHI_SITE_URL" not in os.environ:
            overrides["JUSHI_SITE_URL"] = f"http://{opts['addrport']}"
        with override_settings(**overrides):
            self.load_and_serve(opts, started, two_factor_demo_off, mail_dir)

    def load_and_serve(self, opts, started, two_factor_demo_off, mail_dir):
        call_command("migrate", interactive=False, verbosity=0)
        logins = []
        # Each app of ours may ship a `demo` module with load(stdout) -> logins; lower apps load first.
        # A module may also offer finish(stdout), run once every app has loaded: publishing a period
        # freezes the figures and bulletin of every floor (the ledger's, the chains'), so it comes last.
        modules = []
        for config in apps.get_app_configs():
            if not config.name.startswith("jushi."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            modules.append(module)
            logins += module.load(self.stdout, password=DEMO_PASSWORD) or []
        for module in modules:
            if hasattr(module, "finish"):
                module.finish(self.stdout)
        self.run_schedule()
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪({time.monotonic() - started:.1f} 秒)"))
        self.stdout.write(f"演示日期:{settings.JUSHI_TODAY}(JUSHI_TODAY;生产环境使用真实日期)")
        self.stdout.write("")
        self.stdout.write(f"演示账号(密码均为 {DEMO_PASSWORD}):")
        for username, description in logins:
            self.stdout.write(f"  {username:<12} {description}")
        if two_factor_demo_off:
            self.stdout.write(
                "双因素认证:演示中对管理员不强制(JUSHI_2FA_REQUIRED=1 可开启);生产环境默认强制,"
                "管理员、三员和超级用户首次登录须绑定身份验证器"
            )
        if mail_dir is not None:
            self.stdout.write(f"演示邮件不发出,写入 {mail_dir}/(每次发送一个文件)")
        self.stdout.write("")
        if opts["no_serve"]:
            return
        worker = self.start_worker(mail_dir)
        self.stdout.write(f"打开 http://{opts['addrport']}/ 登录;按 Ctrl+C 停止。")
        try:
            call_command("runserver", opts["addrport"], use_reloader=False, insecure_serving=True)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def run_schedule(self):
        """The demo date's scheduled runs (reminders, escalation, daily checks, cleanup), run here once, so the
        后台任务 page shows what each did; a second load finds them done (one run per zone and day)."""
        from django.utils import timezone

        from jushi.core import jobs

        end_of_day = timezone.localtime().replace(hour=23, minute=59)
        started = jobs.start_due(end_of_day)
        jobs.run_queued()
        if started:
            self.stdout.write(f"演示日期的定时任务已运行 {len(started)} 个(见“后台任务”页面)")

    def start_worker(self, mail_dir):
        """The background-job worker beside the server (`jushi worker`), seeing what the server sees: the
        demo's date, its mail folder and address."""
        env = {**os.environ, "JUSHI_TODAY": settings.JUSHI_TODAY, "JUSHI_SITE_URL": settings.JUSHI_SITE_URL}
        if mail_dir is not None:
            env.update(EMAIL_BACKEND=settings.EMAIL_BACKEND, EMAIL_FILE_PATH=str(mail_dir))
        worker = subprocess.Popen([sys.executable, "-m", "jushi.cli", "worker"], env=env)
        self.stdout.write(f"后台任务进程已启动(进程号 {worker.pid}):大批量导入导出和每天的定时任务")
        return worker
