"""Funding writes: projects and agreements, allocations, disbursements, spending reports, plan
changes, year-end settlements, KPI actuals and annual reviews. Integer won throughout.

Over-disbursement is refused three ways: the service checks under a row lock (select_for_update on
PostgreSQL), the running total moves with a conditional UPDATE that matches no row when the money is
not there (safe on SQLite, which serialises writers), and a check constraint backs both.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core import uploads
from legend50.core.actors import Role, actor_for
from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import KST, format_krw
from legend50.programs.models import FundingSource

from .models import (
    PROVINCE_ROLES,
    Agreement,
    AgreementStatus,
    Allocation,
    AnnualReview,
    ChangeStatus,
    Disbursement,
    KpiActual,
    PlanChange,
    Project,
    ProjectStatus,
    ReportStatus,
    ReviewDecision,
    Settlement,
    SettlementStatus,
    SpendingEvidence,
    SpendingReport,
)

SOURCE_LABELS = dict(FundingSource.choices)
EVIDENCE_KINDS = ("pdf", "hwp", "hwpx", "xlsx", "xls", "docx", "jpg", "jpeg", "png", "zip", "csv")
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def _today() -> date:
    return timezone.now().astimezone(KST).date()


def _require_ministry(by):
    actor = actor_for(by)
    if not actor.is_ministry:
        raise PermissionDeniedError(_("중기부 담당자만 할 수 있습니다."))
    return actor


def _require_project_actor(project, by):
    """Ministry staff, or officers of the project's own province."""
    actor = actor_for(by)
    if actor.is_ministry:
        return actor
    if actor.has_role(*PROVINCE_ROLES) and project.lead_region.code in actor.region_codes:
        return actor
    if Project.objects.visible_to(by, "view").filter(pk=project.pk).exists():
        raise PermissionDeniedError(_("이 과제의 담당 시·도만 할 수 있습니다."))
    raise NotFoundError(_("과제를 찾을 수 없습니다."))


def _notify(*, kind, roles, region_code=None, subject, url="", related=None):
    from legend50.selection.services import notify_safely

    notify_safely(kind=kind, roles=roles, region_code=region_code, subject=subject, url=url, related=related)


def _source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


def parse_won(raw, label: str, errors: dict, key: str, *, allow_blank=False) -> int | None:
    """Integer won from a form: digits with optional commas and a trailing 원; never a float."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw or "").strip().replace(",", "").replace(" ", "")
        if text.endswith("원"):
            text = text[:-1]
        if text == "" and allow_blank:
            return None
        if not text.isdigit():
            errors.setdefault(key, []).append(f"{label}: " + _("원 단위 0 이상의 정수로 입력하세요."))
            return None
        value = int(text)
    if value < 0:
        errors.setdefault(key, []).append(f"{label}: " + _("0 이상이어야 합니다."))
        return None
    return value


# --------------------------------------------------------------------------------------------------
# Projects and agreements


def local_share_errors(call, amounts: dict[tuple[int, str], int]) -> dict[str, list[str]]:
    """Per year: 지방비 / (국비 + 지방비) must reach the call's minimum (call.min_local_share_bp)."""
    by_year: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (year, source), amount in amounts.items():
        by_year[year][source] += amount
    errors: dict[str, list[str]] = {}
    minimum = call.min_local_share_bp
    for year in sorted(by_year):
        national, local = by_year[year][FundingSource.NATIONAL], by_year[year][FundingSource.LOCAL]
        if national + local == 0:
            continue
        # Integer comparison in basis points: local * 10000 >= minimum * (national + local).
        if local * 10_000 < minimum * (national + local):
            share = local * 1000 // (national + local) / 10
            errors[f"{year}"] = [
                _(
                    "%(year)s년 지방비 매칭 비율 %(share)s%%가 공모 최소 기준 %(min)s%%보다 낮습니다 "
                    "(국비 %(national)s, 지방비 %(local)s)."
                )
                % {
                    "year": year,
                    "share": f"{share:.1f}",
                    "min": f"{minimum / 100:.1f}",
                    "national": format_krw(national),
                    "local": format_krw(local),
                }
            ]
    return errors


def projects_from_decision(*, decision, by) -> list[Project]:
    """Each selected proposal of an approved decision becomes a project with a draft agreement and
    allocations equal to its request (adjusted later, with a reason, before signing)."""
    from legend50.selection.candidates import requested_costs
    from legend50.selection.models import Outcome

    call = decision.call
    projects = []
    items = (
        decision.items.filter(outcome=Outcome.SELECTED)
        .select_related("proposal__lead_region")
        .order_by("proposal__lead_region__code", "proposal__pk")
    )
    for item in items:
        proposal = item.proposal
        project, _created = Project.objects.update_or_create(
            proposal=proposal,
            defaults={
                "title": proposal.title,
                "lead_region": proposal.lead_region,
                "start_year": call.start_year,
                "end_year": call.end_year,
                "decision": decision,
                "is_published": True,
                "is_sample": proposal.is_sample,
            },
        )
        Agreement.objects.get_or_create(
            project=project,
            defaults={
                "number": f"L50-{call.start_year}-{proposal.lead_region.code}-{project.pk:04d}",
                "period_start": date(call.start_year, 1, 1),
                "period_end": date(call.end_year, 12, 31),
                "is_sample": proposal.is_sample,
            },
        )
        for (year, source), amount in sorted(requested_costs(proposal).items()):
            if year < call.start_year or year > call.end_year or source not in FundingSource.values:
                continue
            Allocation.objects.get_or_create(
                project=project,
                year=year,
                source=source,
                defaults={
                    "requested_krw": amount,
                    "amount_krw": amount,
                    "is_sample": proposal.is_sample,
                },
            )
        projects.append(project)
    return projects


def agreement_update(
    *,
    agreement: Agreement,
    amounts: dict[tuple[int, str], object],
    reasons: dict[tuple[int, str], str],
    period_start=None,
    period_end=None,
    note: str | None = None,
    by,
) -> Agreement:
    """Set the yearly allocations by source; any amount that differs from the request needs a reason;
    the local matching share is checked year by year against the call's minimum."""
    _require_ministry(by)
    project = agreement.project
    call = project.proposal.call
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        existing = {
            (a.year, a.source): a for a in Allocation.objects.select_for_update().filter(project=project)
        }
        new_amounts: dict[tuple[int, str], int] = {k: a.amount_krw for k, a in existing.items()}
        for (year, source), raw in amounts.items():
            label = f"{year}년 {_source_label(source)}"
            key = f"amount-{year}-{source}"
            if source not in FundingSource.values or not (project.start_year <= year <= project.end_year):
                errors.setdefault(key, []).append(label + ": " + _("협약 기간과 재원에 맞지 않습니다."))
                continue
            value = parse_won(raw, label + " " + _("배정액"), errors, key)
            if value is None:
                continue
            alloc = existing.get((year, source))
            requested = alloc.requested_krw if alloc else 0
            reason = (reasons.get((year, source)) or "").strip()
            if (
                value != requested
                and not reason
                and not (alloc and alloc.adjustment_reason and alloc.amount_krw == value)
            ):
                errors.setdefault(f"reason-{year}-{source}", []).append(
                    label
                    + ": "
                    + _("신청액(%(req)s)과 다르게 배정하려면 조정 사유를 입력하세요.")
                    % {"req": format_krw(requested)}
                )
            if alloc and value + alloc.carried_in_krw < alloc.disbursed_krw:
                errors.setdefault(key, []).append(
                    label
                    + ": "
                    + _("이미 교부한 %(d)s보다 적게 배정할 수 없습니다.")
                    % {"d": format_krw(alloc.disbursed_krw)}
                )
            new_amounts[(year, source)] = value
        for year_key, msgs in local_share_errors(call, new_amounts).items():
            errors.setdefault(f"share-{year_key}", []).extend(msgs)
        if period_start and period_end and period_end < period_start:
            errors.setdefault("period_end", []).append(_("협약 종료일: 시작일보다 빠를 수 없습니다."))
        if errors:
            raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
        for year, source in amounts:
            value = new_amounts[(year, source)]
            alloc = existing.get((year, source))
            reason = (reasons.get((year, source)) or "").strip()
            if alloc is None:
                alloc = Allocation(
                    project=project, year=year, source=source, requested_krw=0, is_sample=project.is_sample
                )
            if alloc.pk and alloc.amount_krw == value and not reason:
                continue
            alloc.amount_krw = value
            if reason:
                alloc.adjustment_reason = reason
            alloc._change_reason = reason or "배정액 확정"
            alloc.save()
        if period_start:
            agreement.period_start = period_start
        if period_end:
            agreement.period_end = period_end
        if note is not None:
            agreement.note = note
        agreement._change_reason = "협약 내용 수정"
        agreement.save()
    return agreement


def agreement_sign(*, agreement: Agreement, signed_on: date | None = None, by) -> Agreement:
    _require_ministry(by)
    with transaction.atomic():
        agreement = (
            Agreement.objects.select_for_update()
            .select_related("project__proposal__call")
            .get(pk=agreement.pk)
        )
        if agreement.status == AgreementStatus.SIGNED:
            raise ConflictError(_("이미 체결된 협약입니다."))
        amounts = {(a.year, a.source): a.amount_krw for a in agreement.project.allocations.all()}
        if not amounts:
            raise ValidationFailed(
                _("연도별 배정액이 없습니다."), errors={"allocations": [_("배정액을 먼저 입력하세요.")]}
            )
        errors = local_share_errors(agreement.project.proposal.call, amounts)
        if errors:
            raise ValidationFailed(_("지방비 매칭 비율이 기준에 못 미칩니다."), errors=errors)
        agreement.status = AgreementStatus.SIGNED
        agreement.signed_on = signed_on or _today()
        agreement.signed_by = by
        agreement._change_reason = "협약 체결"
        agreement.save()
    return agreement


# --------------------------------------------------------------------------------------------------
# Disbursements


def disbursement_create(
    *, allocation: Allocation, amount, paid_on: date | None = None, memo: str = "", by
) -> Disbursement:
    """Pay one tranche. Refused, writing nothing, when it would exceed the year's allocation."""
    _require_ministry(by)
    errors: dict[str, list[str]] = {}
    value = parse_won(amount, _("교부액"), errors, "amount")
    if value == 0:
        errors.setdefault("amount", []).append(_("교부액: 0원보다 커야 합니다."))
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        locked = (
            Allocation.objects.select_for_update(of=("self",))
            .select_related("project__lead_region")
            .get(pk=allocation.pk)
        )
        label = f"{locked.year}년 {_source_label(locked.source)}"
        agreement = Agreement.objects.filter(project_id=locked.project_id).first()
        if agreement is None or agreement.status != AgreementStatus.SIGNED:
            raise ConflictError(_("협약을 체결한 뒤에 교부할 수 있습니다."))
        if locked.project.status == ProjectStatus.STOPPED and locked.year > _stopped_after(locked.project):
            raise ConflictError(_("지원이 중단된 과제입니다."))
        if hasattr(locked, "settlement"):
            raise ConflictError(_("%(label)s는 이미 정산되어 교부할 수 없습니다.") % {"label": label})
        remaining = locked.amount_krw + locked.carried_in_krw - locked.disbursed_krw
        if value > remaining:
            raise ConflictError(
                _("%(label)s 교부액 %(amount)s이 남은 배정액 %(remaining)s을 넘어 교부할 수 없습니다.")
                % {"label": label, "amount": format_krw(value), "remaining": format_krw(remaining)}
            )
        # The conditional UPDATE is the guard that holds even without row locks (SQLite).
        moved = Allocation.objects.filter(
            pk=locked.pk, disbursed_krw__lte=F("amount_krw") + F("carried_in_krw") - value
        ).update(disbursed_krw=F("disbursed_krw") + value, updated_at=timezone.now())
        if moved != 1:
            raise ConflictError(
                _("%(label)s: 동시에 처리된 교부로 남은 배정액이 부족해 교부하지 않았습니다.")
                % {"label": label}
            )
        tranche = (
            locked.disbursements.order_by("-tranche").values_list("tranche", flat=True).first() or 0
        ) + 1
        try:
            with transaction.atomic():
                disbursement = Disbursement(
                    allocation=locked,
                    tranche=tranche,
                    amount_krw=value,
                    paid_on=paid_on or _today(),
                    memo=(memo or "").strip()[:300],
                    created_by=by,
                    is_sample=locked.is_sample,
                )
                disbursement._change_reason = f"{tranche}차 교부"
                disbursement.save()
        except IntegrityError:
            raise ConflictError(_("같은 차수의 교부가 동시에 등록되었습니다. 다시 시도하세요.")) from None
    _notify(
        kind="disbursement.recorded",
        roles=[Role.PROVINCE_OFFICER],
        region_code=locked.project.lead_region.code,
        subject=_("교부 안내: %(title)s %(label)s %(amount)s")
        % {"title": locked.project.title, "label": label, "amount": format_krw(value)},
        url=reverse("funding:project", args=[locked.project_id]),
        related=disbursement,
    )
    return disbursement


def _stopped_after(project) -> int:
    review = project.annual_reviews.filter(decision=ReviewDecision.STOP).order_by("year").first()
    return review.year if review else project.end_year


# --------------------------------------------------------------------------------------------------
# Spending reports with evidence


def _read_evidence(files, errors) -> list[tuple[str, bytes, str]]:
    out = []
    for f in files or []:
        name = Path(getattr(f, "name", "") or "").name
        try:
            _kind, _size, digest = uploads.inspect(
                f, name, allowed=EVIDENCE_KINDS, max_size=EVIDENCE_MAX_BYTES
            )
        except ValidationFailed as exc:
            errors.setdefault("evidence", []).append(exc.message)
            continue
        f.seek(0)
        out.append((name, f.read(), digest))
    return out


def spending_report_submit(
    *, project: Project, year, source: str, amount, description: str, files=(), by
) -> SpendingReport:
    _require_project_actor(project, by)
    errors: dict[str, list[str]] = {}
    try:
        year = int(year)
    except (TypeError, ValueError):
        errors["year"] = [_("연도: 과제 기간의 연도를 고르세요.")]
        year = None
    if source not in FundingSource.values:
        errors["source"] = [_("재원: 국비·지방비·민간 중에서 고르세요.")]
    value = parse_won(amount, _("집행액"), errors, "amount")
    if value == 0:
        errors.setdefault("amount", []).append(_("집행액: 0원보다 커야 합니다."))
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("집행 내용: 무엇에 썼는지 입력하세요.")]
    evidence = _read_evidence(files, errors)
    if not evidence and not errors.get("evidence"):
        errors["evidence"] = [_("증빙 파일: 한 개 이상 첨부하세요.")]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        alloc = (
            Allocation.objects.select_for_update().filter(project=project, year=year, source=source).first()
        )
        label = f"{year}년 {_source_label(source)}"
        if alloc is None:
            raise ValidationFailed(
                _("입력값을 확인하세요."), errors={"source": [label + ": " + _("배정이 없습니다.")]}
            )
        if hasattr(alloc, "settlement"):
            raise ConflictError(_("%(label)s는 이미 정산되었습니다.") % {"label": label})
        reported = _reported_total(alloc)
        if reported + value > alloc.disbursed_krw:
            raise ValidationFailed(
                _("입력값을 확인하세요."),
                errors={
                    "amount": [
                        _("%(label)s 집행액 합계 %(total)s이 교부액 %(d)s을 넘습니다.")
                        % {
                            "label": label,
                            "total": format_krw(reported + value),
                            "d": format_krw(alloc.disbursed_krw),
                        }
                    ]
                },
            )
        report = SpendingReport(
            project=project,
            year=year,
            source=source,
            amount_krw=value,
            description=description,
            submitted_by=by,
            is_sample=project.is_sample,
        )
        report._change_reason = "집행 실적 제출"
        report.save()
        for name, data, digest in evidence:
            ev = SpendingEvidence(
                report=report, original_name=name, size=len(data), sha256=digest, is_sample=project.is_sample
            )
            ev.file.save(name, ContentFile(data), save=False)
            ev.save()
    return report


def _reported_total(alloc: Allocation) -> int:
    return (
        SpendingReport.objects.filter(project_id=alloc.project_id, year=alloc.year, source=alloc.source)
        .exclude(status=ReportStatus.RETURNED)
        .aggregate(s=Sum("amount_krw"))["s"]
        or 0
    )


def spending_report_review(*, report: SpendingReport, accept: bool, note: str = "", by) -> SpendingReport:
    _require_ministry(by)
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationFailed(
            _("입력값을 확인하세요."), errors={"note": [_("검토 의견: 보완 요청 사유를 입력하세요.")]}
        )
    with transaction.atomic():
        report = SpendingReport.objects.select_for_update().get(pk=report.pk)
        if report.status != ReportStatus.SUBMITTED:
            raise ConflictError(_("제출 상태의 보고만 검토할 수 있습니다."))
        report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
        report.review_note = note[:300]
        report._change_reason = "집행 실적 확인" if accept else "집행 실적 보완 요청"
        report.save()
    return report


# --------------------------------------------------------------------------------------------------
# Plan changes


def plan_change_request(*, project: Project, reason: str, changes: list[dict], by) -> PlanChange:
    actor = _require_project_actor(project, by)
    if not actor.has_role(*PROVINCE_ROLES) and not actor.is_ministry:
        raise PermissionDeniedError(_("담당 시·도만 계획 변경을 요청할 수 있습니다."))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("변경 사유: 사유를 입력하세요.")]
    clean = []
    existing = {(a.year, a.source): a for a in project.allocations.all()}
    for index, row in enumerate(changes, start=1):
        try:
            year = int(row.get("year"))
        except (TypeError, ValueError):
            errors.setdefault(f"row-{index}", []).append(
                _("%(n)s행: 연도가 올바르지 않습니다.") % {"n": index}
            )
            continue
        source = row.get("source")
        label = f"{index}행 ({year}년 {_source_label(source)})"
        if source not in FundingSource.values or not (project.start_year <= year <= project.end_year):
            errors.setdefault(f"row-{index}", []).append(
                label + ": " + _("협약 기간과 재원에 맞지 않습니다.")
            )
            continue
        value = parse_won(row.get("amount_krw"), label + " " + _("변경 배정액"), errors, f"row-{index}")
        if value is None:
            continue
        alloc = existing.get((year, source))
        if alloc and value + alloc.carried_in_krw < alloc.disbursed_krw:
            errors.setdefault(f"row-{index}", []).append(
                label
                + ": "
                + _("이미 교부한 %(d)s보다 적게 바꿀 수 없습니다.") % {"d": format_krw(alloc.disbursed_krw)}
            )
            continue
        if alloc and alloc.amount_krw == value:
            continue
        clean.append(
            {
                "year": year,
                "source": source,
                "amount_krw": value,
                "before_krw": alloc.amount_krw if alloc else 0,
            }
        )
    if not clean and not errors:
        errors["changes"] = [_("변경 내용: 현재 배정액과 다른 금액을 한 건 이상 입력하세요.")]
    if not errors:
        after = {k: a.amount_krw for k, a in existing.items()}
        after.update({(c["year"], c["source"]): c["amount_krw"] for c in clean})
        errors.update(local_share_errors(project.proposal.call, after))
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        change = PlanChange(
            project=project, reason=reason, changes=clean, requested_by=by, is_sample=project.is_sample
        )
        change._change_reason = "계획 변경 요청"
        change.save()
    _notify(
        kind="funding.plan_change_requested",
        roles=[Role.MINISTRY_OFFICER],
        subject=_("계획 변경 요청: %(title)s") % {"title": project.title},
        url=reverse("funding:project", args=[project.pk]),
        related=change,
    )
    return change


def plan_change_decide(*, change: PlanChange, approve: bool, note: str = "", by) -> PlanChange:
    _require_ministry(by)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationFailed(
            _("입력값을 확인하세요."), errors={"note": [_("결정 의견: 반려 사유를 입력하세요.")]}
        )
    with transaction.atomic():
        change = (
            PlanChange.objects.select_for_update().select_related("project__proposal__call").get(pk=change.pk)
        )
        if change.status != ChangeStatus.REQUESTED:
            raise ConflictError(_("요청 상태의 계획 변경만 결정할 수 있습니다."))
        project = change.project
        if approve:
            allocs = {
                (a.year, a.source): a for a in Allocation.objects.select_for_update().filter(project=project)
            }
            after = {k: a.amount_krw for k, a in allocs.items()}
            errors: dict[str, list[str]] = {}
            for row in change.changes:
                key = (row["year"], row["source"])
                alloc = allocs.get(key)
                if alloc and row["amount_krw"] + alloc.carried_in_krw < alloc.disbursed_krw:
                    errors.setdefault(f"{row['year']}-{row['source']}", []).append(
                        f"{row['year']}년 {_source_label(row['source'])}: "
                        + _("그 사이 교부된 %(d)s보다 적게 바꿀 수 없습니다.")
                        % {"d": format_krw(alloc.disbursed_krw)}
                    )
                after[key] = row["amount_krw"]
            errors.update(local_share_errors(project.proposal.call, after))
            if errors:
                raise ValidationFailed(_("승인할 수 없습니다."), errors=errors)
            for row in change.changes:
                key = (row["year"], row["source"])
                alloc = allocs.get(key) or Allocation(
                    project=project, year=row["year"], source=row["source"], is_sample=project.is_sample
                )
                alloc.amount_krw = row["amount_krw"]
                alloc.adjustment_reason = (_("계획 변경 승인: ") + change.reason)[:300]
                alloc._change_reason = "계획 변경 승인"
                alloc.save()
        change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
        change.decided_by = by
        change.decided_at = timezone.now()
        change.decision_note = note[:300]
        change._change_reason = "계획 변경 승인" if approve else "계획 변경 반려"
        change.save()
    _notify(
        kind="funding.plan_change_decided",
        roles=[Role.PROVINCE_OFFICER],
        region_code=project.lead_region.code,
        subject=_("계획 변경 %(what)s: %(title)s")
        % {"what": _("승인") if approve else _("반려"), "title": project.title},
        url=reverse("funding:project", args=[project.pk]),
        related=change,
    )
    return change


# --------------------------------------------------------------------------------------------------
# Year-end settlement (정산)


def settlement_submit(
    *, project: Project, year: int, carry_over: dict[str, object] | None = None, note: str = "", by
) -> list[Settlement]:
    """The province (or the ministry) closes the year's books: for each source, disbursed minus the
    spending reported is the unspent money, of which part may be requested to carry over."""
    _require_project_actor(project, by)
    carry_over = carry_over or {}
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        allocs = list(
            Allocation.objects.select_for_update().filter(project=project, year=year).order_by("source")
        )
        if not allocs:
            raise ValidationFailed(
                _("입력값을 확인하세요."), errors={"year": [_("%(y)s년 배정이 없습니다.") % {"y": year}]}
            )
        if Settlement.objects.filter(allocation__in=allocs).exists():
            raise ConflictError(_("%(y)s년은 이미 정산을 제출했습니다.") % {"y": year})
        if SpendingReport.objects.filter(project=project, year=year, status=ReportStatus.SUBMITTED).exists():
            raise ConflictError(
                _("%(y)s년 집행 실적 중 확인되지 않은 보고가 있습니다. 먼저 검토를 마치세요.") % {"y": year}
            )
        rows = []
        for alloc in allocs:
            label = f"{year}년 {_source_label(alloc.source)}"
            spent = _reported_total(alloc)
            unspent = alloc.disbursed_krw - spent
            requested = parse_won(
                carry_over.get(alloc.source) or 0,
                label + " " + _("이월 요청액"),
                errors,
                f"carry-{alloc.source}",
            )
            if requested is not None and requested > unspent:
                errors.setdefault(f"carry-{alloc.source}", []).append(
                    label
                    + ": "
                    + _("이월 요청액 %(r)s이 잔액 %(u)s보다 큽니다.")
                    % {"r": format_krw(requested), "u": format_krw(unspent)}
                )
            if requested and year >= project.end_year:
                errors.setdefault(f"carry-{alloc.source}", []).append(
                    label + ": " + _("마지막 연도는 이월할 수 없습니다.")
                )
            rows.append((alloc, spent, unspent, requested or 0))
        if errors:
            raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
        out = []
        for alloc, spent, unspent, requested in rows:
            s = Settlement(
                allocation=alloc,
                disbursed_krw=alloc.disbursed_krw,
                spent_krw=spent,
                unspent_krw=unspent,
                carry_over_requested_krw=requested,
                lapsed_krw=alloc.amount_krw + alloc.carried_in_krw - alloc.disbursed_krw,
                note=(note or "").strip()[:300],
                submitted_by=by,
                is_sample=project.is_sample,
            )
            s._change_reason = "정산 제출"
            s.save()
            out.append(s)
    return out


def settlement_close(*, project: Project, year: int, approve_carry_over: bool, by) -> list[Settlement]:
    """The ministry officer closes the settlement: unspent money is returned, except what the officer
    approves to carry over into next year's allocation of the same source."""
    _require_ministry(by)
    with transaction.atomic():
        settlements = list(
            Settlement.objects.select_for_update()
            .select_related("allocation")
            .filter(allocation__project=project, allocation__year=year, status=SettlementStatus.SUBMITTED)
        )
        if not settlements:
            raise ConflictError(_("%(y)s년 제출된 정산이 없습니다.") % {"y": year})
        for s in settlements:
            carried = s.carry_over_requested_krw if approve_carry_over else 0
            if carried:
                nxt, _created = Allocation.objects.select_for_update().get_or_create(
                    project=project,
                    year=year + 1,
                    source=s.allocation.source,
                    defaults={"is_sample": project.is_sample},
                )
                Allocation.objects.filter(pk=nxt.pk).update(carried_in_krw=F("carried_in_krw") + carried)
                nxt.refresh_from_db()
                nxt._change_reason = f"{year}년 정산 이월 {carried}원"
                nxt.save(update_fields=["updated_at"])
            s.carried_over_krw = carried
            s.returned_krw = s.unspent_krw - carried
            s.status = SettlementStatus.CLOSED
            s.closed_by = by
            s.closed_at = timezone.now()
            s._change_reason = "정산 완료(이월 승인)" if carried else "정산 완료(반납)"
            s.save()
    return settlements


# --------------------------------------------------------------------------------------------------
# KPI actuals and annual reviews


def kpi_actual_record(*, project: Project, year, kpi_key: str, value, note: str = "", by) -> KpiActual:
    _require_project_actor(project, by)
    from legend50.selection.candidates import kpi_targets

    errors: dict[str, list[str]] = {}
    try:
        year = int(year)
        if not (project.start_year <= year <= project.end_year):
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [
            _("연도: 과제 기간(%(a)s~%(b)s년)의 연도를 고르세요.")
            % {"a": project.start_year, "b": project.end_year}
        ]
    try:
        number = Decimal(str(value).replace(",", "").strip())
        if not number.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        errors["value"] = [_("실적: 숫자로 입력하세요.")]
        number = None
    kpi_key = (kpi_key or "").strip()
    targets = [t for t in kpi_targets(project.proposal) if t.key == kpi_key]
    if not kpi_key:
        errors["kpi_key"] = [_("성과지표: 지표를 고르세요.")]
    elif not targets and kpi_targets(project.proposal):
        errors["kpi_key"] = [_("성과지표: 제안서의 성과지표가 아닙니다.")]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    target = next((t for t in targets if t.year == year), None) or next(
        (t for t in targets if t.year is None), None
    )
    with transaction.atomic():
        actual, _created = KpiActual.objects.select_for_update().get_or_create(
            project=project,
            year=year,
            kpi_key=kpi_key,
            defaults={"value": number, "is_sample": project.is_sample},
        )
        actual.value = number
        actual.label = target.label if target else actual.label or kpi_key
        actual.unit = target.unit if target else actual.unit
        actual.target_value = target.target if target else actual.target_value
        actual.note = (note or "").strip()[:300]
        actual.recorded_by = by
        actual._change_reason = "성과지표 실적 입력"
        actual.save()
    return actual


def annual_review_record(
    *, project: Project, year, score, decision: str, reduce_percent=0, comment: str = "", reviewed_on=None, by
) -> AnnualReview:
    """Record the year's review; the next year's allocations follow: continue (unchanged), reduce by a
    percentage (each source, rounded down to the won, never below what is already disbursed), or stop
    (every later year's allocation cut to what is already disbursed)."""
    _require_ministry(by)
    errors: dict[str, list[str]] = {}
    try:
        year = int(year)
        if not (project.start_year <= year <= project.end_year):
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("평가 연도: 과제 기간의 연도를 고르세요.")]
    try:
        score = Decimal(str(score).strip())
        if not score.is_finite() or not (0 <= score <= 100):
            raise InvalidOperation
    except InvalidOperation:
        errors["score"] = [_("성과 점수: 0~100 사이의 숫자로 입력하세요.")]
    if decision not in ReviewDecision.values:
        errors["decision"] = [_("결정: 계속·감액·중단 중에서 고르세요.")]
    try:
        reduce_percent = int(str(reduce_percent or 0).strip() or 0)
    except ValueError:
        reduce_percent = -1
    if decision == ReviewDecision.REDUCE and not (1 <= reduce_percent <= 99):
        errors["reduce_percent"] = [_("감액 비율: 1~99 사이의 정수(%)로 입력하세요.")]
    if decision != ReviewDecision.REDUCE:
        reduce_percent = 0
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        if AnnualReview.objects.filter(project=project, year=year).exists():
            raise ConflictError(_("%(y)s년 연차평가는 이미 기록되었습니다.") % {"y": year})
        review = AnnualReview(
            project=project,
            year=year,
            score=score,
            decision=decision,
            reduce_percent=reduce_percent,
            comment=(comment or "").strip(),
            reviewed_by=by,
            reviewed_on=reviewed_on or _today(),
            is_sample=project.is_sample,
        )
        review._change_reason = "연차평가 기록"
        review.save()
        if decision == ReviewDecision.REDUCE:
            for alloc in Allocation.objects.select_for_update().filter(project=project, year=year + 1):
                new = max(
                    alloc.amount_krw * (100 - reduce_percent) // 100,
                    alloc.disbursed_krw - alloc.carried_in_krw,
                    0,
                )
                alloc.amount_krw = new
                alloc.adjustment_reason = (
                    _("%(y)s년 연차평가 결과 %(p)s%% 감액") % {"y": year, "p": reduce_percent}
                )[:300]
                alloc._change_reason = alloc.adjustment_reason
                alloc.save()
            project.status = ProjectStatus.REDUCED
        elif decision == ReviewDecision.STOP:
            for alloc in Allocation.objects.select_for_update().filter(project=project, year__gt=year):
                alloc.amount_krw = max(alloc.disbursed_krw - alloc.carried_in_krw, 0)
                alloc.adjustment_reason = (_("%(y)s년 연차평가 결과 지원 중단") % {"y": year})[:300]
                alloc._change_reason = alloc.adjustment_reason
                alloc.save()
            project.status = ProjectStatus.STOPPED
        project._change_reason = f"{year}년 연차평가: {review.get_decision_display()}"
        project.save(update_fields=["status", "updated_at"])
    _notify(
        kind="funding.annual_review",
        roles=[Role.PROVINCE_OFFICER],
        region_code=project.lead_region.code,
        subject=_("%(y)s년 연차평가 결과: %(title)s — %(d)s")
        % {"y": year, "title": project.title, "d": review.get_decision_display()},
        url=reverse("funding:project", args=[project.pk]),
        related=review,
    )
    return review
