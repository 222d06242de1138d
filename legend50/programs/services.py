"""Writes to calls: ministry officers create and edit a call, its rubric and its budget envelope."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core.actors import actor_for
from legend50.core.errors import PermissionDeniedError, ValidationFailed

from .models import Call, CallBudget, FundingSource, Program, RubricCriterion


def parse_kst(value) -> datetime | None:
    """A date-time entered in KST (datetime-local input) → aware datetime (stored as UTC)."""
    if isinstance(value, datetime):
        return (
            value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_default_timezone())
        )
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return timezone.make_aware(datetime.strptime(text, fmt), timezone.get_default_timezone())
        except ValueError:
            continue
    return None


def _int(value):
    text = str(value if value is not None else "").replace(",", "").strip()
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError
    return int(text)


def _decimal(value):
    text = str(value if value is not None else "").replace(",", "").strip()
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def call_save(
    *, program: Program, data: dict, criteria: list[dict], budgets: list[dict], call: Call | None = None, by
) -> Call:
    """Create or update a call with its rubric and budget. Nothing is written if any field or row fails."""
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("공모는 중기부 담당자만 만들고 고칠 수 있습니다."))
    errors: dict[str, list[str]] = {}

    def err(key, message):
        errors.setdefault(key, []).append(message)

    code = str(data.get("code") or "").strip()
    title = str(data.get("title") or "").strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,39}", code):
        err("code", _("공모 코드: 영문 소문자·숫자·하이픈 2~40자로 입력하세요."))
    elif Call.objects.filter(code=code).exclude(pk=getattr(call, "pk", None)).exists():
        err("code", _("공모 코드: 이미 쓰는 코드입니다."))
    if not title:
        err("title", _("공모명: 입력하세요."))
    opens = parse_kst(data.get("opens_at"))
    closes = parse_kst(data.get("closes_at"))
    if opens is None:
        err("opens_at", _("접수 시작: 날짜와 시각(KST)을 입력하세요."))
    if closes is None:
        err("closes_at", _("접수 마감: 날짜와 시각(KST)을 입력하세요."))
    if opens and closes and closes <= opens:
        err("closes_at", _("접수 마감: 접수 시작보다 뒤여야 합니다."))
    ints = {}
    for key, label, low, high in (
        ("start_year", _("사업 시작 연도"), 2000, 2100),
        ("end_year", _("사업 종료 연도"), 2000, 2100),
        ("max_proposals_per_province", _("시·도별 최대 제안 수"), 1, 50),
        ("min_innovation_institutions", _("최소 지역혁신기관 수"), 0, 20),
        ("reviewers_per_proposal", _("과제당 평가위원 수"), 1, 30),
        ("objection_days", _("이의신청 기간(일)"), 0, 90),
    ):
        try:
            ints[key] = _int(data.get(key))
            if not low <= ints[key] <= high:
                err(
                    key,
                    _("%(label)s: %(low)d~%(high)d 사이로 입력하세요.")
                    % {"label": label, "low": low, "high": high},
                )
        except ValueError:
            err(key, _("%(label)s: 정수를 입력하세요.") % {"label": label})
    if ints.get("start_year") and ints.get("end_year") and ints["end_year"] < ints["start_year"]:
        err("end_year", _("사업 종료 연도: 시작 연도보다 앞설 수 없습니다."))
    try:
        share = _decimal(data.get("min_local_share_percent"))
        if share is None or not Decimal(0) <= share <= Decimal(100):
            err("min_local_share_percent", _("최소 지방비 매칭 비율: 0~100(%) 사이로 입력하세요."))
    except ValueError:
        share = None
        err("min_local_share_percent", _("최소 지방비 매칭 비율: 숫자를 입력하세요."))
    try:
        overall = _decimal(data.get("overall_threshold"))
    except ValueError:
        overall = None
        err("overall_threshold", _("총점 과락 기준: 숫자를 입력하세요."))

    clean_criteria = []
    keys = set()
    for index, row in enumerate(criteria, start=1):
        if not any(str(v or "").strip() for v in row.values()):
            continue
        label = str(row.get("label") or "").strip()
        name = f"평가항목 {index}행" + (f"({label})" if label else "")
        key = str(row.get("key") or "").strip()
        problems = []
        if not re.fullmatch(r"[a-z0-9_-]{1,40}", key):
            problems.append(_("키는 영문 소문자·숫자·_ 로 입력하세요."))
        elif key in keys:
            problems.append(_("키가 다른 행과 같습니다."))
        keys.add(key)
        if not label:
            problems.append(_("평가항목 이름을 입력하세요."))
        try:
            max_score = _decimal(row.get("max_score"))
            if max_score is None or max_score <= 0:
                problems.append(_("배점은 0보다 커야 합니다."))
        except ValueError:
            max_score = None
            problems.append(_("배점은 숫자여야 합니다."))
        try:
            weight = _decimal(row.get("weight")) or Decimal(1)
            if weight <= 0:
                problems.append(_("가중치는 0보다 커야 합니다."))
        except ValueError:
            weight = None
            problems.append(_("가중치는 숫자여야 합니다."))
        try:
            threshold = _decimal(row.get("threshold"))
            if threshold is not None and max_score is not None and not Decimal(0) <= threshold <= max_score:
                problems.append(_("항목 과락 기준은 0과 배점 사이여야 합니다."))
        except ValueError:
            threshold = None
            problems.append(_("항목 과락 기준은 숫자여야 합니다."))
        if problems:
            errors[name] = [f"{name}: {p}" for p in problems]
        else:
            clean_criteria.append(
                {
                    "key": key,
                    "label": label[:200],
                    "description": str(row.get("description") or "")[:2000],
                    "max_score": max_score,
                    "weight": weight,
                    "threshold": threshold,
                    "order": len(clean_criteria),
                }
            )
    total = sum((c["max_score"] for c in clean_criteria), Decimal(0))
    if overall is not None and clean_criteria and not Decimal(0) <= overall <= total:
        err("overall_threshold", _("총점 과락 기준: 0과 배점 합계(%(t)s) 사이여야 합니다.") % {"t": total})

    clean_budgets = {}
    sources = dict(FundingSource.choices)
    for index, row in enumerate(budgets, start=1):
        if not str(row.get("amount") or "").strip():
            continue
        name = f"예산 {index}행({row.get('year')}년 {sources.get(row.get('source'), '')})"
        try:
            year = _int(row.get("year"))
            amount = _int(row.get("amount"))
        except ValueError:
            errors[name] = [f"{name}: " + _("연도와 금액(원)은 정수여야 합니다.")]
            continue
        if row.get("source") not in sources:
            errors[name] = [f"{name}: " + _("재원을 고르세요.")]
        elif amount < 0:
            errors[name] = [f"{name}: " + _("금액은 0 이상이어야 합니다.")]
        elif (
            ints.get("start_year")
            and ints.get("end_year")
            and not ints["start_year"] <= year <= ints["end_year"]
        ):
            errors[name] = [f"{name}: " + _("연도는 사업 기간 안이어야 합니다.")]
        else:
            clean_budgets[(year, row["source"])] = amount
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)

    with transaction.atomic():
        target = call or Call(program=program)
        target.program = program
        target.code = code
        target.title = title
        target.description = str(data.get("description") or "").strip()
        target.opens_at = opens
        target.closes_at = closes
        for key, value in ints.items():
            setattr(target, key, value)
        target.min_local_share_bp = int(share * 100)
        target.overall_threshold = overall
        target.require_local_government_lead = bool(data.get("require_local_government_lead"))
        target.require_regional_office = bool(data.get("require_regional_office"))
        target.blind_review = bool(data.get("blind_review"))
        target.coi_same_region = bool(data.get("coi_same_region"))
        target.is_public = bool(data.get("is_public"))
        target.save()
        target.criteria.exclude(key__in=[c["key"] for c in clean_criteria]).delete()
        for c in clean_criteria:
            RubricCriterion.objects.update_or_create(call=target, key=c.pop("key"), defaults=c)
        target.budgets.exclude(
            pk__in=[b.pk for b in target.budgets.all() if (b.year, b.source) in clean_budgets]
        ).delete()
        for (year, source), amount in clean_budgets.items():
            CallBudget.objects.update_or_create(
                call=target, year=year, source=source, defaults={"amount_krw": amount}
            )
    return target
