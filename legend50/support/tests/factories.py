"""Test data for support: a selected project in 대구, firms with financials, the central catalog."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from legend50.engines.ids import brn_check_digit
from legend50.firms.models import Firm, FirmFinancial
from legend50.firms.services import firm_refresh_size
from legend50.registry.models import Region

EOK = 100_000_000


def user(name):
    return get_user_model().objects.get(username=name)


def brn(serial: int) -> str:
    first = f"70286{serial:04d}"
    return first + str(brn_check_digit(first))


def firm(
    serial, *, sales_eok=50, ksic="C29280", region="27", years=(2022, 2023, 2024, 2025), **extra
) -> Firm:
    f = Firm.objects.create(
        name=f"(주)지원테스트{serial}",
        brn=brn(serial),
        ksic_code=ksic,
        region=Region.objects.get(code=region),
        **extra,
    )
    for year in years:
        FirmFinancial.objects.create(
            firm=f, year=year, sales_krw=int(sales_eok * EOK), total_assets_krw=int(sales_eok * EOK)
        )
    firm_refresh_size(f)
    f.refresh_from_db()
    return f


def project(region="27", title="에이비비(ABB) 융합 로봇에스아이(SI) 제조혁신사업", start=2024, end=2026):
    from legend50.funding.models import Project
    from legend50.programs.models import Call
    from legend50.proposals.models import Proposal

    region_obj = Region.objects.get(code=region)
    proposal = Proposal.objects.create(
        call=Call.objects.order_by("pk").first(), title=title, lead_region=region_obj, status="selected"
    )
    return Project.objects.create(
        proposal=proposal, title=title, lead_region=region_obj, start_year=start, end_year=end
    )


def catalog():
    from legend50.support import demo

    demo.load_facts()
    from legend50.support.models import Instrument

    return {i.code: i for i in Instrument.objects.all()}


def local_instrument(code="daegu-export-marketing"):
    from legend50.support import demo

    spec = next(s for s in demo.LOCAL if s["code"] == code)
    return demo._upsert_instrument(spec, is_sample=True)


def admit(project_obj, firm_obj):
    from legend50.support.models import ProjectParticipation

    return ProjectParticipation.objects.create(project=project_obj, firm=firm_obj, status="admitted")


def day(year, month=5, d=10):
    return dt.date(year, month, d)
