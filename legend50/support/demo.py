"""Support instruments (facts: the ministry's four core instruments with their typical rules, each
with its source and year — DOMAIN.md "Instruments") and the demo story: local instruments, sample
budgets, participation of firms in the selected projects (the Daegu project in particular), and
sample awards, one of them a flagged possible duplicate."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from legend50.registry.choices import OrganizationKind
from legend50.registry.models import Organization

from .choices import AwardStatus, InstrumentKind, InstrumentScope, ParticipationStatus, Purpose, ShareRounding
from .models import Instrument, InstrumentBudget, ProjectParticipation, SupportAward

EOK = 100_000_000
MAN = 10_000

CENTRAL = [
    {
        "code": "kosmes-policy-loan",
        "name": "정책자금 (중소기업 정책자금 융자)",
        "name_en": "SME policy loans",
        "kind": InstrumentKind.LOAN,
        "operator": "중소벤처기업진흥공단",
        "provider": "중소벤처기업부 · 중소벤처기업진흥공단 운영",
        "purposes": [Purpose.WORKING_CAPITAL, Purpose.FACILITY],
        "description": "창업기반·신시장진출·신성장기반·재도약·긴급경영안정 등 단계별 융자. 창업기반자금은 정책자금 기준금리 −0.3%p. "
        "운전자금 연간 5억원 이내, 시설자금 연간 60억원 이내.",
        "eligible_size_classes": ["small", "medium"],
        "per_firm_cap_krw": 60 * EOK,
        "preferences": ["정책자금 우선순위 평가 면제 (레전드 50⁺ 참여기업)"],
        "source": "중진공 정책자금 융자계획 (신뢰도 M); 참여기업 우대: 2024년 공고 보도 (M)",
        "source_year": 2024,
    },
    {
        "code": "smart-factory",
        "name": "스마트공장 구축지원",
        "name_en": "Smart factory build-out",
        "kind": InstrumentKind.GRANT,
        "operator": "스마트제조혁신추진단",
        "provider": "중소벤처기업부 · 스마트제조혁신추진단 (레전드 50⁺ 선도형 트랙)",
        "purposes": [Purpose.SMART_FACTORY],
        "description": "수준별 지원: 기초 0.5억 / 고도화1 2억 / 고도화2 4억 한도 (2022), 정부지원 총사업비의 50% 이내.",
        "eligible_size_classes": ["small", "medium"],
        "manufacturers_only": True,
        "per_firm_cap_krw": 4 * EOK,
        "share_bands": [{"up_to_krw": None, "percent": 50}],
        "preferences": ["레전드 50⁺ 선도형 트랙으로 별도 선정"],
        "source": "스마트공장 보급·확산사업 공고 (2022, 신뢰도 H)",
        "source_year": 2022,
    },
    {
        "code": "manufacturing-innovation-voucher",
        "name": "제조혁신바우처",
        "name_en": "Manufacturing innovation voucher",
        "kind": InstrumentKind.VOUCHER,
        "operator": "중소벤처기업진흥공단",
        "provider": "중소벤처기업부 · 중소벤처기업진흥공단 운영",
        "purposes": [Purpose.CONSULTING, Purpose.TECHNOLOGY, Purpose.MARKETING],
        "description": "컨설팅·기술지원·마케팅 메뉴. 최근 3개년 평균매출액 120억원 이하 제조 중소기업, 최대 5,000만원.",
        "eligible_size_classes": ["small", "medium"],
        "manufacturers_only": True,
        "max_average_sales_krw": 120 * EOK,
        "per_firm_cap_krw": 5_000 * MAN,
        "share_bands": [
            {"up_to_krw": 3 * EOK, "percent": 90},
            {"up_to_krw": 10 * EOK, "percent": 80},
            {"up_to_krw": 50 * EOK, "percent": 70},
            {"up_to_krw": 120 * EOK, "percent": 50},
        ],
        "preferences": ["현장평가 생략 (레전드 50⁺ 참여기업)"],
        "standard_documents": 29,
        "participant_documents": 15,
        "source": "제조혁신바우처 사업 공고 (2020, 신뢰도 H); 서류 29→15종: 2024년 보도 (M)",
        "source_year": 2020,
    },
    {
        "code": "export-voucher",
        "name": "수출바우처",
        "name_en": "Export voucher",
        "kind": InstrumentKind.VOUCHER,
        "operator": "중소벤처기업진흥공단",
        "provider": "중소벤처기업부 주관 · KOTRA·중소벤처기업진흥공단 운영",
        "purposes": [Purpose.EXPORT, Purpose.MARKETING],
        "description": "수출 단계별 3,000만원~1억원 바우처; 고성장 수출기업(100만달러 이상, 3년 성장률 20% 이상)은 최대 2억원 (2024). "
        "기업 자부담 있음 — 비율은 연도별 공고로 확인 (신뢰도 U).",
        "eligible_size_classes": ["small", "medium"],
        "per_firm_cap_krw": 2 * EOK,
        "share_bands": [{"up_to_krw": None, "percent": 70}],
        "preferences": ["레전드 50⁺ 참여기업 가점"],
        "source": "수출바우처 공고 (2024, 한도 H / 자부담 비율 U)",
        "source_year": 2024,
    },
]

# Sample local instruments (시·도 and innovation institutions), clearly marked.
LOCAL = [
    {
        "code": "daegu-robot-tech-doctor",
        "name": "대구 로봇SI 기술닥터 (표본)",
        "kind": InstrumentKind.GRANT,
        "operator": ("(재)대구테크노파크", OrganizationKind.INNOVATION_INSTITUTION),
        "region": "27",
        "purposes": [Purpose.TECHNOLOGY, Purpose.CONSULTING],
        "description": "대학·연구기관 전문가가 로봇 SI 현장 애로기술을 지도 (표본).",
        "eligible_size_classes": ["small", "medium"],
        "eligible_region_codes": ["27"],
        "per_firm_cap_krw": 3_000 * MAN,
        "share_bands": [{"up_to_krw": None, "percent": 75}],
        "share_rounding": ShareRounding.FLOOR_THOUSAND,
        "preferences": ["레전드 50⁺ 참여기업 우선 배정"],
        "source": "표본 데이터",
        "source_year": 2024,
    },
    {
        "code": "daegu-export-marketing",
        "name": "대구 수출 마케팅 지원 (표본)",
        "kind": InstrumentKind.GRANT,
        "operator": ("대구광역시", OrganizationKind.LOCAL_GOVERNMENT),
        "region": "27",
        "purposes": [Purpose.EXPORT, Purpose.MARKETING],
        "description": "해외 전시회 참가·통번역·해외 인증 비용 지원 (표본).",
        "eligible_region_codes": ["27"],
        "per_firm_cap_krw": 2_000 * MAN,
        "source": "표본 데이터",
        "source_year": 2024,
    },
    {
        "code": "gyeongnam-workforce",
        "name": "경남 제조 인력양성 (표본)",
        "kind": InstrumentKind.GRANT,
        "operator": ("(재)경남테크노파크", OrganizationKind.INNOVATION_INSTITUTION),
        "region": "48",
        "purposes": [Purpose.WORKFORCE],
        "description": "재직자 교육·채용 연계 (표본).",
        "eligible_region_codes": ["48"],
        "per_firm_cap_krw": 1_500 * MAN,
        "source": "표본 데이터",
        "source_year": 2024,
    },
]

SAMPLE_BUDGETS = {  # 억원, sample split (the source gives only the 2,790억 total of 중기부)
    "kosmes-policy-loan": (1_600, 1_650, 1_700),
    "smart-factory": (520, 540, 560),
    "manufacturing-innovation-voucher": (380, 390, 400),
    "export-voucher": (290, 300, 310),
    "daegu-robot-tech-doctor": (12, 13, 14),
    "daegu-export-marketing": (8, 8, 9),
    "gyeongnam-workforce": (6, 6, 7),
}


def _upsert_instrument(spec: dict, *, is_sample: bool) -> Instrument:
    spec = dict(spec)
    operator = spec.pop("operator")
    if isinstance(operator, tuple):
        operator = Organization.objects.get(name=operator[0], kind=operator[1])
    else:
        operator = Organization.objects.get(name=operator, kind=OrganizationKind.SUPPORT_AGENCY)
    region_code = spec.pop("region", None)
    from legend50.registry.models import Region

    instrument, _ = Instrument.objects.update_or_create(
        code=spec.pop("code"),
        defaults={
            **spec,
            "operator": operator,
            "level": InstrumentScope.LOCAL if region_code else InstrumentScope.CENTRAL,
            "region": Region.objects.get(code=region_code) if region_code else None,
            "is_sample": is_sample,
        },
    )
    return instrument


def load_facts(out=None):
    for spec in CENTRAL:
        _upsert_instrument(spec, is_sample=False)
    if out:
        out.write(f"support: {len(CENTRAL)} central instruments\n")


def _ensure_financials(firm, proposal, seed):
    from legend50.firms.demo import sample_financials

    if (
        not firm.ksic_code
        and getattr(proposal, "ksic_section", "")
        and getattr(proposal, "ksic_division", None)
    ):
        firm.ksic_code = f"{proposal.ksic_section}{int(proposal.ksic_division):02d}"
        firm.save(update_fields=["ksic_code"])
    if not firm.financials.exists():
        rng = random.Random(f"{seed}:size:{firm.brn or firm.pk}")
        sample_financials(firm, sales_2024_eok=rng.choice([4, 9, 18, 35, 60, 95, 140, 260]), seed=seed)


def _award(
    instrument, firm, awarded_on, *, amount=None, cost=None, note="", acknowledgement=""
) -> SupportAward | None:
    """A sample award through the same checks as the service (refused and blocked ones are skipped;
    flagged ones need the acknowledgement)."""
    from .services import award_assess

    if SupportAward.objects.filter(firm=firm, instrument=instrument, awarded_on=awarded_on).exists():
        return None
    result = award_assess(
        instrument=instrument, firm=firm, awarded_on=awarded_on, amount_krw=amount, total_cost_krw=cost
    )
    if result["errors"] or result["refusals"] or result["blocks"] or not result["amount"]:
        return None
    if result["flags"] and not acknowledgement:
        return None
    projects = result["projects"]
    return SupportAward.objects.create(
        firm=firm,
        instrument=instrument,
        project=projects[0] if projects else None,
        year=awarded_on.year,
        awarded_on=awarded_on,
        total_cost_krw=cost if instrument.share_bands else None,
        share_percent=result["percent"],
        amount_krw=result["amount"],
        average_sales_krw=result["average_sales"],
        was_participant=result["is_participant"],
        note=note,
        flags=[f.as_dict() for f in result["flags"]],
        flag_acknowledgement=acknowledgement if result["flags"] else "",
        status=AwardStatus.RECORDED,
        is_sample=True,
    )


def load_demo(out=None, seed=0):
    from legend50.firms.demo import demo_user_firms
    from legend50.firms.models import Firm
    from legend50.firms.services import firm_refresh_size
    from legend50.funding.models import Project

    for spec in LOCAL:
        _upsert_instrument(spec, is_sample=True)
    instruments = {i.code: i for i in Instrument.objects.all()}
    for code, amounts in SAMPLE_BUDGETS.items():
        if code not in instruments:
            continue
        for year, eok in zip((2024, 2025, 2026), amounts, strict=True):
            InstrumentBudget.objects.get_or_create(
                instrument=instruments[code], year=year,
                defaults={"amount_krw": eok * EOK, "note": "표본 배분", "is_sample": True},
            )  # fmt: skip

    # participation: every selected project's listed firms are admitted; in the Daegu project
    # firm-3 has applied and waits for the lead institution's decision.
    projects = list(Project.objects.select_related("proposal", "lead_region"))
    user_firms = demo_user_firms(3)
    participants: list[Firm] = []
    for project in projects:
        firms = [pf.firm for pf in project.proposal.participating_firms.select_related("firm")]
        if project.lead_region.code == "27":
            firms = [*user_firms, *[f for f in firms if f not in user_firms]]
        for firm in firms:
            _ensure_financials(firm, project.proposal, seed)
            firm_refresh_size(firm)
            pending = project.lead_region.code == "27" and firm == user_firms[2]
            participation, created = ProjectParticipation.objects.get_or_create(
                project=project,
                firm=firm,
                defaults={
                    "status": ParticipationStatus.APPLIED if pending else ParticipationStatus.ADMITTED,
                    "motivation": "로봇 SI 공정 자동화 실증 참여 (표본)"
                    if pending
                    else "제안서 참여기업 (표본)",
                    "decision_note": "" if pending else "제안서의 참여기업으로 확정 (표본)",
                    "screened_at": None
                    if pending
                    else timezone.make_aware(dt.datetime(project.start_year, 2, 15, 10)),
                    "is_sample": True,
                },
            )
            if not pending:
                participants.append(firm)
    if not projects and out:
        out.write("support: no selected projects yet — participation and project links skipped\n")

    # awards: deterministic; participants get the concentrated central instruments, other sample
    # firms less often.
    today = timezone.localdate()
    rng = random.Random(seed * 7919 + 50)
    others = list(
        Firm.objects.filter(is_sample=True).exclude(pk__in=[f.pk for f in participants]).order_by("pk")
    )
    central = [instruments[c["code"]] for c in CENTRAL]
    made = 0
    for year in (2024, 2025, 2026):
        for firm in participants + others[: len(others) // 2]:
            is_participant = firm in participants
            picks = rng.sample(central, 2 if is_participant else 1)
            for instrument in picks:
                day = dt.date(year, rng.randint(3, 10), rng.randint(1, 28))
                if day > today:
                    day = today - dt.timedelta(days=rng.randint(1, 60))
                if instrument.share_bands:
                    cap = instrument.per_firm_cap_krw or 10 * EOK
                    cost = rng.randint(20, 100) * cap // 100 * 100 // instrument.share_bands[-1]["percent"]
                    award = _award(
                        instrument,
                        firm,
                        day,
                        cost=cost // 1000 * 1000 + rng.randint(0, 999),
                        note="표본 지원",
                    )
                else:
                    award = _award(
                        instrument, firm, day, amount=rng.randint(2, 30) * 10 * MAN * 100, note="표본 지원"
                    )
                made += award is not None
    # the flagged duplicate: firm-1 received the central export voucher and Daegu's export
    # marketing support (same purpose: export) in 2025.
    firm1 = user_firms[0]
    voucher = instruments["export-voucher"]
    local = instruments.get("daegu-export-marketing")
    if not SupportAward.objects.filter(firm=firm1, instrument=voucher, year=2025).exists():
        _award(voucher, firm1, dt.date(2025, 4, 14), cost=42_850_000, note="해외 인증(CE) 취득 (표본)")
    if (
        local is not None
        and not SupportAward.objects.filter(firm=firm1, instrument=local, year=2025).exists()
    ):
        _award(
            local, firm1, dt.date(2025, 6, 9), amount=18_000_000, note="하노버 메세 참가비 (표본)",
            acknowledgement="중앙 수출바우처는 해외 인증, 지역 사업은 전시회 참가비로 세부 항목이 겹치지 않음을 확인 (표본)",
        )  # fmt: skip
    if out:
        out.write(
            f"support: {len(LOCAL)} local instruments, {len(participants)} participants, {made} sample awards\n"
        )
