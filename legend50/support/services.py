"""Writes for support instruments, project participation and support awards."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from legend50.core.actors import Role, actor_for
from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import format_krw

from . import rules
from .choices import (
    AwardStatus,
    InstrumentKind,
    InstrumentScope,
    ParticipationStatus,
    Purpose,
    ShareRounding,
)
from .models import Instrument, InstrumentBudget, ProjectParticipation, SupportAward


def _notify(**kwargs) -> None:
    try:
        from legend50.activity.services import notify
    except ImportError:  # the activity app not installed yet
        return
    notify(**kwargs)


def _recipients(**kwargs) -> list:
    try:
        from legend50.activity.services import recipients_for
    except ImportError:
        return []
    return recipients_for(**kwargs)


# ------------------------------------------------------------------------------------------------
# instruments
# ------------------------------------------------------------------------------------------------


def can_register_instrument(user) -> bool:
    actor = actor_for(user)
    return actor.is_ministry or actor.has_role(Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF, Role.OPERATOR)


def operator_choices(user):
    """Organizations the user may register an instrument for."""
    from legend50.registry.models import Organization

    actor = actor_for(user)
    if actor.is_ministry:
        return Organization.objects.exclude(kind="firm")
    return Organization.objects.filter(
        pk__in=actor.organizations_with_role(Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF, Role.OPERATOR)
    )


def _clean_instrument(data: dict) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not str(data.get("name") or "").strip():
        errors["name"] = [_("지원사업명을 입력하세요.")]
    if data.get("kind") not in InstrumentKind.values:
        errors["kind"] = [_("지원 방식을 선택하세요.")]
    bad_purposes = [p for p in data.get("purposes") or () if p not in Purpose.values]
    if bad_purposes:
        errors["purposes"] = [_("알 수 없는 목적: %(p)s") % {"p": ", ".join(bad_purposes)}]
    for key in ("per_firm_cap_krw", "max_average_sales_krw"):
        value = data.get(key)
        if value is not None and value <= 0:
            errors[key] = [_("0보다 큰 금액(원)이어야 합니다.")]
    bands = data.get("share_bands") or []
    previous = -1
    for index, band in enumerate(bands, start=1):
        percent = band.get("percent")
        ceiling = band.get("up_to_krw")
        if not isinstance(percent, int) or not 0 < percent <= 100:
            errors.setdefault("share_bands", []).append(
                _("%(i)s번째 구간: 비율은 1~100 사이 정수여야 합니다.") % {"i": index}
            )
        if ceiling is not None and (not isinstance(ceiling, int) or ceiling <= previous):
            errors.setdefault("share_bands", []).append(
                _("%(i)s번째 구간: 매출 상한은 앞 구간보다 커야 합니다.") % {"i": index}
            )
        if ceiling is None and index != len(bands):
            errors.setdefault("share_bands", []).append(_("상한 없는 구간은 마지막이어야 합니다."))
        previous = ceiling if ceiling is not None else previous
    if data.get("share_rounding", ShareRounding.FLOOR_WON) not in ShareRounding.values:
        errors["share_rounding"] = [_("끝수 처리 방식을 선택하세요.")]
    return errors


def instrument_create(
    *, by, operator, name: str, kind: str, level: str = InstrumentScope.LOCAL, **data
) -> Instrument:
    """Register an instrument. Provinces and institutions register local ones for their own
    organization; the ministry registers central ones."""
    actor = actor_for(by)
    if not can_register_instrument(by):
        raise PermissionDeniedError(_("지원사업을 등록할 권한이 없습니다."))
    if not actor.is_ministry:
        if operator is None or operator.pk not in actor.organization_ids:
            raise PermissionDeniedError(_("소속 기관이 운영하는 지원사업만 등록할 수 있습니다."))
        if level != InstrumentScope.LOCAL:
            raise PermissionDeniedError(_("중앙 지원사업은 중기부만 등록합니다."))
    fields = {"name": name, "kind": kind, **data}
    errors = _clean_instrument(fields)
    if operator is None:
        errors["operator"] = [_("운영기관을 선택하세요.")]
    if errors:
        raise ValidationFailed(_("지원사업 정보를 확인하세요."), errors=errors)
    region = data.pop("region", None)
    if level == InstrumentScope.LOCAL and region is None:
        region = operator.region
    code = data.pop("code", "") or slugify(f"{level}-{operator.pk}-{name}", allow_unicode=False)[:50]
    if not code or code.endswith("-"):
        code = f"{level}-{operator.pk}-{Instrument.objects.count() + 1}"
    base, n = code, 1
    while Instrument.objects.filter(code=code).exists():
        n += 1
        code = f"{base[:55]}-{n}"
    with transaction.atomic():
        instrument = Instrument.objects.create(
            code=code,
            name=name.strip(),
            kind=kind,
            level=level,
            operator=operator,
            region=region,
            registered_by=by,
            **{k: v for k, v in data.items() if k not in ("budget_year", "budget_krw")},
        )
        if data.get("budget_year") and data.get("budget_krw"):
            InstrumentBudget.objects.create(
                instrument=instrument, year=data["budget_year"], amount_krw=data["budget_krw"]
            )
    return instrument


def budget_set(*, by, instrument: Instrument, year: int, amount_krw: int, note: str = "") -> InstrumentBudget:
    if not Instrument.objects.visible_to(by, "change").filter(pk=instrument.pk).exists():
        raise PermissionDeniedError(_("이 지원사업의 예산을 바꿀 권한이 없습니다."))
    if not isinstance(amount_krw, int) or amount_krw < 0:
        raise ValidationFailed(
            _("예산을 확인하세요."), errors={"amount_krw": [_("0 이상의 정수(원)여야 합니다.")]}
        )
    with transaction.atomic():
        budget, _created = InstrumentBudget.objects.update_or_create(
            instrument=instrument, year=year, defaults={"amount_krw": amount_krw, "note": note}
        )
    return budget


# ------------------------------------------------------------------------------------------------
# joining a project
# ------------------------------------------------------------------------------------------------


def participation_apply(*, by, project, firm, motivation: str = "") -> ProjectParticipation:
    """A firm (its own user, or a province/institution officer on its behalf) applies to join a
    selected project."""
    from legend50.firms.models import Firm

    actor = actor_for(by)
    own = firm.organization_id in actor.organizations_with_role(Role.FIRM_USER)
    on_behalf = Firm.objects.visible_to(by, "change").filter(pk=firm.pk).exists() and actor.has_role(
        Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF
    )
    if not (own or on_behalf or actor.is_ministry):
        raise PermissionDeniedError(_("이 기업의 참여 신청을 할 권한이 없습니다."))
    this_year = timezone.localdate().year
    if project.end_year < this_year:
        raise ConflictError(_("이미 끝난 프로젝트에는 참여 신청할 수 없습니다."))
    with transaction.atomic():
        existing = ProjectParticipation.objects.filter(project=project, firm=firm).first()
        if existing is not None:
            if existing.status in (ParticipationStatus.APPLIED, ParticipationStatus.ADMITTED):
                raise ConflictError(
                    _("이미 이 프로젝트에 %(s)s 상태입니다.") % {"s": existing.get_status_display()}
                )
            existing.status = ParticipationStatus.APPLIED
            existing.motivation = motivation
            existing.applied_by = by
            existing.screened_by = None
            existing.screened_at = None
            existing.decision_note = ""
            existing._change_reason = _("재신청")
            existing.save()
            participation = existing
        else:
            participation = ProjectParticipation.objects.create(
                project=project,
                firm=firm,
                motivation=motivation.strip(),
                applied_by=by,
                is_sample=firm.is_sample,
            )
        _notify(
            kind="participation.applied",
            recipients=_recipients(
                roles=[Role.PROVINCE_OFFICER, Role.INSTITUTION_STAFF], region_code=project.lead_region.code
            ),
            subject=_("[참여 신청] %(firm)s → %(project)s") % {"firm": firm.name, "project": project.title},
            url=f"/support/participation/{participation.pk}/",
            related=participation,
        )
    return participation


def participation_screen(
    *, by, participation: ProjectParticipation, admit: bool, note: str = ""
) -> ProjectParticipation:
    """The lead institution (institution staff or province officer of the lead region) admits or
    rejects an application."""
    if not ProjectParticipation.objects.visible_to(by, "screen").filter(pk=participation.pk).exists():
        if ProjectParticipation.objects.visible_to(by, "view").filter(pk=participation.pk).exists():
            raise PermissionDeniedError(_("주관 지역의 시·도 담당자나 주관기관만 심사할 수 있습니다."))
        raise NotFoundError(_("참여 신청을 찾을 수 없습니다."))
    if participation.status != ParticipationStatus.APPLIED:
        raise ConflictError(_("이미 심사된 신청입니다 (%(s)s).") % {"s": participation.get_status_display()})
    if not admit and not note.strip():
        raise ValidationFailed(_("반려 사유를 입력하세요."), errors={"note": [_("반려 사유를 입력하세요.")]})
    with transaction.atomic():
        participation.status = ParticipationStatus.ADMITTED if admit else ParticipationStatus.REJECTED
        participation.screened_by = by
        participation.screened_at = timezone.now()
        participation.decision_note = note.strip()
        participation._change_reason = _("참여 확정") if admit else _("반려")
        participation.save()
        firm = participation.firm
        if firm.organization_id:
            _notify(
                kind="participation.decided",
                recipients=_recipients(roles=[Role.FIRM_USER], organization=firm.organization),
                subject=_("[참여 %(d)s] %(project)s")
                % {"d": participation.get_status_display(), "project": participation.project.title},
                body=note,
                url=f"/firms/{firm.pk}/",
                related=participation,
            )
    return participation


def participation_withdraw(*, by, participation: ProjectParticipation) -> ProjectParticipation:
    if not ProjectParticipation.objects.visible_to(by, "withdraw").filter(pk=participation.pk).exists():
        raise NotFoundError(_("참여 신청을 찾을 수 없습니다."))
    if participation.status != ParticipationStatus.APPLIED:
        raise ConflictError(_("심사 전인 신청만 철회할 수 있습니다."))
    participation.status = ParticipationStatus.WITHDRAWN
    participation._change_reason = _("신청 철회")
    participation.save()
    return participation


# ------------------------------------------------------------------------------------------------
# awards
# ------------------------------------------------------------------------------------------------


def can_record_for(user, instrument: Instrument) -> bool:
    """Only members of the instrument's operating organization record its awards."""
    return instrument.operator_id in actor_for(user).organization_ids


def award_assess(
    *,
    instrument: Instrument,
    firm,
    awarded_on: dt.date,
    amount_krw: int | None = None,
    total_cost_krw: int | None = None,
    exclude_pk=None,
) -> dict:
    """Everything the operator sees before recording: eligibility, share and amount, duplicate
    findings, participation and the preferences it brings."""
    year = awarded_on.year
    refusals = rules.eligibility(instrument, firm, year=year)
    average, years = rules.firm_average_sales(firm, year)
    percent = rules.share_percent(instrument, average) if instrument.share_bands else None
    computed = None
    errors: dict[str, list[str]] = {}
    if instrument.share_bands:
        if percent is None and average is None:
            errors["total_cost_krw"] = [_("매출 구간을 정할 매출액 실적이 없습니다.")]
        if total_cost_krw is None or total_cost_krw <= 0:
            errors["total_cost_krw"] = [
                _("총사업비(원)를 입력하세요. 정부지원금은 매출 구간별 비율로 계산됩니다.")
            ]
        elif percent is not None:
            computed = rules.government_share(instrument, total_cost_krw, percent)
        amount = computed
    else:
        if amount_krw is None or amount_krw <= 0:
            errors["amount_krw"] = [_("지원금액(원)을 입력하세요.")]
        amount = amount_krw
    findings = (
        rules.duplicate_findings(instrument, firm, year=year, amount_krw=amount, exclude_pk=exclude_pk)
        if amount
        else []
    )
    projects = list(rules.participating_projects(firm, year))
    return {
        "year": year,
        "refusals": refusals,
        "average_sales": average,
        "average_years": years,
        "percent": percent,
        "amount": amount,
        "errors": errors,
        "blocks": [f for f in findings if f.severity == rules.BLOCK],
        "flags": [f for f in findings if f.severity == rules.FLAG],
        "projects": projects,
        "is_participant": bool(projects),
        "preferences": instrument.preferences if projects else [],
    }


def award_record(
    *,
    by,
    instrument: Instrument,
    firm,
    awarded_on: dt.date,
    amount_krw: int | None = None,
    total_cost_krw: int | None = None,
    project=None,
    note: str = "",
    acknowledge_flags: bool = False,
    acknowledgement: str = "",
) -> SupportAward:
    """Record support after the checks: ineligible or blocked → refused with the reasons; flagged
    (possible duplicate) → recorded only with the operator's written acknowledgement."""
    if not can_record_for(by, instrument):
        raise PermissionDeniedError(_("이 지원사업의 운영기관 담당자만 지원 실적을 기록할 수 있습니다."))
    if awarded_on is None:
        raise ValidationFailed(_("지원 결정일을 입력하세요."), errors={"awarded_on": [_("필수 항목입니다.")]})
    if awarded_on > timezone.localdate():
        raise ValidationFailed(
            _("지원 결정일이 미래입니다."), errors={"awarded_on": [_("오늘 이전 날짜를 입력하세요.")]}
        )
    with transaction.atomic():
        # serialise awards to one firm so two operators cannot both pass the duplicate check
        type(firm).objects.select_for_update().filter(pk=firm.pk).first()
        result = award_assess(
            instrument=instrument,
            firm=firm,
            awarded_on=awarded_on,
            amount_krw=amount_krw,
            total_cost_krw=total_cost_krw,
        )
        if result["errors"]:
            raise ValidationFailed(_("지원 내용을 확인하세요."), errors=result["errors"])
        if result["refusals"]:
            raise ValidationFailed(
                _("지원 대상이 아닙니다: %(r)s") % {"r": " / ".join(f.message for f in result["refusals"])},
                errors={"firm": [f.message for f in result["refusals"]]},
                code="ineligible",
            )
        if result["blocks"]:
            raise ValidationFailed(
                _("중복지원 기준에 걸려 기록할 수 없습니다: %(r)s")
                % {"r": " / ".join(f.message for f in result["blocks"])},
                errors={"amount_krw": [f.message for f in result["blocks"]]},
                code="duplicate_blocked",
            )
        if result["flags"] and not (acknowledge_flags and acknowledgement.strip()):
            raise ConflictError(
                _("중복지원 가능성이 있습니다. 사유를 적고 확인해야 기록됩니다: %(r)s")
                % {"r": " / ".join(f.message for f in result["flags"])},
                code="duplicate_flagged",
                extra={"flags": [f.as_dict() for f in result["flags"]]},
            )
        projects = result["projects"]
        if project is not None and project not in projects:
            raise ValidationFailed(
                _("이 기업이 참여 확정된 프로젝트가 아닙니다."),
                errors={"project": [_("기업이 그 해에 참여 확정된 프로젝트만 연계할 수 있습니다.")]},
            )
        if project is None and len(projects) == 1:
            project = projects[0]
        award = SupportAward.objects.create(
            firm=firm,
            instrument=instrument,
            project=project,
            year=awarded_on.year,
            awarded_on=awarded_on,
            total_cost_krw=total_cost_krw if instrument.share_bands else None,
            share_percent=result["percent"],
            amount_krw=result["amount"],
            average_sales_krw=result["average_sales"],
            was_participant=result["is_participant"],
            note=note.strip()[:300],
            flags=[f.as_dict() for f in result["flags"]],
            flag_acknowledgement=acknowledgement.strip() if result["flags"] else "",
            recorded_by=by,
            is_sample=firm.is_sample,
        )
        if award.flags:
            _notify(
                kind="support.duplicate_flagged",
                recipients=_recipients(roles=[Role.MINISTRY_OFFICER]),
                subject=_("[중복지원 점검] %(firm)s · %(inst)s (%(amount)s)")
                % {"firm": firm.name, "inst": instrument.name, "amount": format_krw(award.amount_krw)},
                body="\n".join(f["message"] for f in award.flags),
                url=f"/support/awards/{award.pk}/",
                related=award,
            )
    return award


def award_cancel(*, by, award: SupportAward, reason: str) -> SupportAward:
    if not can_record_for(by, award.instrument):
        raise PermissionDeniedError(_("이 지원사업의 운영기관 담당자만 취소할 수 있습니다."))
    if award.status == AwardStatus.CANCELLED:
        raise ConflictError(_("이미 취소된 지원 실적입니다."))
    if not reason.strip():
        raise ValidationFailed(_("취소 사유를 입력하세요."), errors={"reason": [_("필수 항목입니다.")]})
    award.status = AwardStatus.CANCELLED
    award._change_reason = reason.strip()[:100]
    award.save()
    return award
