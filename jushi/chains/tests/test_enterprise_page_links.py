"""The enterprise page lists the enterprise's reports, projects and chain nodes from the floors above the
registry (jushi.core.panels), each as the requesting user may see them. Lives with the top floor because
it builds rows of every floor."""

import datetime as dt

from django.urls import reverse

from jushi.chains.models import Chain, Node, NodeLink
from jushi.core.choices import ChangeSource
from jushi.projects import services
from jushi.projects.models import Event, Project
from jushi.reporting.tests.base import ReportingTestCase

D = dt.date


class EnterpriseData(ReportingTestCase):
    """ent_a: a report, a project it lands, a confidential one it invests in, on two nodes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Event.objects.create(zone=cls.kashgar, name="博览会", held_on=D(2024, 6, 26))

        def project(name, **data):
            return services.create_project(
                actor=cls.admin,
                zone=cls.kashgar,
                data={"name": name, "lead_on": D(2024, 3, 1), **data},
                source=ChangeSource.WEB,
            )

        cls.landing = project("甲纺织二期扩能项目", investor_name="某纺织集团")
        Project.objects.filter(pk=cls.landing.pk).update(enterprise=cls.ent_a)  # its project company
        cls.secret = project(
            "甲纺织保密新材料项目",
            investor_name=cls.ent_a.name,
            credit_code=cls.ent_a.credit_code,
            confidential=True,
        )
        cls.elsewhere = project("无关的光伏项目", investor_name="别家能源公司")
        chain = Chain.objects.create(zone=cls.kashgar, code="textile", name="纺织服装产业链")
        cls.spinning = Node.objects.create(chain=chain, code="spinning", name="纺纱环节", segment="up")
        cls.fibre = Node.objects.create(chain=chain, code="fibre", name="新材料节点", segment="mid")
        NodeLink.objects.create(node=cls.spinning, enterprise=cls.ent_a, landed_on=D(2020, 1, 1))
        NodeLink.objects.create(node=cls.fibre, project=cls.secret, landed_on=D(2024, 5, 1))

    def page(self, user, enterprise=None):
        response = self.login(user).get(
            reverse("registry:enterprise_detail", args=[(enterprise or self.ent_a).pk])
        )
        self.assertEqual(response.status_code, 200)
        return response.content.decode()


class EnterprisePageLinksTests(EnterpriseData):
    def test_staff_who_see_confidential_projects_get_reports_projects_and_nodes_linked(self):
        html = self.page(self.admin)
        self.assertIn(f'href="{reverse("reporting:submission_detail", args=[self.sub_a.pk])}"', html)
        self.assertIn(self.sub_a.get_status_display(), html)
        for p in (self.landing, self.secret):
            self.assertIn(f'href="{reverse("projects:project_detail", args=[p.pk])}"', html)
            self.assertIn(p.code, html)
        self.assertIn("落地企业", html)
        self.assertIn("投资方", html)
        self.assertNotIn(self.elsewhere.name, html)
        self.assertIn(f'href="{reverse("chains:node_detail", args=[self.spinning.pk])}"', html)
        self.assertIn(f'href="{reverse("chains:node_detail", args=[self.fibre.pk])}"', html)
        # the industry is shown by name, its code on hover, and links to the enterprises of that industry
        self.assertIn('title="行业代码 1711', html)
        self.assertIn(f"{reverse('registry:enterprise_list')}?industry=1711", html)

    def test_staff_who_may_not_see_confidential_projects_do_not_see_them_or_their_nodes(self):
        html = self.page(self.reviewer)  # statistics staff: not the investment or projects department
        self.assertIn(self.landing.name, html)
        self.assertNotIn(self.secret.name, html)
        self.assertNotIn(self.secret.code, html)
        self.assertIn(self.spinning.name, html)
        self.assertNotIn(self.fibre.name, html)  # on the chain only through the confidential project
        self.assertIn(f'href="{reverse("reporting:submission_detail", args=[self.sub_a.pk])}"', html)

    def test_a_reporter_sees_their_own_reports_and_no_projects_or_chains(self):
        html = self.page(self.reporter_a)
        self.assertIn(f'href="{reverse("reporting:submission_detail", args=[self.sub_a.pk])}"', html)
        self.assertIn('id="panel-reports"', html)
        self.assertNotIn('id="panel-projects"', html)
        self.assertNotIn('id="panel-nodes"', html)
        self.assertNotIn(self.landing.name, html)
        self.assertNotIn(self.spinning.name, html)
        self.assertNotIn(reverse("registry:zone_detail", args=[self.kashgar.code]), html)  # a staff page

    def test_a_reporter_never_sees_another_enterprises_reports(self):
        response = self.login(self.reporter_b).get(
            reverse("registry:enterprise_detail", args=[self.ent_a.pk])
        )
        self.assertEqual(response.status_code, 404)
        html = self.page(self.reporter_b, self.ent_b)
        self.assertNotIn(reverse("reporting:submission_detail", args=[self.sub_a.pk]), html)
        self.assertIn("该企业还没有报表任务", html)


class EnterpriseDeletePageTests(EnterpriseData):
    """The delete page says, before the button, what deleting changes, computed from what holds on to the
    enterprise; with reports it refuses and says why."""

    def test_the_page_lists_what_goes_with_the_enterprise_and_what_stays(self):
        from jushi.core.testing import make_code
        from jushi.registry.models import Enterprise, SizeMembership

        ent = Enterprise.objects.create(
            zone=self.kashgar, park=self.textile, name="丁待删除有限公司", credit_code=make_code(66)
        )
        SizeMembership.objects.create(enterprise=ent, year=2023)
        NodeLink.objects.create(node=self.fibre, enterprise=ent, landed_on=D(2023, 1, 1))
        Project.objects.filter(pk=self.elsewhere.pk).update(enterprise=ent)
        url = reverse("registry:enterprise_delete", args=[ent.pk])
        response = self.login(self.admin).get(url)
        self.assertEqual(response.status_code, 200)
        effects = [str(line) for line in response.context["effects"]]
        self.assertIn("该企业从企业名录中移除:名录、导出和接口中都不再有它", effects)
        self.assertIn("一并删除规上企业名录 1 条", effects)
        self.assertIn("一并删除节点企业/项目 1 条", effects)
        self.assertIn("1 个项目的“落地企业”将清空(记录本身保留)", effects)
        self.assertTrue(any(line.startswith("变更记录保留") for line in effects))
        self.assertContains(response, "删除后不可恢复")
        html = response.content.decode()
        self.assertLess(html.index('id="delete-effects"'), html.index("确认删除"))  # said before the button
        # and it is so: the project stays without its landing company, the history keeps the snapshot
        done = self.client.post(url, {"reason": "重复登记"})
        self.assertEqual(done.status_code, 302)
        self.assertFalse(Enterprise.objects.filter(pk=ent.pk).exists())
        self.assertIsNone(Project.objects.get(pk=self.elsewhere.pk).enterprise_id)
        self.assertFalse(NodeLink.objects.filter(enterprise_id=ent.pk).exists())

    def test_an_enterprise_with_reports_is_refused_with_the_reason_and_no_delete_button(self):
        url = reverse("registry:enterprise_delete", args=[self.ent_a.pk])
        response = self.login(self.admin).get(url)
        self.assertContains(response, 'id="delete-blocked"')
        self.assertContains(response, "不能删除")
        self.assertNotContains(response, "确认删除")
        self.assertNotContains(response, "删除后不可恢复")
        refused = self.client.post(url, {"reason": "试试"})
        self.assertEqual(refused.status_code, 409)
