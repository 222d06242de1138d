"""Firms: the companies named in the source document (facts, no 사업자등록번호 — none is ever
invented) and sample firms with yearly financials for the demo (marked sample; their numbers pass
the check digit and are not real companies')."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.base import ContentFile

from legend50.engines.ids import brn_check_digit
from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization, Region

from .models import Firm, FirmFinancial, SmeCertificate

EOK = 100_000_000

# name, 사업자등록번호 (sample, valid check digit), KSIC, region
DEMO_USER_FIRMS = [
    ("(주)달구벌로보틱스 (표본)", "5048112346", "C29280", "27"),
    ("(주)금호정밀 (표본)", "5048112351", "C29172", "27"),
    ("(주)팔공스마트팩토리 (표본)", "5048112365", "C26299", "27"),
]

# Companies in the source document (awardees and the innovation-company pavilion), with the
# province the pavilion list gives. The text spells (주)영케미칼 once as 영케이칼: one company.
SOURCE_FIRMS: list[tuple[str, str | None, tuple[str, ...]]] = [
    ("(주)영케미칼", "경남", ("(주)영케이칼",)),
    ("주식회사 엔알비", None, ()),
    ("(주)휴비스", "대전", ()),
    ("(주)엔젤게임즈", None, ()),
    ("(주)협성히스코", None, ()),
    ("주식회사 동남리얼라이즈", None, ()),
    ("아신유니텍(주)", None, ()),
    ("주식회사 바이오오케스트라", None, ()),
    ("주식회사 지티사이언", None, ()),
    ("(주)모노리스", "제주", ()),
    ("(주)태동테크", None, ()),
    ("(주)선비테크", None, ()),
    ("(주)엠아이티코리아", None, ()),
    ("(주)엠에스메트리얼즈", None, ()),
    ("(주)엠알티", None, ()),
    ("(주)선포탈", None, ()),
    ("(주)중원산업", None, ()),
    ("(주)옵토닉스", None, ()),
    ("(유)가야미", None, ()),
    ("주식회사 엠팜", None, ()),
    ("주식회사 빈센", "울산", ()),
    ("(주)에테르시티", "부산", ()),
    ("(주)티씨엠에스", "경북", ()),
    ("동진기업(주)", "광주", ()),
    ("한양로보틱스(주)", "충남", ()),
    ("(주)아임삭", "충북", ()),
    ("(주)한아", "광주", ()),
    ("비전세미콘(주)", "세종", ()),
    ("주식회사 에프엔디파트너스", "세종", ()),
    ("(주)레보스케치", "대전", ()),
    ("(주)오투랩", "부산", ()),
    ("(주)휴레브", "강원", ()),
    ("(주)하스", "강원", ()),
    ("(주)엔젤릭스", "경남", ()),
    ("오토렉스 주식회사", "울산", ()),
    ("대영채비(주)", "대구", ()),
    ("(주)성우모터스", "충북", ()),
    ("산동금속공업(주)", "경북", ()),
    ("신우산업 주식회사", "전남", ()),
    ("(주)엘디티", "충남", ()),
    ("(주)보국전자", "대구", ()),
    ("(주)지비소프트", "대구", ()),
    ("(주)모션다이나믹스", "전북", ()),
    ("(주)올릭스", "전북", ()),
    ("(주)제이지파워넷", "전남", ()),
]

# Sample firms outside the demo accounts: name, KSIC, region, 2024 sales in 억원.
SAMPLE_FIRMS = [
    ("(주)신천기계 (표본)", "C29199", "27", 85),
    ("(주)동촌오토텍 (표본)", "C30332", "27", 420),
    ("(주)앞산센서 (표본)", "C26429", "27", 9),
    ("(주)수성소프트 (표본)", "J58221", "27", 35),
    ("(주)낙동정밀 (표본)", "C25934", "47", 160),
    ("(주)광안마린 (표본)", "C31114", "26", 240),
    ("(주)유성바이오 (표본)", "C21210", "30", 55),
    ("(주)한빛전지소재 (표본)", "C28202", "43", 1_650),
    ("(주)서해식품 (표본)", "C10799", "44", 2),
    ("(주)무등광학 (표본)", "C27302", "29", 28),
    ("(주)강남데이터 (표본)", "J62010", "11", 70),
    ("(주)판교로봇 (표본)", "C29280", "41", 110),
]

YEARS = (2021, 2022, 2023, 2024, 2025)


def sample_brn(serial: int) -> str:
    """Sample 사업자등록번호 (tax office 504, for-profit corporation 86) with a valid check digit."""
    first = f"50486{serial:04d}"
    return first + str(brn_check_digit(first))


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


def load_facts(out=None):
    """The companies of the source document: one record each, no 사업자등록번호."""
    from .services import firm_get_or_create_by_name

    created = 0
    for name, region, aliases in SOURCE_FIRMS:
        _firm, was_created = firm_get_or_create_by_name(name, region=region, aliases=aliases)
        created += was_created
    if out:
        out.write(f"firms: {len(SOURCE_FIRMS)} source-document companies ({created} new)\n")


def sample_financials(firm: Firm, *, sales_2024_eok: float, seed: int = 0, years=YEARS) -> int:
    """Deterministic yearly figures around a 2024 sales level; existing years are left alone."""
    rng = random.Random(f"{seed}:{firm.brn or firm.pk}")
    written = 0
    existing = set(firm.financials.values_list("year", flat=True))
    growth = rng.uniform(0.03, 0.14)
    export_ratio = rng.uniform(0.0, 0.35)
    indirect_ratio = rng.uniform(0.05, 0.25)
    employees_per_eok = rng.uniform(0.25, 0.9)
    for year in years:
        if year in existing:
            continue
        factor = (1 + growth) ** (year - 2024) * rng.uniform(0.95, 1.05)
        sales = int(sales_2024_eok * EOK * factor) // 1000 * 1000
        FirmFinancial.objects.create(
            firm=firm,
            year=year,
            sales_krw=sales,
            total_assets_krw=int(sales * rng.uniform(0.6, 1.4)) // 1000 * 1000,
            direct_exports_krw=int(sales * export_ratio) // 1000 * 1000,
            indirect_exports_krw=int(sales * indirect_ratio) // 1000 * 1000,
            employees=max(3, int(sales_2024_eok * employees_per_eok * factor)),
            rnd_krw=int(sales * rng.uniform(0.01, 0.06)) // 1000 * 1000,
            is_sample=True,
        )
        written += 1
    return written


def _sample_pdf(title: str) -> bytes:
    text = f"Legend50 sample SME confirmation - {title}".encode("ascii", "replace")
    return b"%PDF-1.4\n% sample certificate (demo data)\n" + text + b"\n%%EOF\n"


def load_demo(out=None, seed=0):
    from .services import firm_refresh_size

    firms = demo_user_firms(len(DEMO_USER_FIRMS))
    sales = {0: 48, 1: 135, 2: 7}  # 억원 in 2024: a small, a medium and a micro firm
    for index, firm in enumerate(firms):
        sample_financials(firm, sales_2024_eok=sales[index], seed=seed)
        if not firm.founded_on:
            Firm.objects.filter(pk=firm.pk).update(founded_on=dt.date(2004 + 4 * index, 3, 2))
    regions = {r.code: r for r in Region.objects.all()}
    for serial, (name, ksic, region_code, sales_eok) in enumerate(SAMPLE_FIRMS, start=1):
        firm, _ = Firm.objects.get_or_create(
            brn=sample_brn(serial),
            defaults={"name": name, "ksic_code": ksic, "region": regions[region_code], "is_sample": True,
                      "founded_on": dt.date(1990 + serial, 1 + serial % 12, 10)},
        )  # fmt: skip
        sample_financials(firm, sales_2024_eok=sales_eok, seed=seed)
        firms.append(firm)
    for firm in firms:
        firm_refresh_size(firm)
    # 중소기업확인서: firm-1's matches the computed class; firm-2's (issued on older figures) does not.
    for firm, stated in ((firms[0], None), (firms[1], "small")):
        firm.refresh_from_db()
        if firm.certificates.exists() or not firm.size_class or firm.size_class == "non_sme":
            continue
        content = _sample_pdf(firm.brn or str(firm.pk))
        cert = SmeCertificate(
            firm=firm,
            size_class=stated or firm.size_class,
            certificate_number=f"SAMPLE-2025-{firm.pk:05d}",
            valid_from=dt.date(2025, 4, 1),
            valid_until=dt.date(2026, 3, 31) if stated else dt.date(2027, 3, 31),
            original_name="중소기업확인서(표본).pdf",
            sha256=__import__("hashlib").sha256(content).hexdigest(),
            is_sample=True,
        )
        cert.file.save("sample.pdf", ContentFile(content), save=False)
        cert.save()
    if out:
        out.write(f"firms: {len(firms)} sample firms with financials\n")
