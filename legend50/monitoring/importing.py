"""Reading firm outcomes from XLSX or CSV, with the firm registry's import machinery.

File reading, header units ("매출액(백만원)") and cell parsers come from `legend50.firms.importing`,
so a file that the firm registry accepts reads the same here. This module only knows the outcome
columns and returns parsed rows plus every error as (row, column, value, message); it writes nothing.
Row numbers are spreadsheet row numbers (the header is row 1).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from legend50.firms.importing import (
    COLUMNS as FIRM_COLUMNS,
)
from legend50.firms.importing import (
    UNIT_MULTIPLIERS,
    FileProblem,
    RowError,
    detect_format,
    iter_rows,
    parse_amount,
    parse_brn,
    parse_count,
    parse_year,
)

MAX_ROWS = 50_000
_OUTCOME_FIELDS = ("brn", "name", "year", "sales", "direct_exports", "indirect_exports", "employees", "rnd")
_MONEY = ("sales", "direct_exports", "indirect_exports", "rnd")
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    **{k: FIRM_COLUMNS[k] for k in _OUTCOME_FIELDS},
    "project": ("과제", ("과제", "과제번호", "과제명", "보고과제", "project", "projectid")),
}
_UNIT_RE = re.compile(r"[\(\[]\s*(원|천원|만원|백만원|억원|krw)\s*[\)\]]", re.IGNORECASE)
_STRIP = re.compile(r"[\s_\-·.()\[\]*]")
_LOOKUP = {alias: key for key, (_label, aliases) in COLUMNS.items() for alias in aliases}


@dataclass
class OutcomeRow:
    row: int
    brn: str
    name: str
    year: int
    sales: int
    direct_exports: int
    indirect_exports: int
    employees: int | None
    rnd: int | None
    project: str


@dataclass
class OutcomeFile:
    rows: list[OutcomeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0


def map_header(header: list) -> tuple[dict[str, int], dict[str, int]]:
    mapping: dict[str, int] = {}
    units: dict[str, int] = {}
    for index, cell in enumerate(header):
        text = str(cell or "").strip()
        if not text:
            continue
        unit = 1
        m = _UNIT_RE.search(text)
        if m:
            unit = UNIT_MULTIPLIERS[m.group(1).lower()]
            text = _UNIT_RE.sub("", text)
        key = _LOOKUP.get(_STRIP.sub("", text).lower())
        if key is None:
            continue
        if key in mapping:
            raise FileProblem(_("'%(label)s' 열이 두 번 있습니다.") % {"label": COLUMNS[key][0]})
        mapping[key] = index
        if key in _MONEY:
            units[key] = unit
    missing = [COLUMNS[k][0] for k in ("year", "sales") if k not in mapping]
    if "brn" not in mapping and "name" not in mapping:
        missing.insert(0, _("사업자등록번호 또는 기업명"))
    if missing:
        raise FileProblem(
            _(
                "필수 열이 없습니다: %(missing)s. 첫 행은 열 이름이어야 합니다 (예: 사업자등록번호, 연도, 매출액, 직접수출액, 간접수출액)."
            )
            % {"missing": ", ".join(missing)}
        )
    return mapping, units


def read_outcomes(path: Path, filename: str) -> OutcomeFile:
    """Parse every row; raises FileProblem when the file as a whole cannot be used."""
    fmt = detect_format(filename)
    rows = iter_rows(path, fmt)
    try:
        header = next(rows)
    except StopIteration:
        raise FileProblem(_("빈 파일입니다.")) from None
    mapping, units = map_header(list(header))
    result = OutcomeFile()
    max_year = dt.date.today().year
    for number, cells in enumerate(rows, start=2):
        cells = list(cells)
        if not any(str(c or "").strip() for c in cells):
            continue
        result.total_rows += 1
        if result.total_rows > MAX_ROWS:
            raise FileProblem(_("한 번에 %(n)s행까지 가져올 수 있습니다.") % {"n": f"{MAX_ROWS:,}"})

        def cell(key, cells=cells):
            index = mapping.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        values: dict = {}
        bad = False
        for key, parser in (
            ("year", lambda v: parse_year(v, max_year)),
            ("sales", lambda v: parse_amount(v, units.get("sales", 1))),
            ("direct_exports", lambda v: parse_amount(v, units.get("direct_exports", 1))),
            ("indirect_exports", lambda v: parse_amount(v, units.get("indirect_exports", 1))),
            ("employees", parse_count),
            ("rnd", lambda v: parse_amount(v, units.get("rnd", 1))),
        ):
            raw = cell(key)
            try:
                values[key] = parser(raw)
            except ValueError as exc:
                result.errors.append(RowError(number, COLUMNS[key][0], str(raw or ""), str(exc)))
                bad = True
        if not bad and values["sales"] is None:
            result.errors.append(RowError(number, COLUMNS["sales"][0], "", _("필수 항목입니다")))
            bad = True
        brn = ""
        raw_brn = cell("brn")
        if raw_brn not in (None, ""):
            try:
                brn = parse_brn(raw_brn)
            except ValueError as exc:
                result.errors.append(RowError(number, COLUMNS["brn"][0], str(raw_brn), str(exc)))
                bad = True
        name = str(cell("name") or "").strip()
        if not brn and not name and not bad:
            result.errors.append(
                RowError(number, COLUMNS["brn"][0], "", _("사업자등록번호나 기업명 중 하나는 있어야 합니다"))
            )
            bad = True
        if bad:
            continue
        raw_project = cell("project")
        project = "" if raw_project is None else str(raw_project).strip()
        if project.endswith(".0") and project[:-2].isdigit():
            project = project[:-2]
        result.rows.append(
            OutcomeRow(
                row=number,
                brn=brn,
                name=name,
                year=values["year"],
                sales=values["sales"],
                direct_exports=values["direct_exports"] or 0,
                indirect_exports=values["indirect_exports"] or 0,
                employees=values["employees"],
                rnd=values["rnd"],
                project=project,
            )
        )
    return result


# ------------------------------------------------------------------------------------------------
# official observations
# ------------------------------------------------------------------------------------------------

OBSERVATION_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "indicator": ("지표", ("지표", "지표명", "지표키", "indicator", "indicatorkey", "key")),
    "year": ("연도", ("연도", "기준연도", "year")),
    "value": ("값(%)", ("값", "값%", "비중", "비중%", "value", "valuepercent", "percent")),
    "source": ("출처", ("출처", "자료출처", "source")),
    "note": ("비고", ("비고", "메모", "note")),
    "region_code": ("시·도 코드", ("시도코드", "시도", "regioncode", "region")),
}
_OBS_LOOKUP = {alias: key for key, (_label, aliases) in OBSERVATION_COLUMNS.items() for alias in aliases}


def read_observations(path: Path, filename: str) -> tuple[list[dict], int]:
    """Rows of an official-figures file as dicts keyed by field, with their row number."""
    rows = iter_rows(path, detect_format(filename))
    try:
        header = next(rows)
    except StopIteration:
        raise FileProblem(_("빈 파일입니다.")) from None
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _OBS_LOOKUP.get(_STRIP.sub("", str(cell or "")).replace("%", "").lower())
        if key is None:
            key = _OBS_LOOKUP.get(_STRIP.sub("", str(cell or "")).lower())
        if key is not None and key not in mapping:
            mapping[key] = index
    missing = [
        OBSERVATION_COLUMNS[k][0] for k in ("indicator", "year", "value", "source") if k not in mapping
    ]
    if missing:
        raise FileProblem(
            _("필수 열이 없습니다: %(m)s. 첫 행은 열 이름이어야 합니다 (지표, 연도, 값(%%), 출처, 비고).")
            % {"m": ", ".join(missing)}
        )
    out = []
    total = 0
    for number, cells in enumerate(rows, start=2):
        cells = list(cells)
        if not any(str(c or "").strip() for c in cells):
            continue
        total += 1
        if total > MAX_ROWS:
            raise FileProblem(_("한 번에 %(n)s행까지 가져올 수 있습니다.") % {"n": f"{MAX_ROWS:,}"})
        row = {"row": number}
        for key, index in mapping.items():
            value = cells[index] if index < len(cells) else None
            if isinstance(value, float) and value.is_integer() and key == "year":
                value = int(value)
            row[key] = "" if value is None else str(value).strip()
        out.append(row)
    return out, total
