from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from legend50.core.errors import PermissionDeniedError
from legend50.programs.models import Call
from legend50.proposals import selectors, services
from legend50.proposals.models import Proposal

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["proposals"])


class ProposalOut(Schema):
    id: int
    call_code: str
    title: str
    lead_region_code: str
    status: str
    summary: str
    background: str
    direction: str
    objectives: str
    ksic_section: str
    ksic_division: str
    regional_policies: list[str]
    lock_version: int
    submitted_at: datetime | None
    final_score: float | None
    rank: int | None
    is_sample: bool

    @staticmethod
    def resolve_call_code(obj):
        return obj.call.code

    @staticmethod
    def resolve_lead_region_code(obj):
        return obj.lead_region.code


class ProposalCreateIn(Schema):
    call: str
    title: str


class ProposalUpdateIn(Schema):
    lock_version: int
    title: str | None = None
    summary: str | None = None
    background: str | None = None
    direction: str | None = None
    objectives: str | None = None
    ksic_section: str | None = None
    ksic_division: str | None = None
    regional_policies: list[str] | None = None


class SubmitIn(Schema):
    lock_version: int | None = None


class VersionOut(Schema):
    number: int
    reason: str
    sha256: str
    created_at: datetime


def _require_user(request):
    if not request.user.is_authenticated:
        raise PermissionDeniedError("로그인(토큰)이 필요합니다.", code="unauthenticated")


def _visible(request, proposal_id, action="view") -> Proposal:
    return get_object_or_404(selectors.proposal_list(request.user, action), pk=proposal_id)


@router.get("/proposals", response=responses(list[ProposalOut]), summary="제안 과제 목록 (볼 수 있는 것만)")
@paginate(Pagination)
def list_proposals(
    request,
    call: str = "",
    region: str = "",
    status: str = "",
    industry: str = "",
    group: str = "",
    q: str = "",
):
    params = {"call": call, "region": region, "status": status, "industry": industry, "group": group, "q": q}
    return selectors.filtered(request.user, params)


@router.get("/proposals/{proposal_id}", response=responses(ProposalOut))
def get_proposal(request, proposal_id: int):
    return _visible(request, proposal_id)


@router.post("/proposals", response=responses(ProposalOut, 201), summary="제안서 작성 시작 (시·도 담당자)")
def create_proposal(request, payload: ProposalCreateIn):
    _require_user(request)
    call = get_object_or_404(Call.objects.visible_to(request.user), code=payload.call)
    return Status(201, services.proposal_create(call=call, title=payload.title, by=request.user))


@router.patch("/proposals/{proposal_id}", response=responses(ProposalOut), summary="초안 저장 (낙관적 잠금)")
def update_proposal(request, proposal_id: int, payload: ProposalUpdateIn):
    _require_user(request)
    proposal = _visible(request, proposal_id, "change")
    data = payload.dict(exclude_unset=True, exclude={"lock_version"})
    return services.proposal_update(
        proposal=proposal, data=data, lock_version=payload.lock_version, by=request.user
    )


@router.post("/proposals/{proposal_id}/submit", response=responses(VersionOut), summary="제출 (마감 후 409)")
def submit_proposal(request, proposal_id: int, payload: SubmitIn):
    _require_user(request)
    proposal = _visible(request, proposal_id, "change")
    return services.proposal_submit(proposal=proposal, by=request.user, lock_version=payload.lock_version)


@router.get("/proposals/{proposal_id}/versions", response=responses(list[VersionOut]))
def list_versions(request, proposal_id: int):
    return _visible(request, proposal_id).versions.order_by("number")
