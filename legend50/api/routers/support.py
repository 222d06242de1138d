"""Support instruments and awards over the API: the instrument catalog is public; awards (firm ×
instrument × amount × date) are read by the instrument's operator, the firm's users and its
province, ministry and auditors; an operator records an award through `support.services.award_record`
(eligibility, government share, duplicate-support checks)."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from legend50.core.errors import PermissionDeniedError, ValidationFailed
from legend50.engines.ids import is_valid_brn, normalize_brn
from legend50.firms.models import Firm
from legend50.funding.models import Project
from legend50.support import selectors, services
from legend50.support.choices import AwardStatus, ParticipationStatus
from legend50.support.models import Instrument, SupportAward

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["support"])

MAX_WON = 9_000_000_000_000_000_000
MAX_ID = 2**63 - 1


class BudgetOut(Schema):
    year: int
    amount_krw: int
    note: str


class InstrumentOut(Schema):
    code: str
    name: str
    name_en: str
    level: str
    kind: str
    operator: str
    provider: str
    region_code: str | None
    purposes: list[str]
    description: str
    eligible_size_classes: list[str]
    eligible_region_codes: list[str]
    manufacturers_only: bool
    max_average_sales_krw: int | None
    per_firm_cap_krw: int | None
    source: str
    source_year: int | None
    is_active: bool
    budgets: list[BudgetOut]

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_purposes(obj):
        return [str(p) for p in obj.purposes or []]

    @staticmethod
    def resolve_eligible_size_classes(obj):
        return [str(p) for p in obj.eligible_size_classes or []]

    @staticmethod
    def resolve_eligible_region_codes(obj):
        return [str(p) for p in obj.eligible_region_codes or []]

    @staticmethod
    def resolve_budgets(obj):
        return [{"year": b.year, "amount_krw": b.amount_krw, "note": b.note} for b in obj.budgets.all()]


class FlagOut(Schema):
    code: str
    message: str


class AwardOut(Schema):
    id: int
    firm_id: int
    firm_name: str
    instrument: str
    project_id: int | None
    year: int
    awarded_on: date
    total_cost_krw: int | None
    share_percent: int | None
    amount_krw: int
    was_participant: bool
    note: str
    status: str
    flags: list[FlagOut]
    flag_acknowledgement: str
    is_sample: bool
    created_at: datetime

    @staticmethod
    def resolve_firm_name(obj):
        return obj.firm.name

    @staticmethod
    def resolve_instrument(obj):
        return obj.instrument.code

    @staticmethod
    def resolve_flags(obj):
        return [
            {"code": str(f.get("code", "")), "message": str(f.get("message", ""))}
            for f in obj.flags or []
            if isinstance(f, dict)
        ]


class AwardIn(Schema):
    instrument: str
    firm_id: int | None = Field(None, description="기업 ID 또는 brn 중 하나")
    brn: str = Field("", max_length=14, description="사업자등록번호(10자리)")
    awarded_on: date
    amount_krw: int | None = Field(None, ge=1, le=MAX_WON, description="지원금액(원): 정액 지원사업")
    total_cost_krw: int | None = Field(
        None, ge=1, le=MAX_WON, description="총사업비(원): 매출 구간별 비율 지원사업"
    )
    project_id: int | None = None
    note: str = Field("", max_length=300)
    acknowledge_flags: bool = False
    acknowledgement: str = Field("", max_length=2000)


class ParticipationOut(Schema):
    id: int
    project_id: int
    project_title: str
    firm_id: int
    firm_name: str
    status: str
    motivation: str
    decision_note: str
    screened_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_project_title(obj):
        return obj.project.title

    @staticmethod
    def resolve_firm_name(obj):
        return obj.firm.name


@router.get("/instruments", response=responses(list[InstrumentOut]), summary="지원사업 목록 (공개)")
@paginate(Pagination)
def list_instruments(
    request,
    level: str = Query("", description="central | local"),
    region: str = Query("", description="시·도 코드: 그 지역 사업과 중앙 사업"),
    kind: str = Query("", description="loan | grant | voucher"),
    purpose: str = "",
    active: bool | None = None,
):
    rows = selectors.instrument_list(request.user, {"level": level, "region": region})
    if kind:
        rows = rows.filter(kind=kind)
    if purpose:
        rows = rows.filter(pk__in=[i.pk for i in rows if purpose in (i.purposes or [])])
    if active is not None:
        rows = rows.filter(is_active=active)
    return rows.order_by("level", "region__code", "name", "pk")


@router.get("/instruments/{code}", response=responses(InstrumentOut))
def get_instrument(request, code: str):
    return get_object_or_404(selectors.instrument_list(request.user), code=code)


@router.get("/awards", response=responses(list[AwardOut]), summary="지원 실적 (볼 수 있는 것만)")
@paginate(Pagination)
def list_awards(
    request,
    year: int | None = Query(None, ge=1900, le=2200),
    instrument: str = "",
    firm: int | None = Query(None, ge=1, le=MAX_ID),
    status: AwardStatus | None = None,
    flagged: bool | None = None,
):
    rows = selectors.award_list(
        request.user, {"year": year or "", "instrument": instrument, "flagged": "1" if flagged else ""}
    )
    if firm is not None:
        rows = rows.filter(firm_id=firm)
    if status:
        rows = rows.filter(status=status)
    if flagged is False:
        rows = rows.filter(flags=[])
    return rows


@router.get("/awards/{award_id}", response=responses(AwardOut))
def get_award(request, award_id: int):
    return get_object_or_404(selectors.award_list(request.user), pk=award_id)


@router.post(
    "/awards",
    response=responses(AwardOut, 201),
    summary="지원 실적 기록 (지원사업 운영기관 담당자; 중복지원 가능성은 409 + 확인 사유로 재요청)",
)
def record_award(request, payload: AwardIn):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")
    instrument = get_object_or_404(
        Instrument.objects.visible_to(request.user).select_related("operator"), code=payload.instrument
    )
    if not services.can_record_for(request.user, instrument):
        raise PermissionDeniedError(_("이 지원사업의 운영기관 담당자만 지원 실적을 기록할 수 있습니다."))
    if payload.firm_id is not None:
        firm = get_object_or_404(Firm.objects.visible_to(request.user), pk=payload.firm_id)
    elif payload.brn.strip():
        if not is_valid_brn(payload.brn.strip()):
            raise ValidationFailed(
                _("사업자등록번호가 올바르지 않습니다."),
                errors={"brn": [_("사업자등록번호가 올바르지 않습니다.")]},
            )
        firm = Firm.objects.filter(brn=normalize_brn(payload.brn.strip())).first()
        if firm is None:
            raise ValidationFailed(
                _("등록되지 않은 사업자등록번호입니다."),
                errors={"brn": [_("등록되지 않은 사업자등록번호입니다. 먼저 기업 명부에 등록하세요.")]},
            )
    else:
        raise ValidationFailed(
            _("기업을 지정하세요."), errors={"firm_id": [_("기업 ID 또는 사업자등록번호를 입력하세요.")]}
        )
    project = None
    if payload.project_id is not None:
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=payload.project_id)
    award = services.award_record(
        by=request.user,
        instrument=instrument,
        firm=firm,
        awarded_on=payload.awarded_on,
        amount_krw=payload.amount_krw,
        total_cost_krw=payload.total_cost_krw,
        project=project,
        note=payload.note,
        acknowledge_flags=payload.acknowledge_flags,
        acknowledgement=payload.acknowledgement,
    )
    return Status(201, SupportAward.objects.select_related("firm", "instrument").get(pk=award.pk))


@router.get(
    "/participations",
    response=responses(list[ParticipationOut]),
    summary="선정 프로젝트 참여기업 신청·확정 (볼 수 있는 것만)",
)
@paginate(Pagination)
def list_participations(
    request,
    status: ParticipationStatus | None = None,
    project: int | None = Query(None, ge=1, le=MAX_ID),
):
    return selectors.participation_list(request.user, {"status": status or "", "project": project or ""})
