"""Issue 13 for the chains: a confidential project linked to a node is never named (code, name, stage,
amounts) to staff who may not see it — node page, chain page, gap list, pool, API, exports, CLI — nor
offered in the link form, nor linked or ended by them through any door; bad query parameters answer 400
(API) or a notice (pages), never 500; exported text cannot run as a formula; the pool import refuses
over-long values by row and column and writes nothing on a dry run or a failing confirm; amounts finer
than the field's unit are refused, not rounded."""

import io
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from jushi.accounts.choices import Department, Role
from jushi.accounts.models import User
from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog
from jushi.lib.tabular import Table, write_table
from jushi.projects import services as ledger
from jushi.projects.tests.base import D
from jushi.registry.models import UserScope

from .. import services
from ..exporters import ChainExporter
from ..models import Node, NodeLink, PoolCompany
from ..views.shared import load
from .test_services import HEADERS, ChainTestCase

WEB = ChangeSource.WEB
API = "/api/chains/"
SECRET_NAME = "绝密央企储能项目"
SECRET_INVESTOR = "某央企储能集团"
SECRET_AMOUNT = "77770"  # 万元: 7.78 亿元, a figure no other project reaches


class ConfidentialCase(ChainTestCase):
    """The small lithium chain; 电池制造 holds ent_b (30000 万元 at entry) and a signed confidential
    project that zhaoshang (investment department) linked; a pool company was turned into that project."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.zhaoshang = User.objects.create_user(
            "zhaoshang", password="x", role=Role.STAFF, department=Department.INVESTMENT
        )
        UserScope.objects.create(user=cls.zhaoshang).zones.set([cls.kashgar])
        services.link(
            actor=cls.admin,
            node=cls.cells,
            enterprise=cls.ent_b,
            role="leader",
            landed_on=D(2020, 1, 1),
            investment=Decimal("30000"),
            source=WEB,
        )
        lead = ledger.create_project(
            actor=cls.zhaoshang,
            zone=cls.kashgar,
            data={
                "name": SECRET_NAME,
                "investor_name": SECRET_INVESTOR,
                "lead_on": D(2024, 3, 1),
                "confidential": True,
            },
            source=WEB,
        )
        cls.secret = ledger.advance_stage(
            actor=cls.zhaoshang,
            project=lead,
            to_stage="signed",
            data={
                "talks_on": D(2024, 4, 1),
                "industry": "3841",
                "signed_on": D(2024, 6, 26),
                "agreed_investment": SECRET_AMOUNT,
                "contract_no": "KS-2024-777",
            },
            source=WEB,
        )
        cls.secret_link = services.link(
            actor=cls.zhaoshang, node=cls.cells, project=cls.secret, role="core", source=WEB
        )
        cls.open_lead = ledger.create_project(
            actor=cls.zhaoshang,
            zone=cls.kashgar,
            data={"name": "公开储能线索", "investor_name": "公开储能公司", "lead_on": D(2024, 3, 1)},
            source=WEB,
        )
        cls.pooled = PoolCompany.objects.create(
            zone=cls.kashgar, name=SECRET_INVESTOR, node=cls.cells, size="large", lead=cls.secret
        )

    def outsiders(self):
        return (self.reviewer, self.leader, self.regional)

    def insiders(self):
        return (self.admin, self.zhaoshang)

    def assertHidden(self, text: str, who=""):
        for secret in (SECRET_NAME, self.secret.code, "KS-2024-777", "7.78", "77770", "107770"):
            self.assertNotIn(secret, text, f"{who} sees {secret}")


class PageConfidentialityTests(ConfidentialCase):
    def test_node_page_names_it_to_insiders_and_only_counts_it_for_others(self):
        url = reverse("chains:node_detail", args=[self.cells.pk])
        for user in self.insiders():
            self.client.force_login(user)
            page = self.client.get(url).content.decode()
            self.assertIn(SECRET_NAME, page)
            self.assertIn(self.secret.code, page)
            self.assertIn("10.78", page)  # 30000 + 77770 万元 in 亿元
        for user in self.outsiders():
            self.client.force_login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            page = response.content.decode()
            self.assertHidden(page, user.username)
            self.assertIn("另有 1 个保密项目", page)
            self.assertIn("3.00", page)  # ent_b's 30000 万元 only

    def test_chain_page_list_and_gaps_leave_its_figures_out_for_others(self):
        for name in ("chains:chain_list", "chains:gap_list"):
            for user in self.outsiders():
                self.client.force_login(user)
                self.assertHidden(self.client.get(reverse(name)).content.decode(), user.username)
        self.client.force_login(self.reviewer)
        page = self.client.get(reverse("chains:chain_detail", args=[self.chain.pk])).content.decode()
        self.assertHidden(page, "reviewer")
        self.assertIn("另有 1 个保密项目", page)
        self.client.force_login(self.zhaoshang)
        page = self.client.get(reverse("chains:chain_detail", args=[self.chain.pk])).content.decode()
        self.assertIn("10.78", page)

    def test_the_link_form_offers_it_only_to_those_who_may_see_it(self):
        url = reverse("chains:node_detail", args=[self.storage.pk])
        self.client.force_login(self.reviewer)
        page = self.client.get(url).content.decode()
        self.assertIn("公开储能线索", page)
        self.assertNotIn(SECRET_NAME, page)
        self.client.force_login(self.zhaoshang)
        self.assertIn(SECRET_NAME, self.client.get(url).content.decode())

    def test_pool_and_suggestions_do_not_name_the_lead(self):
        self.client.force_login(self.reviewer)
        self.assertHidden(self.client.get(reverse("chains:pool_list")).content.decode(), "reviewer")
        self.client.force_login(self.zhaoshang)
        self.assertIn(self.secret.code, self.client.get(reverse("chains:pool_list")).content.decode())

    def test_converting_again_does_not_name_the_lead(self):
        self.client.force_login(self.reviewer)
        response = self.client.post(reverse("chains:pool_convert", args=[self.pooled.pk]), follow=True)
        self.assertHidden(response.content.decode(), "reviewer")
        with self.assertRaises(services.ChainError) as caught:
            services.convert_to_lead(actor=self.reviewer, company=self.pooled, source=WEB)
        self.assertHidden(str(caught.exception))


class LinkRefusalTests(ConfidentialCase):
    def test_the_service_refuses_a_project_the_actor_cannot_see(self):
        before = (NodeLink.objects.count(), ChangeLog.objects.count())
        with self.assertRaises(PermissionDenied):
            services.link(actor=self.reviewer, node=self.storage, project=self.secret, source=WEB)
        self.assertEqual((NodeLink.objects.count(), ChangeLog.objects.count()), before)
        made = services.link(actor=self.zhaoshang, node=self.storage, project=self.secret, source=WEB)
        self.assertEqual(made.project, self.secret)

    def test_the_page_refuses_it_too(self):
        self.client.force_login(self.reviewer)
        count = NodeLink.objects.count()
        response = self.client.post(
            reverse("chains:node_link", args=[self.storage.pk]), {"project": self.secret.pk, "role": "core"}
        )
        self.assertIn(response.status_code, (302, 403))
        self.assertEqual(NodeLink.objects.count(), count)

    def test_its_link_cannot_be_ended_by_those_who_cannot_see_it(self):
        with self.assertRaises(PermissionDenied):
            services.unlink(actor=self.reviewer, link_=self.secret_link, reason="试试", source=WEB)
        self.client.force_login(self.reviewer)
        self.client.post(reverse("chains:link_remove", args=[self.secret_link.pk]), {"end_reason": "试试"})
        self.client.post(
            f"{API}nodes/{self.cells.pk}/unlink/", {"link": self.secret_link.pk, "end_reason": "试试"}
        )
        self.secret_link.refresh_from_db()
        self.assertIsNone(self.secret_link.ended_on)


class ApiConfidentialityTests(ConfidentialCase):
    def get(self, user, path, params=None, status=200):
        self.client.force_login(user)
        response = self.client.get(f"{API}{path}", params or {})
        self.assertEqual(response.status_code, status, response.content)
        return response

    def test_node_and_chain_figures_leave_it_out_for_others(self):
        for user in self.outsiders():
            for path in (f"nodes/{self.cells.pk}/", f"chains/{self.chain.pk}/", "gaps/", "pool/"):
                self.assertHidden(self.get(user, path).content.decode(), f"{user.username} {path}")
        body = self.get(self.leader, f"nodes/{self.cells.pk}/").json()
        self.assertEqual(
            (body["figures"]["investment"], body["figures"]["projects"], body["figures"]["confidential"]),
            ("3.0000", {}, 1),
        )
        body = self.get(self.zhaoshang, f"nodes/{self.cells.pk}/").json()
        self.assertEqual(
            (body["figures"]["investment"], body["figures"]["projects"], body["figures"]["confidential"]),
            ("10.7770", {"signed": 1}, 0),
        )
        self.assertIn(SECRET_NAME, self.get(self.zhaoshang, f"nodes/{self.cells.pk}/").content.decode())

    def test_linking_it_through_the_api_is_refused(self):
        self.client.force_login(self.reviewer)
        response = self.client.post(
            f"{API}nodes/{self.storage.pk}/link/",
            {"project": self.secret.pk},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(NodeLink.objects.filter(node=self.storage).exists())


class ExportConfidentialityTests(ConfidentialCase):
    def cells_text(self, data: bytes) -> str:
        wb = load_workbook(io.BytesIO(data))
        return "\n".join(
            str(v)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        )

    def test_the_xlsx_of_the_page_leaves_its_figures_out(self):
        self.client.force_login(self.leader)
        response = self.client.get(reverse("chains:chain_export", args=[self.chain.pk]))
        text = self.cells_text(response.content)
        self.assertIn("30000", text)
        self.assertHidden(text, "leader")
        self.client.force_login(self.zhaoshang)
        self.assertIn(
            "107770",
            self.cells_text(self.client.get(reverse("chains:chain_export", args=[self.chain.pk])).content),
        )

    def test_the_cli_export_and_gaps_run_as_the_user(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "chain.xlsx"
            out = io.StringIO()
            call_command("chains", "export", str(path), "--chain", "lithium", "--user", "leader", stdout=out)
            self.assertHidden(self.cells_text(path.read_bytes()), "leader cli")
            call_command(
                "chains", "export", str(path), "--chain", "lithium", "--user", "zhaoshang", stdout=out
            )
            self.assertIn("107770", self.cells_text(path.read_bytes()))


class FormulaCellTests(ChainTestCase):
    def test_node_names_that_look_like_formulas_are_escaped_in_xlsx_and_csv(self):
        Node.objects.create(
            chain=self.chain, code="evil", name='=HYPERLINK("http://x")', segment="up", parent=self.materials
        )
        Node.objects.create(chain=self.chain, code="evil2", name="@SUM(1)", segment="down")
        view = load(self.chain)
        wb = load_workbook(io.BytesIO(ChainExporter(view, "xlsx").render()[2]))
        values = [
            v
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if isinstance(v, str)
        ]
        for cell in wb["节点"].iter_rows():
            for c in cell:
                self.assertNotEqual(c.data_type, "f", c.value)
        self.assertFalse([v for v in values if v.lstrip().startswith(("=", "@", "+", "-"))], values)
        csv = ChainExporter(view, "csv").render()[2].decode("utf-8-sig")
        for line in csv.splitlines():
            for cell in line.split(","):
                self.assertFalse(cell.strip().strip('"').lstrip().startswith(("=", "@")), line)


class BadParameterTests(ChainTestCase):
    HUGE = ("1e30", "-1", "0", "99999999999999999999", "9223372036854775808", "abc", "1.5", "²")

    def test_api_id_filters_answer_400_naming_the_parameter(self):
        self.client.force_login(self.admin)
        for path, param in (("nodes/", "chain"), ("pool/", "chain"), ("pool/", "node"), ("gaps/", "chain")):
            for value in self.HUGE:
                response = self.client.get(f"{API}{path}", {param: value})
                self.assertEqual(response.status_code, 400, (path, param, value, response.content))
                self.assertIn(param, response.json()["errors"], (path, value))
        self.assertEqual(self.client.get(f"{API}nodes/", {"chain": str(self.chain.pk)}).status_code, 200)
        self.assertEqual(self.client.get(f"{API}pool/", {"chain": "9223372036854775807"}).status_code, 200)

    def test_api_object_ids_out_of_range_are_404_not_500(self):
        self.client.force_login(self.admin)
        for path in ("nodes/", "chains/", "pool/"):
            self.assertEqual(self.client.get(f"{API}{path}99999999999999999999/").status_code, 404, path)
        response = self.client.post(
            f"{API}nodes/{self.cells.pk}/link/",
            {"enterprise": 99999999999999999999},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("enterprise", response.json()["errors"])
        response = self.client.post(
            f"{API}nodes/{self.cells.pk}/unlink/",
            {"link": 99999999999999999999, "end_reason": "x"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("link", response.json()["errors"])

    def test_pages_answer_a_notice_naming_the_parameter(self):
        self.client.force_login(self.admin)
        for name, param in (
            ("chains:pool_list", "node"),
            ("chains:pool_list", "chain"),
            ("chains:gap_list", "chain"),
            ("chains:pool_list", "page"),
        ):
            for value in self.HUGE:
                response = self.client.get(reverse(name), {param: value})
                self.assertEqual(response.status_code, 200, (name, param, value))
        response = self.client.get(reverse("chains:pool_list"), {"node": "1e30"})
        self.assertContains(response, "节点")
        for name in ("chains:node_detail", "chains:chain_detail", "chains:chain_export", "chains:node_edit"):
            response = self.client.get(reverse(name, args=[1]).replace("/1/", "/99999999999999999999/"))
            self.assertEqual(response.status_code, 404, name)


class AmountAndDateTests(ChainTestCase):
    def test_an_amount_finer_than_the_unit_is_refused_with_the_unit_named(self):
        with self.assertRaises(services.ChainError) as caught:
            services.link(
                actor=self.admin, node=self.cells, enterprise=self.ent_b, investment="0.001", source=WEB
            )
        self.assertEqual(caught.exception.errors["investment"], "最小单位为 0.01 万元")
        for bad in ("NaN", "1e20", "-1", "abc"):
            with self.assertRaises(services.ChainError) as caught:
                services.link(
                    actor=self.admin, node=self.cells, enterprise=self.ent_b, expected_output=bad, source=WEB
                )
            self.assertIn("expected_output", caught.exception.errors)
        self.assertFalse(NodeLink.objects.exists())

    def test_the_page_and_the_api_name_the_unit(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("chains:node_link", args=[self.cells.pk]),
            {"enterprise": self.ent_b.pk, "role": "core", "investment": "0.001"},
            follow=True,
        )
        self.assertContains(response, "最小单位为 0.01 万元")
        response = self.client.post(
            f"{API}nodes/{self.cells.pk}/link/",
            {"enterprise": self.ent_b.pk, "investment": "0.001"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("最小单位为 0.01 万元", response.json()["errors"]["investment"])
        self.assertFalse(NodeLink.objects.exists())

    def test_a_landing_date_before_1900_is_refused(self):
        with self.assertRaises(services.ChainError) as caught:
            services.link(
                actor=self.admin, node=self.cells, enterprise=self.ent_b, landed_on="0001-01-01", source=WEB
            )
        self.assertIn("1900", caught.exception.errors["landed_on"])
        self.assertFalse(NodeLink.objects.exists())


class PoolImportLengthTests(ChainTestCase):
    def table(self, *rows, headers=HEADERS):
        return Table(list(headers), [dict(zip(headers, r, strict=True)) for r in rows])

    def counts(self):
        return PoolCompany.objects.count(), ChangeLog.objects.count()

    def test_every_over_long_value_is_a_row_error_naming_the_column(self):
        headers = [*HEADERS, "备注"]
        good = ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是", "")
        rows = [
            good,
            ("长" * 101, "", "", "", "lithium", "cathode", "大型", "否", ""),
            ("乙公司", "", "地" * 51, "", "lithium", "cathode", "大型", "否", ""),
            ("丙公司", "", "", "品" * 201, "lithium", "cathode", "大型", "否", ""),
            ("丁公司", "", "", "", "lithium", "cathode", "大型", "否", "注" * 301),
            ("戊公司", "9" * 40, "", "", "lithium", "cathode", "大型", "否", ""),
            ("己公司", "", "", "", "l" * 5000, "cathode", "大型", "否", ""),
        ]
        before = self.counts()
        for dry_run in (True, False):
            result = services.import_pool(
                actor=self.admin,
                zone=self.kashgar,
                table=self.table(*rows, headers=headers),
                source=WEB,
                dry_run=dry_run,
            )
            found = {(e.row, e.field) for e in result.errors}
            for expected in (
                (3, "企业名称"),
                (4, "所在地区"),
                (5, "主要产品"),
                (6, "备注"),
                (7, "统一社会信用代码"),
                (8, "节点代码"),
            ):
                self.assertIn(expected, found)
            self.assertEqual(self.counts(), before)
        for e in result.errors:
            self.assertLess(len(str(e)), 300)  # the message names the value's length, not the value

    def test_a_confirm_that_collides_with_a_company_added_meanwhile_writes_nothing(self):
        """Two imports at once: the check passed, then the save meets the other's row (the unique
        constraint): a row error, nothing of the file kept, no 500."""
        table = self.table(
            ("甲正极材料股份有限公司", "", "湖南省", "三元正极", "lithium", "cathode", "大型", "是"),
            ("乙负极材料有限公司", "", "江西省", "", "lithium", "cathode", "中型", "否"),
        )
        PoolCompany.objects.create(
            zone=self.kashgar, name="乙负极材料有限公司", node=self.cells, size="small"
        )
        before = self.counts()
        # the check reads the pool before the other import saved: it does not see the row yet
        with mock.patch.object(services, "normalize_name", lambda name: f"check:{name}"):
            result = services.import_pool(
                actor=self.admin, zone=self.kashgar, table=table, source=WEB, dry_run=False
            )
        self.assertFalse(result.ok)
        self.assertEqual((result.errors[0].row, result.errors[0].field), (3, "企业名称"))
        self.assertEqual(self.counts(), before)

    def test_an_import_page_with_an_over_long_name_names_row_and_column(self):
        self.client.force_login(self.admin)
        data = write_table(HEADERS, [("长" * 101, "", "", "", "lithium", "cathode", "大型", "否")], "csv")
        before = self.counts()
        response = self.client.post(
            reverse("chains:pool_import"),
            {"zone": "kashgar", "file": SimpleUploadedFile("pool.csv", data)},
        )
        self.assertContains(response, "第 2 行")
        self.assertContains(response, "不能超过 100 个字")
        self.assertEqual(self.counts(), before)


class NodeTextTests(ChainTestCase):
    def test_over_long_node_values_are_refused_not_cut(self):
        data = {"name": "电池制造", "segment": "mid", "industry_prefixes": "3841," * 30, "note": "注" * 301}
        with self.assertRaises(services.ChainError) as caught:
            services.update_node(actor=self.admin, node=self.cells, data=data, source=WEB)
        self.assertEqual(
            caught.exception.errors,
            {
                "industry_prefixes": "不能超过 100 个字(现为 150 个字)",
                "note": "不能超过 300 个字(现为 301 个字)",
            },
        )
        self.cells.refresh_from_db()
        self.assertEqual((self.cells.industry_prefixes, self.cells.note), ("3841", ""))
        count = Node.objects.count()
        with self.assertRaises(services.ChainError) as caught:
            services.add_node(
                actor=self.admin, chain=self.chain, data={**data, "code": "c" * 41, "name": "新"}, source=WEB
            )
        self.assertEqual(set(caught.exception.errors), {"code", "industry_prefixes", "note"})
        self.assertEqual(Node.objects.count(), count)
