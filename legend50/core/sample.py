"""The sample-data generator: deterministic for a seed, Korean names (Faker ko_KR), every record
marked `is_sample`. It adds to the demo story at any scale (benchmarks, what-if trials):

    legend50 sample --seed 7 --institutions 5 --firms 2000 --proposals 100

Organizations go to all 17 provinces; firms get valid (sample) 사업자등록번호, KSIC codes and three
years of financials with the size class computed by rule; proposals are complete drafts in the open call.
"""

from __future__ import annotations

import random

from django.db import transaction
from faker import Faker

from legend50.engines.ids import brn_check_digit
from legend50.registry.choices import InstitutionType, OrganizationKind
from legend50.registry.models import Organization, Region

KSIC_SAMPLE = [
    "C26110",
    "C29280",
    "C30310",
    "C20119",
    "C21210",
    "C25112",
    "C28111",
    "J58221",
    "M70113",
    "C10799",
    "C27199",
    "C31114",
    "G46510",
    "C22299",
    "C24113",
]
INSTITUTION_KINDS = [
    (InstitutionType.UNIVERSITY, "{city}대학교 산학협력단"),
    (InstitutionType.RESEARCH_INSTITUTE, "{city}{field}연구원"),
    (InstitutionType.SPECIALIZATION_CENTER, "{city}{field}특화센터"),
]
FIELDS = ["로봇", "바이오", "이차전지", "수소", "반도체", "모빌리티", "스마트제조", "디지털헬스"]


def _brn(rng: random.Random, used: set[str]) -> str:
    while True:
        # Tax office 9xx and type 86 (for-profit corporation): a valid check digit, clearly not a real firm.
        first = f"9{rng.randint(0, 99):02d}86{rng.randint(0, 9999):04d}"
        brn = first + str(brn_check_digit(first))
        if brn not in used:
            used.add(brn)
            return brn


def generate(
    *, seed: int = 0, institutions: int = 2, firms: int = 200, proposals: int = 0, out=print
) -> dict:
    from legend50.firms.models import Firm, FirmFinancial
    from legend50.firms.services import firm_refresh_size

    rng = random.Random(seed)
    fake = Faker("ko_KR")
    fake.seed_instance(seed)
    regions = list(Region.objects.order_by("code"))
    created = {"organizations": 0, "firms": 0, "financials": 0, "proposals": 0}
    with transaction.atomic():
        for region in regions:
            for index in range(institutions):
                institution_type, pattern = INSTITUTION_KINDS[index % len(INSTITUTION_KINDS)]
                name = (
                    pattern.format(city=region.short_name, field=rng.choice(FIELDS))
                    + f" (표본 {seed}-{index})"
                )
                _org, new = Organization.objects.get_or_create(
                    name=name,
                    kind=OrganizationKind.INNOVATION_INSTITUTION,
                    defaults={"institution_type": institution_type, "region": region, "is_sample": True},
                )
                created["organizations"] += new
        out(f"  기관 {created['organizations']}곳 (17개 시·도)")
        used = set(Firm.objects.exclude(brn=None).values_list("brn", flat=True))
        financials = []
        new_firms = []
        for index in range(firms):
            region = regions[index % len(regions)]
            name = f"{fake.company()} (표본)"
            firm = Firm(
                name=name,
                brn=_brn(rng, used),
                ksic_code=rng.choice(KSIC_SAMPLE),
                region=region,
                founded_on=fake.date_between(start_date="-30y", end_date="-2y"),
                is_sample=True,
            )
            new_firms.append(firm)
        Firm.objects.bulk_create(new_firms, batch_size=1000)
        for firm in new_firms:
            sales = int(rng.lognormvariate(22.5, 1.3))
            for year in (2023, 2024, 2025):
                sales = max(int(sales * rng.uniform(0.85, 1.25)), 1_000_000)
                exports = int(sales * rng.choice([0, 0, 0.05, 0.15, 0.4]))
                financials.append(
                    FirmFinancial(
                        firm=firm,
                        year=year,
                        sales_krw=sales,
                        total_assets_krw=int(sales * rng.uniform(0.6, 1.8)),
                        direct_exports_krw=exports,
                        indirect_exports_krw=int(sales * rng.uniform(0, 0.1)),
                        employees=max(1, int(sales / rng.uniform(2e8, 6e8))),
                    )
                )
        FirmFinancial.objects.bulk_create(financials, batch_size=2000)
        for firm in new_firms:
            firm_refresh_size(firm)
        created["firms"], created["financials"] = len(new_firms), len(financials)
        out(f"  기업 {len(new_firms):,}개사, 재무 {len(financials):,}건")
        if proposals:
            created["proposals"] = _proposals(proposals, rng)
            out(f"  제안서 초안 {created['proposals']}건")
    return created


def _proposals(count: int, rng: random.Random) -> int:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from legend50.programs.models import Call
    from legend50.proposals.demo import make_ready_draft

    call = (
        Call.objects.filter(closes_at__gt=timezone.now(), opens_at__lt=timezone.now())
        .order_by("closes_at")
        .first()
    )
    if call is None:
        return 0
    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="province-")}
    made = 0
    for index in range(count):
        if not users:
            break
        user = users[rng.choice(sorted(users))]
        make_ready_draft(call=call, by=user, title=f"표본 제안 {rng.randint(0, 10**6):06d} · {index}")
        made += 1
    return made
