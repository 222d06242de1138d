from ninja import FilterSchema, Query, Router, Schema
from ninja.pagination import paginate

from legend50.registry.models import Organization, Region

from ..pagination import Pagination
from ..schemas import responses

router = Router(tags=["registry"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    group: str
    is_capital_area: bool


class OrganizationOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    institution_type: str
    region_code: str | None
    is_sample: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code if obj.region_id else None


class OrganizationFilter(FilterSchema):
    kind: str | None = None
    region: str | None = None
    q: str | None = None

    def filter_region(self, value):
        from django.db.models import Q

        return Q(region__code=value) if value else Q()

    def filter_q(self, value):
        from django.db.models import Q

        return Q(name__icontains=value) if value else Q()


@router.get("/regions", response=responses(list[RegionOut]), summary="17개 시·도")
def list_regions(request):
    return Region.objects.visible_to(request.user)


@router.get("/organizations", response=responses(list[OrganizationOut]), summary="기관 목록")
@paginate(Pagination)
def list_organizations(request, filters: Query[OrganizationFilter]):
    return filters.filter(
        Organization.objects.visible_to(request.user).select_related("region").order_by("id")
    )


@router.get(
    "/organizations/{organization_id}",
    response=responses(OrganizationOut),
)
def get_organization(request, organization_id: int):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Organization.objects.visible_to(request.user).select_related("region"), pk=organization_id
    )
