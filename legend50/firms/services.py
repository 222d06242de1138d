"""Writes to the firm registry: firms, yearly financials, SME certificates, bulk imports.

The size class of a firm is computed here from its financials (3 most recent years, 중소기업기본법
시행령 별표1·별표3 via legend50.engines.sme) and stored with its reason; no form or import sets it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core.actors import Role, actor_for
from legend50.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import format_krw as won
from legend50.engines.ids import (
    is_valid_brn,
    is_valid_corporate_number,
    normalize_brn,
    normalize_corporate_number,
)
from legend50.engines.sme import RULESET, classify_enterprise, parse_ksic

from . import importing
from .choices import ImportMode, ImportStatus, SizeClass
from .models import Firm, FirmFinancial, ImportJob, SmeCertificate

log = logging.getLogger(__name__)

REGISTRY_ROLES = (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF)


# ------------------------------------------------------------------------------------------------
# matching by name (companies from the source document carry no 사업자등록번호)
# ------------------------------------------------------------------------------------------------


def _region(value):
    from legend50.registry.models import Region

    if value is None or isinstance(value, Region):
        return value
    return Region.objects.resolve(value)


def firm_find_by_name(name: str) -> Firm | None:
    """The firm whose name or any alias matches `name`, ignoring legal-form markers ((주), 주식회사)
    and spacing."""
    key = importing.name_key(name)
    if not key:
        return None
    firm = Firm.objects.filter(name_key=key).order_by("pk").first()
    if firm is not None:
        return firm
    for candidate in Firm.objects.exclude(aliases=[]).only("pk", "aliases").order_by("pk"):
        if any(importing.name_key(alias) == key for alias in candidate.aliases or ()):
            return Firm.objects.get(pk=candidate.pk)
    return None


def firm_get_or_create_by_name(name: str, region=None, aliases: Iterable[str] = ()) -> tuple[Firm, bool]:
    """One record per company: find the firm by its name or any of `aliases` (each matched against
    names and stored aliases); create it without a 사업자등록번호 if none matches. New spellings
    are added to its aliases; a missing region is filled in. Returns (firm, created).

    For loaders of source-document facts (system writes, no permission check)."""
    name = str(name).strip()
    if not name:
        raise ValidationFailed(_("기업명이 비어 있습니다."), errors={"name": [_("필수 항목입니다.")]})
    region = _region(region)
    spellings = [name, *[a.strip() for a in aliases if a and a.strip()]]
    firm = None
    for spelling in spellings:
        firm = firm_find_by_name(spelling)
        if firm is not None:
            break
    with transaction.atomic():
        if firm is None:
            firm = Firm.objects.create(
                name=name,
                name_key=importing.name_key(name),
                aliases=[s for s in dict.fromkeys(spellings[1:]) if s != name],
                region=region,
            )
            return firm, True
        changed = False
        known = {importing.name_key(firm.name), *(importing.name_key(a) for a in firm.aliases or ())}
        for spelling in spellings:
            if importing.name_key(spelling) not in known:
                firm.aliases = [*(firm.aliases or []), spelling]
                known.add(importing.name_key(spelling))
                changed = True
        if region is not None and firm.region_id is None:
            firm.region = region
            changed = True
        if changed:
            firm.save()
        return firm, False


# ------------------------------------------------------------------------------------------------
# size class
# ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _ruleset_for(ksic: str):
    """The statute's rule tables narrowed to the rows that can apply to `ksic` — the rows whose
    selector is a prefix of the code or finer than it — so classification gives the same answer
    without scanning every row (imports classify 10⁵ firms)."""
    code = parse_ksic(ksic).code

    def keep(rows):
        return tuple(r for r in rows if code.startswith(r.selector) or r.selector.startswith(code))

    return dataclasses.replace(
        RULESET, sme_ceilings=keep(RULESET.sme_ceilings), small_ceilings=keep(RULESET.small_ceilings)
    )


def compute_size(firm: Firm, years: Iterable[tuple[int, int | None, int | None]]) -> tuple[str, str, str]:
    """(size_class, reason, basis) from (year, sales, total_assets) rows: the 3 most recent years
    with sales give 평균매출액등; total assets are the latest year's."""
    rows = sorted((r for r in years if r[1] is not None), key=lambda r: r[0], reverse=True)[:3]
    if not firm.ksic_code:
        return "", _("업종코드(KSIC)가 없어 규모를 산정할 수 없습니다."), ""
    if not rows:
        return "", _("재무 실적(매출액)이 없어 규모를 산정할 수 없습니다."), ""
    average = sum(r[1] for r in rows) // len(rows)
    assets = rows[0][2]
    first, last = rows[-1][0], rows[0][0]
    basis = f"{first}–{last}" if first != last else str(last)
    try:
        result = classify_enterprise(
            ruleset=_ruleset_for(firm.ksic_code),
            ksic=firm.ksic_code,
            average_sales_krw=average,
            total_assets_krw=assets or 0,
            in_disclosed_group=firm.in_disclosed_group,
            owned_by_large_firm=firm.owned_by_large_firm,
            related_average_sales_krw=firm.related_average_sales_krw or 0,
            seat_product=firm.seat_product,
            within_grace_period=firm.within_grace_period,
        )
    except (ValueError, TypeError) as exc:
        return "", _("규모를 산정할 수 없습니다: %(error)s") % {"error": exc}, basis
    head = _("%(basis)s년 %(n)s개년 평균매출액 %(avg)s") % {
        "basis": basis,
        "n": len(rows),
        "avg": won(average),
    }
    if len(rows) < 3:
        head += _(" (3개년 미만 — 보유 연도 평균)")
    if assets is None:
        head += _(", 자산총액 미입력(0원으로 계산)")
    return result.size_class, f"{head} · {result.reason}", basis


def firm_refresh_size(firm: Firm, *, save: bool = True) -> Firm:
    rows = firm.financials.values_list("year", "sales_krw", "total_assets_krw")
    firm.size_class, firm.size_reason, firm.size_basis = compute_size(firm, rows)
    if save:
        Firm.objects.filter(pk=firm.pk).update(
            size_class=firm.size_class, size_reason=firm.size_reason, size_basis=firm.size_basis
        )
    return firm


def certificate_status(firm: Firm) -> dict:
    """The current 중소기업확인서 beside the computed class: {"certificate", "mismatch", "expired"}."""
    today = timezone.localdate()
    cert = firm.certificates.order_by("-valid_until").first()
    if cert is None:
        return {"certificate": None, "mismatch": False, "expired": False}
    expired = cert.valid_until < today
    mismatch = bool(firm.size_class) and cert.size_class != firm.size_class
    return {"certificate": cert, "mismatch": mismatch, "expired": expired}


# ------------------------------------------------------------------------------------------------
# permissions
# ------------------------------------------------------------------------------------------------


def can_register(user) -> bool:
    actor = actor_for(user)
    return actor.is_ministry or actor.has_role(*REGISTRY_ROLES)


def allowed_region_ids(user) -> frozenset[int] | None:
    """Regions whose firms the user may create or import; None means every region."""
    from legend50.registry.models import Region

    actor = actor_for(user)
    if actor.is_ministry:
        return None
    if not actor.has_role(*REGISTRY_ROLES):
        return frozenset()
    return frozenset(Region.objects.filter(code__in=actor.region_codes).values_list("pk", flat=True))


def _changeable(firm: Firm, by) -> Firm:
    if not Firm.objects.visible_to(by, "change").filter(pk=firm.pk).exists():
        if Firm.objects.visible_to(by, "view").filter(pk=firm.pk).exists():
            raise PermissionDeniedError(_("이 기업의 정보를 수정할 권한이 없습니다."))
        raise NotFoundError(_("기업을 찾을 수 없습니다."))
    return firm


# ------------------------------------------------------------------------------------------------
# firms and financials
# ------------------------------------------------------------------------------------------------

FIRM_FIELDS = ("name", "brn", "corporate_number", "ksic_code", "region", "founded_on",
               "in_disclosed_group", "owned_by_large_firm", "related_average_sales_krw",
               "seat_product", "within_grace_period")  # fmt: skip


def _clean_firm(data: dict, *, instance: Firm | None) -> dict:
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    name = str(clean.get("name") or "").strip()
    if not name:
        errors["name"] = [_("기업명을 입력하세요.")]
    clean["name"] = name
    brn = str(clean.get("brn") or "").strip()
    if brn:
        if not is_valid_brn(brn):
            errors["brn"] = [_("사업자등록번호가 올바르지 않습니다 (10자리, 검증번호 확인).")]
        else:
            brn = normalize_brn(brn)
            clash = Firm.objects.filter(brn=brn)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors["brn"] = [_("이미 등록된 사업자등록번호입니다.")]
    clean["brn"] = brn or None
    corp = str(clean.get("corporate_number") or "").strip()
    if corp:
        if not is_valid_corporate_number(corp):
            errors["corporate_number"] = [_("법인등록번호가 올바르지 않습니다 (13자리, 검증번호 확인).")]
        else:
            corp = normalize_corporate_number(corp)
    clean["corporate_number"] = corp
    ksic = str(clean.get("ksic_code") or "").strip()
    if ksic:
        try:
            ksic = importing.parse_ksic(ksic)
        except ValueError as exc:
            errors["ksic_code"] = [str(exc)]
    clean["ksic_code"] = ksic
    related = clean.get("related_average_sales_krw") or 0
    if int(related) < 0:
        errors["related_average_sales_krw"] = [_("0 이상이어야 합니다.")]
    if clean.get("founded_on") and clean["founded_on"] > timezone.localdate():
        errors["founded_on"] = [_("미래의 날짜입니다.")]
    if errors:
        raise ValidationFailed(_("입력 내용을 확인하세요."), errors=errors)
    return clean


def firm_create(*, by, **data) -> Firm:
    if not can_register(by):
        raise PermissionDeniedError(_("기업을 등록할 권한이 없습니다."))
    allowed = allowed_region_ids(by)
    region = data.get("region")
    if allowed is not None and (region is None or region.pk not in allowed):
        raise ValidationFailed(
            _("담당하는 시·도의 기업만 등록할 수 있습니다."),
            errors={"region": [_("담당 시·도를 선택하세요.")]},
        )
    with transaction.atomic():
        clean = _clean_firm(data, instance=None)
        firm = Firm(**{k: v for k, v in clean.items() if k in FIRM_FIELDS})
        firm.name_key = importing.name_key(firm.name)
        firm._change_reason = _("기업 등록")
        firm.save()
        firm_refresh_size(firm)
    return firm


def firm_update(*, by, firm: Firm, **data) -> Firm:
    _changeable(firm, by)
    actor = actor_for(by)
    is_own_firm_user = firm.organization_id in actor.organizations_with_role(Role.FIRM_USER)
    if is_own_firm_user and not actor.is_ministry:
        # A firm's own users correct their financial facts; identity fields stay with the registry.
        for locked in ("brn", "name", "region", "corporate_number"):
            data.pop(locked, None)
    allowed = allowed_region_ids(by)
    if "region" in data and allowed is not None and not is_own_firm_user:
        if data["region"] is None or data["region"].pk not in allowed:
            raise ValidationFailed(
                _("담당하는 시·도로만 옮길 수 있습니다."), errors={"region": [_("담당 시·도를 선택하세요.")]}
            )
    with transaction.atomic():
        merged = {k: getattr(firm, k) for k in FIRM_FIELDS} | data
        clean = _clean_firm(merged, instance=firm)
        for key in FIRM_FIELDS:
            setattr(firm, key, clean[key])
        firm.name_key = importing.name_key(firm.name)
        firm._change_reason = _("기업 정보 수정")
        firm.save()
        firm_refresh_size(firm)
    return firm


FINANCIAL_FIELDS = (
    "sales_krw",
    "total_assets_krw",
    "direct_exports_krw",
    "indirect_exports_krw",
    "employees",
    "rnd_krw",
)


def financial_save(*, by, firm: Firm, year: int, **values) -> FirmFinancial:
    """Create or replace one year's figures (integer won, ≥ 0)."""
    _changeable(firm, by)
    errors: dict[str, list[str]] = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not 1950 <= year <= this_year:
        errors["year"] = [_("1950~%(max)s 사이의 연도여야 합니다.") % {"max": this_year}]
    if values.get("sales_krw") is None:
        errors["sales_krw"] = [_("매출액을 입력하세요.")]
    for key in FINANCIAL_FIELDS:
        value = values.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            errors.setdefault(key, []).append(_("0 이상의 정수(원)여야 합니다."))
    if errors:
        raise ValidationFailed(_("재무 실적을 확인하세요."), errors=errors)
    with transaction.atomic():
        row, _created = FirmFinancial.objects.update_or_create(
            firm=firm,
            year=year,
            defaults={k: values.get(k) for k in FINANCIAL_FIELDS} | {"is_sample": firm.is_sample},
        )
        firm_refresh_size(firm)
    return row


CERTIFICATE_MAX_BYTES = 5 * 1024 * 1024


def certificate_upload(
    *, by, firm: Firm, uploaded, size_class: str, valid_from, valid_until, certificate_number=""
) -> SmeCertificate:
    _changeable(firm, by)
    errors: dict[str, list[str]] = {}
    if size_class not in (SizeClass.SMALL, SizeClass.MEDIUM):
        errors["size_class"] = [_("확인서에 적힌 규모(소기업 또는 중기업)를 선택하세요.")]
    if not valid_from or not valid_until or valid_until < valid_from:
        errors["valid_until"] = [_("유효기간 종료일은 시작일 이후여야 합니다.")]
    content = b""
    if uploaded is None:
        errors["file"] = [_("확인서 PDF 파일을 선택하세요.")]
    else:
        if uploaded.size > CERTIFICATE_MAX_BYTES:
            errors["file"] = [_("파일이 5MB를 넘습니다.")]
        else:
            content = uploaded.read()
            if not content.startswith(b"%PDF-"):
                errors["file"] = [_("PDF 파일만 올릴 수 있습니다.")]
    if errors:
        raise ValidationFailed(_("중소기업확인서를 확인하세요."), errors=errors)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        cert = SmeCertificate(
            firm=firm,
            size_class=size_class,
            certificate_number=str(certificate_number or "").strip()[:40],
            valid_from=valid_from,
            valid_until=valid_until,
            original_name=Path(uploaded.name).name[:200],
            sha256=digest,
            uploaded_by=by,
            is_sample=firm.is_sample,
        )
        cert.file.save(f"{digest[:16]}.pdf", ContentFile(content), save=False)
        cert.save()
    return cert


# ------------------------------------------------------------------------------------------------
# bulk import
# ------------------------------------------------------------------------------------------------

IMPORT_MAX_BYTES = 200 * 1024 * 1024


def import_start(*, by, uploaded, mode: str = ImportMode.ALL_OR_NOTHING, run: bool = True) -> ImportJob:
    """Store the upload and queue the background task that validates and imports it."""
    if not can_register(by):
        raise PermissionDeniedError(_("기업을 일괄 등록할 권한이 없습니다."))
    if uploaded is None:
        raise ValidationFailed(_("파일을 선택하세요."), errors={"file": [_("파일을 선택하세요.")]})
    try:
        importing.detect_format(uploaded.name)
    except importing.FileProblem as exc:
        raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from None
    if uploaded.size > IMPORT_MAX_BYTES:
        raise ValidationFailed(
            _("파일이 200MB를 넘습니다."), errors={"file": [_("파일이 200MB를 넘습니다.")]}
        )
    if mode not in ImportMode.values:
        raise ValidationFailed(
            _("가져오기 방식을 선택하세요."), errors={"mode": [_("가져오기 방식을 선택하세요.")]}
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    job = ImportJob(
        created_by=by, original_name=Path(uploaded.name).name[:200], mode=mode, sha256=digest.hexdigest()
    )
    suffix = Path(uploaded.name).suffix.lower()
    job.file.save(f"{digest.hexdigest()[:16]}{suffix}", uploaded, save=False)
    job.save()
    if run:
        from .tasks import run_import

        def enqueue():
            result = run_import.enqueue(job.pk)
            ImportJob.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return job


def _progress_file(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "firms" / "import-progress" / f"{job_id}.json"


def import_progress(job: ImportJob) -> dict:
    """Progress for the page: the job row, overlaid by the write phase's side file (the write phase
    runs in one transaction, so its progress cannot be committed to the job row)."""
    data = {
        "status": job.status,
        "phase": job.phase,
        "processed": job.processed_rows,
        "total": job.total_rows,
        "percent": job.progress_percent,
    }
    if job.status == ImportStatus.RUNNING:
        try:
            side = json.loads(_progress_file(job.pk).read_text())
        except (OSError, ValueError):
            side = None
        if side:
            data.update({k: side[k] for k in ("phase", "processed", "total") if k in side})
            total = data["total"] or 1
            data["percent"] = min(99, int(data["processed"] * 100 / total))
    return data


def import_run(
    *,
    job_id: int,
    by=None,
    progress: Callable[[str, int, int], None] | None = None,
    write_history: bool = True,
) -> ImportJob:
    """Validate and import a stored file (the background task and the CLI both call this)."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    user = by or job.created_by
    path = Path(job.file.path)
    side = _progress_file(job.pk)
    side.parent.mkdir(parents=True, exist_ok=True)

    def report(phase: str, processed: int, total: int, *, commit: bool):
        if progress:
            progress(phase, processed, total)
        if commit:
            ImportJob.objects.filter(pk=job.pk).update(
                phase=phase, processed_rows=processed, total_rows=total
            )
        else:
            side.write_text(json.dumps({"phase": phase, "processed": processed, "total": total}))

    started = time.monotonic()
    job.status = ImportStatus.RUNNING
    job.started_at = timezone.now()
    job.phase = _("검증 중")
    job.save(update_fields=["status", "started_at", "phase", "updated_at"])
    try:
        fmt = importing.detect_format(job.original_name)
        total = importing.count_rows(path, fmt)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        context = import_context(user)
        plan = importing.validate_file(
            path,
            fmt,
            context,
            progress=lambda n: report(_("검증 중"), n, max(total, n), commit=True),
            progress_every=max(1000, total // 50 or 1000),
        )
    except importing.FileProblem as exc:
        job.status = ImportStatus.FAILED
        job.message = str(exc)
        job.errors = [{"row": 1, "column": "", "value": "", "message": str(exc)}]
        job.finished_at = timezone.now()
        job.save()
        return job
    job.total_rows = plan.total_rows
    job.error_rows = len(plan.error_rows)
    job.valid_rows = plan.valid_rows
    job.errors = [e.as_dict() for e in plan.errors[: importing.MAX_KEPT_ERRORS]]
    if plan.errors:
        job.report.save(
            f"import-{job.pk}-errors.csv", ContentFile(importing.error_report_csv(plan.errors)), save=False
        )
    if plan.errors and job.mode == ImportMode.ALL_OR_NOTHING:
        job.status = ImportStatus.REJECTED
        job.processed_rows = plan.total_rows
        job.message = _(
            "%(rows)s개 행에서 오류 %(n)s건이 발견되어 아무것도 저장하지 않았습니다. 오류 보고서를 내려받아 고친 뒤 다시 올리거나, ‘정상 행만 저장’을 선택하세요."
        ) % {"rows": len(plan.error_rows), "n": len(plan.errors)}
        job.finished_at = timezone.now()
        job.save()
        return job
    try:
        counts = write_plan(
            plan,
            job=job,
            user=user,
            write_history=write_history,
            progress=lambda phase, n, t: report(phase, n, t, commit=False),
        )
    except Exception as exc:  # report any database failure on the job; nothing was written
        log.exception("import %s failed", job.pk)
        job.status = ImportStatus.FAILED
        job.message = _("저장 중 오류가 발생해 아무것도 저장하지 않았습니다: %(error)s") % {"error": exc}
        job.finished_at = timezone.now()
        job.save()
        return job
    finally:
        side.unlink(missing_ok=True)
    job.firms_created, job.firms_updated, job.financials_written = counts
    job.status = ImportStatus.DONE
    job.processed_rows = plan.total_rows
    job.phase = ""
    elapsed = time.monotonic() - started
    job.message = _(
        "%(valid)s개 행을 저장했습니다 (신규 기업 %(created)s, 갱신 기업 %(updated)s, 재무 실적 %(fin)s건, %(sec).1f초)."
    ) % {
        "valid": plan.valid_rows,
        "created": counts[0],
        "updated": counts[1],
        "fin": counts[2],
        "sec": elapsed,
    }
    if plan.errors:
        job.message += " " + _("오류가 있는 %(n)s개 행은 건너뛰었습니다.") % {"n": len(plan.error_rows)}
    job.finished_at = timezone.now()
    job.save()
    return job


def import_context(user) -> importing.Context:
    allowed = allowed_region_ids(user) if user is not None else None
    existing: dict[str, int | None] = {}
    if allowed is not None:
        existing = dict(Firm.objects.exclude(brn=None).values_list("brn", "region_id"))
    return importing.Context(
        regions=importing.region_lookup(),
        allowed_region_ids=allowed,
        existing=existing,
        today=timezone.localdate(),
    )


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


SIZE_LOOKUP_CHUNK = 900


class _FirmFacts:
    """The attributes compute_size reads, without a model instance (imports build 10⁵–10⁶ of these)."""

    __slots__ = ("ksic_code", "in_disclosed_group", "owned_by_large_firm", "related_average_sales_krw",
                 "seat_product", "within_grace_period")  # fmt: skip

    def __init__(self, row: dict):
        for key in self.__slots__:
            setattr(self, key, row[key])


def _executemany(
    model,
    columns: list[str],
    rows: list[tuple],
    *,
    conflict: list[str] | None = None,
    update: list[str] | None = None,
) -> None:
    """INSERT (… ON CONFLICT DO UPDATE) of many rows in one prepared statement.

    Django's bulk_create compiles every value in Python and, on SQLite, is capped at 999 parameters
    per statement (about 40 rows of a financial record): 10⁶ rows cost minutes. The statement here
    is the same upsert bulk_create(update_conflicts=True) emits, written once and run by the driver
    (SQLite ≥ 3.24 and PostgreSQL both accept it); values are prepared by the caller with the
    fields' own get_db_prep_save."""
    from django.db import connection

    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 - identifiers from model meta, values bound
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    if conflict:
        sql += f" ON CONFLICT ({', '.join(qn(c) for c in conflict)}) DO UPDATE SET " + ", ".join(
            f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update
        )
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 20_000):
            cursor.executemany(sql, chunk)


def write_plan(
    plan: importing.ImportPlan,
    *,
    job: ImportJob | None,
    user=None,
    write_history: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[int, int, int]:
    """Upsert the plan's firms (by 사업자등록번호) and financials (by firm and year) in one
    transaction, with a history row per firm. Blank cells keep the stored value. Returns (firms
    created, firms updated, financial rows written)."""
    from django.db import connection

    brns = list(plan.firms)
    total_steps = len(brns) + len(plan.financials)
    now = timezone.now()
    reason = _("일괄 등록 #%(id)s") % {"id": job.pk} if job else _("일괄 등록")
    job_id = job.pk if job else None
    firm_fields = [f for f in Firm._meta.concrete_fields if not f.primary_key]

    def prep(name, value):
        return Firm._meta.get_field(name).get_db_prep_save(value, connection)

    now_db = prep("created_at", now)
    with transaction.atomic():
        existing: dict[str, dict] = {}
        attnames = [f.attname for f in firm_fields]
        for chunk in _chunks(brns, SIZE_LOOKUP_CHUNK):
            for values in Firm.objects.filter(brn__in=chunk).values("id", *attnames):
                existing[values["brn"]] = values
        # stored financials of existing firms, to merge blank cells and to compute sizes
        stored: dict[int, dict[int, list]] = {}
        existing_ids = [f["id"] for f in existing.values()]
        for chunk in _chunks(existing_ids, SIZE_LOOKUP_CHUNK):
            rows = FirmFinancial.objects.filter(firm_id__in=chunk).values_list(
                "firm_id", "year", *FINANCIAL_FIELDS
            )
            for row in rows:
                stored.setdefault(row[0], {})[row[1]] = list(row[2:])
        merged: dict[str, dict[int, list]] = {}
        for _row, brn, year, *values in plan.financials:
            firm = existing.get(brn)
            base = stored.get(firm["id"], {}).get(year) if firm else None
            if base is not None:
                values = [v if v is not None else b for v, b in zip(values, base, strict=True)]
            merged.setdefault(brn, {})[year] = values
        if progress:
            progress(_("규모 산정 중"), 0, total_steps)
        # firms: merge attributes, compute size
        defaults = {f.attname: f.get_default() for f in firm_fields}
        firm_rows: list[dict] = []
        created = updated = 0
        for brn in brns:
            attrs = plan.firms[brn]
            row = existing.get(brn)
            if row is None:
                row = dict(defaults, brn=brn, created_at=now)
                created += 1
            else:
                updated += 1
            row["name"] = attrs["name"]
            row["name_key"] = importing.name_key(attrs["name"])
            if attrs["ksic"]:
                row["ksic_code"] = attrs["ksic"]
            if attrs["region_id"]:
                row["region_id"] = attrs["region_id"]
            if attrs["corporate_number"]:
                row["corporate_number"] = attrs["corporate_number"]
            if attrs["founded_on"]:
                row["founded_on"] = attrs["founded_on"]
            years = dict(stored.get(row.get("id"), {})) if row.get("id") else {}
            years.update(merged.get(brn, {}))
            row["size_class"], row["size_reason"], row["size_basis"] = compute_size(
                _FirmFacts(row), ((y, v[0], v[1]) for y, v in years.items())
            )
            row["updated_at"] = now
            firm_rows.append(row)
        # prepare values with the fields' own adapters (JSON, dates, datetimes differ by backend)
        special = {f.attname: f for f in firm_fields if f.get_internal_type() in ("JSONField", "DateField")}
        firm_columns = [f.column for f in firm_fields]
        prepared = []
        for row in firm_rows:
            values = []
            for f in firm_fields:
                value = row[f.attname]
                if f.attname in ("created_at", "updated_at"):
                    value = now_db if value is now else prep(f.attname, value)
                elif f.attname in special and value is not None:
                    value = special[f.attname].get_db_prep_save(value, connection)
                values.append(value)
            prepared.append(tuple(values))
        update_columns = [Firm._meta.get_field(n).column for n in
                          ("name", "name_key", "ksic_code", "region", "corporate_number", "founded_on",
                           "size_class", "size_reason", "size_basis", "updated_at")]  # fmt: skip
        _executemany(Firm, firm_columns, prepared, conflict=["brn"], update=update_columns)
        ids: dict[str, int] = {}
        for chunk in _chunks(brns, SIZE_LOOKUP_CHUNK):
            ids.update(Firm.objects.filter(brn__in=chunk).values_list("brn", "id"))
        if progress:
            progress(_("기업 저장 중"), len(brns), total_steps)
        if write_history:
            historical = Firm.history.model
            h_fields = [f for f in historical._meta.concrete_fields if f.attname != "history_id"]
            index = {f.attname: i for i, f in enumerate(firm_fields)}
            user_id = user.pk if user is not None else None
            new_brns = {brn for brn in brns if brn not in existing}
            h_rows = []
            for brn, row in zip(brns, prepared, strict=True):
                values = []
                for f in h_fields:
                    if f.attname == "id":
                        values.append(ids[brn])
                    elif f.attname == "history_date":
                        values.append(now_db)
                    elif f.attname == "history_change_reason":
                        values.append(reason)
                    elif f.attname == "history_type":
                        values.append("+" if brn in new_brns else "~")
                    elif f.attname == "history_user_id":
                        values.append(user_id)
                    else:
                        values.append(row[index[f.attname]])
                h_rows.append(tuple(values))
            _executemany(historical, [f.column for f in h_fields], h_rows)
        # financials: upsert on (firm, year)
        fin_model_fields = [
            "firm_id",
            "year",
            *FINANCIAL_FIELDS,
            "import_job_id",
            "created_at",
            "updated_at",
            "is_sample",
        ]
        fin_columns = [
            FirmFinancial._meta.get_field(n.removesuffix("_id") if n.endswith("_id") else n).column
            for n in fin_model_fields
        ]
        written = 0
        done = len(brns)
        batch = []
        for brn, years in merged.items():
            firm_id = ids[brn]
            for year, values in years.items():
                batch.append((firm_id, year, *values, job_id, now_db, now_db, False))
            if len(batch) >= 50_000:
                _executemany(
                    FirmFinancial,
                    fin_columns,
                    batch,
                    conflict=["firm_id", "year"],
                    update=[*FINANCIAL_FIELDS, "import_job_id", "updated_at"],
                )
                written += len(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(_("재무 실적 저장 중"), done, total_steps)
        if batch:
            _executemany(
                FirmFinancial,
                fin_columns,
                batch,
                conflict=["firm_id", "year"],
                update=[*FINANCIAL_FIELDS, "import_job_id", "updated_at"],
            )
            written += len(batch)
            done += len(batch)
        if progress:
            progress(_("재무 실적 저장 중"), done, total_steps)
    return created, updated, written
