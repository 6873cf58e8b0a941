"""The "列" menu (jushi.core.tables) on the enterprise list and the project ledger: a per-user, saved
choice of columns that the pages apply and the exports ignore."""

import csv
import io
import re

from django.urls import reverse

from jushi.core.models import TableConfig
from jushi.projects.columns import HEADERS as LEDGER_HEADERS
from jushi.registry.columns import HEADERS as ENTERPRISE_HEADERS

from .base import LedgerTestCase

ENTERPRISES = "registry.enterprises"
LEDGER = "projects.ledger"


def header_row(response) -> list[str]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return next(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def headers(response) -> list[str]:
    """The visible list table's column headers, in order."""
    html = response.content.decode()
    table = html[html.index("<thead>") : html.index("</thead>")]
    return [cell.split("<")[0].strip() for cell in re.findall(r"<th\b[^>]*>(.*?)</th>", table)]


class ColumnChooserTests(LedgerTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

    def save(self, user, table, columns, next_url, **extra):
        return self.login(user).post(
            reverse("core:table_config"), {"table": table, "columns": columns, "next": next_url, **extra}
        )

    def test_the_enterprise_list_shows_the_columns_a_user_saved_and_only_for_that_user(self):
        url = reverse("registry:enterprise_list")
        default = headers(self.login(self.admin).get(url))
        self.assertEqual(default, ["企业名称", "统一社会信用代码", "园区/功能区", "行业", "状态", "入区日期"])
        response = self.save(
            self.admin, ENTERPRISES, ["industry", "address", "status"], f"{url}?park=textile"
        )
        self.assertRedirects(response, f"{url}?park=textile", fetch_redirect_response=False)
        self.assertEqual(headers(self.login(self.admin).get(url)), ["企业名称", "行业", "状态", "地址"])
        self.assertEqual(headers(self.login(self.reviewer).get(url)), default)  # another user: untouched
        # the chooser says the choice is saved and ticks exactly the saved columns
        html = self.login(self.admin).get(url).content.decode()
        self.assertIn("(已自定义)", html)
        self.assertIn('value="address" checked', html)
        self.assertIn('value="credit_code">', html)
        self.assertIn("导出的 XLSX/CSV 始终包含全部列", html)

    def test_the_ledger_applies_the_saved_columns_and_reset_restores_the_defaults(self):
        self.sign(self.lead(official="王副主任"))
        url = reverse("projects:ledger")
        default = headers(self.login(self.admin).get(url))
        self.assertNotIn("责任领导", default)
        self.assertIn("投资方", default)
        self.save(self.admin, LEDGER, ["code", "official", "agreed"], url)
        page = self.login(self.admin).get(url)
        self.assertEqual(headers(page), ["编号", "项目名称", "协议投资", "责任领导"])
        self.assertContains(page, "<td>王副主任</td>")
        self.save(self.admin, LEDGER, [], url, reset="1")
        self.assertFalse(TableConfig.objects.filter(user=self.admin, table=LEDGER).exists())
        self.assertEqual(headers(self.login(self.admin).get(url)), default)

    def test_unknown_column_names_in_a_saved_choice_are_ignored(self):
        TableConfig.objects.create(
            user=self.admin, table=ENTERPRISES, columns=["status", "bogus", 7, "industry"]
        )
        page = self.login(self.admin).get(reverse("registry:enterprise_list"))
        self.assertEqual(page.status_code, 200)
        self.assertEqual(headers(page), ["企业名称", "行业", "状态"])
        # a choice of nothing known is not saved: the user is told, the old choice stays
        url = reverse("registry:enterprise_list")
        response = self.save(self.admin, ENTERPRISES, ["bogus"], url)
        self.assertRedirects(response, url, fetch_redirect_response=False)
        self.assertEqual(
            TableConfig.objects.get(user=self.admin, table=ENTERPRISES).columns,
            ["status", "bogus", 7, "industry"],
        )
        saved = self.save(self.admin, ENTERPRISES, ["status", "nonsense"], url)
        self.assertEqual(saved.status_code, 302)
        self.assertEqual(
            TableConfig.objects.get(user=self.admin, table=ENTERPRISES).columns, ["name", "status"]
        )

    def test_exports_keep_every_column_whatever_the_user_chose(self):
        self.sign(self.lead())
        self.save(self.admin, ENTERPRISES, ["status"], "/")
        self.save(self.admin, LEDGER, ["stage"], "/")
        client = self.login(self.admin)
        enterprises = client.get(reverse("registry:enterprise_export"), {"format": "csv"})
        self.assertEqual(enterprises.status_code, 200)
        self.assertEqual(header_row(enterprises), ENTERPRISE_HEADERS)
        ledger = client.get(reverse("projects:ledger"), {"export": "csv"})
        self.assertEqual(ledger.status_code, 200)
        self.assertEqual(header_row(ledger), LEDGER_HEADERS)

    def test_an_unknown_table_or_a_foreign_return_address_saves_nothing_harmful(self):
        response = self.save(self.admin, "no.such.table", ["name"], "/")
        self.assertEqual(response.status_code, 400)
        self.assertIn("表格", response.content.decode())
        response = self.save(self.admin, ENTERPRISES, ["status"], "https://evil.example/")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("core:table_config")).status_code, 405)
