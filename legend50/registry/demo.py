"""Organizations that are facts: the ministry, the 17 local governments, the regional SME offices
(DOMAIN.md: kept as data, confidence U for the full list), each province's technopark, and every
organization named in the source document."""

from .choices import InstitutionType, OrganizationKind
from .models import Organization, Region, RegionCodeAlias
from .reference import load_regions

MINISTRY_NAME = "중소벤처기업부"

# name, covered region codes
REGIONAL_SME_OFFICES = [
    ("서울지방중소벤처기업청", ["11"]),
    ("인천지방중소벤처기업청", ["28"]),
    ("경기지방중소벤처기업청", ["41"]),
    ("강원지방중소벤처기업청", ["51"]),
    ("대전·세종지방중소벤처기업청", ["30", "36"]),
    ("충북지방중소벤처기업청", ["43"]),
    ("충남지방중소벤처기업청", ["44"]),
    ("광주·전남지방중소벤처기업청", ["29", "46"]),
    ("전북지방중소벤처기업청", ["52"]),
    ("대구·경북지방중소벤처기업청", ["27", "47"]),
    ("부산지방중소벤처기업청", ["26"]),
    ("울산지방중소벤처기업청", ["31"]),
    ("경남지방중소벤처기업청", ["48"]),
    ("제주지방중소벤처기업청", ["50"]),
]

TECHNOPARK_NAMES = {
    "11": "서울테크노파크",
    "26": "(재)부산테크노파크",
    "27": "(재)대구테크노파크",
    "28": "인천테크노파크",
    "29": "(재)광주테크노파크",
    "30": "대전테크노파크",
    "31": "울산테크노파크",
    "36": "(재)세종테크노파크",
    "41": "경기테크노파크",
    "43": "충북테크노파크",
    "44": "충남테크노파크",
    "46": "전남테크노파크",
    "47": "(재)경북테크노파크",
    "48": "(재)경남테크노파크",
    "50": "제주테크노파크",
    "51": "강원테크노파크",
    "52": "전북테크노파크",
}

# Named in the source document (besides firms, which the firm registry holds).
NAMED_ORGANIZATIONS = [
    ("지방시대위원회", OrganizationKind.OTHER, "", None, "Presidential Committee on Local Era"),
    ("중소기업기술정보진흥원", OrganizationKind.SUPPORT_AGENCY, "", "30", "TIPA"),
    (
        "(재)강원지역사업평가단",
        OrganizationKind.INNOVATION_INSTITUTION,
        InstitutionType.RESEARCH_INSTITUTE,
        "51",
        "",
    ),
    (
        "경북하이브리드부품연구원",
        OrganizationKind.INNOVATION_INSTITUTION,
        InstitutionType.RESEARCH_INSTITUTE,
        "47",
        "",
    ),
    ("대구광역시", OrganizationKind.LOCAL_GOVERNMENT, "", "27", "Daegu Metropolitan City"),
]

# Linked institutions seen in practice (DOMAIN.md, "Project management roles").
SUPPORT_AGENCIES = [
    ("중소벤처기업진흥공단", "KOSMES"),
    ("창업진흥원", "KISED"),
    ("스마트제조혁신추진단", "Korea Smart Manufacturing Office"),
    ("대한무역투자진흥공사", "KOTRA"),
]


def load_facts(out=None):
    load_regions(Region, RegionCodeAlias)
    regions = {r.code: r for r in Region.objects.all()}
    Organization.objects.update_or_create(
        name=MINISTRY_NAME,
        kind=OrganizationKind.MINISTRY,
        defaults={"name_en": "Ministry of SMEs and Startups"},
    )
    for code, region in regions.items():
        Organization.objects.update_or_create(
            name=region.name,
            kind=OrganizationKind.LOCAL_GOVERNMENT,
            defaults={"region": region, "name_en": region.name_en},
        )
        Organization.objects.update_or_create(
            name=TECHNOPARK_NAMES[code],
            kind=OrganizationKind.INNOVATION_INSTITUTION,
            defaults={
                "region": region,
                "institution_type": InstitutionType.TECHNOPARK,
                "name_en": f"{region.name_en} Technopark",
            },
        )
    for name, covered in REGIONAL_SME_OFFICES:
        office, _ = Organization.objects.update_or_create(
            name=name, kind=OrganizationKind.REGIONAL_SME_OFFICE, defaults={"region": regions[covered[0]]}
        )
        office.covered_regions.set([regions[c] for c in covered])
    for name, kind, institution_type, region_code, name_en in NAMED_ORGANIZATIONS:
        Organization.objects.update_or_create(
            name=name,
            kind=kind,
            defaults={
                "institution_type": institution_type,
                "name_en": name_en,
                "region": regions.get(region_code) if region_code else None,
            },
        )
    for name, name_en in SUPPORT_AGENCIES:
        Organization.objects.update_or_create(
            name=name, kind=OrganizationKind.SUPPORT_AGENCY, defaults={"name_en": name_en}
        )


def office_for_region(code: str) -> Organization:
    return Organization.objects.get(kind=OrganizationKind.REGIONAL_SME_OFFICE, covered_regions__code=code)


def local_government(code: str) -> Organization:
    return Organization.objects.get(kind=OrganizationKind.LOCAL_GOVERNMENT, region__code=code)


def ministry() -> Organization:
    return Organization.objects.get(name=MINISTRY_NAME, kind=OrganizationKind.MINISTRY)
