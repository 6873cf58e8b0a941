"""URLs of the deadline rush's server: every product URL, plus the floor (bench only, never in jushi.urls).

The floor is the least a signed-in write can cost on this stack: a POST through the same middleware
(session, CSRF, authentication, the security gate, the audit middleware) to a view that inserts one row
into bench_rush_floor (created by bench/rush_prepare.py) in its own transaction and answers 204.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from jushi import urls as product

handler400 = product.handler400
handler403 = product.handler403
handler404 = product.handler404
handler500 = product.handler500


@login_required
@require_POST
def floor_write(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "insert into bench_rush_floor (written_at, who) values (%s, %s)",
            [timezone.now().isoformat(), str(request.user.pk)],
        )
    return HttpResponse(status=204)


urlpatterns = [path("bench-rush/floor/", floor_write, name="bench_rush_floor"), *product.urlpatterns]
