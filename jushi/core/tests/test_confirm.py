"""core.confirm: a dangerous POST without confirmed=1 answers a page that says what will change."""

from django.http import HttpResponse
from django.test import RequestFactory

from jushi.accounts.models import User
from jushi.core import confirm


def _view(request):
    if not confirm.confirmed(request):
        return confirm.ask(
            request, title="停用审核规则", changes=["本开发区的报表不再执行此规则"], cancel="/back/"
        )
    return HttpResponse("done")


def test_unconfirmed_post_asks_and_echoes_the_fields(db):
    request = RequestFactory().post("/rules/1/toggle/?x=1", {"reason": "口径调整", "ids": ["1", "2"]})
    request.user = User.objects.create_user("confirm-asker")
    response = _view(request)
    html = response.content.decode()
    assert "停用审核规则?" in html and "本开发区的报表不再执行此规则" in html
    assert 'name="reason" value="口径调整"' in html
    assert 'name="ids" value="1"' in html and 'name="ids" value="2"' in html
    assert 'name="confirmed" value="1"' in html and 'action="/rules/1/toggle/?x=1"' in html
    assert 'href="/back/"' in html


def test_confirmed_post_acts(db):
    request = RequestFactory().post("/rules/1/toggle/", {"confirmed": "1"})
    request.user = User.objects.create_user("confirm-doer")
    assert _view(request).content == b"done"
