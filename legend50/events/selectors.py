"""Reads for the Expo, always through `visible_to`."""

from __future__ import annotations

from collections import Counter, OrderedDict

from django.db.models import Count

from legend50.registry.models import Region

from .choices import AffiliationKind, NominationStatus
from .models import (
    Agreement,
    AwardCategory,
    Event,
    Exhibitor,
    ExhibitTheme,
    Nomination,
    NominationReview,
    Session,
)


def event_list(user):
    return Event.objects.visible_to(user).select_related("host")


def sessions(user, event):
    return Session.objects.visible_to(user).filter(event=event).order_by("order")


def ceremony_rows(session_list):
    """The ceremony table as the source prints it: a row without its own time shares the timed row
    above it (its time cell is merged)."""
    rows = []
    for session in session_list:
        if session.kind != "ceremony":
            continue
        rows.append({"session": session, "continued": not session.is_timed})
    return rows


def categories(user, event):
    return AwardCategory.objects.visible_to(user).filter(event=event).order_by("rank")


def recipients(user, event):
    """Awarded nominations in the published order (category rank, then the list's own order)."""
    return (
        Nomination.objects.visible_to(user, "recipient")
        .filter(event=event)
        .select_related("awarded_category")
        .order_by("awarded_category__rank", "award_order")
    )


def recipients_by_category(user, event):
    grouped = OrderedDict((c, []) for c in categories(user, event))
    for nomination in recipients(user, event):
        grouped.setdefault(nomination.awarded_category, []).append(nomination)
    return grouped


def nominations(user, event, *, status="", category="", region=""):
    queryset = (
        Nomination.objects.visible_to(user)
        .filter(event=event)
        .select_related("category", "awarded_category", "nominating_organization", "nominating_region")
        .order_by("category__rank", "-submitted_at", "pk")
    )
    if status in NominationStatus.values:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category_id=category)
    if region:
        queryset = queryset.filter(nominating_region__code=region)
    return queryset


def quota_usage(event):
    """category -> (awarded, quota) for the decision screen."""
    rows = []
    counts = dict(
        Nomination.objects.filter(event=event, status=NominationStatus.AWARDED)
        .values_list("awarded_category")
        .annotate(n=Count("pk"))
    )
    for category in event.award_categories.order_by("rank"):
        rows.append({"category": category, "awarded": counts.get(category.pk, 0), "quota": category.quota})
    return rows


def my_review(user, nomination):
    return NominationReview.objects.visible_to(user).filter(nomination=nomination, reviewer=user).first()


def reviews(user, nomination):
    return NominationReview.objects.visible_to(user).filter(nomination=nomination).select_related("reviewer")


def themes(user, event):
    return ExhibitTheme.objects.visible_to(user).filter(event=event).order_by("order")


def directory(user, event, *, theme="", region=""):
    queryset = (
        Exhibitor.objects.visible_to(user, "directory")
        .filter(event=event)
        .select_related("theme", "region")
        .order_by("theme__order", "order", "pk")
    )
    if theme:
        queryset = queryset.filter(theme_id=theme)
    if region:
        queryset = queryset.filter(region__code=region)
    return queryset


def applications(user, event, *, status=""):
    queryset = (
        Exhibitor.objects.visible_to(user)
        .filter(event=event)
        .select_related("theme", "region", "firm")
        .order_by("theme__order", "order", "-created_at")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def agreements(user, event=None):
    queryset = Agreement.objects.visible_to(user).prefetch_related("parties__organization")
    return queryset.filter(event=event) if event is not None else queryset


def directory_regions(user, event):
    codes = directory(user, event).values_list("region__code", flat=True).distinct()
    return Region.objects.filter(code__in=list(codes)).order_by("code")


def statistics(user, event) -> dict:
    """Counts for the statistics page, from what the user may see (the public: published data)."""
    exhibitors = list(directory(user, event))
    theme_names = [t.name for t in themes(user, event)]
    by_theme = Counter(e.theme.name for e in exhibitors)
    by_region = Counter((e.region.code, e.region.short_name) for e in exhibitors)
    awarded = list(recipients(user, event))
    category_names = [c.name for c in categories(user, event)]
    by_category = Counter(n.awarded_category.name for n in awarded)
    kinds = [(k.value, str(k.label)) for k in AffiliationKind]
    by_kind = Counter(n.affiliation_kind for n in awarded)
    matrix = {
        c: {
            k: sum(1 for n in awarded if n.awarded_category.name == c and n.affiliation_kind == k)
            for k, _l in kinds
        }
        for c in category_names
    }
    used_kinds = [(k, label) for k, label in kinds if by_kind.get(k)]
    region_rows = sorted(by_region.items())
    return {
        "exhibitor_total": len(exhibitors),
        "region_total": len(by_region),
        "by_theme": [(name, by_theme.get(name, 0)) for name in theme_names],
        "by_region": [(short, count) for (_code, short), count in region_rows],
        "award_total": len(awarded),
        "by_category": [(name, by_category.get(name, 0)) for name in category_names],
        "by_kind": [(label, by_kind.get(k, 0)) for k, label in used_kinds],
        "category_kind_rows": [(c, [matrix[c][k] for k, _l in used_kinds]) for c in category_names],
        "kind_labels": [label for _k, label in used_kinds],
    }


def chart_data(stats: dict) -> dict:
    return {
        "themes": {
            "labels": [n for n, _c in stats["by_theme"]],
            "values": [c for _n, c in stats["by_theme"]],
        },
        "regions": {
            "labels": [n for n, _c in stats["by_region"]],
            "values": [c for _n, c in stats["by_region"]],
        },
        "categories": {
            "labels": [n for n, _c in stats["by_category"]],
            "values": [c for _n, c in stats["by_category"]],
        },
        "kinds": {"labels": [n for n, _c in stats["by_kind"]], "values": [c for _n, c in stats["by_kind"]]},
    }
