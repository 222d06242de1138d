from django import template
from django.utils.html import format_html

from legend50.core.formatting import format_eok, format_krw, format_kst

register = template.Library()


@register.filter
def krw(value):
    return format_krw(value)


@register.filter
def eok(value):
    return format_eok(value)


@register.filter
def kst(value, fmt="%Y-%m-%d %H:%M"):
    return format_kst(value, fmt)


@register.filter
def percent(value, digits=1):
    if value is None:
        return "-"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.simple_tag
def sample_badge(obj):
    if getattr(obj, "is_sample", False):
        return format_html('<span class="badge-sample" title="{}">표본</span>', "Sample data")
    return ""


@register.simple_tag
def history_entries(obj, limit=50):
    """The change history of a record, newest first, each with the fields that changed."""
    from legend50.core.history import history_entries as entries

    return entries(obj, limit=limit)
