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
def record_history(obj):
    """Where a record's history loads from and how many changes it has (one COUNT, no diffs)."""
    from django.urls import reverse

    history = getattr(obj, "history", None)
    return {
        "url": reverse("core:history", args=[obj._meta.label_lower, obj.pk]),
        "count": history.count() if history is not None else 0,
    }
