"""Reads for instruments, participation, awards and the concentration report."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q

from legend50.core.actors import Role, actor_for

from .choices import AwardStatus, ParticipationStatus
from .models import Instrument, ProjectParticipation, SupportAward


def instrument_list(user, params=None):
    params = params or {}
    rows = (
        Instrument.objects.visible_to(user, "view")
        .select_related("operator", "region")
        .prefetch_related("budgets")
    )
    if params.get("level") in ("central", "local"):
        rows = rows.filter(level=params["level"])
    if params.get("region"):
        rows = rows.filter(Q(region__code=params["region"]) | Q(region__isnull=True))
    return rows


def award_list(user, params=None):
    params = params or {}
    rows = SupportAward.objects.visible_to(user, "view").select_related(
        "firm__region", "instrument__operator", "project"
    )
    if str(params.get("year") or "").isdigit():
        rows = rows.filter(year=int(params["year"]))
    if params.get("instrument"):
        rows = rows.filter(instrument__code=params["instrument"])
    if params.get("flagged") == "1":
        rows = rows.exclude(flags=[])
    return rows.order_by("-awarded_on", "-pk")


def participation_list(user, params=None):
    params = params or {}
    rows = ProjectParticipation.objects.visible_to(user, "view").select_related(
        "project__lead_region", "firm__region"
    )
    if params.get("status") in ParticipationStatus.values:
        rows = rows.filter(status=params["status"])
    if str(params.get("project") or "").isdigit():
        rows = rows.filter(project_id=int(params["project"]))
    return rows.order_by("project__lead_region__code", "project__title", "firm__name")


def can_see_report(user) -> bool:
    actor = actor_for(user)
    return actor.reads_everything or actor.has_role(
        Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF, Role.OPERATOR
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def concentration(user, year: int) -> dict:
    """Per instrument (and by project, by province) in `year`: how much money and how many firms
    went to participating firms of selected projects versus all others. Reads only the awards the
    user may see."""
    from legend50.funding.models import Project

    awards = list(
        SupportAward.objects.visible_to(user, "view")
        .filter(year=year, status=AwardStatus.RECORDED)
        .values_list("firm_id", "instrument_id", "amount_krw", "firm__region__code", "firm__region__name")
    )
    active = Project.objects.filter(start_year__lte=year, end_year__gte=year)
    memberships = ProjectParticipation.objects.filter(
        status=ParticipationStatus.ADMITTED, project__in=active
    ).values_list("firm_id", "project_id")
    projects_of: dict[int, set[int]] = defaultdict(set)
    for firm_id, project_id in memberships:
        projects_of[firm_id].add(project_id)
    instruments = {
        i.pk: i for i in Instrument.objects.filter(pk__in={a[1] for a in awards}).select_related("operator")
    }

    def blank():
        return {"money": 0, "money_p": 0, "firms": set(), "firms_p": set(), "count": 0}

    by_instrument: dict[int, dict] = defaultdict(blank)
    by_region: dict[tuple, dict] = defaultdict(blank)
    by_project: dict[int, dict] = defaultdict(blank)
    total = blank()
    for firm_id, instrument_id, amount, region_code, region_name in awards:
        participant = firm_id in projects_of
        for bucket in (
            by_instrument[instrument_id],
            by_region[(region_code or "", region_name or "-")],
            total,
        ):
            bucket["money"] += amount
            bucket["count"] += 1
            bucket["firms"].add(firm_id)
            if participant:
                bucket["money_p"] += amount
                bucket["firms_p"].add(firm_id)
        for project_id in projects_of.get(firm_id, ()):
            bucket = by_project[project_id]
            bucket["money"] += amount
            bucket["count"] += 1
            bucket["firms"].add(firm_id)

    def row(label, data, **extra):
        firms, firms_p = len(data["firms"]), len(data["firms_p"])
        return {
            "label": label,
            "money": data["money"],
            "money_participants": data["money_p"],
            "money_others": data["money"] - data["money_p"],
            "money_share": _share(data["money_p"], data["money"]),
            "firms": firms,
            "firms_participants": firms_p,
            "firms_others": firms - firms_p,
            "firm_share": _share(firms_p, firms),
            "count": data["count"],
            **extra,
        }

    instrument_rows = sorted(
        (row(instruments[pk].name, data, instrument=instruments[pk]) for pk, data in by_instrument.items()),
        key=lambda r: (r["instrument"].level, -r["money"]),
    )
    region_rows = [row(name, data, code=code) for (code, name), data in sorted(by_region.items())]
    project_rows = []
    participants_per_project: dict[int, int] = defaultdict(int)
    for _firm, pids in projects_of.items():
        for pid in pids:
            participants_per_project[pid] += 1
    for project in active.select_related("lead_region").order_by("lead_region__code", "title"):
        data = by_project.get(project.pk, blank())
        project_rows.append(
            {
                "project": project,
                "participants": participants_per_project.get(project.pk, 0),
                "supported_firms": len(data["firms"]),
                "money": data["money"],
                "count": data["count"],
            }
        )
    return {
        "year": year,
        "total": row("합계", total),
        "instruments": instrument_rows,
        "regions": region_rows,
        "projects": project_rows,
        "participant_firms": len(projects_of),
        "chart": {
            "labels": [r["label"] for r in instrument_rows],
            "participants": [r["money_participants"] for r in instrument_rows],
            "others": [r["money_others"] for r in instrument_rows],
        },
    }


def concentration_xlsx(report: dict) -> bytes:
    """The report as an Excel workbook: one sheet per view (instrument, project, province)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "지원사업별"
    head = ["지원사업", "구분", "지원액 합계(원)", "참여기업 지원액(원)", "그 외 지원액(원)", "참여기업 비중(금액)",
            "지원 기업 수", "참여기업 수", "그 외 기업 수", "참여기업 비중(기업 수)"]  # fmt: skip
    ws.append([f"{report['year']}년 지원 집중도 — 선정 프로젝트 참여기업 대 그 외"])
    ws["A1"].font = Font(bold=True)
    ws.append(head)
    for r in [*report["instruments"], report["total"]]:
        instrument = r.get("instrument")
        ws.append([r["label"], instrument.get_level_display() if instrument else "", r["money"], r["money_participants"],
                   r["money_others"], r["money_share"], r["firms"], r["firms_participants"], r["firms_others"],
                   r["firm_share"]])  # fmt: skip
    ws2 = wb.create_sheet("시도별")
    ws2.append(
        [
            "시·도",
            "지원액 합계(원)",
            "참여기업 지원액(원)",
            "참여기업 비중(금액)",
            "지원 기업 수",
            "참여기업 수",
            "참여기업 비중(기업 수)",
        ]
    )
    for r in report["regions"]:
        ws2.append(
            [
                r["label"],
                r["money"],
                r["money_participants"],
                r["money_share"],
                r["firms"],
                r["firms_participants"],
                r["firm_share"],
            ]
        )
    ws3 = wb.create_sheet("프로젝트별")
    ws3.append(
        ["프로젝트", "주관 시·도", "참여기업 수", "지원받은 참여기업 수", "참여기업 지원액(원)", "지원 건수"]
    )
    for r in report["projects"]:
        ws3.append(
            [
                r["project"].title,
                r["project"].lead_region.name,
                r["participants"],
                r["supported_firms"],
                r["money"],
                r["count"],
            ]
        )
    for sheet in (ws, ws2, ws3):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
