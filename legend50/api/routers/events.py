"""The Expo (지역혁신대전) over the API: events, sessions, published award recipients, the published
exhibitor directory and agreements for everyone; nominations and exhibitor applications scoped like
the pages; a firm applies to exhibit through `events.services.exhibitor_apply`."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from legend50.core.errors import PermissionDeniedError
from legend50.events import selectors, services
from legend50.events.choices import ExhibitorStatus, NominationStatus
from legend50.events.models import Event, ExhibitTheme
from legend50.firms.models import Firm

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["events"])

MAX_ID = 2**63 - 1


class EventOut(Schema):
    slug: str
    name: str
    edition: int
    theme: str
    starts_on: date
    ends_on: date
    venue: str
    halls: list[str]
    host: str
    organizers_label: str
    expected_visitors_label: str
    summary: str
    main_contents: list[str]
    is_published: bool
    recipients_published: bool
    is_sample: bool

    @staticmethod
    def resolve_host(obj):
        return obj.host.name

    @staticmethod
    def resolve_halls(obj):
        return [str(h) for h in obj.halls or []]

    @staticmethod
    def resolve_main_contents(obj):
        return [str(c) for c in obj.main_contents or []]


class SessionOut(Schema):
    id: int
    kind: str
    order: int
    segment: str
    title: str
    presenter: str
    location: str
    starts_at: datetime | None
    ends_at: datetime | None


class ThemeOut(Schema):
    id: int
    name: str
    order: int
    hall: str
    capacity: int | None


class RecipientOut(Schema):
    category: str
    award_order: int | None
    name: str
    nominee_kind: str
    affiliation: str
    affiliation_kind: str
    position: str

    @staticmethod
    def resolve_category(obj):
        return obj.awarded_category.name

    @staticmethod
    def resolve_name(obj):
        return obj.display_name


class NominationOut(Schema):
    id: int
    category: str | None
    status: str
    nominee_kind: str
    nominee_name: str
    affiliation: str
    affiliation_kind: str
    position: str
    merit_statement: str
    nominating_organization: str | None
    nominating_region_code: str | None
    submitted_at: datetime | None
    is_sample: bool

    @staticmethod
    def resolve_category(obj):
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_nominating_organization(obj):
        return obj.nominating_organization.name if obj.nominating_organization_id else None

    @staticmethod
    def resolve_nominating_region_code(obj):
        return obj.nominating_region.code if obj.nominating_region_id else None


class ExhibitorOut(Schema):
    id: int
    order: int | None
    company_name: str
    product: str
    description: str
    theme: str
    region_code: str
    hall: str
    booth: str

    @staticmethod
    def resolve_theme(obj):
        return obj.theme.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code


class ApplicationOut(ExhibitorOut):
    firm_id: int | None
    status: str
    review_note: str
    contact_name: str
    contact_email: str
    is_published: bool
    created_at: datetime


class ApplicationIn(Schema):
    firm_id: int | None = Field(None, description="생략하면 사용자의 소속 기업")
    theme_id: int
    product: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    contact_name: str = Field("", max_length=100)
    contact_email: str = Field("", max_length=254)


class PartyOut(Schema):
    organization: str
    signatory: str


class AgreementOut(Schema):
    id: int
    event: str | None
    title: str
    signed_on: date
    purpose: str
    parties: list[PartyOut]
    is_published: bool

    @staticmethod
    def resolve_event(obj):
        return obj.event.slug if obj.event_id else None

    @staticmethod
    def resolve_parties(obj):
        return [{"organization": p.organization.name, "signatory": p.signatory} for p in obj.parties.all()]


def _event(request, slug: str) -> Event:
    return get_object_or_404(selectors.event_list(request.user), slug=slug)


@router.get("/events", response=responses(list[EventOut]), summary="행사(지역혁신대전) 목록")
@paginate(Pagination)
def list_events(request):
    return selectors.event_list(request.user).order_by("-starts_on", "pk")


@router.get("/events/{slug}", response=responses(EventOut))
def get_event(request, slug: str):
    return _event(request, slug)


@router.get("/events/{slug}/sessions", response=responses(list[SessionOut]), summary="세부 일정")
def list_sessions(request, slug: str):
    return selectors.sessions(request.user, _event(request, slug))


@router.get("/events/{slug}/themes", response=responses(list[ThemeOut]), summary="혁신기업관 테마분야")
def list_themes(request, slug: str):
    return selectors.themes(request.user, _event(request, slug))


@router.get(
    "/events/{slug}/recipients",
    response=responses(list[RecipientOut]),
    summary="유공자 포상 수상자 (공개된 명단)",
)
def list_recipients(request, slug: str):
    return selectors.recipients(request.user, _event(request, slug))


@router.get(
    "/events/{slug}/exhibitors",
    response=responses(list[ExhibitorOut]),
    summary="혁신기업관 참여기업 (공개된 명단)",
)
@paginate(Pagination)
def list_exhibitors(request, slug: str, theme: int | None = Query(None, ge=1, le=MAX_ID), region: str = ""):
    return selectors.directory(request.user, _event(request, slug), theme=theme or "", region=region)


@router.get(
    "/events/{slug}/nominations",
    response=responses(list[NominationOut]),
    summary="유공자 추천 (추천 기관·관할 시·도·중기부만)",
)
@paginate(Pagination)
def list_nominations(request, slug: str, status: NominationStatus | None = None, region: str = ""):
    return selectors.nominations(request.user, _event(request, slug), status=status or "", region=region)


@router.get("/events/{slug}/nominations/{nomination_id}", response=responses(NominationOut))
def get_nomination(request, slug: str, nomination_id: int):
    return get_object_or_404(selectors.nominations(request.user, _event(request, slug)), pk=nomination_id)


@router.get(
    "/events/{slug}/applications",
    response=responses(list[ApplicationOut]),
    summary="혁신기업관 참가 신청 (신청 기업·관할 시·도·중기부만)",
)
@paginate(Pagination)
def list_applications(request, slug: str, status: ExhibitorStatus | None = None):
    return selectors.applications(request.user, _event(request, slug), status=status or "")


@router.post(
    "/events/{slug}/applications",
    response=responses(ApplicationOut, 201),
    summary="혁신기업관 참가 신청 (기업 사용자)",
)
def apply(request, slug: str, payload: ApplicationIn):
    if not request.user.is_authenticated:
        raise PermissionDeniedError(_("로그인(토큰)이 필요합니다."), code="unauthenticated")
    event = _event(request, slug)
    firms = services.applicant_firms(request.user)
    if payload.firm_id is not None:
        firm = get_object_or_404(Firm.objects.visible_to(request.user), pk=payload.firm_id)
    else:
        firm = firms.first()
    theme = ExhibitTheme.objects.filter(event=event, pk=payload.theme_id).first()
    exhibitor = services.exhibitor_apply(
        event=event,
        by=request.user,
        firm=firm,
        theme=theme,
        product=payload.product,
        description=payload.description,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
    )
    return Status(201, selectors.applications(request.user, event).get(pk=exhibitor.pk))


@router.get("/agreements", response=responses(list[AgreementOut]), summary="업무협약 (공개된 것)")
@paginate(Pagination)
def list_agreements(request, event: str = ""):
    agreements = selectors.agreements(request.user).select_related("event").order_by("-signed_on", "pk")
    return agreements.filter(event__slug=event) if event else agreements
