"""The firm registry over the API: firms (filters: region, KSIC, size class, name or 사업자등록번호)
and their yearly financials, read through the same scoping as the pages — a firm's users see their
own firm, a province its firms, operators the firms they support, ministry and auditors all; the
public sees none."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from legend50.core.errors import PermissionDeniedError
from legend50.firms import selectors, services
from legend50.firms.models import Firm, FirmFinancial

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["firms"])

MAX_WON = 9_000_000_000_000_000_000


class FirmOut(Schema):
    id: int
    name: str
    aliases: list[str]
    brn: str | None
    ksic_code: str
    region_code: str | None
    founded_on: date | None
    size_class: str
    size_reason: str
    size_basis: str
    is_sample: bool
    updated_at: datetime

    @staticmethod
    def resolve_aliases(obj):
        return [str(a) for a in obj.aliases or []]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None


class FinancialOut(Schema):
    year: int
    sales_krw: int
    total_assets_krw: int | None
    direct_exports_krw: int | None
    indirect_exports_krw: int | None
    exports_krw: int | None
    employees: int | None
    rnd_krw: int | None


class FinancialIn(Schema):
    sales_krw: int | None = Field(None, ge=0, le=MAX_WON, description="매출액(원), 필수")
    total_assets_krw: int | None = Field(None, ge=0, le=MAX_WON)
    direct_exports_krw: int | None = Field(None, ge=0, le=MAX_WON)
    indirect_exports_krw: int | None = Field(None, ge=0, le=MAX_WON)
    employees: int | None = Field(None, ge=0, le=2_147_483_647)
    rnd_krw: int | None = Field(None, ge=0, le=MAX_WON)


def _firms(request):
    return Firm.objects.visible_to(request.user).select_related("region")


@router.get("/firms", response=responses(list[FirmOut]), summary="기업 목록 (볼 수 있는 기업만)")
@paginate(Pagination)
def list_firms(
    request,
    q: str = Query("", description="기업명·다른 표기 또는 사업자등록번호 앞자리"),
    region: str = Query("", description="본사 소재 시·도 코드"),
    ksic: str = Query("", description="KSIC 코드 앞자리(예: C, C29, C29280)"),
    size: str = Query("", description="small | medium | non_sme | unknown"),
):
    firms = selectors.firm_list(request.user, {"q": q, "region": region, "size": size})
    if ksic:
        firms = firms.filter(ksic_code__startswith=ksic.strip().upper())
    return firms


@router.get("/firms/{firm_id}", response=responses(FirmOut))
def get_firm(request, firm_id: int):
    return get_object_or_404(_firms(request), pk=firm_id)


@router.get(
    "/firms/{firm_id}/financials",
    response=responses(list[FinancialOut]),
    summary="기업 연도별 재무 실적 (원)",
)
def list_financials(request, firm_id: int):
    firm = get_object_or_404(_firms(request), pk=firm_id)
    return FirmFinancial.objects.visible_to(request.user).filter(firm=firm).order_by("year")


@router.put(
    "/firms/{firm_id}/financials/{year}",
    response=responses(FinancialOut),
    summary="연도별 재무 실적 입력·정정 (기업 사용자·관할 시·도·중기부; 기업 규모 재산정)",
)
def save_financial(request, firm_id: int, year: int, payload: FinancialIn):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")
    firm = get_object_or_404(_firms(request), pk=firm_id)
    return services.financial_save(by=request.user, firm=firm, year=year, **payload.dict())
