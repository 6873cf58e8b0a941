"""The ledger (招商项目台账), the kanban (看板), creating a project and moving a card between stages.

Both lists start from `Project.objects.restrict(user, "view")` and share one filter set; they read
only the rows a page shows, with the totals in one aggregate, so that they stay fast on a province's
ledger (bench: 50,000 projects, 500,000 funds records)."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jushi.core import exportjobs, scopes, tables
from jushi.core.choices import ChangeSource
from jushi.core.scopes import can
from jushi.registry.models import Zone
from jushi.registry.widgets import IndustryPicker, industry_param

from ..choices import SourceRegion
from ..exporters import LedgerExporter
from ..filtersets import BANDS, SORTS, ProjectFilterSet
from ..forms import MOVE_KEYS, MoveForm, ProjectForm, apply_errors, needed_fields, park_choices
from ..models import Event, Project, Stage
from ..services import ProjectError, StaleProject, advance_stage, create_project

PAGE_SIZE = 50
CARDS_PER_COLUMN = 30
YI = Decimal(10000)  # 万元 in one 亿元


def ledger_zones(user):
    """Zones whose ledger the user may read; enterprise reporters have none."""
    if scopes.scope_of(user).enterprise_id is not None:
        return Zone.objects.none()
    return Zone.objects.restrict(user, "view").order_by("name")


def filtered(request, action: str = "view", params: QueryDict | None = None) -> ProjectFilterSet:
    params = request.GET if params is None else params
    params, industry_error = industry_param(params)  # an industry typed by name → its code
    base = Project.objects.restrict(request.user, action)
    filterset = ProjectFilterSet(params or None, queryset=base, request=request)
    filterset.industry_error = industry_error
    return filterset


def warn_bad_filters(request, filterset: ProjectFilterSet) -> None:
    """A filter value that cannot be read is left out (the others still apply), and the user is told."""
    if getattr(filterset, "industry_error", ""):
        messages.warning(request, filterset.industry_error)
    if not filterset.is_bound or filterset.is_valid():
        return
    for key, errors in filterset.errors.items():
        field = filterset.form.fields.get(key)
        name = field.label if field is not None else key
        messages.warning(request, f"筛选条件“{name}”无效({';'.join(errors)}),已忽略该条件")


def yi(value) -> Decimal:
    return (value or Decimal(0)) / YI


def filter_context(request, params: QueryDict, stages: list[Stage], page: str) -> dict:
    """What the shared filter bar (_ledger_filters.html) needs; `page` is the URL name it filters."""
    zones = list(ledger_zones(request.user))
    chosen = [z for z in zones if z.code == params.get("zone")] or zones
    return {
        "filter_action": reverse(f"projects:{page}"),
        "params": params,
        "zones": zones,
        "stages": stages,
        "parks": park_choices(chosen)[1:],
        "events": Event.objects.filter(zone__in=chosen).order_by("-held_on", "name"),
        "industry_picker": IndustryPicker(attrs={"id": "f-industry"}).render(
            "industry", industry_param(params)[0].get("industry", "")
        ),
        "regions": SourceRegion.choices,
        "bands": [(k, v[0]) for k, v in BANDS.items()],
        "sorts": [(k, v[0]) for k, v in SORTS.items()],
        "can_add": can(request.user, "add") and Zone.objects.restrict(request.user, "add").exists(),
        "can_export": can(request.user, "export"),
    }


class CountedPaginator(Paginator):
    """A paginator told the count, which the totals aggregate already read."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self):
        return self._known


def _query_without(params: QueryDict, *keys: str) -> str:
    query = params.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


ROW_RELATED = ("zone", "investor", "stage", "industry", "park", "event")

# The ledger's columns on the page (the export always writes all of projects/columns.py). The defaults
# fit a 1440 px screen; the rest are one tick away in the "列" menu.
LEDGER_TABLE = tables.register(
    tables.Table(
        "projects.ledger",
        "招商项目台账",
        [
            tables.Column("code", "编号"),
            tables.Column("name", "项目名称", always=True),
            tables.Column("investor", "投资方"),
            tables.Column("zone", "开发区(有多个开发区时)"),
            tables.Column("stage", "阶段"),
            tables.Column("light", "进度(红黄绿灯、停留天数)"),
            tables.Column("industry", "行业"),
            tables.Column("park", "功能区", default=False),
            tables.Column("source_region", "资金来源地", default=False),
            tables.Column("agreed", "协议投资(万元)"),
            tables.Column("funds", "到位资金(万元)"),
            tables.Column("signed_on", "签约日期"),
            tables.Column("planned_start_on", "约定开工日期", default=False),
            tables.Column("started_on", "开工日期", default=False),
            tables.Column("event", "签约活动", default=False),
            tables.Column("official", "责任领导", default=False),
            tables.Column("unit", "责任单位", default=False),
        ],
    )
)


@exportjobs.exporter("projects.ledger", title="招商项目台账", link="projects:ledger")
def ledger_exporter(actor, query):
    """The ledger's export for `actor`: the page's filters and order on the projects they may export."""
    if not can(actor, "export"):
        raise PermissionDenied("无权导出项目台账")
    filterset = filtered(exportjobs.as_request(actor, query), "export")
    return LedgerExporter(
        query.get("export", "xlsx"), filterset.sorted_qs(), actor=actor, filterset=filterset
    )


@login_required
def ledger(request):
    export = request.GET.get("export")
    if export:
        if export not in ("xlsx", "csv"):
            raise Http404("导出格式应为 xlsx 或 csv")
        if not can(request.user, "export"):
            raise PermissionDenied("无权导出项目台账")
        filterset = filtered(request, "export")
        if filterset.is_bound and not filterset.is_valid():
            # not a file of more rows than were asked for: back to the list, which names the bad filter
            return redirect(f"{reverse('projects:ledger')}?{_query_without(request.GET, 'export')}")
        return exportjobs.respond(request, "projects.ledger")
    filterset = filtered(request)
    warn_bad_filters(request, filterset)
    totals = filterset.qs.order_by().aggregate(
        n=Count("id"), agreed=Sum("agreed_investment"), funds=Sum("funds_in_place")
    )
    # The page's ids are sorted on their own (a narrow sort), then only those rows are read in full.
    paginator = CountedPaginator(filterset.sorted_qs().values_list("pk", flat=True), PAGE_SIZE, totals["n"])
    asked = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if asked == "last" else asked)  # "last", as ListView
    ids = list(page.object_list)
    found = Project.objects.select_related(*ROW_RELATED).in_bulk(ids)
    projects = [found[pk] for pk in ids if pk in found]
    dress_rows(projects)
    for project in projects:
        project.funds_total = project.funds_in_place
    context = filter_context(request, request.GET, list(Stage.objects.all()), "ledger")
    choice = LEDGER_TABLE.chooser(request.user)
    show = choice.show
    if len(context["zones"]) <= 1:
        show.pop("zone", None)
    context.update(
        choice=choice,
        show=show,
        span=len(show),
        filterset=filterset,
        page=page,
        projects=projects,
        totals={"n": totals["n"], "agreed_yi": yi(totals["agreed"]), "funds_yi": yi(totals["funds"])},
        query=_query_without(request.GET, "page", "export"),
    )
    return render(request, "projects/ledger.html", context)


@login_required
def project_create(request):
    zones = list(Zone.objects.restrict(request.user, "add").order_by("name"))
    if not can(request.user, "add") or not zones or scopes.scope_of(request.user).enterprise_id is not None:
        raise PermissionDenied("无权登记项目")
    form = ProjectForm(request.POST or None, zones=zones)
    if request.method == "POST" and form.is_valid():
        try:
            project = create_project(
                actor=request.user,
                zone=form.cleaned_data["zone"],
                data=form.service_data(),
                source=ChangeSource.WEB,
                confirm=form.cleaned_data["confirm"],
            )
        except ProjectError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已登记项目“{project.name}”,编号 {project.code}")
            if project.duplicate_of_id:
                original = Project.objects.visible_to(request.user).filter(pk=project.duplicate_of_id).first()
                which = original.code if original is not None else "一个保密项目"
                messages.warning(request, f"该项目疑似与 {which} 重复,请在项目页确认")
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "title": "登记项目线索"})


# -- the kanban ------------------------------------------------------------------------------------


LIGHT_WORDS = {"red": "红", "amber": "黄", "green": "绿"}


def amount_text(wan: Decimal | None) -> str:
    """An agreed investment as a card shows it: 亿元 from 1 亿 up, 万元 below."""
    if wan is None:
        return "未填投资"
    if wan >= YI:
        return f"{wan / YI:.2f} 亿元"
    return f"{wan.normalize():f} 万元" if wan == wan.to_integral() else f"{wan:.2f} 万元"


SENTINEL = 987654321  # a pk no ledger reaches, replaced to make each card's links from one reverse()
OPTION = '<option value="{}">{}</option>'
SELECTED = '<option value="{}" selected>{}</option>'


def dress_rows(projects: list[Project]) -> None:
    """A ledger row's light, days in stage and link, worked out once per row."""
    detail = reverse("projects:project_detail", args=[SENTINEL])
    for project in projects:
        project.state = project.light()
        project.state_word = LIGHT_WORDS[project.state]
        project.age = project.stage_age()
        project.detail_url = detail.replace(str(SENTINEL), str(project.pk))


def dress_cards(cards: list[Project], stages: list[Stage], stage: Stage | None = None) -> None:
    """What each card shows, worked out once rather than per card in the template (a board holds up
    to 210 cards): its light, its links, and the move control's options, the next stage chosen."""
    detail = reverse("projects:project_detail", args=[SENTINEL])
    move = reverse("projects:project_move", args=[SENTINEL])
    options: dict[int, str] = {}
    for card in cards:
        if stage is not None:
            card.stage = stage  # light() reads it: no query per card
        current = card.stage
        if current.pk not in options:
            options[current.pk] = format_html_join(
                "",
                "{}",
                (
                    (format_html(SELECTED if s.order == current.order + 1 else OPTION, s.code, s.name),)
                    for s in stages
                    if s.pk != current.pk
                ),
            )
        card.state = card.light()
        card.state_word = LIGHT_WORDS[card.state]
        card.age = card.stage_age()
        card.amount_text = amount_text(card.agreed_investment)
        card.detail_url = detail.replace(str(SENTINEL), str(card.pk))
        card.move_url = move.replace(str(SENTINEL), str(card.pk))
        card.move_options = options[current.pk]


def board(request, params: QueryDict) -> dict:
    """The kanban's columns for the filtered set: counts and amounts by stage in one grouped query,
    then the most recently updated cards of each column."""
    filterset = filtered(request, params=params)
    rows = filterset.qs.order_by()
    stages = list(Stage.objects.all())
    sums = {
        row["stage_id"]: row
        for row in rows.values("stage_id").annotate(n=Count("id"), amount=Sum("agreed_investment"))
    }
    columns = []
    wanted: list[int] = []
    for stage in stages:
        figures = sums.get(stage.pk, {"n": 0, "amount": None})
        ids = []
        if figures["n"]:
            ids = list(
                rows.filter(stage_id=stage.pk)
                .order_by("-updated", "-id")
                .values_list("pk", flat=True)[:CARDS_PER_COLUMN]
            )
        wanted.extend(ids)
        query = params.copy()
        query.pop("page", None)
        query["stage"] = stage.code
        columns.append(
            {
                "stage": stage,
                "count": figures["n"],
                "amount_yi": yi(figures["amount"]),
                "ids": ids,
                "more": figures["n"] > len(ids),
                "ledger_query": query.urlencode(),
            }
        )
    found = Project.objects.select_related("investor").in_bulk(wanted)
    for column in columns:
        column["cards"] = [found[pk] for pk in column.pop("ids") if pk in found]
        dress_cards(column["cards"], stages, column["stage"])
    return {
        "columns": columns,
        "stages": stages,
        "filterset": filterset,
        "can_move": can(request.user, "change"),
        "board_query": params.urlencode(),
        "next": reverse("projects:kanban") + (f"?{params.urlencode()}" if params else ""),
    }


@login_required
def kanban(request):
    context = board(request, request.GET)
    warn_bad_filters(request, context["filterset"])
    context.update(filter_context(request, request.GET, context["stages"], "kanban"))
    return render(request, "projects/kanban.html", context)


@dataclass
class MoveResult:
    project: Project  # after the move, or as it is now
    moved: bool
    form: MoveForm | None = None
    stale: str = ""


def attempt_move(request, project: Project, stages: list[Stage]) -> MoveResult:
    """Run `advance_stage` with what was posted. Missing fields come back as a form asking for exactly
    those (what the project lacks for the target, and whatever the service named), errors by field."""
    target = next((s for s in stages if s.code == request.POST.get("to_stage")), None)
    # the move's own "note" is its reason; the project's note, when asked for, is posted as set_note
    posted = [key for key in MOVE_KEYS if (f"set_{key}" if key == "note" else key) in request.POST]
    keys = [*needed_fields(project, target, stages), *posted]
    form = MoveForm(request.POST, project=project, stages=stages, keys=keys)
    if not form.is_valid():
        return MoveResult(project, False, form)
    try:
        moved = advance_stage(
            actor=request.user,
            project=project,
            to_stage=form.cleaned_data["to_stage"],
            data=form.field_data(),
            version=form.cleaned_data["version"],
            source=ChangeSource.WEB,
            confirm=form.cleaned_data["confirm"],
            note=form.cleaned_data["note"],
        )
    except StaleProject as exc:
        fresh = Project.objects.select_related("stage", "investor", "zone").get(pk=project.pk)
        dress_cards([fresh], stages)
        return MoveResult(fresh, False, stale=exc.errors.get("version", str(exc)))
    except ProjectError as exc:
        missing = [key for key in exc.errors if key not in form.fields]
        if missing:  # a field the project lacks that the form did not ask for yet
            form = MoveForm(request.POST, project=project, stages=stages, keys=[*keys, *missing])
            form.is_valid()
        apply_errors(form, exc)
        return MoveResult(project, False, form)
    return MoveResult(moved, True)


def _next(request) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("projects:kanban")


def _board_params(next_url: str) -> QueryDict:
    parts = urlsplit(next_url)
    if parts.path != reverse("projects:kanban"):
        return QueryDict()
    return QueryDict(parts.query)


@login_required
@require_POST
def project_move(request, pk):
    """A card's move control (or a drop on another column). With HTMX the kanban's body comes back:
    the board as it now is, and above it what happened or the form asking for what is missing."""
    project = get_object_or_404(
        Project.objects.restrict(request.user, "change").select_related("stage", "investor", "zone"), pk=pk
    )
    stages = list(Stage.objects.all())
    result = attempt_move(request, project, stages)
    next_url = _next(request)
    htmx = request.headers.get("HX-Request") == "true"
    done = ""
    if result.moved:
        done = f"已将“{result.project.name}”移至“{result.project.stage.name}”"
        if not htmx:
            messages.success(request, done)
            return redirect(next_url)
    params = _board_params(next_url)
    context = {"move": result, "done": done, "next": next_url}
    context.update(board(request, params))
    if htmx:
        return render(request, "projects/_kanban_body.html", context)
    context.update(filter_context(request, params, context["stages"], "kanban"))
    return render(request, "projects/kanban.html", context)


urlpatterns = [
    path("", ledger, name="ledger"),
    path("new/", project_create, name="project_create"),
    path("kanban/", kanban, name="kanban"),
    path("<int:pk>/move/", project_move, name="project_move"),
]
