"""XLSX and CSV export of exactly the filtered list the user may see."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from legend50.core.formatting import format_kst

from .choices import KSIC_SECTION_LABELS

HEADERS = [
    "번호",
    "공모",
    "주관 시·도",
    "권역",
    "과제명",
    "상태",
    "대상 산업(KSIC)",
    "총사업비(원)",
    "참여기업 수",
    "최종 점수",
    "최초 제출(KST)",
    "최근 수정(KST)",
    "표본",
]


def rows_for(queryset):
    for p in queryset:
        yield [
            p.pk,
            p.call.code,
            p.lead_region.name,
            p.lead_region.get_group_display(),
            p.title,
            p.get_status_display(),
            f"{p.ksic_section} {KSIC_SECTION_LABELS.get(p.ksic_section, '')}".strip(),
            int(p.budget_total or 0),
            int(p.firm_count or 0),
            float(p.final_score) if p.final_score is not None else "",
            format_kst(p.submitted_at) if p.submitted_at else "",
            format_kst(p.updated_at),
            "표본" if p.is_sample else "",
        ]


def _filename(ext):
    return f"proposals-{timezone.localtime():%Y%m%d-%H%M}.{ext}"


def as_csv(queryset) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows_for(queryset):
        writer.writerow(row)
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    return response


def as_xlsx(queryset) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "제안 과제"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows_for(queryset):
        sheet.append(row)
    for column, width in zip(
        "ABCDEFGHIJKLM", (8, 22, 14, 10, 50, 12, 24, 18, 10, 10, 18, 18, 6), strict=True
    ):
        sheet.column_dimensions[column].width = width
    for cell in sheet["H"][1:]:
        cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
