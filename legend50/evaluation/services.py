"""Writes of the evaluation app: each checks permission, validates, runs atomically, keeps history.

Permission in one line each:
- ministry officers manage the expert pool, conflicts, assignment runs, fees and the panel chair;
- an expert maintains their own declarations, signs pledges, bids, declares conflicts and scores
  the proposals assigned to them (pledge signed, no conflict);
- the panel chair reopens submitted reviews (with a reason) and records consensus;
- the chair or a ministry officer finalizes the ranking.
"""

from __future__ import annotations

import logging
import re
import time
from decimal import Decimal, InvalidOperation

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.accounts.models import Membership
from legend50.core.actors import Role, actor_for
from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.engines.sme.rules import KSIC_DIVISIONS
from legend50.proposals.models import Proposal, ProposalStatus
from legend50.registry.models import Organization, Region

from . import access
from .affinity import DEFAULT_WEIGHTS, build_affinity
from .choices import SECTOR_ALIASES, BidLevel, ConflictSource, ReviewStatus, RunStatus, Sector
from .models import (
    PLEDGE_VERSION,
    Assignment,
    AssignmentRun,
    Bid,
    Conflict,
    Consensus,
    EvaluationPanel,
    ExpertProfile,
    Pledge,
    Review,
    SessionFee,
)

log = logging.getLogger(__name__)
User = get_user_model()

VALID_DIVISIONS = {f"{d:02d}" for divisions in KSIC_DIVISIONS.values() for d in divisions}
# Proposals that take part in evaluation (drafts and withdrawn ones do not).
EVALUABLE = [s for s in ProposalStatus.values if s not in (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)]
# Matrices up to this many cells are solved in the request; larger pools run as a background task.
INLINE_CELLS = 200_000


# --- helpers -------------------------------------------------------------------------------


def _require_ministry(by):
    if not actor_for(by).is_ministry:
        raise PermissionDeniedError(_("중기부 사업담당자만 할 수 있습니다."))


def _notify(**kwargs):
    try:
        from legend50.activity.services import notify
    except ImportError:  # the activity app is optional at this layer
        return
    try:
        notify(**kwargs)
    except Exception:  # noqa: BLE001 - a notification failure never undoes the evaluation step
        log.exception("evaluation notification failed")


def _ministry_officers():
    try:
        from legend50.activity.services import recipients_for

        return recipients_for(roles=[Role.MINISTRY_OFFICER])
    except ImportError:
        return []


def _with_reason(obj, reason: str):
    obj._change_reason = reason[:100]
    return obj


def parse_divisions(value, *, field: str) -> list[str]:
    """'29, 30 C26' -> ['26', '29', '30']; unknown divisions raise ValidationFailed naming the field."""
    items = value if isinstance(value, list | tuple) else re.split(r"[,\s;/]+", str(value or ""))
    out, bad = set(), []
    for item in items:
        text = str(item).strip().upper()
        if not text:
            continue
        digits = text.lstrip("ABCDEFGHIJKLMNOPQRSTU")
        if len(digits) == 1 and digits.isdigit():
            digits = "0" + digits
        if not (digits.isdigit() and digits[:2] in VALID_DIVISIONS):
            bad.append(str(item))
        else:
            out.add(digits[:2])
    if bad:
        raise ValidationFailed(
            _("KSIC 중분류가 올바르지 않습니다: %(codes)s") % {"codes": ", ".join(bad)},
            errors={
                field: [
                    _("알 수 없는 KSIC 중분류: %(codes)s (두 자리 숫자, 예: 29)") % {"codes": ", ".join(bad)}
                ]
            },
        )
    return sorted(out)


def parse_keywords(value) -> list[str]:
    items = value if isinstance(value, list | tuple) else re.split(r"[,;\n]+", str(value or ""))
    seen, out = set(), []
    for item in items:
        text = str(item).strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            out.append(text[:60])
    return out


def _sector(value) -> str | None:
    return SECTOR_ALIASES.get(str(value or "").strip())


# --- expert pool ---------------------------------------------------------------------------


def _clean_expert_fields(data: dict, *, row: str | None = None) -> tuple[dict, dict]:
    """Validate expert fields; returns (clean, errors) with errors keyed by field label."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}

    def err(field, message):
        errors.setdefault(f"{row} {field}" if row else field, []).append(message)

    name = str(data.get("name") or "").strip()
    if not name:
        err("name", _("성명을 입력하세요."))
    clean["name"] = name[:100]
    sector = _sector(data.get("sector"))
    if sector is None:
        err("sector", _("구분은 산·학·연·기타 중 하나여야 합니다."))
    clean["sector"] = sector
    region_value = data.get("region")
    region = None
    if isinstance(region_value, Region):
        region = region_value
    elif str(region_value or "").strip():
        region = Region.objects.resolve(region_value)
        if region is None:
            err("region", _("시·도 '%(value)s'을(를) 찾을 수 없습니다.") % {"value": region_value})
    clean["region"] = region
    try:
        clean["ksic_divisions"] = parse_divisions(data.get("ksic_divisions"), field="ksic_divisions")
    except ValidationFailed as exc:
        for messages in exc.errors.values():
            for message in messages:
                err("ksic_divisions", message)
    clean["keywords"] = parse_keywords(data.get("keywords"))
    load = data.get("max_load")
    load = 5 if load is None else load
    try:
        load = int(str(load).strip()) if str(load).strip() else 5
        if not 0 <= load <= 50:
            raise ValueError
    except (TypeError, ValueError):
        err("max_load", _("최대 평가 건수는 0~50 사이의 정수여야 합니다."))
        load = 0
    clean["max_load"] = load
    available = data.get("is_available", True)
    if isinstance(available, str):
        text = available.strip().upper()
        if text in ("", "Y", "YES", "예", "가능", "O", "TRUE", "1"):
            available = True
        elif text in ("N", "NO", "아니오", "불가", "X", "FALSE", "0"):
            available = False
        else:
            err("is_available", _("평가 가능 여부는 Y 또는 N으로 입력하세요."))
    clean["is_available"] = bool(available)
    clean["position"] = str(data.get("position") or "").strip()[:100]
    clean["availability_note"] = str(data.get("availability_note") or "").strip()[:300]
    return clean, errors


def _resolve_affiliation(value, *, create_missing: bool, sector: str | None):
    if isinstance(value, Organization):
        return value, False
    name = str(value or "").strip()
    if not name:
        return None, False
    org = Organization.objects.filter(name=name).order_by("pk").first()
    if org is None and create_missing:
        kind = "firm" if sector == Sector.INDUSTRY else "other"
        return Organization(name=name, kind=kind), True
    return org, False


def expert_create(*, by, username: str, email: str = "", affiliation, **fields) -> ExpertProfile:
    """Create an expert: a user account, an expert membership at the affiliation and the profile."""
    _require_ministry(by)
    clean, errors = _clean_expert_fields(fields)
    username = str(username or "").strip()
    if not re.fullmatch(r"[\w.@+-]{3,150}", username):
        errors.setdefault("username", []).append(_("아이디는 영문·숫자·.@+-_ 3자 이상이어야 합니다."))
    elif User.objects.filter(username=username).exists():
        errors.setdefault("username", []).append(_("이미 사용 중인 아이디입니다."))
    org, _new = _resolve_affiliation(affiliation, create_missing=False, sector=clean.get("sector"))
    if org is None:
        errors.setdefault("affiliation", []).append(_("소속기관을 기관 목록에서 선택하세요."))
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        user = User.objects.create(username=username, email=email or "", first_name=clean["name"])
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organization=org, role=Role.EXPERT)
        profile = ExpertProfile(user=user, affiliation=org, **clean)
        _with_reason(profile, "전문가 등록").save()
    return profile


def expert_update(*, by, expert: ExpertProfile, affiliation=None, **fields) -> ExpertProfile:
    _require_ministry(by)
    clean, errors = _clean_expert_fields(fields)
    if affiliation is not None:
        org, _new = _resolve_affiliation(affiliation, create_missing=False, sector=clean.get("sector"))
        if org is None:
            errors.setdefault("affiliation", []).append(_("소속기관을 기관 목록에서 선택하세요."))
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        for key, value in clean.items():
            setattr(expert, key, value)
        if affiliation is not None and org.pk != expert.affiliation_id:
            Membership.objects.filter(user=expert.user, role=Role.EXPERT).update(is_active=False)
            membership, _created = Membership.objects.get_or_create(
                user=expert.user, organization=org, role=Role.EXPERT
            )
            if not membership.is_active:
                membership.is_active = True
                membership.save(update_fields=["is_active"])
            expert.affiliation = org
        _with_reason(expert, "전문가 정보 수정").save()
    return expert


def expert_update_declarations(
    *, by, expert: ExpertProfile, declarations: str, ksic_divisions, keywords, is_available: bool,
    availability_note: str = "",
) -> ExpertProfile:  # fmt: skip
    """The expert keeps their own declarations, expertise and availability up to date."""
    if expert.user_id != by.pk and not actor_for(by).is_ministry:
        raise NotFoundError(_("평가위원 정보를 찾을 수 없습니다."))
    divisions = parse_divisions(ksic_divisions, field="ksic_divisions")
    with transaction.atomic():
        expert.declarations = str(declarations or "").strip()
        expert.ksic_divisions = divisions
        expert.keywords = parse_keywords(keywords)
        expert.is_available = bool(is_available)
        expert.availability_note = str(availability_note or "").strip()[:300]
        expert.declarations_updated_at = timezone.now()
        _with_reason(expert, "본인 신고 사항 갱신").save()
    return expert


IMPORT_COLUMNS = {
    "아이디": "username",
    "성명": "name",
    "이메일": "email",
    "소속기관": "affiliation",
    "직위": "position",
    "구분": "sector",
    "시·도": "region",
    "시도": "region",
    "KSIC 중분류": "ksic_divisions",
    "KSIC": "ksic_divisions",
    "키워드": "keywords",
    "최대 평가 건수": "max_load",
    "평가 가능": "is_available",
}
REQUIRED_COLUMNS = ("username", "name", "affiliation", "sector")


def experts_import_xlsx(*, by, file) -> dict:
    """Import experts from an XLSX sheet (header row, one expert per row). Every row is checked first
    and the error report names the row and the column; nothing is saved if any row fails. Existing
    experts (same 아이디) are updated; unknown affiliations are added to the organization list."""
    _require_ministry(by)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload gets the same answer
        raise ValidationFailed(
            _("XLSX 파일을 읽을 수 없습니다."), errors={"file": [_("엑셀(XLSX) 파일을 올려 주세요.")]}
        ) from None
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise ValidationFailed(_("빈 파일입니다."), errors={"file": [_("머리글 행이 없습니다.")]})
    header = [str(c or "").strip() for c in rows[0]]
    columns = {i: IMPORT_COLUMNS[h] for i, h in enumerate(header) if h in IMPORT_COLUMNS}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns.values()]
    if missing:
        labels = {v: k for k, v in reversed(IMPORT_COLUMNS.items())}
        raise ValidationFailed(
            _("필수 열이 없습니다."),
            errors={"file": [_("필수 열 없음: %(cols)s") % {"cols": ", ".join(labels[m] for m in missing)}]},
        )
    errors: dict[str, list[str]] = {}
    parsed = []
    seen_usernames: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        if raw is None or all(v in (None, "") for v in raw):
            continue
        data = {field: raw[i] if i < len(raw) else None for i, field in columns.items()}
        row = _("%(n)d행") % {"n": number}
        clean, row_errors = _clean_expert_fields(data, row=row)
        for key, messages in row_errors.items():
            errors.setdefault(key, []).extend(messages)
        username = str(data.get("username") or "").strip()
        if not re.fullmatch(r"[\w.@+-]{3,150}", username):
            errors.setdefault(f"{row} username", []).append(_("아이디가 비었거나 형식이 맞지 않습니다."))
        elif username in seen_usernames:
            errors.setdefault(f"{row} username", []).append(
                _("아이디 '%(u)s'이(가) %(n)d행과 중복됩니다.")
                % {"u": username, "n": seen_usernames[username]}
            )
        else:
            seen_usernames[username] = number
        existing_user = User.objects.filter(username=username).first() if username else None
        if existing_user is not None and not ExpertProfile.objects.filter(user=existing_user).exists():
            errors.setdefault(f"{row} username", []).append(
                _("아이디 '%(u)s'은(는) 평가위원이 아닌 다른 사용자가 쓰고 있습니다.") % {"u": username}
            )
        if not str(data.get("affiliation") or "").strip():
            errors.setdefault(f"{row} affiliation", []).append(_("소속기관을 입력하세요."))
        parsed.append(
            (number, username, str(data.get("email") or "").strip(), data.get("affiliation"), clean)
        )
    if not parsed and not errors:
        raise ValidationFailed(_("가져올 행이 없습니다."), errors={"file": [_("데이터 행이 없습니다.")]})
    if errors:
        raise ValidationFailed(
            _("%(n)d개 항목에 오류가 있어 아무것도 저장하지 않았습니다.")
            % {"n": sum(len(v) for v in errors.values())},
            errors=errors,
        )
    created = updated = new_orgs = 0
    with transaction.atomic():
        for _number, username, email, affiliation, clean in parsed:
            org, is_new = _resolve_affiliation(affiliation, create_missing=True, sector=clean["sector"])
            if is_new:
                org.save()
                new_orgs += 1
            profile = ExpertProfile.objects.filter(user__username=username).first()
            if profile is None:
                user = User.objects.create(username=username, email=email, first_name=clean["name"])
                user.set_unusable_password()
                user.save(update_fields=["password"])
                profile = ExpertProfile(user=user, affiliation=org, **clean)
                created += 1
            else:
                for key, value in clean.items():
                    setattr(profile, key, value)
                profile.affiliation = org
                updated += 1
            Membership.objects.get_or_create(user=profile.user, organization=org, role=Role.EXPERT)
            _with_reason(profile, "엑셀 일괄 등록").save()
    return {"created": created, "updated": updated, "new_organizations": new_orgs}


# --- pledge, fees, bids ----------------------------------------------------------------------


def _expert_of(by) -> ExpertProfile:
    profile = access.expert_profile_for(by)
    if profile is None or not actor_for(by).has_role(Role.EXPERT):
        raise PermissionDeniedError(_("평가위원으로 등록된 사용자만 할 수 있습니다."))
    return profile


def pledge_sign(*, by, call, signed_name: str, agreed: bool, ip_address: str | None = None) -> Pledge:
    """Sign the call's confidentiality and impartiality pledge (before any proposal is shown)."""
    expert = _expert_of(by)
    errors = {}
    if not agreed:
        errors["agreed"] = [_("서약 내용에 동의해야 평가를 시작할 수 있습니다.")]
    if str(signed_name or "").strip() != expert.name:
        errors["signed_name"] = [
            _("서명란에 본인 성명(%(name)s)을 정확히 입력하세요.") % {"name": expert.name}
        ]
    if errors:
        raise ValidationFailed(_("서약서를 확인하세요."), errors=errors)
    with transaction.atomic():
        existing = Pledge.objects.filter(expert=expert, call=call).first()
        if existing is not None:
            return existing
        pledge = Pledge(
            expert=expert,
            call=call,
            signed_at=timezone.now(),
            text_version=PLEDGE_VERSION,
            signed_name=expert.name,
            ip_address=ip_address or None,
        )
        _with_reason(pledge, "서약 서명").save()
    return pledge


def fee_record(*, by, expert, call, session_date, session_name: str, amount_krw) -> SessionFee:
    _require_ministry(by)
    errors = {}
    try:
        amount = int(str(amount_krw).replace(",", "").strip())
        if amount < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["amount_krw"] = [_("평가 수당은 0 이상의 정수(원)로 입력하세요.")]
        amount = 0
    if not str(session_name or "").strip():
        errors["session_name"] = [_("평가 회의명을 입력하세요.")]
    if session_date is None:
        errors["session_date"] = [_("평가 일자를 입력하세요.")]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        fee, created = SessionFee.objects.get_or_create(
            expert=expert,
            call=call,
            session_date=session_date,
            session_name=session_name.strip(),
            defaults={"amount_krw": amount, "recorded_by": by},
        )
        if not created:
            raise ConflictError(_("같은 날짜·회의의 수당이 이미 기록되어 있습니다."), field="session_name")
    return fee


def fee_mark_paid(*, by, fee: SessionFee, paid_on) -> SessionFee:
    _require_ministry(by)
    fee.paid_on = paid_on
    _with_reason(fee, "수당 지급").save()
    return fee


def bid_set(*, by, proposal, level: int) -> Bid:
    expert = _expert_of(by)
    if int(level) not in BidLevel.values:
        raise ValidationFailed(_("희망 정도를 선택하세요."), errors={"level": [_("알 수 없는 값입니다.")]})
    if not Pledge.objects.filter(expert=expert, call_id=proposal.call_id).exists():
        raise ConflictError(_("먼저 해당 공모의 보안·공정성 서약에 서명하세요."))
    if AssignmentRun.objects.filter(call_id=proposal.call_id, applied_at__isnull=False).exists():
        raise ConflictError(_("배정이 이미 확정되어 평가 희망을 바꿀 수 없습니다."))
    with transaction.atomic():
        bid, _created = Bid.objects.update_or_create(
            expert=expert, proposal=proposal, defaults={"level": int(level)}
        )
    return bid


# --- conflicts -----------------------------------------------------------------------------


def conflict_declare(*, by, proposal, reason: str) -> Conflict:
    """An expert declares a conflict with a proposal they can see; access ends at once."""
    expert = _expert_of(by)
    if not Proposal.objects.visible_to(by, access.EVALUATE).filter(pk=proposal.pk).exists():
        raise NotFoundError(_("제안 과제를 찾을 수 없습니다."))
    reason = str(reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed(
            _("사유를 입력하세요."), errors={"reason": [_("이해충돌 사유를 5자 이상 적어 주세요.")]}
        )
    with transaction.atomic():
        conflict, _created = Conflict.objects.update_or_create(
            expert=expert,
            proposal=proposal,
            source=ConflictSource.DECLARED,
            defaults={"reason": reason, "is_active": True, "created_by": by},
        )
        _notify(
            kind="evaluation.conflict_declared",
            recipients=_ministry_officers(),
            subject=_("평가위원 이해충돌 신고: %(name)s") % {"name": expert.name},
            body=reason,
            related=conflict,
        )
    return conflict


def conflict_add(*, by, expert, proposal, reason: str) -> Conflict:
    _require_ministry(by)
    reason = str(reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed(
            _("사유를 입력하세요."), errors={"reason": [_("이해충돌 사유를 5자 이상 적어 주세요.")]}
        )
    with transaction.atomic():
        conflict, _created = Conflict.objects.update_or_create(
            expert=expert,
            proposal=proposal,
            source=ConflictSource.OFFICER,
            defaults={"reason": reason, "is_active": True, "created_by": by},
        )
    return conflict


def conflict_withdraw(*, by, conflict: Conflict, reason: str) -> Conflict:
    _require_ministry(by)
    if conflict.source in (ConflictSource.AUTO_ORGANIZATION, ConflictSource.AUTO_REGION):
        raise ConflictError(_("자동 판정된 이해충돌은 해제할 수 없습니다."))
    if not str(reason or "").strip():
        raise ValidationFailed(_("사유를 입력하세요."), errors={"reason": [_("해제 사유를 입력하세요.")]})
    conflict.is_active = False
    _with_reason(conflict, f"해제: {reason}").save()
    return conflict


# --- assignment ----------------------------------------------------------------------------


def _parameters(call, raw: dict | None) -> dict:
    raw = raw or {}
    errors = {}
    params = {
        "reviewers_per_proposal": call.reviewers_per_proposal,
        "max_load_cap": None,
        "use_bids": True,
        "one_per_organization": True,
        "min_per_sector": {},
        "weights": dict(DEFAULT_WEIGHTS),
    }
    try:
        value = int(raw.get("reviewers_per_proposal", params["reviewers_per_proposal"]))
        if not 1 <= value <= 20:
            raise ValueError
        params["reviewers_per_proposal"] = value
    except (TypeError, ValueError):
        errors["reviewers_per_proposal"] = [_("과제당 평가위원 수는 1~20 사이의 정수여야 합니다.")]
    cap = raw.get("max_load_cap")
    if cap not in (None, ""):
        try:
            cap = int(cap)
            if not 1 <= cap <= 100:
                raise ValueError
            params["max_load_cap"] = cap
        except (TypeError, ValueError):
            errors["max_load_cap"] = [_("1인당 최대 배정 수는 1~100 사이의 정수여야 합니다.")]
    for key in ("use_bids", "one_per_organization"):
        if key in raw:
            params[key] = bool(raw[key])
    sectors = raw.get("min_per_sector") or {}
    clean_sectors = {}
    for sector, minimum in dict(sectors).items():
        if sector not in Sector.values:
            errors["min_per_sector"] = [_("알 수 없는 구분: %(s)s") % {"s": sector}]
            continue
        try:
            minimum = int(minimum or 0)
            if minimum < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors["min_per_sector"] = [_("구분별 최소 인원은 0 이상의 정수여야 합니다.")]
            continue
        if minimum:
            clean_sectors[sector] = minimum
    if sum(clean_sectors.values()) > params["reviewers_per_proposal"]:
        errors["min_per_sector"] = [_("구분별 최소 인원의 합이 과제당 평가위원 수보다 큽니다.")]
    params["min_per_sector"] = clean_sectors
    for key in DEFAULT_WEIGHTS:
        if f"weight_{key}" in raw and raw[f"weight_{key}"] not in (None, ""):
            try:
                params["weights"][key] = float(raw[f"weight_{key}"])
            except (TypeError, ValueError):
                errors[f"weight_{key}"] = [_("가중치는 숫자로 입력하세요.")]
    if errors:
        raise ValidationFailed(_("배정 조건을 확인하세요."), errors=errors)
    return params


def _ensure_panel(call) -> EvaluationPanel:
    panel, _created = EvaluationPanel.objects.get_or_create(
        call=call, defaults={"name": f"{call.title} 평가위원회", "is_sample": call.is_sample}
    )
    return panel


def assignment_run_start(*, by, call, parameters: dict | None = None) -> AssignmentRun:
    """Build the instance (experts, proposals, affinity, conflicts), store it, and solve it — in the
    request for small pools, as a background task with progress for large ones."""
    _require_ministry(by)
    params = _parameters(call, parameters)
    proposals = list(
        Proposal.objects.filter(call=call, status__in=EVALUABLE)
        .select_related("lead_region")
        .prefetch_related("participating_firms__firm")
        .order_by("pk")
    )
    if not proposals:
        raise ConflictError(_("배정할 제안 과제가 없습니다(제출된 과제 없음)."))
    experts = list(
        ExpertProfile.objects.filter(is_available=True, max_load__gt=0)
        .select_related("region")
        .order_by("pk")
    )
    if not experts:
        raise ConflictError(_("평가 가능한 평가위원이 없습니다."))
    with transaction.atomic():
        _ensure_panel(call)
        run = AssignmentRun.objects.create(
            call=call,
            parameters=params,
            started_by=by,
            is_sample=call.is_sample,
            message=_("입력 구성 중"),
        )
        run.inputs = _build_inputs(call, proposals, experts, params)
        run.progress = 30
        run.message = _("입력 구성 완료, 최적화 대기")
        run.save(update_fields=["inputs", "progress", "message"])
    n_cells = len(proposals) * len(experts)
    if n_cells <= INLINE_CELLS:
        assignment_run_execute(run.pk)
        run.refresh_from_db()
    else:
        from .tasks import run_assignment

        transaction.on_commit(lambda: run_assignment.enqueue(run.pk))
    return run


def _build_inputs(call, proposals, experts, params) -> dict:
    bids = {}
    if params["use_bids"]:
        bids = {
            (b.expert_id, b.proposal_id): b.level
            for b in Bid.objects.filter(proposal__call=call, expert__in=experts)
        }
    matrix = build_affinity(proposals, experts, bids=bids, weights=params["weights"])
    auto = access.automatic_conflicts(call, experts, proposals)
    stored = Conflict.objects.filter(proposal__in=proposals, expert__in=experts, is_active=True)
    conflicts = {(e, p): (source, reason) for (e, p), (source, reason) in auto.items()}
    for c in stored:
        conflicts.setdefault((c.expert_id, c.proposal_id), (c.source, c.reason))
    p_pos = {p.pk: i for i, p in enumerate(proposals)}
    e_pos = {e.pk: j for j, e in enumerate(experts)}
    loads = [
        min(e.max_load, params["max_load_cap"]) if params["max_load_cap"] else e.max_load for e in experts
    ]
    return {
        "proposal_ids": [p.pk for p in proposals],
        "expert_ids": [e.pk for e in experts],
        "affinity": matrix.affinity.tolist(),
        "ksic": np.round(matrix.ksic, 4).tolist(),
        "keyword_hits": matrix.keyword_hits.tolist(),
        "bids": [[p_pos[p], e_pos[e], lvl] for (e, p), lvl in bids.items() if lvl],
        "conflicts": sorted(
            [p_pos[p], e_pos[e], source, reason] for (e, p), (source, reason) in conflicts.items()
        ),
        "quota": params["reviewers_per_proposal"],
        "loads": loads,
        "groups": [e.affiliation_id for e in experts],
        "sectors": [e.sector for e in experts],
    }


def problem_from_inputs(inputs: dict, params: dict):
    """The engine's AssignmentProblem for a stored run (also used to reproduce a run)."""
    from legend50.engines.assignment import AssignmentProblem

    affinity = np.asarray(inputs["affinity"], dtype=np.float64).reshape(
        len(inputs["proposal_ids"]), len(inputs["expert_ids"])
    )
    conflicts = np.zeros(affinity.shape, dtype=bool)
    for i, j, *_rest in inputs["conflicts"]:
        conflicts[i, j] = True
    kwargs = {}
    if params.get("one_per_organization"):
        kwargs["expert_group"] = np.asarray(inputs["groups"], dtype=np.int64)
    if params.get("min_per_sector"):
        sector_codes = {s: k for k, s in enumerate(Sector.values)}
        kwargs["expert_sector"] = np.asarray([sector_codes[s] for s in inputs["sectors"]], dtype=np.int64)
        kwargs["min_per_sector"] = {sector_codes[s]: int(m) for s, m in params["min_per_sector"].items()}
    return AssignmentProblem(
        affinity=affinity,
        reviewers_per_proposal=int(inputs["quota"]),
        max_load=np.asarray(inputs["loads"], dtype=np.int64),
        conflicts=conflicts,
        **kwargs,
    )


def assignment_run_execute(run_id: int) -> AssignmentRun:
    """Solve a stored run (the task body). Never raises for an infeasible pool: shortfalls are stored."""
    from legend50.engines.assignment import solve_assignment

    run = AssignmentRun.objects.get(pk=run_id)
    AssignmentRun.objects.filter(pk=run_id).update(
        status=RunStatus.RUNNING, progress=50, message=_("최적화 계산 중")
    )
    started = time.monotonic()
    try:
        problem = problem_from_inputs(run.inputs, run.parameters)
        result = solve_assignment(problem)
    except Exception as exc:  # noqa: BLE001 - stored on the run and shown on the page
        log.exception("assignment run %s failed", run_id)
        AssignmentRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, progress=100, message=f"{type(exc).__name__}: {exc}"[:300]
        )
        run.refresh_from_db()
        return run
    inputs = run.inputs
    p_ids, e_ids = inputs["proposal_ids"], inputs["expert_ids"]
    pairs = [[int(i), int(j)] for i, j in result.pairs.tolist()]
    run.result = {
        "pairs": pairs,
        "pair_ids": [[p_ids[i], e_ids[j]] for i, j in pairs],
        "objective": float(result.objective),
        "optimal": bool(result.optimal),
        "n_pairs": len(pairs),
        "wanted": int(np.asarray(problem.quotas).sum()),
        "shortfall": {str(p_ids[int(i)]): reason for i, reason in result.shortfall.items()},
        "loads": [int(x) for x in np.asarray(result.loads).tolist()],
        "solver": result.solver,
        "solver_time_s": round(float(result.wall_time_s), 4),
        "objective_gap_bound": float(result.objective_gap_bound),
        "wall_time_s": round(time.monotonic() - started, 4),
    }
    run.status = RunStatus.DONE
    run.progress = 100
    n_short = len(result.shortfall)
    run.message = (
        _("완료: %(n)d건 배정, 정원 미달 과제 %(s)d건") % {"n": len(pairs), "s": n_short}
        if n_short
        else _("완료: %(n)d건 배정, 모든 과제 정원 충족") % {"n": len(pairs)}
    )
    run.save(update_fields=["result", "status", "progress", "message"])
    return run


def assignment_reproduce(run: AssignmentRun) -> bool:
    """Solve the stored inputs again; True when the same objective and pairs come out."""
    from legend50.engines.assignment import solve_assignment

    if run.status != RunStatus.DONE:
        return False
    result = solve_assignment(problem_from_inputs(run.inputs, run.parameters))
    same_objective = abs(float(result.objective) - run.result["objective"]) <= 1e-6
    return same_objective and sorted(map(list, result.pairs.tolist())) == sorted(run.result["pairs"])


def assignment_run_apply(*, by, run: AssignmentRun) -> int:
    """Make a finished run the call's assignment. Refused once any review has been saved."""
    _require_ministry(by)
    if run.status != RunStatus.DONE:
        raise ConflictError(_("완료된 배정 실행만 적용할 수 있습니다."))
    with transaction.atomic():
        if Review.objects.filter(assignment__proposal__call=run.call).exists():
            raise ConflictError(
                _("이미 채점이 시작되어 배정 전체를 다시 적용할 수 없습니다. 개별 배정 조정을 이용하세요.")
            )
        new_pairs = {(p, e) for p, e in run.result["pair_ids"]}
        affinity = run.inputs["affinity"]
        p_pos = {p: i for i, p in enumerate(run.inputs["proposal_ids"])}
        e_pos = {e: j for j, e in enumerate(run.inputs["expert_ids"])}
        for assignment in Assignment.objects.filter(proposal__call=run.call, is_active=True):
            if (assignment.proposal_id, assignment.expert_id) not in new_pairs:
                assignment.is_active = False
                _with_reason(assignment, f"배정 실행 #{run.pk} 적용으로 해제").save()
        for p, e in sorted(new_pairs):
            obj, _created = Assignment.objects.update_or_create(
                expert_id=e,
                proposal_id=p,
                defaults={
                    "run": run,
                    "affinity": affinity[p_pos[p]][e_pos[e]],
                    "is_active": True,
                    "is_sample": run.is_sample,
                },
            )
        run.applied_at = timezone.now()
        _with_reason(run, "배정 적용").save()
        experts = ExpertProfile.objects.filter(pk__in={e for _p, e in new_pairs}).select_related("user")
        _notify(
            kind="evaluation.assigned",
            recipients=[x.user for x in experts],
            subject=_("[%(call)s] 평가 과제가 배정되었습니다") % {"call": run.call.title},
            body=_("서약서에 서명한 뒤 배정된 과제를 평가해 주세요."),
            url=f"/evaluation/calls/{run.call.code}/pledge/",
        )
    return len(new_pairs)


def assignment_add(*, by, proposal, expert, note: str = "") -> Assignment:
    """Manual adjustment: add one expert to one proposal (never a conflicted pair)."""
    _require_ministry(by)
    if access.is_conflicted(expert, proposal):
        raise ConflictError(_("이해충돌이 있는 평가위원은 배정할 수 없습니다."), field="expert")
    with transaction.atomic():
        assignment, created = Assignment.objects.get_or_create(
            expert=expert,
            proposal=proposal,
            defaults={"note": note or "수동 배정", "is_sample": proposal.is_sample},
        )
        if not created and not assignment.is_active:
            assignment.is_active = True
            assignment.note = note or "수동 재배정"
            _with_reason(assignment, "수동 재배정").save()
    return assignment


def assignment_remove(*, by, assignment: Assignment, reason: str) -> Assignment:
    _require_ministry(by)
    if not str(reason or "").strip():
        raise ValidationFailed(
            _("사유를 입력하세요."), errors={"reason": [_("배정 해제 사유를 입력하세요.")]}
        )
    if Review.objects.filter(assignment=assignment, status=ReviewStatus.SUBMITTED).exists():
        raise ConflictError(_("제출된 평가표가 있는 배정은 해제할 수 없습니다."))
    assignment.is_active = False
    _with_reason(assignment, f"해제: {reason}").save()
    return assignment


# --- scoring -------------------------------------------------------------------------------


# "Not read yet": panel_settings reads the panel itself. Pass the panel (or None for "the call has
# none") when it was loaded in this request already, e.g. with select_related.
PANEL_UNREAD = object()


def panel_settings(call, *, panel=PANEL_UNREAD) -> dict:
    """The aggregation settings in force: the snapshot fixed when scoring opened, else the call's."""
    if panel is PANEL_UNREAD:
        panel = EvaluationPanel.objects.filter(call=call).first()
    if panel is not None and panel.settings_fixed_at:
        return panel.settings_snapshot
    return _live_settings(call)


def panel_settings_and_descriptions(call, *, panel=PANEL_UNREAD) -> tuple[dict, dict[str, str]]:
    """`panel_settings(call)` and each live criterion's description by key, reading the criteria once."""
    if panel is PANEL_UNREAD:
        panel = EvaluationPanel.objects.filter(call=call).first()
    rows = list(call.criteria.order_by("order", "key"))
    descriptions = {c.key: c.description for c in rows}
    if panel is not None and panel.settings_fixed_at:
        return panel.settings_snapshot, descriptions
    return _live_settings(call, rows=rows), descriptions


def _live_settings(call, *, rows=None) -> dict:
    if rows is None:
        rows = call.criteria.order_by("order", "key")
    return {
        "method": call.aggregation_method,
        "calibrate": call.calibrate_scores,
        "tie_break": list(call.tie_break or []),
        "overall_threshold": float(call.overall_threshold) if call.overall_threshold is not None else None,
        "blind": call.blind_review,
        "criteria": [
            {
                "key": c.key,
                "label": c.label,
                "max_score": float(c.max_score),
                "weight": float(c.weight),
                "threshold": float(c.threshold) if c.threshold is not None else None,
            }
            for c in rows
        ],
    }


def _fix_settings(call, panel=None):
    if panel is not None and panel.settings_fixed_at is not None:
        return panel
    panel = _ensure_panel(call)
    if panel.settings_fixed_at is None:
        panel.settings_snapshot = _live_settings(call)
        panel.settings_fixed_at = timezone.now()
        _with_reason(panel, "채점 개시: 집계 설정 고정").save()
    return panel


def _assignment_for(by, proposal_id, *, select_related=()) -> Assignment:
    """The caller's active assignment on a proposal they may evaluate now (pledge, no conflict)."""
    assignment = access.evaluable_assignment(by, proposal_id, select_related=select_related)
    if assignment is None:
        raise NotFoundError(_("제안 과제를 찾을 수 없습니다."))
    return assignment


def review_save(
    *,
    by,
    proposal=None,
    proposal_id: int | None = None,
    scores: dict,
    criterion_comments: dict | None = None,
    comment: str = "",
    submit: bool = False,
) -> Review:
    """Save a draft or submit. Each criterion: a number within its range in half points; on submit
    every criterion and the overall comment are required; a submitted review is locked.
    The proposal is given as `proposal` or, when the caller has not read it, `proposal_id`."""
    assignment = _assignment_for(
        by,
        proposal.pk if proposal is not None else proposal_id,
        select_related=("proposal__call__evaluation_panel",),
    )
    call = assignment.proposal.call
    panel = getattr(call, "evaluation_panel", None)  # read with the assignment, in this request
    if panel is not None and panel.finalized_at:
        raise ConflictError(_("순위가 확정되어 평가표를 수정할 수 없습니다."))
    settings_now = panel_settings(call, panel=panel)
    criteria = settings_now["criteria"]
    if not criteria:
        raise ConflictError(_("이 공모에는 평가항목이 없습니다. 담당자에게 문의하세요."))
    errors: dict[str, list[str]] = {}
    clean: dict[str, float] = {}
    for c in criteria:
        raw = str((scores or {}).get(c["key"], "") or "").strip()
        label = c["label"] or c["key"]
        if raw == "":
            if submit:
                errors.setdefault(c["key"], []).append(_("%(label)s: 점수를 입력하세요.") % {"label": label})
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            errors.setdefault(c["key"], []).append(_("%(label)s: 숫자로 입력하세요.") % {"label": label})
            continue
        if not value.is_finite() or value < 0 or value > Decimal(str(c["max_score"])):
            errors.setdefault(c["key"], []).append(
                _("%(label)s: 0~%(max)s점 사이로 입력하세요.")
                % {"label": label, "max": f"{c['max_score']:g}"}
            )
            continue
        if (value * 2) != (value * 2).to_integral_value():
            errors.setdefault(c["key"], []).append(
                _("%(label)s: 0.5점 단위로 입력하세요.") % {"label": label}
            )
            continue
        clean[c["key"]] = float(value)
    comment = str(comment or "").strip()
    if submit and len(comment) < 10:
        errors.setdefault("comment", []).append(_("종합 의견을 10자 이상 입력하세요."))
    if errors:
        raise ValidationFailed(_("평가표를 확인하세요."), errors=errors)
    comments = {
        c["key"]: str((criterion_comments or {}).get(c["key"], "") or "").strip()[:2000] for c in criteria
    }
    with transaction.atomic():
        # Ordered by pk, not the model's ordering, so only the review row is locked (no joins).
        review = Review.objects.select_for_update().filter(assignment=assignment).order_by("pk").first()
        if review is not None and review.is_locked:
            raise ConflictError(_("제출된 평가표는 수정할 수 없습니다. 위원장에게 재개를 요청하세요."))
        _fix_settings(call, panel)
        if review is None:
            review = Review(assignment=assignment, is_sample=assignment.is_sample)
        review.scores = clean
        review.criterion_comments = {k: v for k, v in comments.items() if v}
        review.comment = comment
        review.total = Decimal(str(sum(clean.values()))) if clean else None
        if submit:
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = timezone.now()
        _with_reason(review, "제출" if submit else "임시 저장").save()
    return review


def review_reopen(*, by, review: Review, reason: str) -> Review:
    """Only the panel chair reopens a submitted review, with a reason kept in the history."""
    call = review.assignment.proposal.call
    if not access.is_chair(by, call):
        raise PermissionDeniedError(_("평가위원장만 제출된 평가표를 재개할 수 있습니다."))
    chair = access.expert_profile_for(by)
    if access.is_conflicted(chair, review.assignment.proposal):
        raise ConflictError(_("이해충돌이 있는 과제의 평가표는 재개할 수 없습니다."))
    reason = str(reason or "").strip()
    if len(reason) < 5:
        raise ValidationFailed(
            _("재개 사유를 입력하세요."), errors={"reason": [_("재개 사유를 5자 이상 입력하세요.")]}
        )
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        panel = EvaluationPanel.objects.get(call=call)
        if panel.finalized_at:
            raise ConflictError(_("순위가 확정되어 평가표를 재개할 수 없습니다."))
        if not review.is_locked:
            raise ConflictError(_("제출되지 않은 평가표입니다."))
        review.status = ReviewStatus.DRAFT
        review.reopen_count += 1
        review.last_reopen_reason = reason
        _with_reason(review, f"재개: {reason}").save()
        _notify(
            kind="evaluation.review_reopened",
            recipients=[review.assignment.expert.user],
            subject=_("평가표가 재개되었습니다"),
            body=reason,
            url=f"/evaluation/proposals/{review.assignment.proposal_id}/review/",
            related=review,
        )
    return review


def consensus_record(
    *, by, proposal, score, comment: str, majority_view: str = "", minority_view: str = ""
) -> Consensus:
    """The chair records the panel's consensus score (replacing the computed score)."""
    call = proposal.call
    if not access.is_chair(by, call):
        raise PermissionDeniedError(_("평가위원장만 합의 점수를 기록할 수 있습니다."))
    if access.is_conflicted(access.expert_profile_for(by), proposal):
        raise ConflictError(_("이해충돌이 있는 과제의 합의 점수는 기록할 수 없습니다."))
    settings_now = panel_settings(call)
    scale = sum(c["max_score"] for c in settings_now["criteria"]) or 100
    errors = {}
    try:
        value = Decimal(str(score).strip())
        if not value.is_finite() or value < 0 or value > Decimal(str(scale)):
            raise InvalidOperation
        value = value.quantize(Decimal("0.01"))
    except InvalidOperation:
        errors["score"] = [_("합의 점수는 0~%(max)s 사이의 숫자로 입력하세요.") % {"max": f"{scale:g}"}]
    if len(str(comment or "").strip()) < 5:
        errors["comment"] = [_("합의 의견을 5자 이상 입력하세요.")]
    if errors:
        raise ValidationFailed(_("합의 내용을 확인하세요."), errors=errors)
    with transaction.atomic():
        panel = _ensure_panel(call)
        if panel.finalized_at:
            raise ConflictError(_("순위가 확정되어 합의 점수를 바꿀 수 없습니다."))
        if not Review.objects.filter(assignment__proposal=proposal, status=ReviewStatus.SUBMITTED).exists():
            raise ConflictError(_("제출된 평가표가 없는 과제입니다."))
        consensus = Consensus.objects.filter(proposal=proposal).first() or Consensus(
            proposal=proposal, is_sample=proposal.is_sample
        )
        consensus.score = value
        consensus.comment = comment.strip()
        consensus.majority_view = str(majority_view or "").strip()
        consensus.minority_view = str(minority_view or "").strip()
        consensus.recorded_by = by
        _with_reason(consensus, "합의 점수 기록").save()
    return consensus


def panel_set_chair(*, by, call, expert: ExpertProfile | None) -> EvaluationPanel:
    _require_ministry(by)
    with transaction.atomic():
        panel = _ensure_panel(call)
        panel.chair = expert
        _with_reason(panel, "위원장 지정").save()
    return panel


def panel_finalize(*, by, call) -> EvaluationPanel:
    """Freeze the ranking: every active assignment must have a submitted review. Writes each
    proposal's final_score, passes_thresholds and rank (read by selection)."""
    from .selectors import call_results

    if not (actor_for(by).is_ministry or access.is_chair(by, call)):
        raise PermissionDeniedError(_("평가위원장 또는 중기부 사업담당자만 순위를 확정할 수 있습니다."))
    with transaction.atomic():
        panel = _ensure_panel(call)
        panel = EvaluationPanel.objects.select_for_update().get(pk=panel.pk)
        if panel.finalized_at:
            raise ConflictError(_("이미 순위가 확정되었습니다."))
        results = call_results(call)
        if results is None or not results.rows:
            raise ConflictError(_("제출된 평가표가 없어 순위를 확정할 수 없습니다."))
        if results.pending_reviews:
            raise ConflictError(
                _("제출되지 않은 평가표가 %(n)d건 있습니다. 모두 제출된 뒤 확정하세요.")
                % {"n": results.pending_reviews}
            )
        if results.unreviewed:
            raise ConflictError(
                _("평가표가 하나도 없는 과제가 %(n)d건 있습니다.") % {"n": len(results.unreviewed)}
            )
        for row in results.rows:
            proposal = row["proposal_obj"]
            proposal.final_score = Decimal(str(round(row["final"], 3)))
            proposal.passes_thresholds = row["passes_thresholds"]
            proposal.rank = row["rank"]
            proposal._change_reason = "평가 순위 확정"
            proposal.save(update_fields=["final_score", "passes_thresholds", "rank", "updated_at"])
        panel.finalized_at = timezone.now()
        panel.finalized_by = by
        panel.final_result = results.snapshot()
        _with_reason(panel, "순위 확정").save()
    return panel
