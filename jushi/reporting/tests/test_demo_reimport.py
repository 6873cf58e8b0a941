"""On the demo itself, as a clerk tries it: the enterprise list and the approved H1 2024 period, exported
as XLSX and imported back unchanged, give a clean dry run (0 errors, nothing created or updated)."""

import shutil
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase, override_settings

from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.lib.periods import Period
from jushi.lib.tabular import read_table
from jushi.registry.exporters import EnterpriseExporter
from jushi.registry.models import Enterprise
from jushi.registry.services.importing import import_enterprises
from jushi.reporting.exporters import PeriodExporter
from jushi.reporting.models import ReportForm, Submission
from jushi.reporting.services.importing import import_period


class DemoReimportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.var = Path(tempfile.mkdtemp(prefix="jushi-demo-var-"))
        with override_settings(JUSHI_TODAY="", VAR_DIR=cls.var):
            call_command("demo", no_serve=True, addrport="127.0.0.1:8001", stdout=StringIO())
        cls.tongji = User.objects.get(username="tongji")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.var, ignore_errors=True)
        super().tearDownClass()

    def test_the_demo_enterprise_export_imports_back_clean(self):
        enterprises = Enterprise.objects.restrict(self.tongji, "export")
        _, _, data = EnterpriseExporter("xlsx", enterprises).render()
        result = import_enterprises(
            actor=self.tongji,
            table=read_table(data, "企业名录.xlsx", max_bytes=10**8),
            dry_run=True,
            source=ChangeSource.IMPORT,
        )
        self.assertEqual([str(e) for e in result.errors], [])
        self.assertEqual((result.created, result.updated), (0, 0))
        self.assertEqual(result.unchanged, enterprises.count())
        self.assertGreater(result.unchanged, 10)

    def test_the_demo_h1_period_export_imports_back_clean(self):
        form = ReportForm.objects.get(code="ind-monthly")
        june = Period.parse("2024-06")
        approved = Submission.objects.filter(period__form=form, period__code=june.code, status="approved")
        self.assertTrue(approved.exists())
        _, _, data = PeriodExporter(actor=self.tongji, form=form, period=june, fmt="xlsx").render()
        result = import_period(
            actor=self.tongji,
            form=form,
            period=june,
            table=read_table(data, "2024-06.xlsx", max_bytes=10**8),
            dry_run=True,
            source=ChangeSource.IMPORT,
        )
        self.assertEqual([str(e) for e in result.errors], [])
        plan = result.groups()
        self.assertEqual((len(plan.created), len(plan.updated)), (0, 0), plan.lines()[:5])
        self.assertEqual(plan.unchanged, approved.filter(values__isnull=False).distinct().count())
