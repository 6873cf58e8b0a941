"""What schemathesis found over the OpenAPI schema, kept as plain tests (issue 13 point 10)."""

from django.urls import reverse

from jushi.core.testing import PersonaTestCase


class FuzzFindingTests(PersonaTestCase):
    def test_a_percent_sign_in_a_period_filter_is_a_400_not_a_500(self):
        # The parse error quotes the input; a "%" in it was taken for a format and crashed DRF.
        for who in (self.reporter_a, self.reviewer):
            self.client.force_login(who)
            for url in ("/api/reporting/obligations/", "/api/reporting/submissions/"):
                response = self.client.get(url, {"period": "`àBs %O}"})
                assert response.status_code == 400, (who, url, response.status_code)
                assert "period" in response.json()

    def test_a_percent_sign_in_an_indicator_period_filter_is_a_400(self):
        self.client.force_login(self.reviewer)
        response = self.client.get(reverse("indicators-value-list"), {"period": "%d%s"})
        assert response.status_code == 400

    def test_the_result_schema_admits_the_null_counts_of_department_figures(self):
        self.client.force_login(self.reviewer)
        schema = self.client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        result = schema["components"]["schemas"]["Result"]["properties"]
        for field in ("units", "frame_units", "blank_base_units"):
            assert result[field].get("nullable") is True, field

    def test_the_industry_schema_admits_a_section_without_parent(self):
        # F8: a 门类 has no parent; the API answers null, which the schema must allow.
        self.client.force_login(self.reviewer)
        schema = self.client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        assert schema["components"]["schemas"]["Industry"]["properties"]["parent"].get("nullable") is True

    def test_a_nul_character_in_a_related_code_is_a_400(self):
        # Found on PostgreSQL: a related field's lookup sent the NUL to the database (a 500 there).
        self.client.force_login(self.admin)
        response = self.client.post(
            "/api/enterprises/",
            {"zone": "kash\u0000gar", "name": "某公司", "credit_code": "x"},
            content_type="application/json",
        )
        assert response.status_code == 400


def test_the_handler_turns_a_nul_data_error_into_a_400():
    from django.db import DataError
    from rest_framework.views import APIView

    from jushi.core.errors import api_exception_handler

    response = api_exception_handler(
        DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes"), {"view": APIView()}
    )
    assert response.status_code == 400 and "空字符" in response.data["detail"]
