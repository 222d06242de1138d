"""Sample firms for the demo accounts (clearly marked as sample; numbers pass the check digit)."""

from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization, Region

from .models import Firm

# name, 사업자등록번호 (sample, valid check digit), KSIC, region
DEMO_USER_FIRMS = [
    ("(주)달구벌로보틱스 (표본)", "5048112346", "C29280", "27"),
    ("(주)금호정밀 (표본)", "5048112351", "C29172", "27"),
    ("(주)팔공스마트팩토리 (표본)", "5048112365", "C26299", "27"),
]


def demo_user_firms(count: int) -> list[Firm]:
    firms = []
    for name, brn, ksic, region_code in DEMO_USER_FIRMS[:count]:
        org, _ = Organization.objects.get_or_create(
            name=name,
            kind=OrganizationKind.FIRM,
            defaults={"region": Region.objects.get(code=region_code), "is_sample": True},
        )
        firm, _ = Firm.objects.get_or_create(
            brn=brn,
            defaults={
                "name": name,
                "ksic_code": ksic,
                "region": org.region,
                "organization": org,
                "is_sample": True,
            },
        )
        firms.append(firm)
    return firms
