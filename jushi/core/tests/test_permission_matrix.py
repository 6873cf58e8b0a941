"""Every route × every demo identity × GET and each write method, on the demo, against permission_matrix.

For each (route, identity, object variant, method) the answer must fall in the expected class:
  ok       GET: 2xx or a redirect not to the login page; a write: 2xx, 3xx (not to login), 400, 409, 415.
  deny     401, 403, 404, 405, a redirect to the login page, or (pages only) a redirect elsewhere with a
           message; in every case no change-log row written.
  nowrite  a method the route does not take: any answer but a 500, and nothing written.
Never a 500. No body (pages, JSON, CSV, XLSX decoded) names what the identity may not see: the other
zone's enterprises and objects, other enterprises (for reporters), confidential projects (for those who
may not see them). A write that an identity may do must log its change with a zone inside its scope.
Every request runs in a savepoint that is rolled back, so the matrix sees the demo as loaded.
"""

import csv
import io
import json
import shutil
import tempfile
import time
import traceback
from io import StringIO

import openpyxl
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jushi.core import scopes
from jushi.core.models import ChangeLog

from .permission_matrix import (
    EMPTY,
    IDENTITIES,
    KINDS_WITH_CONFIDENTIAL,
    KINDS_WITH_OWN_ENT,
    KNOWN_OPEN,
    NATIONAL_KINDS,
    ROUTES,
    WHOLE_TRAIL_ROLES,
)

SKIPPED_PREFIXES = ("django-admin/", "static/", "media/", "__")
WRITE_BODY = {}  # harmless: an empty form or JSON object
LOGIN_PATH = "/login/"
HITECH = "demo-hitech"
KASHGAR = "kashgar-edz"
MARK = "越界矩阵"  # in the names of the objects this test adds to the other zone


def walk(patterns, prefix="", namespace=""):
    for item in patterns:
        if isinstance(item, URLResolver):
            ns = f"{namespace}:{item.namespace}".strip(":") if item.namespace else namespace
            yield from walk(item.url_patterns, prefix + str(item.pattern), ns)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if namespace and item.name else item.name
            yield prefix + str(item.pattern), name, item


def routes():
    """(url name, pattern, URLPattern) once per name; format-suffix twins share their name."""
    seen = {}
    for route, name, pattern in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or "(?P<format>" in route or "<drf_format_suffix" in route:
            continue
        seen.setdefault(name or route, (route, pattern))
    return seen


def path_params(pattern) -> list[str]:
    return [p for p in pattern.pattern.regex.groupindex if p != "format"]


def methods_of(spec, pattern) -> list[str]:
    actions = getattr(pattern.callback, "actions", None)
    if actions:  # a DRF viewset route
        return [m.upper() for m in actions if m in ("get", "post", "put", "patch", "delete")]
    return list(spec.methods)


def build_objects():
    """One object per kind and variant, by the demo's own rows; the other zone gets copies (MARK)."""
    from jushi.chains.models import Chain, Node, NodeLink, PoolCompany
    from jushi.core.models import Job, JobStatus
    from jushi.indicators.models import Indicator
    from jushi.projects.models import Attachment, Event, FundsRecord, Milestone, Problem, Project, Stage
    from jushi.registry.models import Enterprise, Industry, Park, Zone
    from jushi.reporting.models import PlausibilityFlag, ReportForm, ReportingPeriod, Rule, Submission

    kashgar, hitech = Zone.objects.get(code=KASHGAR), Zone.objects.get(code=HITECH)
    users = get_user_model().objects.in_bulk(field_name="username")
    reporter_ents = {
        name: scopes.scope_of(user).enterprise_id
        for name, user in users.items()
        if scopes.scope_of(user).enterprise_id is not None
    }

    def clone(obj, **changes):
        obj.pk = obj.id = None
        for key, value in changes.items():
            setattr(obj, key, value)
        obj.save()
        return obj

    ent_k = Enterprise.objects.filter(zone=kashgar).exclude(pk__in=reporter_ents.values()).order_by("pk")[0]
    ent_h = Enterprise.objects.filter(zone=hitech).order_by("pk")[0]

    plain = Project.objects.filter(zone=kashgar, confidential=False).order_by("pk")
    proj_k = plain.filter(funds__isnull=False, milestones__isnull=False).distinct()[0]
    proj_c = Project.objects.filter(zone=kashgar, confidential=True).order_by("pk")[0]
    proj_h = clone(
        Project.objects.get(pk=proj_k.pk),
        zone=hitech,
        park=None,
        code="P2024-H901",
        name=f"{MARK}出区项目",
        normalized_name=f"{MARK}出区项目",
        enterprise=None,
        event=None,
    )

    def parts(model, source):
        return {
            "zone": source,
            "other_zone": clone(model.objects.get(pk=source.pk), project=proj_h, **_zone_of(model, hitech)),
            "confidential": clone(
                model.objects.get(pk=source.pk), project=proj_c, **_zone_of(model, kashgar)
            ),
        }

    funds_k = FundsRecord.objects.filter(project=proj_k).order_by("pk")[0]
    milestone_k = Milestone.objects.filter(project=proj_k).order_by("pk")[0]
    problem_k = Problem.objects.order_by("pk")[0]

    media = {}
    for variant, project in (("zone", proj_k), ("other_zone", proj_h), ("confidential", proj_c)):
        attachment = Attachment(
            project=project,
            kind=Attachment._meta.get_field("kind").choices[0][0],
            name=f"{variant}.txt",
            size=4,
        )
        attachment.file.save(f"{variant}.txt", ContentFile(b"test"), save=True)
        media[variant] = attachment.pk

    link_k = NodeLink.objects.filter(node__chain__zone=kashgar, project__isnull=False).order_by("pk")[0]
    node_k = link_k.node
    chain_k = node_k.chain
    chain_h = clone(Chain.objects.get(pk=chain_k.pk), name=f"{MARK}产业链", zone=hitech)
    node_h = clone(Node.objects.get(pk=node_k.pk), chain=chain_h, parent=None, name=f"{MARK}节点")
    link_h = clone(NodeLink.objects.get(pk=link_k.pk), node=node_h, project=proj_h)
    link_c = clone(NodeLink.objects.get(pk=link_k.pk), node=node_k, project=proj_c)
    pool_k = PoolCompany.objects.filter(zone=kashgar).order_by("pk")[0]
    pool_h = clone(
        PoolCompany.objects.get(pk=pool_k.pk),
        zone=hitech,
        node=node_h,
        name=f"{MARK}目标企业",
        normalized_name=f"{MARK}目标企业",
    )
    event_k = Event.objects.filter(zone=kashgar).order_by("pk")[0]
    event_h = clone(Event.objects.get(pk=event_k.pk), zone=hitech, name=f"{MARK}推介会")

    period_k = ReportingPeriod.objects.filter(zone=kashgar).order_by("-pk")[0]
    period_h = clone(ReportingPeriod.objects.get(pk=period_k.pk), zone=hitech)
    sub_k = Submission.objects.filter(period=period_k).exclude(enterprise__in=reporter_ents.values())[0]
    sub_h = Submission.objects.create(period=period_h, enterprise=ent_h)
    field = period_k.form.fields.order_by("pk")[0]
    flags = {}
    for variant, period in (("zone", period_k), ("other_zone", period_h)):
        flags[variant] = PlausibilityFlag.objects.create(
            period=period,
            field=field,
            kind="surge",
            enterprises=2,
            current_total=10,
            base_total=1,
            detail="",
            fingerprint=f"matrix-{variant}",
        ).pk
    own_subs = {
        name: Submission.objects.filter(enterprise_id=ent, period__zone=kashgar).order_by("-pk")[0].pk
        for name, ent in reporter_ents.items()
    }

    objects = {
        "zone_code": {"zone": KASHGAR, "other_zone": HITECH},
        "park": {
            "zone": Park.objects.filter(zone=kashgar)[0].pk,
            "other_zone": Park.objects.filter(zone=hitech)[0].pk,
        },
        "industry": {"national": Industry.objects.order_by("code")[0].code},
        "enterprise": {"zone": ent_k.pk, "other_zone": ent_h.pk, "own_ent": reporter_ents},
        "form": {"national": ReportForm.objects.order_by("pk")[0].code},
        "rule": {"national": Rule.objects.order_by("pk")[0].pk},
        "indicator": {"national": Indicator.objects.order_by("pk")[0].code},
        "stage": {"national": Stage.objects.order_by("order")[0].code},
        "period": {"zone": period_k.pk, "other_zone": period_h.pk},
        "flag": flags,
        "submission": {"zone": sub_k.pk, "other_zone": sub_h.pk, "own_ent": own_subs},
        "project": {"zone": proj_k.pk, "other_zone": proj_h.pk, "confidential": proj_c.pk},
        "funds": {k: v.pk for k, v in parts(FundsRecord, funds_k).items()},
        "milestone": {k: v.pk for k, v in parts(Milestone, milestone_k).items()},
        "problem": {k: v.pk for k, v in parts(Problem, problem_k).items()},
        "attachment": media,
        "event": {"zone": event_k.pk, "other_zone": event_h.pk},
        "chain": {"zone": chain_k.pk, "other_zone": chain_h.pk},
        "node": {"zone": node_k.pk, "other_zone": node_h.pk},
        "link": {"zone": link_k.pk, "other_zone": link_h.pk, "confidential": link_c.pk},
        "pool": {"zone": pool_k.pk, "other_zone": pool_h.pk},
        "job": {
            variant: Job.objects.create(
                kind="core.cleanup",
                title=f"{MARK}任务" if zone == hitech else "清理",
                zone_id=zone.pk,
                status=JobStatus.FAILED,
                error="matrix",
            ).pk
            for variant, zone in (("zone", kashgar), ("other_zone", hitech))
        },
    }
    # What no one outside the other zone may read, and what only sees_confidential users may read.
    other_zone_names = [
        *Enterprise.objects.filter(zone=hitech).values_list("name", flat=True),
        MARK,
        proj_h.code,
    ]
    confidential_names = []
    for code, name in Project.objects.filter(confidential=True).values_list("code", "name"):
        confidential_names += [code, name]
    return objects, other_zone_names, confidential_names


def _zone_of(model, zone):
    return {"zone": zone} if any(f.name == "zone" for f in model._meta.fields) else {}


DECODED: dict[str, int] = {"xlsx": 0, "csv": 0}  # how many exports the leak check really read


def body_text(response) -> str:
    """The body as text: CSV and JSON decoded, XLSX cells joined, file downloads read."""
    if getattr(response, "streaming", False):
        # Consuming the stream closes the response the way the test client does (without firing
        # close_old_connections); a second close() would, and inside a transaction that closes the
        # PostgreSQL connection (SQLite's in-memory test database ignores it).
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or data[:2] == b"PK":
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
        except Exception:  # noqa: BLE001 - not a workbook after all
            return data.decode("utf-8", "replace")
        DECODED["xlsx"] += 1
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    text = data.decode("utf-8-sig", "replace")
    if "csv" in kind:
        DECODED["csv"] += 1
        text = "\n".join(",".join(row) for row in csv.reader(io.StringIO(text)))
    if "json" in kind and "\\u" in text:  # an escaping renderer: compare the decoded text
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


def outcome(response, method, spec) -> str:
    status = response.status_code
    if spec.login_redirect_ok and status == 302:
        return "ok"
    if spec.unavailable_ok and status == 503:
        return "ok"
    if status >= 500:
        return "error"
    location = response.get("Location", "") if 300 <= status < 400 else ""
    if status in (401, 403, 404, 405) or (location and location.split("?")[0].endswith(LOGIN_PATH)):
        return "deny"
    if status < 400 and status != 304:
        return "ok"
    if status in (400, 409, 415):  # refused as malformed or stale: the route let the identity in
        return "ok"
    return f"status {status}"


def sign_in(client, user):
    """Signed in as after the password and, where the user has or needs one, the second factor."""
    if user is None:
        return
    client.force_login(user)
    if not django_apps.is_installed("django_otp.plugins.otp_totp"):  # no two-factor authentication
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="matrix", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


class Identity:
    def __init__(self, username, user):
        self.name = username
        self.user = user
        self.scope = scopes.scope_of(user) if user else None

    @property
    def label(self):
        return self.name or "anonymous"

    def may(self, action) -> bool:
        if self.user is None or action is None:
            return False
        if action == "self":
            return True
        if action == "any":
            return self.user.can("view")
        if action == "national":
            return self.user.is_superuser
        return self.user.can(action)

    @property
    def is_reporter(self) -> bool:
        return self.scope is not None and self.scope.enterprise_id is not None

    def sees_zone(self, code, zone_ids) -> bool:
        return self.scope.all_zones or zone_ids[code] in self.scope.zone_ids

    def sees_confidential(self) -> bool:
        from jushi.projects.querysets import sees_confidential

        return sees_confidential(self.user)


def variants(identity, kind):
    if kind is None:
        return [None]
    if kind in NATIONAL_KINDS:
        return ["national"]
    out = ["zone", "other_zone"]
    if kind in KINDS_WITH_CONFIDENTIAL:
        out.append("confidential")
    if kind in KINDS_WITH_OWN_ENT and identity.is_reporter:
        out.append("own_ent")
    return out


def expected(spec, identity, method, variant, accepted, zone_ids) -> str:
    if method not in accepted:
        return "nowrite"  # a page that ignores the method may answer; it must not write
    if identity.user is None:
        return "ok" if spec.public else "deny"
    if spec.public:
        return "ok"
    action = spec.read if method == "GET" else spec.writes.get(method, spec.write)
    if not identity.may(action):
        return "deny"
    if identity.is_reporter and not spec.reporters:
        return "deny"
    if identity.is_reporter and spec.reporters == EMPTY:
        return "nowrite" if method == "GET" else "deny"
    if variant in (None, "national"):
        return "ok"
    if variant == "own_ent":
        return "ok"
    if identity.is_reporter:  # another enterprise's object, or any object of a kind they do not own
        return "deny" if spec.kind in KINDS_WITH_OWN_ENT else ("ok" if variant == "zone" else "deny")
    if variant == "confidential":
        return "ok" if identity.sees_confidential() else "deny"
    return "ok" if identity.sees_zone(KASHGAR if variant == "zone" else HITECH, zone_ids) else "deny"


@override_settings(JUSHI_API_RATE_ANON="", JUSHI_API_RATE_USER="", JUSHI_TODAY="2024-07-20")
class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls._media = tempfile.mkdtemp(prefix="jushi-matrix-")
        cls._media_settings = override_settings(MEDIA_ROOT=cls._media, UPLOAD_DIR=cls._media)
        cls._media_settings.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_settings.disable()
        shutil.rmtree(cls._media, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        with override_settings(JUSHI_TODAY=""):  # the command pins the demo date itself
            call_command("demo", no_serve=True, stdout=StringIO())
        from jushi.registry.models import Enterprise

        cls.objects, cls.other_zone_names, cls.confidential_names = build_objects()
        cls.enterprise_names = dict(Enterprise.objects.values_list("pk", "name"))

    def test_every_route_answers_every_identity_as_the_matrix_says(self):
        from jushi.registry.models import Zone

        zone_ids = dict(Zone.objects.values_list("code", "pk"))
        users = get_user_model().objects.in_bulk(field_name="username")
        identities = [Identity(name, users.get(name) if name else None) for name in IDENTITIES]
        missing_users = [i.name for i in identities if i.name and i.user is None]
        self.assertEqual(missing_users, [], "identities not in the demo")

        all_routes = routes()
        unlisted = sorted(name for name in all_routes if name not in ROUTES)
        self.assertEqual(unlisted, [], "routes without an entry in permission_matrix.ROUTES")
        stale = sorted(name for name in ROUTES if name not in all_routes)
        self.assertEqual(stale, [], "permission_matrix.ROUTES names routes that no longer exist")

        errors: list[str] = []
        exceptions: list[str] = []
        got_request_exception.connect(
            lambda sender, request=None, **kw: exceptions.append(traceback.format_exc()),
            weak=False,
            dispatch_uid="matrix",
        )
        known_failed: set = set()
        known_met: set = set()
        first_user = next(name for name in IDENTITIES if name)
        started = time.monotonic()
        requests = 0
        try:
            for identity in identities:
                client = Client(raise_request_exception=False)
                sign_in(client, identity.user)
                hidden = []
                if identity.user is None or not (
                    identity.scope.all_zones or zone_ids[HITECH] in identity.scope.zone_ids
                ):
                    hidden += self.other_zone_names
                if identity.user is None or not identity.sees_confidential():
                    hidden += self.confidential_names
                if identity.user is None or identity.is_reporter:
                    own = identity.scope.enterprise_id if identity.user else None
                    hidden += [n for pk, n in self.enterprise_names.items() if pk != own]
                for name, (route, pattern) in sorted(all_routes.items()):
                    spec = ROUTES[name]
                    accepted = set(methods_of(spec, pattern))
                    for variant in variants(identity, spec.kind):
                        url = self.url_for(name, pattern, spec, variant, identity)
                        if url is None:
                            continue
                        # A method the route does not take: sent by anonymous and the first user only (it
                        # must write nothing for anyone; the heavy pages need not render it 8 times).
                        probe_all = identity.name in (None, first_user)
                        for method in sorted(accepted | ({"GET", "POST"} if probe_all else set())):
                            requests += 1
                            key = (name, identity.label, method)
                            want = expected(spec, identity, method, variant, accepted, zone_ids)
                            problem = self.probe(
                                client, identity, spec, method, url, want, hidden, exceptions
                            )
                            if name == "logout":
                                sign_in(client, identity.user)
                            if key in KNOWN_OPEN:
                                known_met.add(key)
                                if problem:
                                    known_failed.add(key)
                            elif problem:
                                errors.append(
                                    f"{identity.label:10} {method:6} {url} [{name} {variant}] {problem}"
                                )
        finally:
            got_request_exception.disconnect(dispatch_uid="matrix")
        elapsed = time.monotonic() - started
        print(f"permission matrix: {requests} requests in {elapsed:.0f} s")
        report = []
        if errors:
            report.append(f"{len(errors)} answers off the matrix:\n" + "\n".join(errors))
        fixed = sorted(known_met - known_failed)
        if fixed:
            report.append("KNOWN_OPEN entries that now pass (remove them):\n" + "\n".join(map(str, fixed)))
        stale = sorted(set(KNOWN_OPEN) - known_met)
        if stale:
            report.append("KNOWN_OPEN entries the matrix never sent:\n" + "\n".join(map(str, stale)))
        self.assertFalse(report, "\n\n".join(report))
        self.assertGreater(
            DECODED["xlsx"] + DECODED["csv"], 0, "no export was decoded: the leak check read none"
        )
        if known_failed:
            print(f"still open (KNOWN_OPEN, xfailed): {len(known_failed)} entries")

    def url_for(self, name, pattern, spec, variant, identity):
        params = path_params(pattern)
        if not params:
            return reverse(name)
        value = self.objects[spec.kind][variant]
        if variant == "own_ent":
            value = value[identity.name]
        return reverse(name, kwargs={params[0]: value})

    def probe(self, client, identity, spec, method, url, want, hidden, exceptions):
        is_api = url.startswith("/api/")
        kwargs = (
            {"content_type": "application/json", "data": WRITE_BODY} if is_api and method != "GET" else {}
        )
        if not is_api and method == "POST":
            kwargs = {"data": WRITE_BODY}
        before_exc = len(exceptions)
        with transaction.atomic():
            logged = ChangeLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            response = getattr(client, method.lower())(url, **kwargs)
            new_rows = list(
                ChangeLog.objects.filter(pk__gt=logged).values_list("zone_id", "action", "object_repr")
            )
            text = body_text(response) if response.status_code < 500 else ""
            transaction.set_rollback(True)
        got = outcome(response, method, spec)
        if got == "error":
            head = exceptions[-1].strip().splitlines()[-1] if len(exceptions) > before_exc else ""
            return f"500 {head}"
        if spec is ROUTES.get("core:audit") and identity.user and identity.user.role in WHOLE_TRAIL_ROLES:
            hidden = []  # the audit administrator reads every zone's trail
        leaks = sorted({n for n in hidden if n and n in text})
        if leaks:
            return f"{response.status_code} names out-of-scope {leaks[:3]}"
        if want == "nowrite":
            want = got if got in ("ok", "deny") else "ok or deny"
        if want == "deny" and not url.startswith("/api/") and 300 <= response.status_code < 400:
            got = "deny"  # a page refusing with a message and a redirect elsewhere; nothing written (below)
        if got != want:
            return f"{response.status_code} {response.get('Location', '')} expected {want}"
        if want in ("deny", "nowrite") and new_rows:
            return f"{response.status_code} denied but wrote {new_rows[:2]}"
        if new_rows and identity.user is not None and not identity.user.is_superuser:
            scope = identity.scope
            outside = [r for r in new_rows if not scope.all_zones and r[0] not in scope.zone_ids]
            if outside:
                return f"{response.status_code} logged outside the identity's zones {outside[:2]}"
        return ""

    def test_staff_who_may_not_see_confidential_projects_cannot_link_or_unlink_them(self):
        """The matrix's empty bodies cannot show a write a valid body would make: these writes carry real
        bodies. Each refused write has a control, the same body with a plain project, that succeeds."""
        from jushi.chains.models import NodeLink

        tongji = get_user_model().objects.get(username="tongji")
        self.assertFalse(Identity("tongji", tongji).sees_confidential())
        client = Client(raise_request_exception=False)
        sign_in(client, tongji)
        node = self.objects["node"]["zone"]
        from jushi.projects.models import Project

        free = Project.objects.filter(zone__code=KASHGAR, duplicate_of__isnull=True).exclude(
            pk__in=NodeLink.objects.filter(node=node).values("project")
        )
        conf_project = free.filter(confidential=True).order_by("pk")[0].pk
        plain_project = free.filter(confidential=False).order_by("pk")[0].pk
        role = NodeLink.objects.get(pk=self.objects["link"]["zone"]).role

        def attempt(url, data, *, api):
            with transaction.atomic():
                before = NodeLink.objects.count(), NodeLink.objects.filter(ended_on__isnull=False).count()
                if api:
                    response = client.post(url, data, content_type="application/json")
                else:
                    response = client.post(url, data)
                after = NodeLink.objects.count(), NodeLink.objects.filter(ended_on__isnull=False).count()
                transaction.set_rollback(True)
            self.assertLess(response.status_code, 500, url)
            return after != before

        cases = [
            (
                "page link",
                reverse("chains:node_link", args=[node]),
                False,
                "project",
                {"role": role},
            ),
            (
                "API link",
                reverse("chains-node-link", args=[node]),
                True,
                "project",
                {"role": role},
            ),
        ]
        for label, url, api, key, body in cases:
            with self.subTest(label):
                self.assertTrue(
                    attempt(url, {**body, key: plain_project}, api=api), f"{label}: control refused"
                )
                self.assertFalse(
                    attempt(url, {**body, key: conf_project}, api=api), f"{label}: confidential linked"
                )
        unlink = {"ended_on": "2024-07-20", "end_reason": "权限矩阵"}
        plain_link, conf_link = self.objects["link"]["zone"], self.objects["link"]["confidential"]
        with self.subTest("page unlink"):
            self.assertTrue(attempt(reverse("chains:link_remove", args=[plain_link]), unlink, api=False))
            self.assertFalse(attempt(reverse("chains:link_remove", args=[conf_link]), unlink, api=False))
        with self.subTest("API unlink"):
            url = reverse("chains-node-unlink", args=[node])
            self.assertTrue(attempt(url, {**unlink, "link": plain_link}, api=True))
            self.assertFalse(attempt(url, {**unlink, "link": conf_link}, api=True))
