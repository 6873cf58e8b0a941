from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def num(value, places=None):
    """A figure with thousands separators and no trailing zeros; blank for None."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if places not in (None, ""):
        value = value.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    text = (
        f"{value.normalize():,f}"
        if value == value.to_integral_value()
        else f"{value:,f}".rstrip("0").rstrip(".")
    )
    return text


@register.filter
def pct(value):
    if value is None or value == "":
        return ""
    value = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value:+f}%"
