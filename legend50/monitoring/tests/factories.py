"""Small builders for monitoring tests (projects, firms, valid 사업자등록번호)."""


def make_project(region_code: str, title: str, *, start=2024, end=2026):
    from legend50.funding.models import Project
    from legend50.programs.models import Call
    from legend50.proposals.models import Proposal
    from legend50.registry.models import Region

    region = Region.objects.get(code=region_code)
    proposal = Proposal.objects.create(
        call=Call.objects.order_by("pk").first(), title=title, lead_region=region
    )
    return Project.objects.create(
        proposal=proposal, title=title, lead_region=region, start_year=start, end_year=end, is_published=True
    )


def make_firm(name: str, region_code: str, brn: str | None = None, size_class: str = "small"):
    from legend50.firms.models import Firm
    from legend50.registry.models import Region

    firm = Firm.objects.create(
        name=name, brn=brn, region=Region.objects.get(code=region_code), is_sample=True
    )
    type(firm).objects.filter(pk=firm.pk).update(size_class=size_class)
    firm.refresh_from_db()
    return firm


def valid_brn(prefix9: str) -> str:
    from legend50.engines.ids import brn_check_digit

    return prefix9 + str(brn_check_digit(prefix9))
