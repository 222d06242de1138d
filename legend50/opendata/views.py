import csv
import io
import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from openpyxl import Workbook

from . import selectors

DATASETS = {
    "projects": ("선정 과제", selectors.project_rows),
    "funding": ("연도·시도·재원별 배정과 집행", selectors.funding_rows),
    "indicators": ("K-중소기업 50⁺ 지표", selectors.indicator_rows),
}


def index(request):
    projects = selectors.project_rows()
    return render(
        request,
        "opendata/index.html",
        {
            "datasets": DATASETS,
            "projects": projects,
            "funding": selectors.funding_rows(),
            "total_awarded": sum(p["awarded_krw"] for p in projects),
        },
    )


def download(request, name, fmt):
    if name not in DATASETS or fmt not in ("csv", "xlsx", "json"):
        raise Http404("unknown dataset")
    title, rows_for = DATASETS[name]
    rows = rows_for()
    filename = f"legend50-{name}.{fmt}"
    if fmt == "json":
        response = JsonResponse(
            {"dataset": name, "title": title, "rows": rows}, json_dumps_params={"ensure_ascii": False}
        )
    elif fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")  # Excel opens UTF-8 Korean correctly with a byte-order mark
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = name
        if rows:
            sheet.append(list(rows[0]))
            for row in rows:
                sheet.append(list(row.values()))
        output = io.BytesIO()
        workbook.save(output)
        response = HttpResponse(
            output.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def grants_360giving(request):
    body = json.dumps(selectors.grants_360giving(), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="legend50-360giving.json"'
    return response
