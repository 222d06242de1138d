"""XLSX documents of the evaluation app. Every string passes through the caller's masker when the
document is served to an expert of a blind call."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "예" if value else "아니오"
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    return str(value)


def workbook_bytes(
    sheets: list[tuple[str, list[str], list[list]]], *, title_lines: list[str] | None = None
) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, header, rows in sheets:
        ws = wb.create_sheet(title=name[:31])
        offset = 0
        for line in title_lines or []:
            ws.append([line])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
            offset += 1
        if offset:
            ws.append([])
            offset += 1
        ws.append([str(h) for h in header])
        head_row = offset + 1
        for col in range(1, len(header) + 1):
            cell = ws.cell(row=head_row, column=col)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E8EEF7")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            ws.append([_cell(v) for v in row])
        for col, label in enumerate(header, start=1):
            width = max(
                [len(str(label))] + [len(str(r[col - 1] or "")) for r in rows[:200] if col - 1 < len(r)]
            )
            ws.column_dimensions[get_column_letter(col)].width = min(max(8, width * 1.6), 60)
        ws.freeze_panes = ws.cell(row=head_row + 1, column=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets, *, title_lines=None) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets, title_lines=title_lines), content_type=XLSX_TYPE)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def import_template_bytes() -> bytes:
    header = [
        "아이디",
        "성명",
        "이메일",
        "소속기관",
        "직위",
        "구분",
        "시·도",
        "KSIC 중분류",
        "키워드",
        "최대 평가 건수",
        "평가 가능",
    ]
    example = [
        "expert-kim",
        "김평가",
        "kim@example.kr",
        "경북대학교",
        "교수",
        "학",
        "대구",
        "29, 30",
        "스마트공장, 로봇",
        5,
        "Y",
    ]
    return workbook_bytes([("전문가", header, [example])])
