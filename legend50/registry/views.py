from django.core.paginator import Paginator
from django.shortcuts import render

from legend50.core.scoping import get_visible_or_404

from . import selectors
from .choices import OrganizationKind
from .models import Organization


def region_list(request):
    return render(request, "registry/region_list.html", {"regions": selectors.region_list(request.user)})


def organization_list(request):
    organizations = selectors.organization_list(request.user)
    kind = request.GET.get("kind", "")
    region = request.GET.get("region", "")
    if kind in OrganizationKind.values:
        organizations = organizations.filter(kind=kind)
    if region:
        organizations = organizations.filter(region__code=region)
    page = Paginator(organizations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/organization_list.html",
        {
            "page": page,
            "kinds": OrganizationKind.choices,
            "kind": kind,
            "region": region,
            "regions": selectors.region_list(request.user),
        },
    )


def organization_detail(request, pk):
    organization = get_visible_or_404(Organization.objects.select_related("region"), request, pk=pk)
    return render(request, "registry/organization_detail.html", {"organization": organization})
