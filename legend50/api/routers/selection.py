"""Selection over the API: decisions (ministry and auditors), the results of approved decisions —
the selected proposals for everyone, a province's own results with score, rank and reason — and
objections (이의신청), filed through `selection.services.objection_file`."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from legend50.core.actors import actor_for
from legend50.core.errors import PermissionDeniedError
from legend50.selection import selectors, services
from legend50.selection.models import DecisionItem, DecisionStatus, Outcome

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["selection"])


class DecisionOut(Schema):
    id: int
    call_code: str
    status: str
    rationale: str
    parameters: dict[str, str]
    proposed_at: datetime
    approved_at: datetime | None
    decided_on: date | None
    review_note: str
    objection_deadline: date | None
    n_selected: int
    n_reserve: int
    is_sample: bool

    @staticmethod
    def resolve_call_code(obj):
        return obj.call.code

    @staticmethod
    def resolve_parameters(obj):
        return {str(k): str(v) for k, v in (obj.parameters or {}).items()}

    @staticmethod
    def resolve_objection_deadline(obj):
        return services.objection_deadline(obj)

    @staticmethod
    def resolve_n_selected(obj):
        return obj.items.filter(outcome=Outcome.SELECTED).count()

    @staticmethod
    def resolve_n_reserve(obj):
        return obj.items.filter(outcome=Outcome.RESERVE).count()


class ResultOut(Schema):
    id: int
    call_code: str
    proposal_id: int
    proposal_title: str
    region_code: str
    outcome: str
    decided_on: date | None
    detail_visible: bool = Field(description="점수·순위·사유는 중기부·감사와 해당 시·도에만 공개")
    score: float | None
    rank: int | None
    reserve_order: int | None
    rationale: str | None
    requested_krw: int | None


class ObjectionOut(Schema):
    id: int
    result_id: int
    proposal_id: int
    proposal_title: str
    call_code: str
    text: str
    status: str
    result: str
    answer: str
    filed_at: datetime
    answered_at: datetime | None

    @staticmethod
    def resolve_result_id(obj):
        return obj.item_id

    @staticmethod
    def resolve_proposal_id(obj):
        return obj.item.proposal_id

    @staticmethod
    def resolve_proposal_title(obj):
        return obj.item.proposal.title

    @staticmethod
    def resolve_call_code(obj):
        return obj.item.decision.call.code


class ObjectionIn(Schema):
    text: str = Field(max_length=10000)


def _results(user):
    return (
        DecisionItem.objects.visible_to(user)
        .filter(decision__status=DecisionStatus.APPROVED)
        .select_related("decision__call", "proposal__lead_region")
        .order_by("decision__call__code", "proposal__lead_region__code", "rank", "pk")
    )


def _result_out(user, item: DecisionItem) -> dict:
    actor = actor_for(user)
    detail = actor.reads_everything or item.proposal.lead_region.code in actor.region_codes
    return {
        "id": item.pk,
        "call_code": item.decision.call.code,
        "proposal_id": item.proposal_id,
        "proposal_title": item.proposal.title,
        "region_code": item.proposal.lead_region.code,
        "outcome": item.outcome,
        "decided_on": item.decision.decided_on,
        "detail_visible": detail,
        "score": float(item.score) if detail and item.score is not None else None,
        "rank": item.rank if detail else None,
        "reserve_order": item.reserve_order if detail else None,
        "rationale": item.rationale if detail else None,
        "requested_krw": item.requested_krw if detail else None,
    }


@router.get("/decisions", response=responses(list[DecisionOut]), summary="선정 결정 (중기부·감사)")
@paginate(Pagination)
def list_decisions(request, call: str = "", status: DecisionStatus | None = None):
    decisions = selectors.decision_list(request.user).order_by("-proposed_at", "pk")
    if call:
        decisions = decisions.filter(call__code=call)
    if status:
        decisions = decisions.filter(status=status)
    return decisions


@router.get("/decisions/{decision_id}", response=responses(DecisionOut))
def get_decision(request, decision_id: int):
    return get_object_or_404(selectors.decision_list(request.user), pk=decision_id)


@router.get(
    "/results",
    response=responses(list[ResultOut]),
    summary="선정 결과 (공개: 선정 과제; 시·도: 자기 과제의 모든 결과와 점수)",
)
@paginate(Pagination)
def list_results(request, call: str = "", region: str = "", outcome: Outcome | None = None):
    items = _results(request.user)
    if call:
        items = items.filter(decision__call__code=call)
    if region:
        items = items.filter(proposal__lead_region__code=region)
    if outcome:
        items = items.filter(outcome=outcome)
    return [_result_out(request.user, item) for item in items[:2000]]


@router.get("/results/{result_id}", response=responses(ResultOut))
def get_result(request, result_id: int):
    return _result_out(request.user, get_object_or_404(_results(request.user), pk=result_id))


@router.get("/objections", response=responses(list[ObjectionOut]), summary="이의신청 (시·도: 자기 과제)")
@paginate(Pagination)
def list_objections(request):
    return selectors.objection_list(request.user).order_by("-filed_at", "pk")


@router.post(
    "/results/{result_id}/objections",
    response=responses(ObjectionOut, 201),
    summary="이의신청 (주관 시·도 담당자, 이의신청 기간 내)",
)
def file_objection(request, result_id: int, payload: ObjectionIn):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")
    item = get_object_or_404(_results(request.user), pk=result_id)
    objection = services.objection_file(item=item, text=payload.text, by=request.user)
    return Status(201, selectors.objection_list(request.user).get(pk=objection.pk))
