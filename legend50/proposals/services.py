"""Writes to proposals: every function checks permission, validates (messages name the field or
row), runs in one transaction, bumps the optimistic-concurrency counter, and notifies."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.activity.services import notify, recipients_for
from legend50.core import uploads as files
from legend50.core.actors import Role, actor_for
from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import format_kst
from legend50.programs.models import Call, FundingSource
from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization, Region

from . import workflow
from .choices import (
    KPI_DEFAULT_UNITS,
    KSIC_DIVISIONS,
    KSIC_SECTION_LABELS,
    BudgetCategory,
    FeedbackSection,
    KpiKey,
    RegionalPolicy,
    RoundStatus,
)
from .models import (
    BudgetLine,
    ConsortiumMember,
    ConsortiumRole,
    ConsultingAssignment,
    ConsultingFeedback,
    ConsultingRound,
    Proposal,
    ProposalAttachment,
    ProposalFirm,
    ProposalKpi,
    ProposalStatus,
    ProposalTransition,
    ProposalVersion,
)
from .versions import build_snapshot, content_rows, snapshot_hash

PROVINCE_SIDE_ROLES = (Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER, Role.INSTITUTION_STAFF)
EDITABLE_FIELDS = (
    "title",
    "summary",
    "background",
    "direction",
    "objectives",
    "ksic_section",
    "ksic_division",
)
FIELD_LABELS = {
    "title": "과제명",
    "summary": "요약",
    "background": "추진배경",
    "direction": "추진방향",
    "objectives": "목표",
    "ksic_section": "대상 산업(KSIC 대분류)",
    "ksic_division": "대상 산업(KSIC 중분류)",
    "regional_policies": "연계 지역정책",
    "tags": "태그",
}


# --- who may do what ---------------------------------------------------------------------------


def is_province_side(user, proposal) -> bool:
    actor = actor_for(user)
    if not actor.has_role(*PROVINCE_SIDE_ROLES):
        return False
    if Proposal.surely_in_scope(actor, "change", proposal):
        return True
    return Proposal.objects.visible_to(user, "change").filter(pk=proposal.pk).exists()


def is_consultant(user, proposal) -> bool:
    return ConsultingAssignment.objects.filter(proposal=proposal, expert_id=user.pk, is_active=True).exists()


def may(user, proposal, t: workflow.Transition, *, known: dict | None = None) -> bool:
    """Whether the user may take transition `t`; `known` memoises the province/consultant answers
    across the transitions of one proposal (one request)."""
    actor = actor_for(user)
    if actor.is_auditor and not actor.is_ministry:
        return False
    if workflow.MINISTRY in t.who and actor.is_ministry:
        return True
    known = {} if known is None else known
    if workflow.PROVINCE in t.who:
        if "province" not in known:
            known["province"] = is_province_side(user, proposal)
        if known["province"]:
            return True
    if workflow.CONSULTANT not in t.who:
        return False
    if "consultant" not in known:
        known["consultant"] = is_consultant(user, proposal)
    return known["consultant"]


def actions_for(user, proposal, *, known: dict | None = None) -> list[workflow.Transition]:
    known = {} if known is None else known
    return [t for t in workflow.available(proposal.status) if may(user, proposal, t, known=known)]


def _require_editor(proposal, by):
    if not is_province_side(by, proposal):
        raise PermissionDeniedError(_("이 제안서를 편집할 권한이 없습니다."))
    if proposal.status not in workflow.EDITABLE:
        raise ConflictError(
            _("‘%(status)s’ 상태의 제안서는 편집할 수 없습니다.") % {"status": proposal.get_status_display()},
            code="not_editable",
        )


def _locked(proposal_id, *, with_call: bool = False) -> Proposal:
    """The proposal, row-locked for the rest of the transaction. Content edits lock the proposal's row
    only; `with_call` also locks its call's and province's rows (PostgreSQL locks every joined row), which
    serialises submissions within a call so the per-province quota count cannot race."""
    rows = Proposal.objects.select_related("call", "lead_region")
    try:
        if with_call:
            return rows.select_for_update().get(pk=proposal_id)
        return rows.select_for_update(of=("self",)).get(pk=proposal_id)
    except Proposal.DoesNotExist:
        raise NotFoundError(_("제안서를 찾을 수 없습니다.")) from None


def changes_since(proposal, lock_version: int) -> list[dict]:
    """What changed between the copy at `lock_version` and now (from the audit history)."""
    rows = list(
        proposal.history.filter(lock_version__gte=lock_version).order_by("history_date", "history_id")
    )
    base = next((r for r in rows if r.lock_version == lock_version), None)
    changes = []
    for record in rows:
        if record.lock_version <= lock_version:
            continue
        who = (
            record.history_user.get_full_name() or record.history_user.username if record.history_user else ""
        )
        if record.history_change_reason:
            changes.append({"field": record.history_change_reason, "before": "", "after": "", "by": who})
    if base is not None:
        for field in (*EDITABLE_FIELDS, "regional_policies", "tags"):
            before, after = getattr(base, field), getattr(proposal, field)
            if before != after:
                changes.append({"field": FIELD_LABELS[field], "before": before, "after": after, "by": ""})
    return changes


def _check_version(proposal, lock_version):
    if lock_version is None:
        return
    try:
        expected = int(lock_version)
    except (TypeError, ValueError):
        expected = -1
    if expected != proposal.lock_version:
        changes = changes_since(proposal, expected) if expected > 0 else []
        raise ConflictError(
            _(
                "다른 사용자가 먼저 이 제안서를 저장했습니다 (편집 버전 %(theirs)s → %(current)s). "
                "아래 변경 내용을 확인하고 최신 내용에서 다시 저장하세요. 입력하신 내용은 저장되지 않았습니다."
            )
            % {"theirs": expected if expected > 0 else "?", "current": proposal.lock_version},
            code="stale",
            extra={"changes": changes, "lock_version": proposal.lock_version},
        )


def _touch(proposal, by, reason: str):
    proposal.lock_version += 1
    proposal.updated_by = by
    proposal._change_reason = reason
    proposal.save()


# --- creation and content ------------------------------------------------------------------------


def lead_organization_for(user):
    """The local government the user is a province officer of (the lead comes from the user's scope)."""
    from legend50.accounts.models import Membership

    membership = (
        Membership.objects.filter(
            user=user,
            is_active=True,
            role=Role.PROVINCE_OFFICER,
            organization__kind=OrganizationKind.LOCAL_GOVERNMENT,
            organization__region__isnull=False,
        )
        .select_related("organization__region")
        .order_by("organization__region__code")
        .first()
    )
    return membership.organization if membership else None


def proposal_create(*, call: Call, title: str, by) -> Proposal:
    lead = lead_organization_for(by)
    if lead is None:
        raise PermissionDeniedError(_("제안서는 시·도(지방정부) 담당자만 작성할 수 있습니다."))
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("과제명을 입력하세요."), errors={"title": [_("과제명을 입력하세요.")]})
    if len(title) > 300:
        raise ValidationFailed(
            _("과제명은 300자 이내로 입력하세요."), errors={"title": [_("과제명은 300자 이내로 입력하세요.")]}
        )
    if timezone.now() > call.closes_at:
        raise ConflictError(
            _("공모 접수가 마감되었습니다 (마감 %(deadline)s KST).")
            % {"deadline": format_kst(call.closes_at)},
            code="deadline_passed",
        )
    with transaction.atomic():
        proposal = Proposal(call=call, title=title, lead_region=lead.region, created_by=by, updated_by=by)
        proposal._change_reason = "작성 시작"
        proposal.save()
        ConsortiumMember.objects.create(
            proposal=proposal, organization=lead, role=ConsortiumRole.LEAD, order=0
        )
        office = Organization.objects.filter(
            Q(region=lead.region) | Q(covered_regions=lead.region), kind=OrganizationKind.REGIONAL_SME_OFFICE
        ).first()
        if office is not None:
            ConsortiumMember.objects.create(
                proposal=proposal, organization=office, role=ConsortiumRole.REGIONAL_SME_OFFICE, order=1
            )
    return proposal


def _split_tags(value) -> list[str]:
    if isinstance(value, list | tuple):
        items = value
    else:
        items = re.split(r"[,\n]", str(value or ""))
    tags = []
    for item in items:
        tag = str(item).strip().lstrip("#")
        if tag and tag not in tags:
            tags.append(tag[:40])
    return tags[:20]


def proposal_update(*, proposal: Proposal, data: dict, lock_version, by) -> Proposal:
    """Save the editor's main fields (only these; status, lead province, scores and versions are never
    taken from input)."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for field in EDITABLE_FIELDS:
        if field in data:
            clean[field] = str(data.get(field) or "").strip()
    if "title" in clean:
        if not clean["title"]:
            errors.setdefault("title", []).append(_("과제명을 입력하세요."))
        elif len(clean["title"]) > 300:
            errors.setdefault("title", []).append(_("과제명은 300자 이내로 입력하세요."))
    section = clean.get("ksic_section", proposal.ksic_section)
    if section and section not in KSIC_SECTION_LABELS:
        errors.setdefault("ksic_section", []).append(_("KSIC 대분류(A~U)를 고르세요."))
    division = clean.get("ksic_division", proposal.ksic_division)
    if division:
        known = KSIC_DIVISIONS.get(section)
        if not re.fullmatch(r"\d{2}", division):
            errors.setdefault("ksic_division", []).append(_("KSIC 중분류는 두 자리 숫자입니다."))
        elif not section:
            errors.setdefault("ksic_division", []).append(_("KSIC 중분류를 고르기 전에 대분류를 고르세요."))
        elif known is not None and division not in {k for k, _label in known}:
            errors.setdefault("ksic_division", []).append(
                _("KSIC 중분류 %(division)s은(는) 대분류 %(section)s에 속하지 않습니다.")
                % {"division": division, "section": section}
            )
    if "regional_policies" in data:
        policies = data.get("regional_policies") or []
        if isinstance(policies, str):
            policies = [policies]
        valid = set(RegionalPolicy.values)
        bad = [p for p in policies if p not in valid]
        if bad:
            errors.setdefault("regional_policies", []).append(
                _("알 수 없는 연계 정책입니다: %(p)s") % {"p": ", ".join(bad)}
            )
        clean["regional_policies"] = [p for p in RegionalPolicy.values if p in policies]
    if "tags" in data:
        clean["tags"] = _split_tags(data.get("tags"))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        changed = [f for f, v in clean.items() if getattr(current, f) != v]
        if not changed:
            return current
        for field, value in clean.items():
            setattr(current, field, value)
        _touch(current, by, "")
    return current


# --- consortium ----------------------------------------------------------------------------------


def consortium_problems(proposal, members=None) -> list[str]:
    """`members`: the proposal's consortium with organizations, when the caller already read it."""
    call = proposal.call
    if members is None:
        members = list(proposal.consortium.select_related("organization"))
    problems = []
    leads = [m for m in members if m.role == ConsortiumRole.LEAD]
    if call.require_local_government_lead and not any(
        m.organization.kind == OrganizationKind.LOCAL_GOVERNMENT
        and m.organization.region_id == proposal.lead_region_id
        for m in leads
    ):
        problems.append(
            _("컨소시엄: 주관기관은 %(region)s(지방정부)이어야 합니다.")
            % {"region": proposal.lead_region.name}
        )
    if call.require_regional_office and not any(
        m.role == ConsortiumRole.REGIONAL_SME_OFFICE for m in members
    ):
        problems.append(_("컨소시엄: 관할 지방중소벤처기업청이 참여해야 합니다."))
    institutions = sum(1 for m in members if m.role == ConsortiumRole.INNOVATION_INSTITUTION)
    if institutions < call.min_innovation_institutions:
        problems.append(
            _("컨소시엄: 지역혁신기관이 %(n)d곳 이상 참여해야 합니다 (현재 %(have)d곳).")
            % {"n": call.min_innovation_institutions, "have": institutions}
        )
    return problems


def _member_error(proposal, organization, role) -> str | None:
    region = proposal.lead_region
    if role == ConsortiumRole.LEAD:
        if organization.kind != OrganizationKind.LOCAL_GOVERNMENT or organization.region_id != region.pk:
            return _("주관기관은 %(region)s 지방정부만 될 수 있습니다.") % {"region": region.name}
        if proposal.consortium.filter(role=ConsortiumRole.LEAD).exists():
            return _("주관기관은 하나뿐입니다.")
    elif role == ConsortiumRole.REGIONAL_SME_OFFICE:
        if organization.kind != OrganizationKind.REGIONAL_SME_OFFICE:
            return _("‘%(org)s’은(는) 지방중소벤처기업청이 아닙니다.") % {"org": organization.name}
        covers = (
            organization.region_id == region.pk or organization.covered_regions.filter(pk=region.pk).exists()
        )
        if not covers:
            return _("‘%(org)s’은(는) %(region)s을(를) 관할하지 않습니다.") % {
                "org": organization.name,
                "region": region.name,
            }
    elif role == ConsortiumRole.INNOVATION_INSTITUTION:
        if organization.kind != OrganizationKind.INNOVATION_INSTITUTION:
            return _("‘%(org)s’은(는) 지역혁신기관으로 등록되어 있지 않습니다.") % {"org": organization.name}
    elif role == ConsortiumRole.SUPPORT_AGENCY:
        if organization.kind not in (
            OrganizationKind.SUPPORT_AGENCY,
            OrganizationKind.INNOVATION_INSTITUTION,
        ):
            return _("‘%(org)s’은(는) 지원기관으로 참여할 수 없습니다.") % {"org": organization.name}
    else:
        return _("컨소시엄 역할을 고르세요.")
    if proposal.consortium.filter(organization=organization).exists():
        return _("‘%(org)s’은(는) 이미 컨소시엄에 있습니다.") % {"org": organization.name}
    return None


def consortium_add(*, proposal, organization_id, role: str, responsibility: str = "", lock_version, by):
    organization = (
        Organization.objects.filter(pk=organization_id).first()
        if str(organization_id or "").isdigit()
        else None
    )
    if organization is None:
        raise ValidationFailed(
            _("참여기관을 고르세요."), errors={"organization": [_("참여기관을 고르세요.")]}
        )
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        error = _member_error(current, organization, role)
        if error:
            raise ValidationFailed(error, errors={"organization": [error]})
        order = (current.consortium.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        member = ConsortiumMember.objects.create(
            proposal=current,
            organization=organization,
            role=role,
            responsibility=(responsibility or "").strip()[:300],
            order=order,
        )
        _touch(current, by, f"컨소시엄 추가: {organization.name}")
    return member


def consortium_remove(*, proposal, member_id, lock_version, by):
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        member = current.consortium.filter(pk=member_id).select_related("organization").first()
        if member is None:
            raise NotFoundError(_("컨소시엄 참여기관을 찾을 수 없습니다."))
        if member.role == ConsortiumRole.LEAD:
            raise ValidationFailed(
                _("주관기관(지방정부)은 뺄 수 없습니다."),
                errors={"consortium": [_("주관기관(지방정부)은 뺄 수 없습니다.")]},
            )
        member.delete()
        _touch(current, by, f"컨소시엄 제외: {member.organization.name}")


# --- KPIs and budget ------------------------------------------------------------------------------


def _number(text, *, integer=False):
    value = str(text if text is not None else "").replace(",", "").replace("원", "").strip()
    if value == "":
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    if integer and number != number.to_integral_value():
        raise ValueError
    return int(number) if integer else number


def kpis_save(*, proposal, rows: list[dict], lock_version, by):
    """Replace the KPI table. Each message names the row: "성과지표 2행(참여기업 매출액) 2025년 목표: …"."""
    call = proposal.call
    years = call.years
    errors: dict[str, list[str]] = {}
    clean = []
    labels = dict(KpiKey.choices)
    for index, row in enumerate(rows, start=1):
        if not any(str(v).strip() for k, v in row.items() if k != "targets") and not any(
            str(v).strip() for v in (row.get("targets") or {}).values()
        ):
            continue
        key = (row.get("key") or "").strip()
        label = (row.get("label") or "").strip() or (str(labels.get(key, "")) if key != KpiKey.CUSTOM else "")
        name = f"성과지표 {index}행" + (f"({label})" if label else "")
        problems = []
        if key not in labels:
            problems.append(_("지표를 고르세요."))
        if not label:
            problems.append(_("지표명을 입력하세요."))
        unit = (row.get("unit") or "").strip() or KPI_DEFAULT_UNITS.get(key, "")
        try:
            baseline = _number(row.get("baseline"))
            if baseline is None:
                problems.append(_("기준값을 입력하세요."))
            elif baseline < 0:
                problems.append(_("기준값은 0 이상이어야 합니다."))
        except ValueError:
            baseline = None
            problems.append(_("기준값은 숫자여야 합니다."))
        try:
            baseline_year = _number(row.get("baseline_year"), integer=True)
            if baseline_year is None or not (2000 <= baseline_year <= call.start_year):
                problems.append(_("기준 연도는 2000년부터 %(y)d년 사이여야 합니다.") % {"y": call.start_year})
        except ValueError:
            baseline_year = None
            problems.append(_("기준 연도는 숫자여야 합니다."))
        targets = {}
        given = row.get("targets") or {}
        for year in years:
            try:
                value = _number(given.get(str(year), given.get(year)))
            except ValueError:
                problems.append(_("%(y)d년 목표는 숫자여야 합니다.") % {"y": year})
                continue
            if value is None:
                problems.append(_("%(y)d년 목표를 입력하세요.") % {"y": year})
            elif value < 0:
                problems.append(_("%(y)d년 목표는 0 이상이어야 합니다.") % {"y": year})
            else:
                targets[str(year)] = str(value)
        if problems:
            errors[name] = [f"{name}: {p}" for p in problems]
            continue
        clean.append(
            ProposalKpi(
                key=key,
                label=label[:200],
                unit=unit[:20],
                baseline=baseline,
                baseline_year=baseline_year,
                targets=targets,
                order=len(clean),
            )
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        current.kpis.all().delete()
        for kpi in clean:
            kpi.proposal = current
        ProposalKpi.objects.bulk_create(clean)
        _touch(current, by, "성과지표 수정")
    return current


def budget_save(*, proposal, rows: list[dict], lock_version, by):
    """Replace the budget plan. Each message names the line: "예산 3행(2025년 국비 기업지원): …"."""
    call = proposal.call
    years = call.years
    errors: dict[str, list[str]] = {}
    clean = []
    sources = dict(FundingSource.choices)
    categories = dict(BudgetCategory.choices)
    for index, row in enumerate(rows, start=1):
        if not any(str(v or "").strip() for v in row.values()):
            continue
        problems = []
        try:
            year = _number(row.get("year"), integer=True)
        except ValueError:
            year = None
        source = (row.get("source") or "").strip()
        category = (row.get("category") or "").strip()
        described = " ".join(
            str(x)
            for x in (f"{year}년" if year else "", sources.get(source, ""), categories.get(category, ""))
            if x
        )
        name = f"예산 {index}행" + (f"({described})" if described else "")
        if year not in years:
            problems.append(
                _("연도는 사업 기간(%(a)d~%(b)d년) 안이어야 합니다.") % {"a": years[0], "b": years[-1]}
            )
        if source not in sources:
            problems.append(_("재원(국비·지방비·민간)을 고르세요."))
        if category not in categories:
            problems.append(_("비목을 고르세요."))
        try:
            amount = _number(row.get("amount"), integer=True)
            if amount is None:
                problems.append(_("금액을 입력하세요."))
            elif amount <= 0:
                problems.append(_("금액은 0보다 커야 합니다."))
            elif amount > 10**15:
                problems.append(_("금액이 너무 큽니다."))
        except ValueError:
            amount = None
            problems.append(_("금액은 원 단위 정수여야 합니다."))
        if problems:
            errors[name] = [f"{name}: {p}" for p in problems]
            continue
        clean.append(
            BudgetLine(
                year=year,
                source=source,
                category=category,
                description=str(row.get("description") or "").strip()[:300],
                amount_krw=amount,
                order=len(clean),
            )
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors=errors)
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        current.budget_lines.all().delete()
        for line in clean:
            line.proposal = current
        BudgetLine.objects.bulk_create(clean)
        _touch(current, by, "예산 계획 수정")
    return current


def budget_summary(proposal, lines=None) -> dict:
    """Totals by year × source and the local matching share (지방비 / (국비 + 지방비)); `lines`: the
    proposal's budget lines, when the caller already read them."""
    years = proposal.call.years
    table = {y: {s: 0 for s in FundingSource.values} for y in years}
    for line in proposal.budget_lines.all() if lines is None else lines:
        table.setdefault(line.year, {s: 0 for s in FundingSource.values})[line.source] += line.amount_krw
    rows = []
    totals = {s: 0 for s in FundingSource.values}
    for year in sorted(table):
        values = table[year]
        for s in values:
            totals[s] += values[s]
        rows.append({"year": year, **values, "total": sum(values.values())})
    public = totals["national"] + totals["local"]
    share = totals["local"] / public if public else None
    minimum = proposal.call.min_local_share
    return {
        "rows": rows,
        "totals": {**totals, "total": sum(totals.values())},
        "local_share": share,
        "min_local_share": minimum,
        "share_ok": share is not None and share + 1e-12 >= minimum,
    }


# --- participating firms --------------------------------------------------------------------------


def _resolve_firm(
    name: str, brn_text: str, region_text: str, default_region
) -> tuple[object | None, list[str], dict]:
    """Validate one firm row; returns (existing firm or None, problems, fields for a new firm)."""
    from legend50.engines.ids import is_valid_brn, normalize_brn
    from legend50.firms.models import Firm

    problems = []
    name = (name or "").strip()
    brn = ""
    if not (brn_text or "").strip():
        problems.append(_("사업자등록번호를 입력하세요."))
    else:
        try:
            brn = normalize_brn(brn_text)
        except (ValueError, TypeError):
            brn = ""
        if not brn or not is_valid_brn(brn):
            problems.append(
                _("사업자등록번호 ‘%(v)s’가 올바르지 않습니다 (10자리, 검증번호 확인).")
                % {"v": str(brn_text).strip()[:20]}
            )
            brn = ""
    region = default_region
    if (region_text or "").strip():
        region = Region.objects.resolve(region_text)
        if region is None:
            problems.append(_("시·도 ‘%(v)s’를 알 수 없습니다.") % {"v": str(region_text).strip()[:20]})
    existing = Firm.objects.filter(brn=brn).first() if brn else None
    if existing is None and not name and brn:
        problems.append(_("등록되지 않은 기업이므로 기업명을 입력하세요."))
    if len(name) > 200:
        problems.append(_("기업명은 200자 이내로 입력하세요."))
    return existing, problems, {"name": name, "brn": brn, "region": region}


def _link_firm(proposal, existing, fields, by):
    from legend50.firms.models import Firm

    firm = existing
    if firm is None:
        firm = Firm.objects.create(
            name=fields["name"], brn=fields["brn"], region=fields["region"], is_sample=proposal.is_sample
        )
    link, created = ProposalFirm.objects.get_or_create(proposal=proposal, firm=firm)
    return firm, created


def firm_add(*, proposal, name: str, brn: str, region: str = "", lock_version, by):
    existing, problems, fields = _resolve_firm(name, brn, region, proposal.lead_region)
    if problems:
        raise ValidationFailed(problems[0], errors={"firm": problems})
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        firm, created = _link_firm(current, existing, fields, by)
        if not created:
            message = _("‘%(name)s’은(는) 이미 참여기업입니다.") % {"name": firm.name}
            raise ValidationFailed(message, errors={"firm": [message]})
        _touch(current, by, f"참여기업 추가: {firm.name}")
    return firm


def firm_remove(*, proposal, link_id, lock_version, by):
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        link = current.participating_firms.filter(pk=link_id).select_related("firm").first()
        if link is None:
            raise NotFoundError(_("참여기업을 찾을 수 없습니다."))
        link.delete()
        _touch(current, by, f"참여기업 제외: {link.firm.name}")


HEADER_ALIASES = {
    "name": ("기업명", "업체명", "회사명", "name", "firm"),
    "brn": ("사업자등록번호", "사업자번호", "brn"),
    "region": ("시도", "시·도", "소재지", "지역", "region"),
}
MAX_IMPORT_ROWS = 2000


def _read_table(upload, filename: str) -> list[list[str]]:
    ext = files.extension_of(filename)
    data = upload.read()
    if len(data) > 5 * 1024 * 1024:
        raise ValidationFailed(
            _("가져올 파일은 5MB 이하여야 합니다."),
            errors={"file": [_("가져올 파일은 5MB 이하여야 합니다.")]},
        )
    if ext == "csv":
        for encoding in ("utf-8-sig", "cp949"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(
                _("CSV 파일의 문자 인코딩을 읽을 수 없습니다 (UTF-8 또는 CP949)."),
                errors={"file": [_("인코딩 오류")]},
            )
        return [row for row in csv.reader(io.StringIO(text))]
    if ext == "xlsx":
        from openpyxl import load_workbook

        try:
            upload_bytes = _BytesUpload(data)
            files.inspect(upload_bytes, filename)
            workbook = load_workbook(upload_bytes, read_only=True, data_only=True)
        except ValidationFailed:
            raise
        except Exception:  # noqa: BLE001 - any parse failure is the user's file
            raise ValidationFailed(
                _("XLSX 파일을 읽을 수 없습니다."), errors={"file": [_("XLSX 파일을 읽을 수 없습니다.")]}
            ) from None
        sheet = workbook.worksheets[0]
        rows = [
            ["" if c is None else str(c) for c in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_IMPORT_ROWS + 1)
        ]
        workbook.close()
        return rows
    raise ValidationFailed(
        _("XLSX 또는 CSV 파일만 가져올 수 있습니다."),
        errors={"file": [_("XLSX 또는 CSV 파일만 가져올 수 있습니다.")]},
    )


class _BytesUpload(io.BytesIO):
    """Bytes with the `size` and `chunks()` the attachment checks expect."""

    @property
    def size(self):
        return len(self.getbuffer())

    def chunks(self):
        self.seek(0)
        while chunk := self.read(65536):
            yield chunk


def firms_import(*, proposal, upload, filename: str, lock_version, by) -> dict:
    """Import participating firms from XLSX/CSV (columns 기업명, 사업자등록번호, 시·도). Every row is
    checked first; if any row fails, nothing is written and the report lists each failing row."""
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
    files.check_name(filename)
    table = _read_table(upload, filename)
    numbered = [(n, r) for n, r in enumerate(table, start=1) if any(str(c).strip() for c in r)]
    if not numbered:
        raise ValidationFailed(_("파일에 행이 없습니다."), errors={"file": [_("파일에 행이 없습니다.")]})
    header = [str(c).strip().replace(" ", "") for c in numbered[0][1]]
    columns = {}
    for key, aliases in HEADER_ALIASES.items():
        for index, cell in enumerate(header):
            if cell.lower() in {a.replace(" ", "").lower() for a in aliases}:
                columns[key] = index
                break
    if "brn" not in columns:
        message = _("첫 행에 ‘사업자등록번호’ 열이 있어야 합니다 (기업명, 사업자등록번호, 시·도).")
        raise ValidationFailed(message, errors={"file": [message]})
    body = numbered[1:]
    if len(body) > MAX_IMPORT_ROWS:
        message = _("한 번에 %(n)d행까지 가져올 수 있습니다.") % {"n": MAX_IMPORT_ROWS}
        raise ValidationFailed(message, errors={"file": [message]})

    def cell(row, key):
        index = columns.get(key)
        return str(row[index]).strip() if index is not None and index < len(row) else ""

    report = []
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    accepted = []
    already = set(current.participating_firms.values_list("firm__brn", flat=True))
    for number, row in body:
        name, brn_text, region_text = cell(row, "name"), cell(row, "brn"), cell(row, "region")
        existing, problems, fields = _resolve_firm(name, brn_text, region_text, current.lead_region)
        brn = fields["brn"]
        if brn and brn in seen:
            problems.append(_("%(row)d행과 사업자등록번호가 같습니다.") % {"row": seen[brn]})
        if brn and brn in already:
            problems.append(_("이미 참여기업으로 등록되어 있습니다."))
        if brn:
            seen.setdefault(brn, number)
        label = f"{number}행" + (f"({name})" if name else "")
        report.append(
            {"row": number, "name": name, "brn": brn_text, "ok": not problems, "problems": problems}
        )
        if problems:
            errors[label] = [f"{label}: {p}" for p in problems]
        else:
            accepted.append((existing, fields))
    if errors:
        raise ValidationFailed(
            _("%(bad)d개 행에 오류가 있어 아무것도 등록하지 않았습니다. 오류를 고친 뒤 다시 올리세요.")
            % {"bad": len(errors)},
            errors=errors,
            extra={"report": report},
        )
    with transaction.atomic():
        current = _locked(proposal.pk)
        _check_version(current, lock_version)
        for existing, fields in accepted:
            _link_firm(current, existing, fields, by)
        _touch(current, by, f"참여기업 {len(accepted)}곳 가져오기")
    return {"created": len(accepted), "report": report}


# --- attachments ----------------------------------------------------------------------------------


def attachment_add(
    *, proposal, upload, description: str = "", lock_version, by, is_blind_version: bool = False
) -> ProposalAttachment:
    """Store an attachment after checking its content; nothing is stored if any check fails."""
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
    if upload is None:
        raise ValidationFailed(_("올릴 파일을 고르세요."), errors={"file": [_("올릴 파일을 고르세요.")]})
    kind, size, sha256 = files.inspect(upload, upload.name)
    original = files.check_name(upload.name)
    stored_name = f"{uuid.uuid4().hex}.{kind}"
    attachment = ProposalAttachment(
        proposal=current,
        original_name=original,
        kind=kind,
        size=size,
        sha256=sha256,
        description=(description or "").strip()[:300],
        is_blind_version=bool(is_blind_version),
        uploaded_by=by,
    )
    saved_path = None
    try:
        with transaction.atomic():
            current = _locked(proposal.pk)
            _check_version(current, lock_version)
            upload.seek(0)
            attachment.file.save(stored_name, ContentFile(upload.read()), save=False)
            saved_path = attachment.file.name
            attachment.save()
            _touch(current, by, f"첨부 추가: {original}")
    except Exception:
        if saved_path:
            attachment.file.storage.delete(saved_path)
        raise
    return attachment


def attachment_remove(*, proposal, attachment_id, lock_version, by):
    with transaction.atomic():
        current = _locked(proposal.pk)
        _require_editor(current, by)
        _check_version(current, lock_version)
        attachment = current.attachments.filter(pk=attachment_id, removed_at__isnull=True).first()
        if attachment is None:
            raise NotFoundError(_("첨부파일을 찾을 수 없습니다."))
        # Kept on disk: earlier versions refer to it by hash.
        attachment.removed_at = timezone.now()
        attachment.save(update_fields=["removed_at"])
        _touch(current, by, f"첨부 삭제: {attachment.original_name}")


# --- workflow -------------------------------------------------------------------------------------


def readiness(proposal, *, members=None, kpis=None, lines=None) -> list[str]:
    """What still blocks submission (empty when the proposal may be submitted). `members`, `kpis`,
    `lines`: the consortium (with organizations), KPIs and budget lines, when the caller already read
    them (each is read once otherwise)."""
    problems = []
    for field in ("title", "summary", "background", "direction", "objectives"):
        if not getattr(proposal, field).strip():
            problems.append(_("%(f)s: 내용을 입력하세요.") % {"f": FIELD_LABELS[field]})
    if not proposal.ksic_section:
        problems.append(_("대상 산업(KSIC 대분류): 고르세요."))
    problems += consortium_problems(proposal, members)
    if not (proposal.kpis.exists() if kpis is None else kpis):
        problems.append(_("성과지표: 1개 이상 입력하세요."))
    lines = list(proposal.budget_lines.all()) if lines is None else lines
    summary = budget_summary(proposal, lines)
    if not lines:
        problems.append(_("예산 계획: 예산 항목을 입력하세요."))
    else:
        for row in summary["rows"]:
            if row["total"] == 0:
                problems.append(_("예산 계획: %(y)d년 예산이 없습니다.") % {"y": row["year"]})
        if not summary["share_ok"]:
            share = summary["local_share"] or 0
            problems.append(
                _("예산 계획: 지방비 매칭 비율 %(have).1f%%가 공모 기준 %(min).1f%%에 못 미칩니다.")
                % {"have": share * 100, "min": summary["min_local_share"] * 100}
            )
    return problems


def _deadline_refusal(deadline: datetime, what: str):
    raise ConflictError(
        _("%(what)s 기한(%(deadline)s KST)이 지나 제출할 수 없습니다. 아무것도 바뀌지 않았습니다.")
        % {"what": what, "deadline": format_kst(deadline)},
        code="deadline_passed",
        extra={"deadline": format_kst(deadline) + " KST"},
    )


def _freeze(proposal, reason, by, rows: dict | None = None) -> ProposalVersion:
    number = (proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    snapshot = build_snapshot(proposal, rows)
    snapshot["version"] = number
    snapshot["frozen_at"] = timezone.now().isoformat()
    return ProposalVersion.objects.create(
        proposal=proposal,
        number=number,
        reason=reason,
        snapshot=snapshot,
        sha256=snapshot_hash(snapshot),
        created_by=by,
        is_sample=proposal.is_sample,
    )


def _province_people(proposal, members=None) -> list:
    """`members`: the consortium in its order (with organizations), when the caller already read it."""
    people = recipients_for(
        roles=[Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER], region_code=proposal.lead_region.code
    )
    if members is None:
        members = proposal.consortium.filter(role=ConsortiumRole.INNOVATION_INSTITUTION).select_related(
            "organization"
        )
    for member in members:
        if member.role == ConsortiumRole.INNOVATION_INSTITUTION:
            people += recipients_for(roles=[Role.INSTITUTION_STAFF], organization=member.organization)
    return people


def _ministry_people() -> list:
    return recipients_for(roles=[Role.MINISTRY_OFFICER, Role.MINISTRY_ADMIN])


def _consultants(proposal) -> list:
    return [a.expert for a in proposal.consulting_assignments.filter(is_active=True).select_related("expert")]


def _notify(proposal, kind, subject, body, recipients, by):
    from django.urls import reverse

    notify(
        kind=kind,
        recipients=[u for u in recipients if u.pk != getattr(by, "pk", None)],
        subject=subject,
        body=body,
        url=reverse("proposals:detail", args=[proposal.pk]),
        related=proposal,
        actor=by,
    )


def _apply(
    proposal, action: str, by, *, note: str = "", version=None, check_who=True, members=None
) -> ProposalTransition:
    t = workflow.transition(action)
    if proposal.status not in t.sources:
        raise ConflictError(
            _("‘%(status)s’ 상태에서는 ‘%(action)s’을(를) 할 수 없습니다.")
            % {"status": proposal.get_status_display(), "action": t.label},
            code="invalid_transition",
        )
    if check_who and not may(by, proposal, t):
        raise PermissionDeniedError(_("‘%(action)s’ 권한이 없습니다.") % {"action": t.label})
    before = proposal.status
    proposal.status = t.target
    _touch(proposal, by, str(t.label))
    record = ProposalTransition.objects.create(
        proposal=proposal,
        action=action,
        from_status=before,
        to_status=t.target,
        by=by,
        note=note,
        version=version,
    )
    labels = dict(ProposalStatus.choices)
    subject = f"[{proposal.lead_region.short_name}] {proposal.title} — {t.label}"
    body = _("상태: %(a)s → %(b)s") % {"a": labels[before], "b": labels[t.target]}
    if note:
        body += "\n" + note
    people = _province_people(proposal, members) + _ministry_people()
    if action in ("request_revision", "resubmit", "start_consulting", "withdraw", "send_to_review"):
        people += _consultants(proposal)
    _notify(proposal, t.notify, subject, body, people, by)
    return record


def proposal_submit(*, proposal, by, lock_version=None) -> ProposalVersion:
    """First submission: within the call's window, eligible, under the per-province maximum."""
    with transaction.atomic():
        current = _locked(proposal.pk, with_call=True)
        if not is_province_side(by, current):
            raise PermissionDeniedError(_("이 제안서를 제출할 권한이 없습니다."))
        _check_version(current, lock_version)
        if current.status != ProposalStatus.DRAFT:
            raise ConflictError(_("이미 제출된 제안서입니다."), code="invalid_transition")
        call = current.call
        now = timezone.now()
        if now > call.closes_at:
            _deadline_refusal(call.closes_at, _("공모 접수 마감"))
        if now < call.opens_at:
            raise ConflictError(
                _("공모 접수가 아직 시작되지 않았습니다 (접수 시작 %(at)s KST).")
                % {"at": format_kst(call.opens_at)},
                code="not_open",
            )
        rows = content_rows(current)
        problems = readiness(current, **rows)
        if problems:
            raise ValidationFailed(_("제출 요건을 갖추지 못했습니다."), errors={"readiness": problems})
        counted = (
            Proposal.objects.filter(call=call, lead_region=current.lead_region, status__in=workflow.COUNTED)
            .exclude(pk=current.pk)
            .count()
        )
        if counted >= call.max_proposals_per_province:
            raise ConflictError(
                _("%(region)s은(는) 이 공모에 이미 %(n)d건을 제출했습니다 (시·도별 최대 %(max)d건).")
                % {"region": current.lead_region.name, "n": counted, "max": call.max_proposals_per_province},
                code="quota_full",
            )
        version = _freeze(current, "submitted", by, rows)
        current.submitted_at = current.last_submitted_at = now
        _apply(current, "submit", by, version=version, members=rows["members"])
    return version


def proposal_resubmit(*, proposal, by, note: str = "", lock_version=None) -> ProposalVersion:
    with transaction.atomic():
        current = _locked(proposal.pk, with_call=True)
        if not is_province_side(by, current):
            raise PermissionDeniedError(_("이 제안서를 제출할 권한이 없습니다."))
        _check_version(current, lock_version)
        if current.status != ProposalStatus.REVISION_REQUESTED:
            raise ConflictError(
                _("보완 요청을 받은 제안서만 다시 제출할 수 있습니다."), code="invalid_transition"
            )
        now = timezone.now()
        if current.revision_due_at and now > current.revision_due_at:
            _deadline_refusal(current.revision_due_at, _("보완 제출"))
        rows = content_rows(current)
        problems = readiness(current, **rows)
        if problems:
            raise ValidationFailed(_("제출 요건을 갖추지 못했습니다."), errors={"readiness": problems})
        version = _freeze(current, "resubmitted", by, rows)
        current.last_submitted_at = now
        round_ = (
            current.consulting_rounds.filter(status=RoundStatus.REVISION_REQUESTED)
            .order_by("-number")
            .first()
        )
        if round_ is not None:
            round_.status = RoundStatus.CLOSED
            round_.closed_at = now
            round_.resubmitted_version = version
            round_.save()
        current.revision_due_at = None
        _apply(current, "resubmit", by, version=version, note=note, members=rows["members"])
    return version


def proposal_transition(*, proposal, action: str, by, note: str = "") -> ProposalTransition:
    """Ministry/province transitions without their own service: withdraw, send_to_review, select, reserve, reject."""
    if action not in ("withdraw", "send_to_review", "select", "reserve", "reject"):
        raise ValidationFailed(_("알 수 없는 처리입니다."), errors={"action": [_("알 수 없는 처리입니다.")]})
    with transaction.atomic():
        current = _locked(proposal.pk, with_call=True)
        if action == "send_to_review" and timezone.now() <= current.call.closes_at:
            raise ConflictError(
                _("공모 접수 마감(%(at)s KST) 뒤에 평가에 회부할 수 있습니다.")
                % {"at": format_kst(current.call.closes_at)},
                code="call_open",
            )
        if action in ("send_to_review",):
            current.consulting_rounds.exclude(status=RoundStatus.CLOSED).update(
                status=RoundStatus.CLOSED, closed_at=timezone.now()
            )
        return _apply(current, action, by, note=note)


# --- consulting -----------------------------------------------------------------------------------


def _open_round(proposal) -> ConsultingRound:
    number = (
        proposal.consulting_rounds.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = proposal.versions.order_by("-number").first()
    return ConsultingRound.objects.create(
        proposal=proposal, number=number, version=version, is_sample=proposal.is_sample
    )


def consultant_assign(*, proposal, expert, by) -> ConsultingAssignment:
    from django.contrib.auth import get_user_model

    actor = actor_for(by)
    if not actor.is_ministry:
        raise PermissionDeniedError(_("컨설팅 전문가는 중기부 담당자만 배정할 수 있습니다."))
    if not isinstance(expert, get_user_model()):
        expert = get_user_model().objects.filter(pk=expert).first() if str(expert or "").isdigit() else None
    if expert is None or not actor_for(expert).has_role(Role.EXPERT) or not expert.is_active:
        raise ValidationFailed(
            _("배정할 전문가를 고르세요."), errors={"expert": [_("배정할 전문가를 고르세요.")]}
        )
    with transaction.atomic():
        current = _locked(proposal.pk, with_call=True)
        if current.status not in (
            ProposalStatus.SUBMITTED,
            ProposalStatus.RESUBMITTED,
            ProposalStatus.IN_CONSULTING,
            ProposalStatus.REVISION_REQUESTED,
        ):
            raise ConflictError(
                _("제출된 제안서에만 컨설팅 전문가를 배정할 수 있습니다."), code="invalid_transition"
            )
        assignment, created = ConsultingAssignment.objects.get_or_create(
            proposal=current, expert=expert, defaults={"assigned_by": by, "is_sample": current.is_sample}
        )
        if not created:
            if assignment.is_active:
                message = _("%(name)s 전문가는 이미 배정되어 있습니다.") % {
                    "name": expert.get_full_name() or expert.username
                }
                raise ValidationFailed(message, errors={"expert": [message]})
            assignment.is_active = True
            assignment.assigned_by = by
            assignment.save()
        _notify(
            current,
            "consulting.assigned",
            f"컨설팅 배정: {current.title}",
            _("%(region)s 제안서의 컨설팅을 맡아 주십시오.") % {"region": current.lead_region.name},
            [expert],
            by,
        )
        if current.status in (ProposalStatus.SUBMITTED, ProposalStatus.RESUBMITTED):
            _open_round(current)
            _apply(current, "start_consulting", by)
    return assignment


def consultant_unassign(*, proposal, assignment_id, by):
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("컨설팅 배정은 중기부 담당자만 바꿀 수 있습니다."))
    with transaction.atomic():
        assignment = ConsultingAssignment.objects.filter(
            pk=assignment_id, proposal=proposal, is_active=True
        ).first()
        if assignment is None:
            raise NotFoundError(_("배정을 찾을 수 없습니다."))
        assignment.is_active = False
        assignment.save()


def _current_round(proposal) -> ConsultingRound | None:
    return proposal.consulting_rounds.filter(status=RoundStatus.OPEN).order_by("-number").first()


def consulting_feedback_add(*, proposal, sections: dict[str, str], by) -> list[ConsultingFeedback]:
    """Structured feedback, one comment per section, from an assigned consultant (or the ministry)."""
    if not (is_consultant(by, proposal) or actor_for(by).is_ministry):
        raise PermissionDeniedError(_("배정된 컨설팅 전문가만 의견을 남길 수 있습니다."))
    valid = dict(FeedbackSection.choices)
    clean = {k: str(v).strip() for k, v in sections.items() if k in valid and str(v or "").strip()}
    too_long = [k for k, v in clean.items() if len(v) > 5000]
    if too_long:
        errors = {k: [_("%(s)s: 5,000자 이내로 입력하세요.") % {"s": valid[k]}] for k in too_long}
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    if not clean:
        raise ValidationFailed(
            _("의견을 한 항목 이상 입력하세요."), errors={"sections": [_("의견을 한 항목 이상 입력하세요.")]}
        )
    with transaction.atomic():
        current = _locked(proposal.pk, with_call=True)
        if current.status != ProposalStatus.IN_CONSULTING:
            raise ConflictError(
                _("컨설팅 중인 제안서에만 의견을 남길 수 있습니다."), code="invalid_transition"
            )
        round_ = _current_round(current) or _open_round(current)
        rows = [
            ConsultingFeedback.objects.create(
                round=round_, expert=by, section=k, comment=v, is_sample=current.is_sample
            )
            for k, v in clean.items()
        ]
        body = "\n".join(f"· {valid[k]}: {v[:200]}" for k, v in clean.items())
        _notify(
            current,
            "consulting.feedback",
            f"컨설팅 의견 ({round_.number}차): {current.title}",
            body,
            _province_people(current) + _ministry_people(),
            by,
        )
    return rows


def revision_request(*, proposal, due_at: datetime | None, message: str, by) -> ConsultingRound:
    message = (message or "").strip()
    errors = {}
    if due_at is None:
        errors["due_at"] = [_("보완 제출 기한을 입력하세요.")]
    elif due_at <= timezone.now():
        errors["due_at"] = [_("보완 제출 기한은 지금 이후여야 합니다.")]
    if not message:
        errors["message"] = [_("보완 요청 내용을 입력하세요.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
    with transaction.atomic():
        current = _locked(proposal.pk, with_call=True)
        round_ = _current_round(current) or _open_round(current)
        round_.status = RoundStatus.REVISION_REQUESTED
        round_.revision_message = message
        round_.revision_due_at = due_at
        round_.requested_by = by
        round_.requested_at = timezone.now()
        current.revision_due_at = due_at
        _apply(current, "request_revision", by, note=f"{message}\n(기한 {format_kst(due_at)} KST)")
        round_.save()
    return round_
