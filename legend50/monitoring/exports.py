"""Every chart's data as a table (CSV or XLSX), built from the same selectors the pages use, so a
download never shows more than the chart beside it. Official and computed values stay in their own
labelled columns."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from . import selectors


@dataclass
class DataTable:
    title: str
    filename: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _pct(value):
    return None if value is None else round(value * 100, 3)


def indicator_table(user, key: str) -> DataTable:
    panel = next((p for p in selectors.indicator_panels(user) if p["indicator"].key == key), None)
    if panel is None:
        raise Http404("no such indicator")
    ind = panel["indicator"]
    table = DataTable(
        title=ind.label,
        filename=f"ksme-{key}",
        header=[
            _("연도"),
            _("공식 통계(%)"),
            _("산출값-표본 마이크로데이터(%)"),
            panel["chart"]["trend_label"] or _("추세(%)"),
            _("예측구간 하한(%)"),
            _("예측구간 상한(%)"),
            _("목표(%)"),
        ],
    )
    for r in panel["rows"]:
        table.rows.append(
            [
                r["year"],
                _pct(r["official"]),
                _pct(r["computed"]),
                _pct(r["trend"]),
                _pct(r["lower"]),
                _pct(r["upper"]),
                _pct(float(ind.target)) if r["year"] == ind.target_year else None,
            ]
        )
    for obs in panel["official"]:
        table.notes.append(_("공식 %(y)s년 출처: %(s)s") % {"y": obs.year, "s": obs.source})
    if panel["computed"]:
        table.notes.append(_("산출값 출처: %(s)s") % {"s": panel["computed"][-1].source})
    return table


def trajectory_table(user) -> DataTable:
    table = DataTable(
        title=_("2027년 목표 도달 경로"),
        filename="ksme-trajectory",
        header=[
            _("지표"),
            _("기준"),
            _("관측 수"),
            _("마지막 연도"),
            _("마지막 값(%)"),
            _("목표 도달에 필요한 연평균 변화(%p)"),
            _("추세 기울기(%p/년)"),
            _("목표 연도 추세값(%)"),
            _("목표 연도 예측구간 하한(%)"),
            _("목표 연도 예측구간 상한(%)"),
            _("도달 확률(%)"),
        ],
    )
    for panel in selectors.indicator_panels(user):
        for t in panel["trajectories"]:
            table.rows.append(
                [
                    panel["indicator"].label,
                    _("공식 통계") if t["basis"] == "official" else _("산출값(표본)"),
                    t["n"],
                    t["last_year"],
                    _pct(t["last_value"]),
                    _pct(t["required"]),
                    _pct(t["slope"]),
                    _pct(t["projected"]),
                    _pct(t["lower"]),
                    _pct(t["upper"]),
                    _pct(t["probability"]),
                ]
            )
    return table


def tiles_table(user, metric: str | None, year: int | None) -> DataTable:
    data = selectors.tile_map(user, metric, year)
    m = data["metric"]
    unit = {"share": "(%)", "ratio": "(%)", "krw": _("(원)"), "count": ""}[m.kind]
    table = DataTable(
        title=f"{m.label} {data['year'] or ''}",
        filename=f"ksme-tiles-{m.key}-{data['year'] or 'none'}",
        header=[_("시·도 코드"), _("시·도"), f"{m.label}{unit}", _("대상 기업 수"), _("비고")],
    )
    for t in data["tiles"]:
        value = t["value"]
        if value is not None and m.kind in ("share", "ratio"):
            value = _pct(value)
        table.rows.append(
            [
                t["code"],
                t["name"],
                value,
                t["n_firms"],
                str(selectors.SUPPRESSED_NOTE) if t["suppressed"] else "",
            ]
        )
    if m.note:
        table.notes.append(m.note)
    return table


def kpi_table(user, year: int | None) -> DataTable:
    table = DataTable(
        title=_("과제 성과지표 목표 대비 실적"),
        filename=f"kpi-progress-{year or 'all'}",
        header=[
            _("연도"), _("시·도"), _("사업"), _("과제"), _("성과지표"), _("단위"), _("목표"), _("실적"), _("달성률(%)"),
        ],
    )  # fmt: skip
    for r in selectors.kpi_rows(user, year):
        table.rows.append(
            [
                r["year"],
                r["region"].name,
                r["program"].name,
                r["project"].title,
                r["label"],
                r["unit"],
                None if r["target"] is None else float(r["target"]),
                float(r["value"]),
                _pct(r["achievement"]),
            ]
        )
    return table


def respond(table: DataTable, fmt: str) -> HttpResponse:
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(table.header)
        for row in table.rows:
            writer.writerow(["" if v is None else v for v in row])
        for note in table.notes:
            writer.writerow([f"# {note}"])
        # UTF-8 with BOM so that Excel opens Korean text correctly.
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        ext = "csv"
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = _("자료")
        ws.append([table.title])
        ws["A1"].font = Font(bold=True)
        ws.append(table.header)
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            ws.append(row)
        if table.notes:
            ws.append([])
            for note in table.notes:
                ws.append([note])
        for i in range(len(table.header)):
            ws.column_dimensions[chr(65 + i) if i < 26 else "Z"].width = 18
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        ext = "xlsx"
    else:
        raise Http404("unknown format")
    name = f"{table.filename}.{ext}"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return response
