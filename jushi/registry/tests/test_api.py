from rest_framework.authtoken.models import Token

from jushi.core.models import ChangeLog
from jushi.core.testing import PersonaTestCase, make_code
from jushi.registry.models import Enterprise


class EnterpriseApiTests(PersonaTestCase):
    def test_filters_match_the_list_page(self):
        client = self.login(self.admin)
        names = lambda **p: [r["name"] for r in client.get("/api/enterprises/", p).json()["results"]]  # noqa: E731
        self.assertEqual(names(park="textile"), ["甲纺织有限公司"])
        self.assertEqual(names(size_year=2024), ["甲纺织有限公司"])
        self.assertEqual(names(industry="3841"), ["乙锂电有限公司"])
        self.assertEqual(names(q="乙"), ["乙锂电有限公司"])

    def test_token_auth_create_is_logged_as_api(self):
        token = Token.objects.create(user=self.reviewer)
        response = self.client.post(
            "/api/enterprises/",
            {
                "credit_code": make_code(50),
                "name": "接口企业",
                "zone": "kashgar",
                "park": "energy",
                "industry": "3841",
                "size_years": [2024],
                "reason": "对接工商系统",
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token.key}",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual((response.json()["park"], response.json()["size_years"]), ("energy", [2024]))
        log = ChangeLog.objects.get()
        self.assertEqual((log.source, log.user_name, log.reason), ("api", "reviewer", "对接工商系统"))

    def test_bad_input_names_the_field_and_changes_nothing(self):
        client = self.login(self.reviewer)
        response = client.post(
            "/api/enterprises/",
            {"credit_code": "91350100M000100Y44", "name": "x", "zone": "kashgar", "park": "nowhere"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["credit_code"], ["校验位错误:第 18 位应为 3,实际为 4"])
        response = client.patch(
            f"/api/enterprises/{self.ent_a.pk}/", {"park": "nowhere"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("park", response.json())
        self.ent_a.refresh_from_db()
        self.assertEqual(self.ent_a.park, self.textile)
        self.assertEqual(ChangeLog.objects.count(), 0)

    def test_patch_logs_only_the_difference(self):
        response = self.login(self.reviewer).patch(
            f"/api/enterprises/{self.ent_a.pk}/",
            {"status": "suspended", "reason": "停产检修"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(ChangeLog.objects.get().changes(), [("状态", "operating", "suspended")])

    def test_list_query_count_is_fixed(self):
        Enterprise.objects.bulk_create(
            [
                Enterprise(zone=self.kashgar, name=f"企业{i}", credit_code=make_code(200 + i))
                for i in range(30)
            ]
        )
        client = self.login(self.admin)
        client.get("/api/enterprises/")
        with self.assertNumQueries(7):
            response = client.get("/api/enterprises/")
        self.assertEqual(response.json()["count"], 32)

    def test_schema_and_docs_are_served(self):
        client = self.login(self.leader)
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        for path in (
            "/api/zones/",
            "/api/parks/",
            "/api/industries/",
            "/api/enterprises/",
            "/api/enterprises/{id}/",
        ):
            self.assertIn(path, schema["paths"])
        params = {p["name"] for p in schema["paths"]["/api/enterprises/"]["get"]["parameters"]}
        self.assertTrue({"q", "zone", "park", "industry", "status", "size_year"} <= params)
        docs = client.get("/api/docs/").content.decode()
        self.assertIn("/static/vendor/swagger-ui/swagger-ui-bundle.js", docs)
        self.assertNotIn("cdn", docs.lower())

    def test_anonymous_gets_nothing(self):
        self.assertIn(self.client.get("/api/enterprises/").status_code, (401, 403))
