"""The project page as an investment officer uses it (issue 14): errors at the form with the values kept,
actions the stage does not allow replaced by the reason, the funds form taking its evidence file, links to
the enterprise and the chain nodes, confirmation before a merge or a deletion, one unit on a kanban card."""

import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from jushi.chains.models import Chain, Node, NodeLink
from jushi.core.choices import ChangeSource
from jushi.core.models import ChangeLog

from .. import services
from ..choices import AttachmentKind
from ..models import Attachment, FundsRecord, Milestone, Problem, Project
from .base import D, LedgerTestCase, make_code

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
WEB = ChangeSource.WEB


def section(html: str, anchor: str) -> str:
    """The page's <section id=anchor> ... </section>."""
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


class ProjectPageData(LedgerTestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = tempfile.mkdtemp(prefix="jushi-project-page-")
        cls.media_settings = override_settings(MEDIA_ROOT=cls.media)
        cls.media_settings.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.media_settings.disable()
        shutil.rmtree(cls.media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The investor is 甲纺织 of the registry (same credit code); the landing company is 乙锂电.
        cls.drone = cls.sign(cls, cls.lead(cls, code=cls.ent_a.credit_code, park="energy"))
        Project.objects.filter(pk=cls.drone.pk).update(enterprise=cls.ent_b)
        services.record_funds(
            actor=cls.admin,
            project=cls.drone,
            on=D(2024, 7, 10),
            amount_wan="5000",
            evidence="bank",
            source=WEB,
        )
        cls.textile = cls.lead(
            cls,
            name="高端棉纺织项目",
            investor="新疆丝路棉业有限公司",
            code=make_code(501),
            agreed_investment="800",
        )
        cls.copy = cls.lead(cls, name="中天智控无人机装备制造项目", lead_on=D(2024, 6, 1))
        chain = Chain.objects.create(zone=cls.kashgar, code="drone", name="低空经济产业链")
        cls.node = Node.objects.create(chain=chain, code="assembly", name="整机制造", segment="mid")
        NodeLink.objects.create(node=cls.node, project=cls.drone, landed_on=D(2024, 6, 26))
        cls.drone.refresh_from_db()

    def url(self, name, pk):
        return reverse(f"projects:{name}", args=[pk])

    def page_html(self, project, user=None) -> str:
        response = self.login(user or self.admin).get(self.url("project_detail", project.pk))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()


class FormsTests(ProjectPageData):
    def test_funds_error_on_an_unsigned_project_is_shown_at_the_form_with_the_values_kept(self):
        typed = {
            "on": "2024-07-01",
            "amount": "1234.5",
            "evidence": "verified",
            "source_region": "local",
            "note": "首笔进账",
        }
        response = self.login(self.admin).post(self.url("project_funds", self.textile.pk), typed)
        self.assertEqual(response.status_code, 200)
        funds = section(response.content.decode(), "funds")
        self.assertIn("未保存", funds)
        self.assertIn("到位日期</a>:项目签约后才能登记到位资金(当前阶段:线索)", funds)
        # the form is there (open), posting to its own anchor, with what was typed
        self.assertIn('id="funds-form" open', funds)
        self.assertIn('#funds-form"', funds)
        for value in ('value="2024-07-01"', 'value="1234.5"', 'value="首笔进账"'):
            self.assertIn(value, funds)
        self.assertRegex(funds, r'<option value="verified" selected>')
        self.assertRegex(funds, r'<option value="local" selected>')
        self.assertFalse(FundsRecord.objects.filter(project=self.textile).exists())

    def test_every_form_posts_to_its_own_anchor(self):
        html = self.page_html(self.drone)
        actions = re.findall(r'<form method="post" action="([^"]+)"', html)
        mine = [a for a in actions if a.startswith("/projects/")]
        self.assertGreaterEqual(len(mine), 8)
        for action in mine:
            self.assertIn("#", action, action)
            anchor = action.split("#", 1)[1]
            self.assertIn(f'id="{anchor}"', html, action)

    def test_a_contract_error_keeps_the_values_and_names_the_field(self):
        response = self.login(self.admin).post(
            self.url("project_contract", self.drone.pk),
            {"effective_on": "2024-07-15", "new_investment": "abc", "reason": "二期扩建"},
        )
        self.assertEqual(response.status_code, 200)
        contract = section(response.content.decode(), "contract")
        self.assertIn("新协议投资(万元)</a>:“abc”不是数字", contract)
        self.assertIn('value="二期扩建"', contract)
        self.assertIn('value="2024-07-15"', contract)

    def test_a_milestone_error_is_at_its_form(self):
        response = self.login(self.admin).post(
            self.url("project_milestone", self.drone.pk), {"name": "环评批复", "planned_on": "2024-13-01"}
        )
        milestones = section(response.content.decode(), "milestones")
        self.assertIn('id="milestone-form" open', milestones)
        self.assertIn("计划日期</a>:", milestones)
        self.assertIn('value="环评批复"', milestones)
        self.assertFalse(Milestone.objects.exists())


class StageTests(ProjectPageData):
    def test_actions_the_stage_does_not_allow_are_not_offered_and_the_reason_is_shown(self):
        lead = self.page_html(self.textile)
        self.assertNotIn('id="funds-form"', lead)
        self.assertNotIn('id="contract-form"', lead)
        self.assertIn("项目签约后才能登记到位资金(当前阶段:线索)", section(lead, "funds"))
        self.assertIn("项目签约后才能登记合同变更(当前阶段:线索)", section(lead, "contract"))
        self.assertIn('id="problem-form"', lead)  # problems may be raised at any stage
        signed = self.page_html(self.drone)
        self.assertIn('id="funds-form"', signed)
        self.assertIn('id="contract-form"', signed)
        self.assertNotIn("项目签约后才能", signed)

    def test_a_merged_project_offers_nothing_to_record_and_says_where(self):
        self.login(self.admin).post(
            self.url("project_duplicate", self.copy.pk), {"decision": "merge", "confirmed": "1"}
        )
        html = self.page_html(self.copy)
        for form in ("funds-form", "milestone-form", "monthly-form", "problem-form", "attachment-form"):
            self.assertNotIn(f'id="{form}"', html)
        self.assertIn(f"该项目已合并到 {self.drone.code} {self.drone.name},不再单独登记", html)


class FundsFileTests(ProjectPageData):
    def post_funds(self, upload, amount="1200", **extra):
        data = {
            "on": "2024-07-18",
            "amount": amount,
            "evidence": "bank",
            "source_region": "province",
            "file": upload,
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.login(self.admin).post(self.url("project_funds", self.drone.pk), {**data, **extra})

    def test_the_funds_form_stores_its_evidence_file_as_the_project_attachment(self):
        response = self.post_funds(SimpleUploadedFile("进账单.pdf", PDF, content_type="application/pdf"))
        self.assertRedirects(
            response, self.url("project_detail", self.drone.pk) + "#funds", fetch_redirect_response=False
        )
        funds = FundsRecord.objects.get(project=self.drone, on=D(2024, 7, 18))
        attachment = funds.attachment
        self.assertIsNotNone(attachment)
        self.assertEqual(
            (attachment.project_id, attachment.kind, attachment.name),
            (self.drone.pk, AttachmentKind.RECEIPT, "进账单.pdf"),
        )
        with attachment.file.open("rb") as handle:
            self.assertEqual(handle.read(), PDF)
        self.assertTrue(ChangeLog.objects.for_object(attachment).exists())
        page = self.page_html(self.drone)
        self.assertIn(
            f'href="{reverse("projects:attachment_download", args=[attachment.pk])}">进账单.pdf',
            section(page, "funds"),
        )

    def test_a_bad_file_is_refused_at_the_form_and_nothing_is_kept(self):
        response = self.post_funds(SimpleUploadedFile("进账单.pdf", b"not a pdf at all"))
        self.assertEqual(response.status_code, 200)
        funds = section(response.content.decode(), "funds")
        self.assertIn("凭证文件</a>:文件内容不是 .pdf 格式", funds)
        self.assertIn("所选文件“进账单.pdf”尚未保存:改正后请重新选择", funds)
        self.assertIn('value="1200"', funds)
        self.assertFalse(FundsRecord.objects.filter(on=D(2024, 7, 18)).exists())
        self.assertFalse(Attachment.objects.exists())

    def files(self) -> set[Path]:
        return {p for p in Path(self.media).rglob("*") if p.is_file()}

    def test_funds_over_the_contract_keep_no_file(self):
        before = self.files()
        response = self.post_funds(SimpleUploadedFile("进账单.pdf", PDF), amount="20000")  # agreed 15000
        self.assertEqual(response.status_code, 200)
        self.assertIn("请先登记合同变更", section(response.content.decode(), "funds"))
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(self.files(), before)

    def test_a_failure_after_the_file_was_written_removes_it(self):
        before = self.files()
        upload = SimpleUploadedFile("进账单.pdf", PDF)
        with mock.patch("jushi.projects.services.funds.record", side_effect=RuntimeError("log down")):
            with self.assertRaises(RuntimeError):
                services.record_funds(
                    actor=self.admin,
                    project=self.drone,
                    on=D(2024, 7, 18),
                    amount_wan="100",
                    evidence="bank",
                    upload=upload,
                    source=WEB,
                )
        self.assertFalse(Attachment.objects.exists())
        self.assertFalse(FundsRecord.objects.filter(on=D(2024, 7, 18)).exists())
        self.assertEqual(self.files(), before)

    def test_a_file_and_an_existing_attachment_at_once_are_refused(self):
        existing = services.add_attachment(
            actor=self.admin,
            project=self.drone,
            kind="receipt",
            upload=SimpleUploadedFile("a.pdf", PDF),
            source=WEB,
        )
        response = self.post_funds(SimpleUploadedFile("b.pdf", PDF), attachment=str(existing.pk))
        self.assertIn("只能二选一", section(response.content.decode(), "funds"))
        self.assertEqual(Attachment.objects.count(), 1)


class LinksTests(ProjectPageData):
    def test_the_page_links_to_the_enterprises_and_the_chain_node(self):
        html = self.page_html(self.drone)
        investor = reverse("registry:enterprise_detail", args=[self.ent_a.pk])
        landing = reverse("registry:enterprise_detail", args=[self.ent_b.pk])
        particulars = section(html, "particulars")
        self.assertIn(f'<a href="{investor}"', particulars)  # the investor, found by its credit code
        self.assertIn(
            f'<a href="{investor}" title="{self.ent_a.name}"><code>{self.ent_a.credit_code}</code></a>',
            particulars,
        )
        self.assertIn(f'<a href="{landing}"', particulars)
        chains = section(html, "chains")
        self.assertIn(f'<a href="{reverse("chains:node_detail", args=[self.node.pk])}">整机制造</a>', chains)
        self.assertIn("低空经济产业链", chains)
        # the industry by its name, the code on hover; the project code with its name
        self.assertIn('title="国民经济行业代码 3841"', particulars)
        self.assertIn(f'title="项目编号:{self.drone.name}">{self.drone.code}</code>', particulars)

    def test_a_project_without_links_says_so(self):
        html = self.page_html(self.textile)
        self.assertIn("尚未关联产业链节点", section(html, "chains"))
        self.assertNotIn(reverse("registry:enterprise_detail", args=[self.ent_a.pk]), html)
        self.assertIn("不在本区企业名录中", section(html, "particulars"))

    def test_a_link_hidden_from_the_user_is_not_listed(self):
        far = Chain.objects.create(zone=self.other, code="far", name="外区产业链")
        far_node = Node.objects.create(chain=far, code="x", name="外区节点", segment="up")
        NodeLink.objects.create(node=far_node, project=self.drone, landed_on=D(2024, 6, 26))
        # The admin covers only Kashgar: the other zone's node is not theirs to see; the regional user's is.
        self.assertNotIn("外区节点", section(self.page_html(self.drone), "chains"))
        self.assertIn("外区节点", section(self.page_html(self.drone, self.regional), "chains"))


class ConfirmTests(ProjectPageData):
    def test_merge_asks_first_saying_what_moves_then_merges(self):
        url = self.url("project_duplicate", self.copy.pk)
        Problem.objects.create(
            project=self.copy, title="用地指标", owner="张三", raised_on=D(2024, 7, 1), due_on=D(2024, 8, 1)
        )
        asked = self.login(self.admin).post(url, {"decision": "merge", "reason": "同一项目"})
        self.assertEqual(asked.status_code, 200)
        self.assertTemplateUsed(asked, "core/confirm.html")
        text = asked.content.decode()
        self.assertIn(f"合并 {self.copy.code} 到 {self.drone.code}", text)
        self.assertIn("标为“已合并”,不再计入签约统计", text)
        self.assertIn("1 个问题移到原项目", text)
        self.assertIn("本项目没有到位资金记录", text)
        self.assertIn('name="decision" value="merge"', text)
        self.assertIn('name="reason" value="同一项目"', text)
        self.copy.refresh_from_db()
        self.assertEqual(self.copy.duplicate_status, "flagged")
        with self.captureOnCommitCallbacks(execute=True):
            done = self.login(self.admin).post(
                url, {"decision": "merge", "reason": "同一项目", "confirmed": "1"}
            )
        self.assertEqual(done.status_code, 302)
        self.copy.refresh_from_db()
        self.assertEqual(self.copy.duplicate_status, "merged")
        self.assertEqual(Problem.objects.get(title="用地指标").project_id, self.drone.pk)

    def test_confirming_as_new_asks_too(self):
        url = self.url("project_duplicate", self.copy.pk)
        asked = self.login(self.admin).post(url, {"decision": "new"})
        self.assertIn("确认为新项目,不再标为疑似重复", asked.content.decode())
        self.copy.refresh_from_db()
        self.assertEqual(self.copy.duplicate_status, "flagged")

    def test_a_bad_decision_is_shown_at_the_banner(self):
        response = self.login(self.admin).post(
            self.url("project_duplicate", self.copy.pk), {"decision": "both", "reason": "看看"}
        )
        self.assertEqual(response.status_code, 200)
        banner = response.content.decode()
        banner = banner[banner.index('id="duplicate"') :]
        self.assertIn("处理方式:", banner[:3000])
        self.assertIn('value="看看"', banner[:3000])

    def test_deleting_funds_asks_first_naming_the_record_and_amount(self):
        funds = FundsRecord.objects.get(project=self.drone)
        url = self.url("funds_delete", funds.pk)
        asked = self.login(self.admin).post(url, {"reason": "重复录入"})
        self.assertTemplateUsed(asked, "core/confirm.html")
        text = asked.content.decode()
        self.assertIn("于 2024-07-10 到位的 5,000.00 万元(A 级 银行进账单", text)
        self.assertIn("由 5,000.00 万元减为 0.00 万元", text)
        self.assertTrue(FundsRecord.objects.filter(pk=funds.pk).exists())
        with self.captureOnCommitCallbacks(execute=True):
            done = self.login(self.admin).post(url, {"reason": "重复录入", "confirmed": "1"})
        self.assertEqual(done.status_code, 302)
        self.assertFalse(FundsRecord.objects.filter(pk=funds.pk).exists())

    def test_deleting_without_a_reason_is_refused_at_the_row_without_asking(self):
        funds = FundsRecord.objects.get(project=self.drone)
        response = self.login(self.admin).post(self.url("funds_delete", funds.pk), {"reason": ""})
        self.assertTemplateNotUsed(response, "core/confirm.html")
        self.assertIn(
            f'action="{self.url("funds_delete", funds.pk)}#delete-{funds.pk}"', response.content.decode()
        )


class KanbanUnitTests(ProjectPageData):
    def test_a_card_shows_one_unit_and_the_column_says_it(self):
        response = self.login(self.admin).get(reverse("projects:kanban"))
        html = response.content.decode()
        cards = re.findall(r'<article class="kcard.*?</article>', html, re.S)
        self.assertGreaterEqual(len(cards), 3)
        for card in cards:
            self.assertNotIn("万元", card)
        textile = next(c for c in cards if "高端棉纺织项目" in c)
        self.assertIn("0.08", textile)  # 800 万元 shown in 亿元
        drone = next(c for c in cards if f">{self.drone.name}<" in c)
        self.assertIn("1.50", drone)
        headers = re.findall(r"<header>.*?</header>", html, re.S)
        self.assertTrue(headers)
        for header in headers:
            self.assertIn("亿元", header)
            self.assertNotIn("万元", header)
        self.assertEqual(Decimal("0.08"), Decimal(800) / 10000)


class CodeLinkTests(ProjectPageData):
    def test_the_schedule_links_each_project_code(self):
        detail = reverse("projects:project_detail", args=[self.drone.pk])
        response = self.login(self.admin).get(reverse("projects:schedule"), {"year": 2024})
        self.assertContains(
            response, f'<a href="{detail}" title="项目详情:{self.drone.name}">{self.drone.code}</a>'
        )
        one = self.login(self.admin).get(reverse("projects:schedule_project", args=[self.drone.pk]))
        self.assertContains(
            one, f'<a href="{detail}" title="项目详情:{self.drone.name}">{self.drone.code}</a>'
        )
