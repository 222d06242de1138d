"""Thin views over the firm registry services and selectors."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from legend50.core.errors import ApplicationError
from legend50.core.scoping import get_visible_or_404
from legend50.registry.models import Region

from . import selectors, services
from .choices import SizeClass
from .forms import CertificateForm, FinancialForm, FirmForm, ImportForm
from .importing import COLUMNS
from .models import Firm, ImportJob, SmeCertificate


def _apply_errors(form, exc: ApplicationError):
    errors = getattr(exc, "errors", {}) or {}
    placed = False
    for field, msgs in errors.items():
        for msg in msgs:
            if field in form.fields:
                form.add_error(field, msg)
                placed = True
    if not placed:
        form.add_error(None, exc.message)


@login_required
def firm_list(request):
    firms = selectors.firm_list(request.user, request.GET)
    page = Paginator(firms, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "firms/firm_list.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "region": request.GET.get("region", ""),
            "size": request.GET.get("size", ""),
            "regions": Region.objects.all(),
            "sizes": SizeClass.choices,
            "can_register": services.can_register(request.user),
        },
    )


@login_required
def firm_detail(request, pk):
    firm = get_visible_or_404(Firm.objects.select_related("region", "organization"), request, pk=pk)
    context = {"firm": firm, **selectors.firm_page(request.user, firm)}
    if context["can_change"]:
        context["financial_form"] = FinancialForm()
        context["certificate_form"] = CertificateForm()
    return render(request, "firms/firm_detail.html", context)


@login_required
def firm_create(request):
    if not services.can_register(request.user):
        raise PermissionDenied
    form = FirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            firm = services.firm_create(by=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("기업을 등록했습니다."))
            return redirect("firms:detail", pk=firm.pk)
    return render(request, "firms/firm_form.html", {"form": form, "firm": None})


@login_required
def firm_edit(request, pk):
    firm = get_visible_or_404(Firm, request, "change", pk=pk)
    initial = {f: getattr(firm, f) for f in services.FIRM_FIELDS}
    form = FirmForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.firm_update(by=request.user, firm=firm, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("기업 정보를 저장했습니다."))
            return redirect("firms:detail", pk=firm.pk)
    return render(request, "firms/firm_form.html", {"form": form, "firm": firm})


@login_required
@require_POST
def financial_save(request, pk):
    firm = get_visible_or_404(Firm, request, "change", pk=pk)
    form = FinancialForm(request.POST)
    if form.is_valid():
        try:
            services.financial_save(by=request.user, firm=firm, **form.cleaned_data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(y)s년 재무 실적을 저장하고 기업 규모를 다시 산정했습니다.")
                % {"y": form.cleaned_data["year"]},
            )
            return redirect("firms:detail", pk=firm.pk)
    context = {
        "firm": firm,
        **selectors.firm_page(request.user, firm),
        "financial_form": form,
        "certificate_form": CertificateForm(),
    }
    return render(request, "firms/firm_detail.html", context, status=400)


@login_required
@require_POST
def certificate_upload(request, pk):
    firm = get_visible_or_404(Firm, request, "change", pk=pk)
    form = CertificateForm(request.POST, request.FILES)
    if form.is_valid():
        data = dict(form.cleaned_data)
        uploaded = data.pop("file")
        try:
            services.certificate_upload(by=request.user, firm=firm, uploaded=uploaded, **data)
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("중소기업확인서를 올렸습니다."))
            return redirect("firms:detail", pk=firm.pk)
    context = {
        "firm": firm,
        **selectors.firm_page(request.user, firm),
        "financial_form": FinancialForm(),
        "certificate_form": form,
    }
    return render(request, "firms/firm_detail.html", context, status=400)


@login_required
def certificate_download(request, pk, cert_pk):
    cert = get_visible_or_404(SmeCertificate, request, pk=cert_pk, firm_id=pk)
    return FileResponse(
        cert.file.open("rb"),
        as_attachment=True,
        filename=cert.original_name or "certificate.pdf",
        content_type="application/pdf",
    )


# --- bulk import ---------------------------------------------------------------------------------


@login_required
def import_new(request):
    if not services.can_register(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_start(
                by=request.user, uploaded=form.cleaned_data["file"], mode=form.cleaned_data["mode"]
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("firms:import_detail", pk=job.pk)
    jobs = selectors.import_jobs(request.user)[:10]
    columns = [(label, aliases) for label, aliases in COLUMNS.values()]
    return render(request, "firms/import_new.html", {"form": form, "jobs": jobs, "columns": columns})


@login_required
def import_detail(request, pk):
    job = get_visible_or_404(ImportJob, request, pk=pk)
    return render(
        request, "firms/import_detail.html", {"job": job, "progress": services.import_progress(job)}
    )


@login_required
def import_progress(request, pk):
    job = get_visible_or_404(ImportJob, request, pk=pk)
    response = render(
        request, "firms/_import_progress.html", {"job": job, "progress": services.import_progress(job)}
    )
    if job.is_finished and request.headers.get("HX-Request"):
        # swap the whole page once so the result and report link appear
        response["HX-Refresh"] = "true"
    return response


@login_required
def import_report(request, pk):
    job = get_visible_or_404(ImportJob, request, pk=pk)
    if not job.report:
        raise Http404
    return FileResponse(
        job.report.open("rb"),
        as_attachment=True,
        filename=f"import-{job.pk}-errors.csv",
        content_type="text/csv; charset=utf-8",
    )


@login_required
def import_template(request):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["사업자등록번호", "기업명", "업종코드", "소재지", "법인등록번호", "설립일", "연도", "매출액", "자산총액",
                     "직접수출액", "간접수출액", "종업원수"])  # fmt: skip
    writer.writerow(["124-81-00998", "(주)예시기업", "C29280", "대구광역시", "", "2010-03-02", "2024", "12000000000",
                     "9000000000", "1500000000", "800000000", "58"])  # fmt: skip
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="firms-template.csv"'
    return response
