"""The industry picker: one text box that finds a GB/T 4754-2017 industry by name or code.

Typing "电池" or "3841" fills the box's <datalist> from `registry:industry_search` (HTMX, no page script
needed for the search); choosing an entry puts its code in the box, which is what forms and filters
receive. A name typed without choosing is resolved too, when it names one industry; otherwise the field
says what it could not find. Used by the enterprise form, the project form and the list filters.
"""

import re

from django import forms
from django.urls import reverse

from .models import Industry

CODE = re.compile(r"^([A-Za-z]|\d{2,4})(?:\s|$)")  # a section letter or a 2–4 digit code, maybe "3841 名称"
SEARCH_LIMIT = 30


def search(text: str, limit: int = SEARCH_LIMIT) -> list[Industry]:
    """Industries whose code starts with `text` (codes first), then those whose name contains it."""
    text = (text or "").strip()
    if not text:
        return list(Industry.objects.filter(level="section"))
    code = text.split()[0].upper()
    by_code = list(Industry.objects.filter(code__startswith=code).order_by("code")[:limit])
    if len(by_code) >= limit:
        return by_code
    words = CODE.sub("", text).strip() or text
    by_name = Industry.objects.filter(name__icontains=words).exclude(pk__in=[i.pk for i in by_code])
    return by_code + list(by_name.order_by("code")[: limit - len(by_code)])


def resolve(text: str) -> tuple[Industry | None, str]:
    """The one industry `text` names — a code, "code name" as the list shows it, or a name (whole or a
    part only one industry has) — or None and why not, in words naming the field."""
    text = (text or "").strip()
    if not text:
        return None, ""
    match = CODE.match(text)
    if match:
        found = Industry.objects.filter(code=match.group(1).upper()).first()
        if found is not None:
            return found, ""
    exact = list(Industry.objects.filter(name=text)[:2])
    if len(exact) == 1:
        return exact[0], ""
    some = list(Industry.objects.filter(name__icontains=text).order_by("code")[:4])
    if len(some) == 1:
        return some[0], ""
    if some:
        examples = "、".join(f"{i.code} {i.name}" for i in some[:3])
        return None, (f"行业:有多个行业的名称含“{text}”(如 {examples}),请从下拉列表中选择一个,或输入行业代码")
    return (
        None,
        f"行业:找不到名称或代码为“{text}”的行业,请输入行业名称或 GB/T 4754 代码(如 3841)并从下拉列表中选择",
    )


class IndustryPicker(forms.TextInput):
    """A text box with a datalist that HTMX fills as the user types; the submitted value is a code."""

    template_name = "registry/widgets/industry_picker.html"

    def __init__(self, attrs=None):
        base = {"autocomplete": "off", "placeholder": "输入行业名称或代码,如 电池 或 3841", "maxlength": "60"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Industry):
            return value.code
        if isinstance(value, int):  # a model form's initial is the foreign key's id
            found = Industry.objects.filter(pk=value).values_list("code", flat=True).first()
            return found or ""
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        list_id = f"{widget['attrs'].get('id') or name}-options"
        widget["attrs"]["list"] = list_id
        widget["list_id"] = list_id
        widget["search_url"] = reverse("registry:industry_search")
        current = (widget.get("value") or "").strip()
        chosen, _why = resolve(current) if current else (None, "")
        widget["chosen"] = chosen
        widget["options"] = search(chosen.code if chosen else "")
        return context


class IndustryField(forms.ModelChoiceField):
    """An industry chosen with the picker: the code (or a name that names one industry) → Industry."""

    widget = IndustryPicker

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Industry.objects.all())
        kwargs.setdefault("to_field_name", "code")
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Industry):
            return value
        found, why = resolve(str(value))
        if found is None:
            raise forms.ValidationError(why, code="invalid_choice")
        return found

    def prepare_value(self, value):
        if isinstance(value, Industry):
            return value.code
        return value


def industry_param(params):
    """A list filter's `industry` as a code: a name typed without choosing from the list is looked up.
    Returns (params, message); the message names the field when the text names no single industry."""
    value = (params.get("industry") or "").strip()
    if not value or re.fullmatch(r"[A-Za-z]|\d{1,4}", value):
        return params, ""
    found, why = resolve(value)
    if found is None:
        return params, why
    params = params.copy()
    params["industry"] = found.code
    return params, ""
