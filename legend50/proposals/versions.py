"""Frozen snapshots of a proposal and side-by-side comparison of any two."""

from __future__ import annotations

import difflib
import hashlib
import json

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .choices import KSIC_SECTION_LABELS

SNAPSHOT_SCHEMA = 1


def content_rows(proposal) -> dict:
    """The consortium (with organizations), KPIs and budget lines in snapshot order, read once so that a
    submission's readiness check and its snapshot share them."""
    return {
        "members": list(proposal.consortium.select_related("organization").order_by("order", "pk")),
        "kpis": list(proposal.kpis.order_by("order", "pk")),
        "lines": list(proposal.budget_lines.order_by("year", "order", "pk")),
    }


def build_snapshot(proposal, rows: dict | None = None) -> dict:
    """Everything a submission contains, as plain JSON (attachments by name, size and sha256).
    `rows`: `content_rows(proposal)` when the caller already read them."""
    rows = content_rows(proposal) if rows is None else rows
    return {
        "schema": SNAPSHOT_SCHEMA,
        "proposal_id": proposal.pk,
        "call": proposal.call.code,
        "title": proposal.title,
        "lead_region": {"code": proposal.lead_region.code, "name": proposal.lead_region.name},
        "summary": proposal.summary,
        "background": proposal.background,
        "direction": proposal.direction,
        "objectives": proposal.objectives,
        "ksic": {
            "section": proposal.ksic_section,
            "division": proposal.ksic_division,
            "revision": proposal.ksic_revision,
        },
        "regional_policies": list(proposal.regional_policies),
        "tags": list(proposal.tags),
        "consortium": [
            {
                "organization": m.organization.name,
                "organization_id": m.organization_id,
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "responsibility": m.responsibility,
            }
            for m in rows["members"]
        ],
        "kpis": [
            {
                "key": k.key,
                "label": k.label,
                "unit": k.unit,
                "baseline": _plain(k.baseline),
                "baseline_year": k.baseline_year,
                "targets": dict(k.targets),
            }
            for k in rows["kpis"]
        ],
        "budget_lines": [
            {
                "year": b.year,
                "source": b.source,
                "category": b.category,
                "description": b.description,
                "amount_krw": b.amount_krw,
            }
            for b in rows["lines"]
        ],
        "firms": [
            {
                "name": pf.firm.name,
                "brn": pf.firm.brn or "",
                "region": pf.firm.region.code if pf.firm.region_id else "",
            }
            for pf in proposal.participating_firms.select_related("firm__region").order_by("pk")
        ],
        "attachments": [
            {"id": a.pk, "name": a.original_name, "kind": a.kind, "size": a.size, "sha256": a.sha256}
            for a in proposal.attachments.filter(removed_at__isnull=True).order_by("pk")
        ],
    }


def _plain(number) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def snapshot_hash(snapshot: dict) -> str:
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _money(n) -> str:
    return f"{int(n):,}원"


def flatten(snapshot: dict) -> list[tuple[str, str, str]]:
    """(key, label, text) rows in display order, so two snapshots compare row by row."""
    from legend50.programs.models import FundingSource

    from .choices import BudgetCategory, RegionalPolicy

    sources = dict(FundingSource.choices)
    categories = dict(BudgetCategory.choices)
    policies = dict(RegionalPolicy.choices)
    rows = [
        ("title", "과제명", snapshot.get("title", "")),
        ("lead_region", "주관 시·도", snapshot.get("lead_region", {}).get("name", "")),
        ("summary", "요약", snapshot.get("summary", "")),
        ("background", "추진배경", snapshot.get("background", "")),
        ("direction", "추진방향", snapshot.get("direction", "")),
        ("objectives", "목표", snapshot.get("objectives", "")),
    ]
    ksic = snapshot.get("ksic", {})
    section = ksic.get("section", "")
    rows.append(
        (
            "ksic",
            "대상 산업(KSIC)",
            f"{section} {KSIC_SECTION_LABELS.get(section, '')} {ksic.get('division', '')}".strip(),
        )
    )
    rows.append(
        (
            "policies",
            "연계 지역정책",
            ", ".join(str(policies.get(p, p)) for p in snapshot.get("regional_policies", [])),
        )
    )
    rows.append(("tags", "태그", ", ".join(snapshot.get("tags", []))))
    for m in snapshot.get("consortium", []):
        rows.append(
            (
                f"consortium:{m['organization']}",
                f"컨소시엄 · {m['organization']}",
                f"{m['role_label']} {m.get('responsibility', '')}".strip(),
            )
        )
    for k in snapshot.get("kpis", []):
        targets = ", ".join(f"{y}년 {v}" for y, v in sorted(k.get("targets", {}).items()))
        rows.append(
            (
                f"kpi:{k['label']}",
                f"성과지표 · {k['label']}",
                f"기준 {k['baseline']}{k['unit']} ({k['baseline_year']}) → {targets}",
            )
        )
    for b in snapshot.get("budget_lines", []):
        key = f"budget:{b['year']}:{b['source']}:{b['category']}:{b.get('description', '')}"
        label = f"예산 · {b['year']}년 {sources.get(b['source'], b['source'])} {categories.get(b['category'], b['category'])} {b.get('description', '')}".strip()
        rows.append((key, label, _money(b["amount_krw"])))
    for f in snapshot.get("firms", []):
        rows.append(
            (
                f"firm:{f['brn'] or f['name']}",
                f"참여기업 · {f['name']}",
                f"{f['brn']} {f.get('region', '')}".strip(),
            )
        )
    for a in snapshot.get("attachments", []):
        rows.append(
            (
                f"attachment:{a['name']}",
                f"첨부 · {a['name']}",
                f"{a['size']:,} bytes · sha256 {a['sha256'][:16]}…",
            )
        )
    return rows


def _inline_diff(old: str, new: str) -> tuple[str, str]:
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    left, right = [], []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            left.append(escape(" ".join(a[i1:i2])))
            right.append(escape(" ".join(b[j1:j2])))
        else:
            if i2 > i1:
                left.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
            if j2 > j1:
                right.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))  # noqa: S308 - every part escaped above


def compare(old: dict, new: dict) -> list[dict]:
    """Rows for a side-by-side view: {label, left, right, change: same|changed|added|removed}."""
    left = {key: (label, text) for key, label, text in flatten(old)}
    right = {key: (label, text) for key, label, text in flatten(new)}
    order = [key for key, _, _ in flatten(old)]
    order += [key for key, _, _ in flatten(new) if key not in left]
    rows = []
    for key in order:
        if key in left and key in right:
            if left[key][1] == right[key][1]:
                rows.append(
                    {"label": right[key][0], "left": left[key][1], "right": right[key][1], "change": "same"}
                )
            else:
                lhs, rhs = _inline_diff(str(left[key][1]), str(right[key][1]))
                rows.append({"label": right[key][0], "left": lhs, "right": rhs, "change": "changed"})
        elif key in left:
            rows.append({"label": left[key][0], "left": left[key][1], "right": "", "change": "removed"})
        else:
            rows.append({"label": right[key][0], "left": "", "right": right[key][1], "change": "added"})
    return rows
