"""Writes of the monitoring app: official observations, firm outcomes (one by one or from a file),
and the indicator refresh from the national microdata."""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core.actors import actor_for
from legend50.core.errors import NotFoundError, PermissionDeniedError, ValidationFailed

from . import importing, microdata
from .choices import DATASET_MICRODATA, INDICATOR_KEYS, OutcomeSource, RefreshStatus
from .models import PROVINCE_ROLES, FirmOutcome, Indicator, Observation, RefreshRun

MIN_YEAR, MAX_YEAR = 2000, 2100
IMPORT_MAX_BYTES = 20 * 1024 * 1024


# ------------------------------------------------------------------------------------------------
# official observations
# ------------------------------------------------------------------------------------------------


def _parse_share(value, field: str) -> Decimal:
    """A share given as a fraction (Decimal/float) or as a percent string ("39.3" or "39.3%")."""
    errors = {field: [_("0과 100 사이의 백분율(%)로 입력하세요 (예: 39.3).")]}
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        share = Decimal(str(value))
    else:
        text = str(value or "").strip().rstrip("%").replace(",", "").strip()
        if not text:
            raise ValidationFailed(_("값을 입력하세요."), errors={field: [_("값을 입력하세요.")]})
        try:
            share = Decimal(text) / 100
        except InvalidOperation:
            raise ValidationFailed(_("값이 숫자가 아닙니다."), errors=errors) from None
    if not share.is_finite() or not 0 <= share <= 1:
        raise ValidationFailed(_("값은 0%~100% 사이여야 합니다."), errors=errors)
    return share.quantize(Decimal("0.000001"))


def observation_record_official(
    *, indicator_key: str, year, value, source: str, note: str = "", region_code: str = "", by
) -> Observation:
    """Enter (or correct) an official figure. `value` is a fraction, or a percent given as text.
    Official figures never replace computed ones: each has its own series."""
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("공식 통계는 중기부 담당자만 입력할 수 있습니다."))
    errors: dict[str, list[str]] = {}
    indicator = Indicator.objects.filter(key=indicator_key).first()
    if indicator is None:
        errors["indicator"] = [_("지표를 선택하세요.")]
    try:
        year = int(str(year).strip())
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [
            _("연도는 %(a)s~%(b)s 사이의 4자리 숫자여야 합니다.") % {"a": MIN_YEAR, "b": MAX_YEAR}
        ]
    try:
        share = _parse_share(value, "value")
    except ValidationFailed as exc:
        errors.update(exc.errors)
    source = (source or "").strip()
    if not source:
        errors["source"] = [_("공식 통계는 출처(기관·자료명·발표일)를 적어야 합니다.")]
    if region_code:
        from legend50.registry.models import Region

        if not Region.objects.filter(code=region_code).exists():
            errors["region_code"] = [_("없는 시·도 코드입니다: %(c)s") % {"c": region_code}]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        obs, _created = Observation.objects.update_or_create(
            indicator=indicator,
            year=year,
            region_code=region_code,
            is_official=True,
            dataset="",
            defaults={"value": share, "source": source, "note": (note or "").strip(), "recorded_by": by},
        )
    return obs


def observation_delete_official(*, observation_id: int, by) -> None:
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("공식 통계는 중기부 담당자만 삭제할 수 있습니다."))
    with transaction.atomic():
        deleted, _rows = Observation.objects.filter(pk=observation_id, is_official=True).delete()
    if not deleted:
        raise NotFoundError(_("공식 통계를 찾을 수 없습니다."))


def observations_import(*, uploaded, by) -> dict:
    """Import official figures from XLSX/CSV (지표, 연도, 값(%), 출처, 비고): all rows or none, every
    problem named by row and column. Computed figures are never written this way."""
    from legend50.firms.importing import FileProblem

    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("공식 통계는 중기부 담당자만 가져올 수 있습니다."))
    if uploaded is None:
        raise ValidationFailed(_("파일을 선택하세요."), errors={"file": [_("파일을 선택하세요.")]})
    if uploaded.size > IMPORT_MAX_BYTES:
        raise ValidationFailed(_("파일이 20MB를 넘습니다."), errors={"file": [_("파일이 20MB를 넘습니다.")]})
    with tempfile.NamedTemporaryFile(suffix=Path(uploaded.name).suffix.lower()) as tmp:
        for chunk in uploaded.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            rows, _total = importing.read_observations(Path(tmp.name), uploaded.name)
        except FileProblem as exc:
            raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from None
    if not rows:
        raise ValidationFailed(_("가져올 행이 없습니다."), errors={"file": [_("가져올 행이 없습니다.")]})
    labels = {}
    for ind in Indicator.objects.all():
        for name in (ind.key, ind.label, ind.short_label):
            if name:
                labels[name.strip()] = ind.key
    labels_for = {"indicator": _("지표"), "year": _("연도"), "value": _("값(%)"), "source": _("출처"),
                  "region_code": _("시·도 코드")}  # fmt: skip
    errors: dict[str, list[str]] = {}
    planned = []
    seen: dict[tuple, int] = {}
    for row in rows:
        key = labels.get(row.get("indicator", ""))
        data = {
            "indicator_key": key or "",
            "year": row.get("year"),
            "value": row.get("value"),
            "source": row.get("source", ""),
            "note": row.get("note", ""),
            "region_code": row.get("region_code", ""),
        }
        try:
            # Validate with the same rules as a single entry, inside a savepoint that is rolled back.
            with transaction.atomic():
                observation_record_official(**data, by=by)
                transaction.set_rollback(True)
        except ValidationFailed as exc:
            for field, msgs in exc.errors.items():
                column = labels_for.get(field, field)
                errors.setdefault(_("%(r)s행 %(c)s") % {"r": row["row"], "c": column}, []).extend(msgs)
            continue
        ident = (key, int(str(data["year"]).strip()), data["region_code"])
        if ident in seen:
            errors.setdefault(_("%(r)s행 연도") % {"r": row["row"]}, []).append(
                _("같은 지표·연도가 %(r)s행에도 있습니다.") % {"r": seen[ident]}
            )
            continue
        seen[ident] = row["row"]
        planned.append(data)
    if errors:
        raise ValidationFailed(
            _("파일에 오류가 %(n)s건 있어 아무것도 저장하지 않았습니다.")
            % {"n": sum(len(v) for v in errors.values())},
            errors=errors,
        )
    with transaction.atomic():
        for data in planned:
            observation_record_official(**data, by=by)
    return {"rows": len(planned)}


# ------------------------------------------------------------------------------------------------
# firm outcomes
# ------------------------------------------------------------------------------------------------


def can_report_outcomes(user) -> bool:
    actor = actor_for(user)
    return actor.is_ministry or actor.has_role(*PROVINCE_ROLES)


def _may_report(actor, firm, project) -> bool:
    if actor.is_ministry:
        return True
    if not actor.has_role(*PROVINCE_ROLES):
        return False
    if firm.region_id and firm.region.code in actor.region_codes:
        return True
    return project is not None and project.lead_region.code in actor.region_codes


def _outcome_values(data: dict, label_prefix: str = "") -> tuple[dict, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    values = {}
    for key, label, required in (
        ("sales_krw", _("매출액"), True),
        ("direct_exports_krw", _("직접수출액"), False),
        ("indirect_exports_krw", _("간접수출액"), False),
        ("employees", _("상시근로자 수"), False),
        ("rnd_krw", _("연구개발비"), False),
    ):
        raw = data.get(key)
        if raw in (None, ""):
            if required:
                errors[f"{label_prefix}{key}"] = [_("%(f)s: 필수 항목입니다.") % {"f": label}]
            values[key] = 0 if key in ("direct_exports_krw", "indirect_exports_krw") else None
            continue
        try:
            number = int(str(raw).replace(",", "").strip())
        except ValueError:
            errors[f"{label_prefix}{key}"] = [_("%(f)s: 원 단위 정수로 입력하세요.") % {"f": label}]
            continue
        if number < 0:
            errors[f"{label_prefix}{key}"] = [_("%(f)s: 0 이상이어야 합니다.") % {"f": label}]
            continue
        values[key] = number
    return values, errors


def outcome_save(
    *, firm, year, project=None, by, source: str = OutcomeSource.REPORTED, **data
) -> FirmOutcome:
    """Record (or correct) a firm's results for a year."""
    actor = actor_for(by)
    if not _may_report(actor, firm, project):
        raise PermissionDeniedError(_("이 기업의 성과를 입력할 권한이 없습니다."))
    errors: dict[str, list[str]] = {}
    try:
        year = int(str(year).strip())
        if not MIN_YEAR <= year <= timezone.localdate().year:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("연도는 %(a)s~올해 사이여야 합니다.") % {"a": MIN_YEAR}]
    values, value_errors = _outcome_values(data)
    errors.update(value_errors)
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        outcome, _created = FirmOutcome.objects.update_or_create(
            firm=firm,
            year=year,
            defaults={**values, "project": project, "source": source, "recorded_by": by},
        )
    return outcome


def _resolve_project(text: str, projects_by_pk: dict, projects_by_title: dict):
    if not text:
        return None
    if text.isdigit() and int(text) in projects_by_pk:
        return projects_by_pk[int(text)]
    return projects_by_title.get(text)


def outcomes_import(*, uploaded, by) -> dict:
    """Import firm outcomes from an XLSX/CSV upload: all rows or none. Every problem is reported
    with its spreadsheet row and column; on any error nothing is written."""
    from legend50.firms.importing import FileProblem
    from legend50.firms.models import Firm
    from legend50.firms.services import firm_find_by_name
    from legend50.funding.models import Project

    actor = actor_for(by)
    if not can_report_outcomes(by):
        raise PermissionDeniedError(_("기업 성과를 가져올 권한이 없습니다."))
    if uploaded is None:
        raise ValidationFailed(_("파일을 선택하세요."), errors={"file": [_("파일을 선택하세요.")]})
    if uploaded.size > IMPORT_MAX_BYTES:
        raise ValidationFailed(_("파일이 20MB를 넘습니다."), errors={"file": [_("파일이 20MB를 넘습니다.")]})
    suffix = Path(uploaded.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in uploaded.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            parsed = importing.read_outcomes(Path(tmp.name), uploaded.name)
        except FileProblem as exc:
            raise ValidationFailed(str(exc), errors={"file": [str(exc)]}) from None
    errors: dict[str, list[str]] = {}
    for err in parsed.errors:
        errors.setdefault(_("%(r)s행 %(c)s") % {"r": err.row, "c": err.column}, []).append(err.message)
    if not parsed.rows and not errors:
        raise ValidationFailed(_("가져올 행이 없습니다."), errors={"file": [_("가져올 행이 없습니다.")]})

    brns = {r.brn for r in parsed.rows if r.brn}
    firms_by_brn = {f.brn: f for f in Firm.objects.filter(brn__in=brns).select_related("region")}
    projects = list(Project.objects.select_related("lead_region"))
    by_pk = {p.pk: p for p in projects}
    by_title = {p.title: p for p in projects}
    seen: dict[tuple[int, int], int] = {}
    planned = []
    for row in parsed.rows:
        firm = firms_by_brn.get(row.brn) if row.brn else firm_find_by_name(row.name)
        where = _("%(r)s행") % {"r": row.row}
        if firm is None:
            errors.setdefault(f"{where} {_('사업자등록번호')}", []).append(
                _("등록되지 않은 기업입니다 (%(v)s). 기업 등록 후 가져오세요.") % {"v": row.brn or row.name}
            )
            continue
        project = _resolve_project(row.project, by_pk, by_title)
        if row.project and project is None:
            errors.setdefault(f"{where} {_('과제')}", []).append(
                _("없는 과제입니다 (%(v)s). 과제 번호나 과제명을 그대로 적어 주세요.") % {"v": row.project}
            )
            continue
        if not _may_report(actor, firm, project):
            errors.setdefault(f"{where} {_('사업자등록번호')}", []).append(
                _("이 기업(%(f)s)의 성과를 입력할 권한이 없습니다.") % {"f": firm.name}
            )
            continue
        key = (firm.pk, row.year)
        if key in seen:
            errors.setdefault(f"{where} {_('연도')}", []).append(
                _("%(f)s의 %(y)s년 성과가 %(r)s행에도 있습니다.")
                % {"f": firm.name, "y": row.year, "r": seen[key]}
            )
            continue
        seen[key] = row.row
        planned.append((firm, project, row))
    if errors:
        raise ValidationFailed(
            _("파일에 오류가 %(n)s건 있어 아무것도 저장하지 않았습니다.")
            % {"n": sum(len(v) for v in errors.values())},
            errors=errors,
        )
    created = updated = 0
    with transaction.atomic():
        for firm, project, row in planned:
            _obj, was_created = FirmOutcome.objects.update_or_create(
                firm=firm,
                year=row.year,
                defaults={
                    "project": project,
                    "sales_krw": row.sales,
                    "direct_exports_krw": row.direct_exports,
                    "indirect_exports_krw": row.indirect_exports,
                    "employees": row.employees,
                    "rnd_krw": row.rnd,
                    "source": OutcomeSource.IMPORTED,
                    "recorded_by": by,
                },
            )
            created += was_created
            updated += not was_created
    return {"rows": len(planned), "created": created, "updated": updated}


# ------------------------------------------------------------------------------------------------
# indicator refresh from the national microdata
# ------------------------------------------------------------------------------------------------


def _check_refresh_params(n_firms, first_year, last_year, seed) -> tuple[int, int, int, int]:
    errors: dict[str, list[str]] = {}
    try:
        n_firms = int(n_firms)
        if not 1_000 <= n_firms <= microdata.MAX_FIRMS:
            raise ValueError
    except (TypeError, ValueError):
        errors["n_firms"] = [
            _("기업 수는 1,000~%(max)s 사이여야 합니다.") % {"max": f"{microdata.MAX_FIRMS:,}"}
        ]
    try:
        first_year, last_year = int(first_year), int(last_year)
        if not (2010 <= first_year <= last_year <= 2040 and last_year - first_year <= 20):
            raise ValueError
    except (TypeError, ValueError):
        errors["years"] = [_("연도 범위는 2010~2040 안에서 시작 ≤ 종료, 21년 이내여야 합니다.")]
    try:
        seed = int(seed)
        if seed < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["seed"] = [_("시드는 0 이상의 정수여야 합니다.")]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    return n_firms, first_year, last_year, seed


def refresh_start(*, by, n_firms=microdata.DEMO_FIRMS, first_year=None, last_year=None, seed=0, run=True):
    """Queue a recomputation of the indicators (the page shows the run's progress)."""
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("지표 재산출은 중기부 담당자만 실행할 수 있습니다."))
    first_year = microdata.DEMO_YEARS[0] if first_year in (None, "") else first_year
    last_year = microdata.DEMO_YEARS[1] if last_year in (None, "") else last_year
    n_firms, first_year, last_year, seed = _check_refresh_params(n_firms, first_year, last_year, seed)
    active = RefreshRun.objects.filter(status__in=[RefreshStatus.PENDING, RefreshStatus.RUNNING])
    if active.filter(created_at__gte=timezone.now() - timezone.timedelta(hours=1)).exists():
        from legend50.core.errors import ConflictError

        raise ConflictError(_("이미 진행 중인 재산출이 있습니다. 끝난 뒤 다시 실행하세요."))
    run_obj = RefreshRun.objects.create(
        n_firms=n_firms, first_year=first_year, last_year=last_year, seed=seed, started_by=by
    )
    if run:
        from .tasks import refresh_indicators

        def enqueue():
            result = refresh_indicators.enqueue(run_obj.pk)
            RefreshRun.objects.filter(pk=run_obj.pk, task_id="").update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return run_obj


def _set_progress(run: RefreshRun, percent: int, phase: str) -> None:
    run.progress, run.phase = max(0, min(100, percent)), phase
    RefreshRun.objects.filter(pk=run.pk).update(progress=run.progress, phase=phase)


def refresh_execute(run_id: int) -> RefreshRun:
    """Generate the microdata file if it is missing, compute every year nationally and by
    province through the engine, then replace the computed observations of this dataset in one
    transaction (official figures are never touched)."""
    run = RefreshRun.objects.get(pk=run_id)
    started = time.perf_counter()
    run.status, run.started_at = RefreshStatus.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        label = _("마이크로데이터 생성 중 (%(n)s개사 × %(y)s개 연도)") % {
            "n": f"{run.n_firms:,}",
            "y": len(run.years),
        }
        _set_progress(run, 1, label)
        path = microdata.ensure_microdata(
            run.n_firms,
            run.first_year,
            run.last_year,
            run.seed,
            progress=lambda pct, _msg: _set_progress(run, 1 + pct * 59 // 100, label),
        )
        results = {}
        for i, year in enumerate(run.years):
            _set_progress(run, 60 + 35 * i // len(run.years), _("%(y)s년 지표 산출 중") % {"y": year})
            results[str(year)] = microdata.compute_year(path, year)
        _set_progress(run, 96, _("관측값 저장 중"))
        source = _(
            "표본(합성) 마이크로데이터 %(n)s개사/연, 시드 %(s)s — 공식 기준값에 맞춰 생성한 자료로 산출 "
            "(legend50.engines.indicators)"
        ) % {"n": f"{run.n_firms:,}", "s": run.seed}
        indicators = {i.key: i for i in Indicator.objects.filter(key__in=INDICATOR_KEYS)}
        with transaction.atomic():
            Observation.objects.filter(is_official=False, dataset=DATASET_MICRODATA).delete()
            new = []
            for year, figures in results.items():
                national = figures["national"]
                for key, indicator in indicators.items():
                    value = national.get(key)
                    if value is None:
                        continue
                    new.append(
                        Observation(
                            indicator=indicator,
                            year=int(year),
                            value=Decimal(str(round(value, 6))),
                            is_official=False,
                            dataset=DATASET_MICRODATA,
                            source=source,
                            n_firms=national["n_firms"],
                            refresh_run=run,
                            is_sample=True,
                        )
                    )
            Observation.objects.bulk_create(new)
            run.results = results
            run.parquet_path = str(path)
            run.status = RefreshStatus.DONE
            run.progress = 100
            run.phase = _("완료")
            run.finished_at = timezone.now()
            run.seconds = round(time.perf_counter() - started, 2)
            run.message = _("%(y)s개 연도, 관측값 %(n)s건을 저장했습니다.") % {
                "y": len(results),
                "n": len(new),
            }
            run.is_sample = True
            run.save()
    except Exception as exc:  # the page must show the failure instead of a run stuck "in progress"
        RefreshRun.objects.filter(pk=run.pk).update(
            status=RefreshStatus.FAILED,
            message=_("재산출 실패: %(e)s") % {"e": exc},
            finished_at=timezone.now(),
            seconds=round(time.perf_counter() - started, 2),
        )
        run.refresh_from_db()
        if not isinstance(exc, ValueError | OSError):
            raise
    return run
