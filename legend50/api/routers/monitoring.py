"""Monitoring over the API: the K-SME 50+ indicators, their official and computed observations
(public; small-group figures suppressed as on the public pages), and firms' yearly outcomes (scoped).
Writes go through `monitoring.services` only."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from legend50.core.errors import PermissionDeniedError
from legend50.firms.models import Firm
from legend50.monitoring import selectors, services
from legend50.monitoring.models import Indicator, Observation

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["monitoring"])

MAX_WON = 9_000_000_000_000_000_000
MAX_ID = 2**63 - 1


class IndicatorOut(Schema):
    key: str
    label: str
    short_label: str
    definition: str
    target: float
    target_year: int

    @staticmethod
    def resolve_target(obj):
        return float(obj.target)


class ObservationOut(Schema):
    id: int
    indicator: str
    year: int
    region_code: str = Field(description="''이면 전국")
    value: float | None = Field(description="비율(0~1). 3개사 미만 집계는 공개하지 않아 null")
    suppressed: bool
    is_official: bool = Field(description="공식 통계(true) 또는 마이크로데이터 산출값(false)")
    dataset: str
    source: str
    note: str
    n_firms: int | None


class ObservationIn(Schema):
    indicator: str
    year: int
    value: str = Field(description="비율(0.123) 또는 백분율('12.3%')")
    source: str = Field(max_length=2000)
    note: str = Field("", max_length=2000)
    region_code: str = Field("", max_length=2)


class OutcomeOut(Schema):
    id: int
    firm_id: int
    firm_name: str
    region_code: str | None
    year: int
    project_id: int | None
    sales_krw: int
    direct_exports_krw: int
    indirect_exports_krw: int
    employees: int | None
    rnd_krw: int | None
    source: str
    is_sample: bool

    @staticmethod
    def resolve_firm_name(obj):
        return obj.firm.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.firm.region.code if obj.firm.region_id else None


class OutcomeIn(Schema):
    firm_id: int
    year: int
    sales_krw: int | None = Field(None, ge=0, le=MAX_WON, description="원 단위 정수")
    direct_exports_krw: int | None = Field(None, ge=0, le=MAX_WON)
    indirect_exports_krw: int | None = Field(None, ge=0, le=MAX_WON)
    employees: int | None = Field(None, ge=0, le=2_147_483_647)
    rnd_krw: int | None = Field(None, ge=0, le=MAX_WON)


def _require_user(request):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")


def _observation_out(user, obs: Observation) -> dict:
    hidden = bool(
        obs.region_code
        and obs.n_firms is not None
        and obs.n_firms < selectors.MIN_GROUP_FIRMS
        and selectors.suppresses(user, obs.region_code)
    )
    return {
        "id": obs.pk,
        "indicator": obs.indicator.key,
        "year": obs.year,
        "region_code": obs.region_code,
        "value": None if hidden else float(obs.value),
        "suppressed": hidden,
        "is_official": obs.is_official,
        "dataset": obs.dataset,
        "source": obs.source,
        "note": obs.note,
        "n_firms": None if hidden else obs.n_firms,
    }


@router.get("/indicators", response=responses(list[IndicatorOut]), summary="K-SME 50+ 성과 지표")
def list_indicators(request):
    return Indicator.objects.visible_to(request.user).order_by("order", "key")


@router.get("/indicators/{key}", response=responses(IndicatorOut))
def get_indicator(request, key: str):
    return get_object_or_404(Indicator.objects.visible_to(request.user), key=key)


@router.get(
    "/observations",
    response=responses(list[ObservationOut]),
    summary="지표 관측값 (공식 통계와 산출값은 별도 계열)",
)
@paginate(Pagination)
def list_observations(
    request,
    indicator: str = "",
    year: int | None = Query(None, ge=1900, le=2200),
    region: str = Query("", description="시·도 코드; 'national'이면 전국만"),
    official: bool | None = None,
):
    qs = (
        Observation.objects.visible_to(request.user)
        .select_related("indicator")
        .order_by("indicator__order", "year", "region_code", "-is_official", "dataset", "pk")
    )
    if indicator:
        qs = qs.filter(indicator__key=indicator)
    if year is not None:
        qs = qs.filter(year=year)
    if region == "national":
        qs = qs.filter(region_code="")
    elif region:
        qs = qs.filter(region_code=region)
    if official is not None:
        qs = qs.filter(is_official=official)
    return [_observation_out(request.user, obs) for obs in qs[:5000]]


@router.post(
    "/observations",
    response=responses(ObservationOut, 201),
    summary="공식 통계 입력·정정 (중기부)",
)
def record_observation(request, payload: ObservationIn):
    _require_user(request)
    obs = services.observation_record_official(
        indicator_key=payload.indicator,
        year=payload.year,
        value=payload.value,
        source=payload.source,
        note=payload.note,
        region_code=payload.region_code,
        by=request.user,
    )
    obs = Observation.objects.select_related("indicator").get(pk=obs.pk)
    return Status(201, _observation_out(request.user, obs))


@router.get(
    "/outcomes",
    response=responses(list[OutcomeOut]),
    summary="기업 연도별 성과 (볼 수 있는 기업만; 비로그인은 없음)",
)
@paginate(Pagination)
def list_outcomes(
    request,
    year: int | None = Query(None, ge=1900, le=2200),
    region: str = "",
    firm: int | None = Query(None, ge=1, le=MAX_ID),
):
    qs = selectors.outcome_list(request.user, year=year, region=region or None)
    return qs.filter(firm_id=firm) if firm is not None else qs


@router.put(
    "/outcomes",
    response=responses(OutcomeOut),
    summary="기업 연도별 성과 입력·정정 (중기부, 관할 시·도 담당자)",
)
def save_outcome(request, payload: OutcomeIn):
    _require_user(request)
    firm = get_object_or_404(
        Firm.objects.visible_to(request.user).select_related("region"), pk=payload.firm_id
    )
    data = payload.dict(exclude={"firm_id", "year"})
    outcome = services.outcome_save(firm=firm, year=payload.year, by=request.user, **data)
    return selectors.outcome_list(request.user).get(pk=outcome.pk)
