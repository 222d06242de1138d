"""Evaluation over the API: an expert's assignments and score sheets (masked in blind calls, closed
when conflicted or before the pledge), and the reviews each caller may read.

Reads go through `visible_to`; an expert reaches a proposal only through the evaluation app's scope
extension (assigned, pledge signed, no conflict — re-checked on every request). Scores are written
only through `evaluation.services.review_save`.
"""

from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from legend50.core.actors import actor_for
from legend50.core.errors import PermissionDeniedError
from legend50.evaluation import access, services
from legend50.evaluation.blind import masker_for, proposal_view
from legend50.evaluation.choices import ReviewStatus
from legend50.evaluation.models import Assignment, Review
from legend50.proposals.models import Proposal

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["evaluation"])

WITHHELD = "(열람 제한)"
MAX_ID = 2**63 - 1


class AssignmentOut(Schema):
    id: int
    proposal_id: int
    call_code: str
    expert_name: str
    title: str = Field(description="블라인드 평가에서는 가림 처리, 열람할 수 없는 과제는 '(열람 제한)'")
    region_code: str
    open: bool = Field(description="지금 평가할 수 있는지(서약 완료, 이해충돌 없음)")
    review_status: str | None
    review_total: float | None


class ReviewOut(Schema):
    id: int
    assignment_id: int
    proposal_id: int
    call_code: str
    expert_name: str
    status: str
    scores: dict[str, float]
    criterion_comments: dict[str, str]
    comment: str
    total: float | None
    submitted_at: datetime | None
    reopen_count: int
    is_sample: bool

    @staticmethod
    def resolve_proposal_id(obj):
        return obj.assignment.proposal_id

    @staticmethod
    def resolve_call_code(obj):
        return obj.assignment.proposal.call.code

    @staticmethod
    def resolve_expert_name(obj):
        return obj.assignment.expert.name

    @staticmethod
    def resolve_total(obj):
        return float(obj.total) if obj.total is not None else None


class SectionOut(Schema):
    label: str
    text: str


class SheetProposalOut(Schema):
    id: int
    title: str
    summary: str
    sections: list[SectionOut]
    ksic: str
    region: str
    call_title: str
    blind: bool


class CriterionOut(Schema):
    key: str
    label: str
    max_score: float
    weight: float
    threshold: float | None
    value: float | None
    comment: str


class SheetOut(Schema):
    proposal: SheetProposalOut
    criteria: list[CriterionOut]
    scale: float
    status: str
    comment: str
    total: float | None
    submitted_at: datetime | None
    locked: bool


class SheetIn(Schema):
    scores: dict[str, float | None] = Field(
        default_factory=dict, description="평가항목 키 → 점수(0.5점 단위)"
    )
    criterion_comments: dict[str, str] = Field(default_factory=dict)
    comment: str = Field("", max_length=5000)


def _require_user(request):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")


def _open_proposal_ids(user):
    return Proposal.objects.visible_to(user, access.EVALUATE).values("pk")


def _reviews(user):
    """Reviews the caller may read; an expert's own only on proposals open to them now."""
    reviews = Review.objects.visible_to(user).select_related(
        "assignment__expert", "assignment__proposal__call"
    )
    if not actor_for(user).reads_everything:
        reviews = reviews.filter(assignment__proposal__in=_open_proposal_ids(user))
    return reviews


def _blind_for(user, call) -> bool:
    return bool(call.blind_review) and not actor_for(user).reads_everything


@router.get(
    "/evaluation/assignments",
    response=responses(list[AssignmentOut]),
    summary="평가 배정 목록 (평가위원: 자기 배정, 중기부: 전체)",
)
@paginate(Pagination)
def list_assignments(request, call: str = "", is_open: bool | None = None):
    assignments = (
        Assignment.objects.visible_to(request.user)
        .filter(is_active=True)
        .select_related("expert", "proposal__call", "proposal__lead_region", "proposal__created_by")
        .order_by("proposal__call__code", "proposal_id", "expert__name", "pk")
    )
    if call:
        assignments = assignments.filter(proposal__call__code=call)
    open_ids = set(_open_proposal_ids(request.user).values_list("pk", flat=True))
    reviews = {
        r.assignment_id: r
        for r in Review.objects.visible_to(request.user).filter(assignment__in=assignments.values("pk"))
    }
    rows = []
    for a in assignments:
        if is_open is not None and is_open != (a.proposal_id in open_ids):
            continue
        proposal = a.proposal
        review = reviews.get(a.pk)
        visible = a.proposal_id in open_ids or actor_for(request.user).reads_everything
        rows.append(
            {
                "id": a.pk,
                "proposal_id": proposal.pk,
                "call_code": proposal.call.code,
                "expert_name": a.expert.name,
                "title": masker_for(proposal, blind=_blind_for(request.user, proposal.call))(proposal.title)
                if visible
                else WITHHELD,
                "region_code": proposal.lead_region.code,
                "open": a.proposal_id in open_ids,
                "review_status": review.status if review and visible else None,
                "review_total": float(review.total)
                if review and visible and review.total is not None
                else None,
            }
        )
    return rows


@router.get(
    "/evaluation/reviews", response=responses(list[ReviewOut]), summary="평가표 목록 (볼 수 있는 것만)"
)
@paginate(Pagination)
def list_reviews(
    request,
    call: str = "",
    proposal: int | None = Query(None, ge=1, le=MAX_ID),
    status: ReviewStatus | None = None,
):
    reviews = _reviews(request.user).order_by("assignment__proposal_id", "assignment__expert__name", "pk")
    if call:
        reviews = reviews.filter(assignment__proposal__call__code=call)
    if proposal is not None:
        reviews = reviews.filter(assignment__proposal_id=proposal)
    if status:
        reviews = reviews.filter(status=status)
    return reviews


@router.get("/evaluation/reviews/{review_id}", response=responses(ReviewOut))
def get_review(request, review_id: int):
    return get_object_or_404(_reviews(request.user), pk=review_id)


def _sheet(request, proposal_id: int):
    """The caller's assignment on a proposal open to them now; 404 otherwise (unassigned,
    conflicted, pledge not signed, not an expert — all alike)."""
    proposal = get_object_or_404(
        Proposal.objects.visible_to(request.user, access.EVALUATE).select_related(
            "call", "lead_region", "created_by"
        ),
        pk=proposal_id,
    )
    profile = access.expert_profile_for(request.user)
    assignment = (
        Assignment.objects.filter(expert=profile, proposal=proposal, is_active=True).first()
        if profile is not None
        else None
    )
    if assignment is None:
        from django.http import Http404

        raise Http404("not found")
    return proposal, assignment


def _sheet_out(request, proposal, assignment) -> dict:
    view = proposal_view(proposal, blind=_blind_for(request.user, proposal.call))
    review = Review.objects.visible_to(request.user).filter(assignment=assignment).first()
    settings_now = services.panel_settings(proposal.call)
    scores = review.scores if review else {}
    comments = review.criterion_comments if review else {}
    return {
        "proposal": {
            "id": proposal.pk,
            "title": view["title"],
            "summary": view["summary"],
            "sections": [{"label": label, "text": text} for label, text in view["sections"]],
            "ksic": view["ksic"],
            "region": view["region"],
            "call_title": view["call_title"],
            "blind": view["blind"],
        },
        "criteria": [
            c | {"value": scores.get(c["key"]), "comment": comments.get(c["key"], "")}
            for c in settings_now["criteria"]
        ],
        "scale": sum(c["max_score"] for c in settings_now["criteria"]),
        "status": review.status if review else ReviewStatus.DRAFT,
        "comment": review.comment if review else "",
        "total": float(review.total) if review and review.total is not None else None,
        "submitted_at": review.submitted_at if review else None,
        "locked": bool(review and review.is_locked),
    }


@router.get(
    "/evaluation/proposals/{proposal_id}/review",
    response=responses(SheetOut),
    summary="내 평가표 (배정된 평가위원만; 블라인드 평가는 가림 처리)",
)
def get_sheet(request, proposal_id: int):
    _require_user(request)
    proposal, assignment = _sheet(request, proposal_id)
    return _sheet_out(request, proposal, assignment)


def _save(request, proposal_id: int, payload: SheetIn, *, submit: bool):
    _require_user(request)
    proposal, assignment = _sheet(request, proposal_id)
    services.review_save(
        by=request.user,
        proposal=proposal,
        scores={k: ("" if v is None else str(v)) for k, v in payload.scores.items()},
        criterion_comments=payload.criterion_comments,
        comment=payload.comment,
        submit=submit,
    )
    return _sheet_out(request, proposal, assignment)


@router.put(
    "/evaluation/proposals/{proposal_id}/review",
    response=responses(SheetOut),
    summary="평가표 임시 저장 (제출된 평가표는 409)",
)
def save_sheet(request, proposal_id: int, payload: SheetIn):
    return _save(request, proposal_id, payload, submit=False)


@router.post(
    "/evaluation/proposals/{proposal_id}/review/submit",
    response=responses(SheetOut),
    summary="평가표 제출 (모든 항목 점수와 종합 의견 10자 이상 필요; 제출 후 잠김)",
)
def submit_sheet(request, proposal_id: int, payload: SheetIn):
    return _save(request, proposal_id, payload, submit=True)
