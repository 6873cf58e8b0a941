"""The industry picker: a search of names and codes for its datalist, and forms and filters that take
the chosen code (or a name that names one industry) and say clearly what they could not find."""

from django.urls import reverse

from jushi.core.testing import PersonaTestCase, make_code
from jushi.registry.models import Enterprise
from jushi.registry.widgets import resolve


class IndustrySearchTests(PersonaTestCase):
    def search(self, text, user=None):
        client = self.login(user or self.reviewer)
        return client.get(reverse("registry:industry_search"), {"field": "industry", "industry": text})

    def test_a_name_finds_the_industry_by_name(self):
        response = self.search("电池")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<option value="3841" label="锂离子电池制造">')
        self.assertContains(response, 'value="3842"')  # 镍氢电池制造: every battery industry
        self.assertNotContains(response, 'value="1711"')

    def test_a_code_finds_the_industry_and_its_children(self):
        response = self.search("3841")
        self.assertContains(response, '<option value="3841" label="锂离子电池制造">')
        response = self.search("384")
        self.assertContains(response, 'value="384"')
        self.assertContains(response, 'value="3841"')
        self.assertNotContains(response, 'value="3851"')

    def test_an_empty_search_offers_the_sections_and_reporters_may_search_too(self):
        response = self.search("", user=self.reporter_a)
        self.assertContains(response, '<option value="C" label="制造业">')
        self.assertNotContains(response, 'value="3841"')

    def test_anonymous_users_are_sent_to_log_in(self):
        response = self.client.get(reverse("registry:industry_search"), {"q": "电池"})
        self.assertEqual(response.status_code, 302)

    def test_resolve_takes_codes_names_and_the_list_text(self):
        self.assertEqual(resolve("3841")[0].code, "3841")
        self.assertEqual(resolve("3841 锂离子电池制造")[0].code, "3841")
        self.assertEqual(resolve("锂离子电池制造")[0].code, "3841")
        found, why = resolve("电池")
        self.assertIsNone(found)
        self.assertIn("行业:有多个行业的名称含“电池”", why)
        found, why = resolve("不存在的行业")
        self.assertIsNone(found)
        self.assertIn("行业:找不到名称或代码为“不存在的行业”的行业", why)


class IndustryFieldTests(PersonaTestCase):
    def form_data(self, industry):
        return {
            "zone": self.kashgar.pk,
            "park": self.energy.pk,
            "industry": industry,
            "name": "戊电池材料有限公司",
            "credit_code": make_code(55),
            "status": "operating",
            "size_years": "",
            "reason": "",
        }

    def test_the_enterprise_form_takes_the_code_or_a_name(self):
        client = self.login(self.reviewer)
        response = client.post(reverse("registry:enterprise_create"), self.form_data("3841"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Enterprise.objects.get(name="戊电池材料有限公司").industry.code, "3841")
        Enterprise.objects.filter(name="戊电池材料有限公司").delete()
        response = client.post(reverse("registry:enterprise_create"), self.form_data("镍氢电池制造"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Enterprise.objects.get(name="戊电池材料有限公司").industry.code, "3842")

    def test_an_unclear_industry_is_refused_with_a_message_naming_the_field(self):
        response = self.login(self.reviewer).post(
            reverse("registry:enterprise_create"), self.form_data("电池")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("行业:有多个行业的名称含“电池”", response.context["form"].errors["industry"][0])
        self.assertContains(response, 'value="电池"')  # the text typed is kept
        self.assertFalse(Enterprise.objects.filter(name="戊电池材料有限公司").exists())

    def test_the_edit_form_shows_the_current_industry_as_its_code_and_name(self):
        response = self.login(self.admin).get(reverse("registry:enterprise_edit", args=[self.ent_b.pk]))
        html = response.content.decode()
        self.assertIn('name="industry" value="3841"', html)
        self.assertIn('list="id_industry-options"', html)
        self.assertIn(f'hx-get="{reverse("registry:industry_search")}"', html)
        self.assertIn('<span class="industry-chosen" data-industry-name>锂离子电池制造</span>', html)

    def test_the_list_filter_takes_a_name_and_says_when_it_names_nothing_single(self):
        client = self.login(self.admin)
        response = client.get(reverse("registry:enterprise_list"), {"industry": "锂离子电池制造"})
        self.assertEqual([e.name for e in response.context["page"]], ["乙锂电有限公司"])
        response = client.get(reverse("registry:enterprise_list"), {"industry": "电池"})
        self.assertContains(response, "行业:有多个行业的名称含“电池”")
        self.assertEqual(list(response.context["page"]), [])
