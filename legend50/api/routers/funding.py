"""Funding over the API: selected projects (published ones for everyone), their agreements, yearly
allocations by source and disbursements (money: ministry, auditors and the lead province only);
the ministry pays a tranche through `funding.services.disbursement_create`."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from legend50.core.errors import PermissionDeniedError
from legend50.funding import selectors, services
from legend50.funding.models import Agreement, Allocation, Disbursement, ProjectStatus
from legend50.programs.models import FundingSource

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["funding"])

MAX_WON = 9_000_000_000_000_000_000
MAX_ID = 2**63 - 1


class ProjectOut(Schema):
    id: int
    title: str
    call_code: str
    proposal_id: int
    region_code: str
    start_year: int
    end_year: int
    status: str
    is_published: bool
    is_sample: bool

    @staticmethod
    def resolve_call_code(obj):
        return obj.proposal.call.code

    @staticmethod
    def resolve_region_code(obj):
        return obj.lead_region.code


class AgreementOut(Schema):
    number: str
    status: str
    period_start: date
    period_end: date
    signed_on: date | None


class AllocationOut(Schema):
    id: int
    project_id: int
    year: int
    source: str
    requested_krw: int
    amount_krw: int
    carried_in_krw: int
    disbursed_krw: int
    remaining_krw: int
    adjustment_reason: str


class DisbursementOut(Schema):
    id: int
    allocation_id: int
    project_id: int
    year: int
    source: str
    tranche: int
    amount_krw: int
    paid_on: date
    memo: str
    created_at: datetime

    @staticmethod
    def resolve_project_id(obj):
        return obj.allocation.project_id

    @staticmethod
    def resolve_year(obj):
        return obj.allocation.year

    @staticmethod
    def resolve_source(obj):
        return obj.allocation.source


class DisbursementIn(Schema):
    amount_krw: int = Field(ge=1, le=MAX_WON, description="교부액(원)")
    paid_on: date | None = None
    memo: str = Field("", max_length=300)


@router.get(
    "/projects",
    response=responses(list[ProjectOut]),
    summary="선정 과제 (공개 과제와 자기 시·도 과제)",
)
@paginate(Pagination)
def list_projects(
    request,
    region: str = "",
    call: str = "",
    status: ProjectStatus | None = None,
    year: int | None = Query(None, ge=1900, le=2200),
):
    projects = selectors.project_list(request.user).order_by("lead_region__code", "title", "pk")
    if region:
        projects = projects.filter(lead_region__code=region)
    if call:
        projects = projects.filter(proposal__call__code=call)
    if status:
        projects = projects.filter(status=status)
    if year is not None:
        projects = projects.filter(start_year__lte=year, end_year__gte=year)
    return projects


def _project(request, project_id: int):
    return get_object_or_404(selectors.project_list(request.user), pk=project_id)


@router.get("/projects/{project_id}", response=responses(ProjectOut))
def get_project(request, project_id: int):
    return _project(request, project_id)


@router.get(
    "/projects/{project_id}/agreement",
    response=responses(AgreementOut),
    summary="협약 (중기부·감사·주관 시·도)",
)
def get_agreement(request, project_id: int):
    project = _project(request, project_id)
    return get_object_or_404(Agreement.objects.visible_to(request.user), project=project)


def _allocations(request):
    return Allocation.objects.visible_to(request.user).select_related("project")


@router.get(
    "/allocations",
    response=responses(list[AllocationOut]),
    summary="연도·재원별 배정액과 교부액 (중기부·감사·주관 시·도)",
)
@paginate(Pagination)
def list_allocations(
    request,
    project: int | None = Query(None, ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1900, le=2200),
    source: FundingSource | None = None,
    region: str = "",
):
    allocations = _allocations(request).order_by("project__lead_region__code", "project_id", "year", "source")
    if project is not None:
        allocations = allocations.filter(project_id=project)
    if year is not None:
        allocations = allocations.filter(year=year)
    if source:
        allocations = allocations.filter(source=source)
    if region:
        allocations = allocations.filter(project__lead_region__code=region)
    return allocations


@router.get("/allocations/{allocation_id}", response=responses(AllocationOut))
def get_allocation(request, allocation_id: int):
    return get_object_or_404(_allocations(request), pk=allocation_id)


@router.get(
    "/disbursements",
    response=responses(list[DisbursementOut]),
    summary="교부 내역 (중기부·감사·주관 시·도)",
)
@paginate(Pagination)
def list_disbursements(
    request,
    project: int | None = Query(None, ge=1, le=MAX_ID),
    year: int | None = Query(None, ge=1900, le=2200),
):
    rows = (
        Disbursement.objects.visible_to(request.user)
        .select_related("allocation")
        .order_by("allocation__project_id", "allocation__year", "allocation__source", "tranche")
    )
    if project is not None:
        rows = rows.filter(allocation__project_id=project)
    if year is not None:
        rows = rows.filter(allocation__year=year)
    return rows


@router.post(
    "/allocations/{allocation_id}/disbursements",
    response=responses(DisbursementOut, 201),
    summary="교부 (중기부; 협약 체결 후, 남은 배정액 이내 — 넘으면 409)",
)
def create_disbursement(request, allocation_id: int, payload: DisbursementIn):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")
    allocation = get_object_or_404(_allocations(request), pk=allocation_id)
    disbursement = services.disbursement_create(
        allocation=allocation,
        amount=payload.amount_krw,
        paid_on=payload.paid_on,
        memo=payload.memo,
        by=request.user,
    )
    return Status(201, Disbursement.objects.select_related("allocation").get(pk=disbursement.pk))
