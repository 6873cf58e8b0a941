"""The ledger's page forms. They check only the shape of what was typed (a date is a date); the
services validate the substance and their `ProjectError` lands on the fields by `apply_errors`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jushi.registry.models import Park, Zone
from jushi.registry.widgets import IndustryPicker

from .choices import (
    EVIDENCE_GRADE,
    STAGE_DATE_FIELD,
    AttachmentKind,
    Evidence,
    SourceRegion,
)
from .models import Event, Project, Stage
from .services import ProjectError
from .services.common import label
from .services.pipeline import AMOUNT_FIELDS, EDITABLE

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
# Error keys a service uses for a field that the form calls differently.
ERROR_FIELDS = {"reason": "note"}


def date_field(label_text, *, required=False, help_text=""):
    return forms.DateField(
        label=label_text,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def amount_field(label_text, *, required=False, help_text=""):
    """An amount typed in 万元; the service parses it (so "1,200" works) and names the field if not."""
    return forms.CharField(
        label=label_text,
        required=required,
        max_length=30,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "amount", "data-wan": "1"}),
    )


def apply_errors(form: forms.Form, exc: ProjectError) -> None:
    """Put a service's errors on the form's fields; what no field shows goes on top, named."""
    for key, message in exc.errors.items():
        field = key if key in form.fields else ERROR_FIELDS.get(key, key)
        if field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, f"{label(key)}:{message}")


def _blank(value):
    return None if value in ("", None) else value


def park_choices(zones) -> list[tuple[str, str]]:
    parks = Park.objects.filter(zone__in=zones).select_related("zone").order_by("zone__name", "code")
    many = len({p.zone_id for p in parks}) > 1
    return [("", "—")] + [
        (p.code, f"{p.zone.short_name or p.zone.name} · {p.name}" if many else p.name) for p in parks
    ]


def event_choices(zones) -> list[tuple[str, str]]:
    events = Event.objects.filter(zone__in=zones).order_by("-held_on", "name")
    return [("", "—")] + [(str(e.pk), f"{e.name}({e.held_on:%Y-%m-%d})") for e in events]


class ConfirmMixin:
    """A checkbox shown only once a service asked for it (an amount over 1,000 亿元)."""

    @property
    def needs_confirm(self) -> bool:
        return "confirm" in self.errors or bool(self.data.get("confirm"))


class ProjectForm(ConfirmMixin, forms.Form):
    zone = forms.ModelChoiceField(label=_("开发区"), queryset=Zone.objects.none(), to_field_name="code")
    name = forms.CharField(label=_("项目名称"), max_length=120)
    investor_name = forms.CharField(label=_("投资方"), max_length=100)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), required=False, max_length=30, help_text=_("18 位;已知时填写,用于查重")
    )
    investor_region = forms.CharField(
        label=_("投资方所在地区"), required=False, max_length=50, help_text=_("如 山东省济南市")
    )
    source_region = forms.ChoiceField(
        label=_("资金来源地"), choices=SourceRegion.choices, initial=SourceRegion.OUT_PROVINCE
    )
    industry = forms.CharField(
        label=_("行业"),
        required=False,
        max_length=4,
        help_text=_("输入行业名称或代码搜索(如“电池”或“3841”),从下拉列表中选择"),
        widget=IndustryPicker(),
    )
    park = forms.ChoiceField(label=_("功能区"), required=False)
    event = forms.ChoiceField(label=_("签约活动"), required=False)
    contract_no = forms.CharField(label=_("合同编号"), required=False, max_length=50)
    agreed_investment = amount_field(_("协议总投资(万元)"), help_text=_("单位万元;1 亿元 = 10000 万元"))
    fixed_asset_investment = amount_field(_("固定资产投资(万元)"))
    expected_output = amount_field(_("达产后年产值(万元)"))
    expected_tax = amount_field(_("达产后年税收(万元)"))
    land_mu = forms.CharField(label=_("用地(亩)"), required=False, max_length=20)
    parcel = forms.CharField(label=_("地块编号"), required=False, max_length=50)
    official = forms.CharField(label=_("责任领导"), required=False, max_length=50)
    unit = forms.CharField(label=_("责任单位"), required=False, max_length=100)
    planned_start_on = date_field(_("约定开工日期"), help_text=_("签约后超过此日期仍未开工即亮红灯"))
    lead_on = date_field(_("线索日期"), help_text=_("空为今天"))
    confidential = forms.BooleanField(
        label=_("保密"), required=False, help_text=_("在谈阶段不公开名称:只有管理员、招商局和项目办能看到")
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(label=_("金额无误,确认保存"), required=False)

    def __init__(self, *args, zones, project: Project | None = None, **kwargs):
        self.project = project
        if project is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(project)
        super().__init__(*args, **kwargs)
        zones = list(zones)
        if project is None:
            self.fields["zone"].queryset = Zone.objects.filter(pk__in=[z.pk for z in zones])
            if len(zones) == 1:
                self.fields["zone"].initial = zones[0].code
                self.fields["zone"].widget = forms.HiddenInput()
            choice_zones = zones
        else:
            del self.fields["zone"]
            del self.fields["lead_on"]
            choice_zones = [project.zone]
            self.fields["investor_region"].help_text = _("新登记投资方时保存;已登记的投资方不随此修改")
            if project.signed_on is not None:
                field = self.fields["agreed_investment"]
                field.disabled = True
                field.help_text = _("已签约:协议投资通过下方“合同变更”修改")
        self.fields["park"].choices = park_choices(choice_zones)
        self.fields["event"].choices = event_choices(choice_zones)

    @staticmethod
    def initial_from(project: Project) -> dict:
        initial = {key: getattr(project, key) for key in EDITABLE if key not in ("industry", "park", "event")}
        initial.update(
            investor_name=project.investor.name,
            credit_code=project.investor.credit_code or "",
            investor_region=project.investor.region,
            industry=project.industry.code if project.industry_id else "",
            park=project.park.code if project.park_id else "",
            event=str(project.event_id or ""),
        )
        for key in (*AMOUNT_FIELDS, "land_mu"):
            value = initial.get(key)
            initial[key] = "" if value is None else f"{value.normalize():f}"
        return initial

    def service_data(self) -> dict:
        """What create_project/update_project take: the editable fields, and the investor's only when
        they changed (an unchanged name must not re-attach the project to a namesake)."""
        cleaned = self.cleaned_data
        data = {
            key: cleaned.get(key) for key in EDITABLE if key in self.fields and not self.fields[key].disabled
        }
        for key in ("industry", "park", "event", *AMOUNT_FIELDS, "land_mu"):
            if key in data:
                data[key] = _blank(data[key])
        investor = {
            "investor_name": cleaned["investor_name"],
            "credit_code": cleaned.get("credit_code") or None,
            "investor_region": cleaned.get("investor_region") or "",
        }
        if self.project is None:
            data.update(investor, lead_on=cleaned.get("lead_on"))
        else:
            current = self.project.investor
            if investor["investor_name"] != current.name or (investor["credit_code"] or None) != (
                current.credit_code or None
            ):
                data.update(investor)
        return data


# Fields a stage move may ask for, keyed as the service names them (the stage table may ask for any
# editable field; each stage entered needs its date).
MOVE_KEYS = (*STAGE_DATE_FIELD.values(), *EDITABLE)


def needed_fields(project: Project, target: Stage | None, stages: list[Stage]) -> list[str]:
    """What the project lacks to reach `target`: for each stage entered on the way (skipped ones too),
    its date and the fields the stage table requires. Moving back needs only a reason."""
    current = next(s for s in stages if s.pk == project.stage_id)
    if target is None or target.order <= current.order:
        return []
    keys: list[str] = []
    for stage in stages:
        if current.order < stage.order <= target.order:
            for key in (stage.date_field, *stage.required_fields):
                if getattr(project, key, None) in (None, "") and key not in keys:
                    keys.append(key)
    return keys


def move_field(key: str, zone) -> forms.Field:
    text = label(key)
    if key in STAGE_DATE_FIELD.values() or key == "planned_start_on":
        return date_field(text, required=False)
    if key in AMOUNT_FIELDS:
        return amount_field(text)
    if key == "industry":
        return forms.CharField(
            label=text,
            required=False,
            max_length=4,
            help_text=_("输入行业名称或代码搜索,从下拉列表中选择"),
            widget=IndustryPicker(),
        )
    if key == "park":
        return forms.ChoiceField(label=text, required=False, choices=park_choices([zone]))
    if key == "event":
        return forms.ChoiceField(label=text, required=False, choices=event_choices([zone]))
    if key == "source_region":
        return forms.ChoiceField(label=text, required=False, choices=SourceRegion.choices)
    if key == "confidential":
        return forms.BooleanField(label=text, required=False)
    if key == "note":
        return forms.CharField(label=_("项目备注"), required=False, max_length=2000)
    return forms.CharField(label=text, required=False, max_length=120)


class MoveForm(ConfirmMixin, forms.Form):
    """Move a project to a stage, with the fields it lacks for it. Used by the kanban cards, the panel
    the kanban opens when fields are missing, and the project page's advance form."""

    to_stage = forms.ChoiceField(label=_("目标阶段"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    note = forms.CharField(
        label=_("说明"), required=False, max_length=300, help_text=_("退回前一阶段时必须说明原因")
    )
    confirm = forms.BooleanField(label=_("金额无误,确认保存"), required=False)

    def __init__(self, *args, project: Project, stages: list[Stage], keys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        # Any stage validates (a stale card may name the stage the project is now in: the service
        # answers that); the select offers the others.
        self.fields["to_stage"].choices = [(s.code, s.name) for s in stages]
        self.fields["to_stage"].widget.choices = [
            (s.code, s.name) for s in stages if s.pk != project.stage_id
        ]
        self.fields["version"].initial = project.version
        self.keys = [key for key in dict.fromkeys(keys) if key in MOVE_KEYS]
        for key in self.keys:
            name = f"set_{key}" if key == "note" else key  # the move's own note is its reason
            self.fields[name] = move_field(key, project.zone)

    def extra_fields(self):
        return [self[f"set_{k}" if k == "note" else k] for k in self.keys]

    def field_data(self) -> dict:
        data = {}
        for key in self.keys:
            value = self.cleaned_data.get(f"set_{key}" if key == "note" else key)
            if value not in (None, ""):
                data[key] = value
        return data


class FundsForm(ConfirmMixin, forms.Form):
    on = date_field(_("到位日期"), required=True)
    amount = amount_field(_("金额(万元)"), required=True)
    evidence = forms.ChoiceField(
        label=_("凭证类型"),
        choices=[(c.value, f"{EVIDENCE_GRADE[c]} {c.label}") for c in Evidence],
        help_text=_("A 银行进账单 > B 验资报告 > C 设备发票 > D 企业自报;D 级不计入到位资金指标"),
    )
    source_region = forms.ChoiceField(label=_("资金来源地"), choices=SourceRegion.choices)
    file = forms.FileField(
        label=_("凭证文件"),
        required=False,
        help_text=_("进账单、验资报告或发票的扫描件:PDF、图片(PNG/JPG)、Word 或 Excel;保存为项目附件"),
    )
    attachment = forms.ChoiceField(
        label=_("或选已上传的附件"), required=False, help_text=_("凭证已在“附件”中时选它,不必再上传")
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=300)
    confirm = forms.BooleanField(label=_("金额无误,确认保存"), required=False)

    def __init__(self, *args, project: Project, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_region"].initial = project.source_region
        self.fields["attachment"].choices = attachment_choices(attachments)


def attachment_choices(attachments) -> list[tuple[str, str]]:
    return [("", "—")] + [(str(a.pk), f"{a.get_kind_display()} · {a.name}") for a in attachments]


class FundsDeleteForm(forms.Form):
    reason = forms.CharField(label=_("删除原因"), max_length=300)


class ContractForm(ConfirmMixin, forms.Form):
    effective_on = date_field(
        _("生效日期"), required=True, help_text=_("变更自这一天起计入;不能早于签约日期,也不能晚于今天")
    )
    new_investment = amount_field(_("新协议投资(万元)"), required=True)
    reason = forms.CharField(label=_("变更原因"), max_length=300)
    attachment = forms.ChoiceField(label=_("补充协议"), required=False)
    confirm = forms.BooleanField(label=_("金额无误,确认保存"), required=False)

    def __init__(self, *args, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].choices = attachment_choices(attachments)


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("节点"), max_length=60, help_text=_("如 立项、环评、主体封顶、设备进场"))
    planned_on = date_field(_("计划日期"), required=True)
    actual_on = date_field(_("实际日期"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class MilestoneDoneForm(forms.Form):
    actual_on = date_field(_("实际完成日期"), required=True)
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class MonthlyForm(forms.Form):
    month = forms.CharField(
        label=_("月份"),
        max_length=7,
        help_text=_("如 2024-03"),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    planned = amount_field(_("计划投资(万元)"))
    actual = amount_field(_("实际投资(万元)"), help_text=_("空则保留原值"))


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("问题"), max_length=200)
    detail = forms.CharField(
        label=_("详情"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("责任人"), max_length=50)
    owner_unit = forms.CharField(label=_("责任单位"), required=False, max_length=100)
    raised_on = date_field(_("提出日期"), help_text=_("空为今天"))
    due_on = date_field(_("限期"), required=True)


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("解决情况"), max_length=2000)
    resolved_on = date_field(_("解决日期"), help_text=_("空为今天"))


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"), help_text=_("PDF、图片(PNG/JPG)、Word 或 Excel"))


class DuplicateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理方式"), choices=[("new", _("确认为新项目")), ("merge", _("合并"))]
    )
    reason = forms.CharField(label=_("说明"), required=False, max_length=300)
