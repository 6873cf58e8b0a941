"""The API's documentation speaks Chinese: the schema's title and description (what the API is, how to
authenticate, the error shape), the tags, every operation's summary and description, and the Swagger page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from jushi.accounts.models import User
from jushi.core.testing import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b")  # four English words in a row
METHODS = {"get", "post", "put", "patch", "delete"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    client = Client()
    client.force_login(User.objects.create_user("schema-reader", password=PASSWORD, role="staff"))
    return client


@pytest.fixture
def schema(reader):
    return reader.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_the_schema_says_in_chinese_what_the_api_is_how_to_sign_in_and_what_errors_look_like(schema):
    info = schema["info"]
    assert CJK.search(info["title"])
    description = info["description"]
    for words in (
        "开发区",
        "认证",
        "Authorization: Token",
        "X-CSRFToken",
        "drf_create_token",
        '"detail"',
        "409",
    ):
        assert words in description, words
    assert not ENGLISH_PHRASE.search(description)


def test_every_tag_is_described_in_chinese(schema):
    described = {t["name"]: t.get("description", "") for t in schema.get("tags", [])}
    used = {tag for ops in schema["paths"].values() for op in ops.values() for tag in op.get("tags", [])}
    assert used and used <= set(described), sorted(used - set(described))
    assert [name for name in used if not CJK.search(described[name])] == []


def test_every_operation_has_a_chinese_summary_and_no_english_description(schema):
    missing, english = [], []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            name = f"{method.upper()} {path}"
            if not CJK.search(operation.get("summary", "")):
                missing.append(name)
            description = operation.get("description", "")
            if description and (not CJK.search(description) or ENGLISH_PHRASE.search(description)):
                english.append(f"{name}: {description[:60]}")
    assert missing == []
    assert english == []


def test_the_swagger_page_title_is_chinese(reader):
    page = reader.get(reverse("api-docs")).content.decode()
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert CJK.search(title), title
