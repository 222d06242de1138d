"""Selection writes: propose, edit, approve or reject a decision; file and answer objections.

Two-person rule: a decision is proposed by a ministry officer and approved (or rejected) by a
ministry admin who is not the proposer. On approval the proposals' statuses change, each selected
proposal becomes a project with a draft agreement and allocations equal to its request, the
provinces are notified, and the results become public.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from legend50.core.actors import Role, actor_for
from legend50.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationFailed
from legend50.core.formatting import KST
from legend50.proposals.models import Proposal, ProposalStatus

from .candidates import call_candidates
from .models import (
    Decision,
    DecisionItem,
    DecisionStatus,
    Objection,
    ObjectionResult,
    ObjectionStatus,
    Outcome,
)
from .round import compute_round, dimensions, parse_parameters

log = logging.getLogger(__name__)

OUTCOME_TO_STATUS = {
    Outcome.SELECTED: ProposalStatus.SELECTED,
    Outcome.RESERVE: ProposalStatus.RESERVE,
    Outcome.NOT_SELECTED: ProposalStatus.NOT_SELECTED,
}


def notify_safely(*, kind, roles, region_code=None, subject, body="", url="", related=None, actor=None):
    """Send through the activity app when it exists; selection never fails because of a notice."""
    try:
        from legend50.activity.services import notify, recipients_for
    except ImportError:
        log.info("activity app not available; notice not sent: %s", subject)
        return
    recipients = recipients_for(roles=roles, region_code=region_code)
    notify(
        kind=kind, recipients=recipients, subject=subject, body=body, url=url, related=related, actor=actor
    )


def _require_ministry(by, *, admin=False):
    actor = actor_for(by)
    if admin and not actor.is_ministry_admin:
        raise PermissionDeniedError(_("중기부 관리자만 할 수 있습니다."))
    if not actor.is_ministry:
        raise PermissionDeniedError(_("중기부 담당자만 할 수 있습니다."))
    return actor


def _today_kst() -> date:
    return timezone.now().astimezone(KST).date()


def decision_propose(*, call, data, rationale: str, by, proposed_at=None) -> Decision:
    """Compute the round with the submitted parameters and save it as a decision awaiting approval."""
    _require_ministry(by)
    rationale = (rationale or "").strip()
    candidates = call_candidates(call)
    dims = dimensions(call, candidates)
    params, errors = parse_parameters(call, data, candidates, dims)
    if not rationale:
        errors.setdefault("rationale", []).append(_("결정 사유: 선정 결정의 사유를 입력하세요."))
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    result = compute_round(call, params, candidates=candidates)
    if result.optimal is None or not result.optimal.feasible:
        raise ConflictError(
            _("조건을 만족하는 선정 조합이 없어 상신할 수 없습니다: ") + (result.infeasible or "")
        )
    with transaction.atomic():
        if Decision.objects.select_for_update().filter(call=call, status=DecisionStatus.APPROVED).exists():
            raise ConflictError(_("이 공모는 이미 승인된 선정 결정이 있습니다."))
        if Decision.objects.filter(call=call, status=DecisionStatus.PROPOSED).exists():
            raise ConflictError(_("결재 대기 중인 선정 결정이 있습니다. 먼저 철회하거나 결재를 받으세요."))
        decision = Decision(
            call=call,
            parameters=params.as_query(),
            summary=_summary(result),
            rationale=rationale,
            proposed_by=by,
            proposed_at=proposed_at or timezone.now(),
            is_sample=call.is_sample,
        )
        decision._change_reason = "선정 결정 상신"
        try:
            with transaction.atomic():
                decision.save()
        except IntegrityError:
            raise ConflictError(_("결재 대기 중인 선정 결정이 있습니다.")) from None
        reserve_left = params.reserve_count
        reserve_order = 0
        for rank, row in enumerate(result.rows, start=1):
            c = row.candidate
            if row.in_optimal:
                outcome = Outcome.SELECTED
                why = _("최적 포트폴리오에 포함 (최종 점수 %(score)s점).") % {"score": c.score}
                if row.pinned == "include":
                    why = _("필수 포함으로 선정 (최종 점수 %(score)s점).") % {"score": c.score}
            elif row.eligible and reserve_left > 0 and row.pinned != "exclude":
                outcome = Outcome.RESERVE
                reserve_left -= 1
                reserve_order += 1
                why = _("예비 %(n)s순위. ") % {"n": reserve_order} + (row.reason or "")
            else:
                outcome = Outcome.NOT_SELECTED
                why = row.reason or row.ineligible_reason or _("최적 포트폴리오에 포함되지 않음.")
            DecisionItem.objects.create(
                decision=decision,
                proposal=c.proposal,
                outcome=outcome,
                rationale=why.strip() or _("사유 없음"),
                score=c.score,
                rank=c.proposal.rank or (rank if c.score is not None else None),
                reserve_order=reserve_order if outcome == Outcome.RESERVE else None,
                requested_krw=c.total_request,
                in_optimal=row.in_optimal,
                in_greedy=row.in_greedy,
                is_sample=c.proposal.is_sample,
            )
    notify_safely(
        kind="selection.decision_proposed",
        roles=[Role.MINISTRY_ADMIN],
        subject=_("선정 결정 결재 요청: %(call)s") % {"call": call.title},
        url=reverse("selection:decision", args=[decision.pk]),
        related=decision,
    )
    return decision


def _summary(result) -> dict:
    def p(port):
        return {
            "count": port.count,
            "total_value": str(port.total_value),
            "provinces": len(port.provinces),
            "optimal": port.optimal,
            "gap": port.gap,
            "status": port.status,
            "used": {f"{u['dim'].year}-{u['dim'].source}": u["used"] for u in port.used},
        }

    return {"optimal": p(result.optimal), "greedy": p(result.greedy)}


def decision_item_update(*, item: DecisionItem, outcome: str, rationale: str, by) -> DecisionItem:
    """The proposer (or another ministry officer) edits an item while the decision awaits approval."""
    _require_ministry(by)
    rationale = (rationale or "").strip()
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = [_("결과: 선정·예비·미선정 중에서 고르세요.")]
    if not rationale:
        errors["rationale"] = [_("%(title)s: 사유를 입력하세요.") % {"title": item.proposal.title}]
    if outcome == Outcome.SELECTED and item.proposal.final_score is None:
        errors["outcome"] = [
            _("%(title)s: 최종 점수가 없는 과제는 선정할 수 없습니다.") % {"title": item.proposal.title}
        ]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        item = DecisionItem.objects.select_for_update().select_related("decision").get(pk=item.pk)
        if item.decision.status != DecisionStatus.PROPOSED:
            raise ConflictError(_("결재 대기 중인 결정만 고칠 수 있습니다."))
        item.outcome = outcome
        item.rationale = rationale
        if outcome != Outcome.RESERVE:
            item.reserve_order = None
        item._change_reason = "항목 수정"
        item.save()
    return item


def decision_approve(*, decision: Decision, by, note: str = "", decided_on: date | None = None) -> Decision:
    actor = _require_ministry(by, admin=True)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().select_related("call").get(pk=decision.pk)
        if decision.status != DecisionStatus.PROPOSED:
            raise ConflictError(_("결재 대기 중인 결정만 승인할 수 있습니다."))
        if decision.proposed_by_id == by.pk:
            raise PermissionDeniedError(_("상신한 사람은 같은 결정을 승인할 수 없습니다(2인 결재)."))
        del actor
        items = list(decision.items.select_related("proposal__lead_region"))
        if not any(i.outcome == Outcome.SELECTED for i in items):
            raise ConflictError(_("선정 과제가 없는 결정은 승인할 수 없습니다."))
        decision.status = DecisionStatus.APPROVED
        decision.approved_by = by
        decision.approved_at = timezone.now()
        decision.decided_on = decided_on or _today_kst()
        decision.review_note = note.strip()
        decision._change_reason = "선정 결정 승인"
        decision.save()
        for item in items:
            proposal = Proposal.objects.select_for_update().get(pk=item.proposal_id)
            proposal.status = OUTCOME_TO_STATUS[item.outcome]
            proposal.is_published = proposal.is_published or item.outcome == Outcome.SELECTED
            proposal._change_reason = f"선정 결정 승인: {item.get_outcome_display()}"
            proposal.save(update_fields=["status", "is_published", "updated_at"])
        from legend50.funding.services import projects_from_decision

        projects_from_decision(decision=decision, by=by)
    for code in sorted({i.proposal.lead_region.code for i in items}):
        notify_safely(
            kind="selection.approved",
            roles=[Role.PROVINCE_OFFICER, Role.OFFICE_OFFICER],
            region_code=code,
            subject=_("선정 결과 안내: %(call)s") % {"call": decision.call.title},
            body=_("이의신청은 결과 발표 후 %(days)s일 이내에 할 수 있습니다.")
            % {"days": decision.call.objection_days},
            url=reverse("selection:my_results", args=[decision.call.code]),
            related=decision,
        )
    return decision


def decision_reject(*, decision: Decision, by, note: str) -> Decision:
    _require_ministry(by, admin=True)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            _("입력값을 확인하세요."), errors={"note": [_("결재 의견: 반려 사유를 입력하세요.")]}
        )
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.status != DecisionStatus.PROPOSED:
            raise ConflictError(_("결재 대기 중인 결정만 반려할 수 있습니다."))
        if decision.proposed_by_id == by.pk:
            raise PermissionDeniedError(_("상신한 사람은 같은 결정을 결재할 수 없습니다(2인 결재)."))
        decision.status = DecisionStatus.REJECTED
        decision.review_note = note
        decision._change_reason = "선정 결정 반려"
        decision.save()
    return decision


def decision_withdraw(*, decision: Decision, by) -> Decision:
    _require_ministry(by)
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.status != DecisionStatus.PROPOSED:
            raise ConflictError(_("결재 대기 중인 결정만 철회할 수 있습니다."))
        decision.status = DecisionStatus.WITHDRAWN
        decision._change_reason = "선정 결정 철회"
        decision.save()
    return decision


# --------------------------------------------------------------------------------------------------
# Objections (이의신청)


def objection_deadline(decision: Decision) -> date | None:
    if decision.decided_on is None:
        return None
    return decision.decided_on + timedelta(days=decision.call.objection_days)


def objection_file(*, item: DecisionItem, text: str, by, now=None) -> Objection:
    actor = actor_for(by)
    text = (text or "").strip()
    item = DecisionItem.objects.select_related("decision__call", "proposal__lead_region").get(pk=item.pk)
    if not (actor.has_role(Role.PROVINCE_OFFICER) and item.proposal.lead_region.code in actor.region_codes):
        raise NotFoundError(_("이의신청할 수 있는 과제가 아닙니다."))
    if item.decision.status != DecisionStatus.APPROVED:
        raise ConflictError(_("승인된 선정 결과에만 이의신청할 수 있습니다."))
    if not text:
        raise ValidationFailed(
            _("입력값을 확인하세요."), errors={"text": [_("이의신청 내용: 내용을 입력하세요.")]}
        )
    now = now or timezone.now()
    deadline = objection_deadline(item.decision)
    if deadline is not None and now.astimezone(KST).date() > deadline:
        raise ConflictError(
            _("이의신청 기간(결과 발표 후 %(days)s일, %(deadline)s까지)이 지났습니다.")
            % {"days": item.decision.call.objection_days, "deadline": deadline.isoformat()}
        )
    with transaction.atomic():
        objection = Objection(item=item, text=text, filed_by=by, filed_at=now, is_sample=item.is_sample)
        objection._change_reason = "이의신청 접수"
        objection.save()
    notify_safely(
        kind="selection.objection_filed",
        roles=[Role.MINISTRY_OFFICER, Role.MINISTRY_ADMIN],
        subject=_("이의신청 접수: %(title)s") % {"title": item.proposal.title},
        url=reverse("selection:objection", args=[objection.pk]),
        related=objection,
    )
    return objection


def objection_answer(*, objection: Objection, answer: str, result: str, by) -> Objection:
    _require_ministry(by)
    answer = (answer or "").strip()
    errors = {}
    if not answer:
        errors["answer"] = [_("답변: 답변 내용을 입력하세요.")]
    if result not in [r for r in ObjectionResult.values if r]:
        errors["result"] = [_("처리 결과: 인용·일부 인용·기각 중에서 고르세요.")]
    if errors:
        raise ValidationFailed(_("입력값을 확인하세요."), errors=errors)
    with transaction.atomic():
        objection = (
            Objection.objects.select_for_update()
            .select_related("item__proposal__lead_region")
            .get(pk=objection.pk)
        )
        if objection.status == ObjectionStatus.ANSWERED:
            raise ConflictError(_("이미 답변한 이의신청입니다."))
        objection.answer = answer
        objection.result = result
        objection.status = ObjectionStatus.ANSWERED
        objection.answered_by = by
        objection.answered_at = timezone.now()
        objection._change_reason = "이의신청 답변"
        objection.save()
    notify_safely(
        kind="objection.answered",
        roles=[Role.PROVINCE_OFFICER],
        region_code=objection.item.proposal.lead_region.code,
        subject=_("이의신청 답변: %(title)s") % {"title": objection.item.proposal.title},
        url=reverse("selection:objection", args=[objection.pk]),
        related=objection,
    )
    return objection
