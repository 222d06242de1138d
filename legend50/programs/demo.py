"""The program 『레전드 50⁺』 and its calls, from the source document (seeds/000_d72eab169193bd62.txt)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import (
    Call,
    CallBudget,
    EnvelopeKind,
    FundingSource,
    Program,
    ProgramEnvelope,
    RubricCriterion,
    Target,
)

KST = ZoneInfo("Asia/Seoul")
EOK = 10**8

SOURCE = "중소벤처기업부 보도자료 「제1회 지역혁신대전」 (2023-11-02)"
DIRECTIONS = [
    "지방정부와 지방중기청 주도로 지역혁신기관의 역량을 결집",
    "지역특화 사업(프로젝트)을 기획",
    "선정된 사업(프로젝트)에 정책수단 집중 투입",
    "지역혁신기관의 자원을 연계",
]
TARGETS = [
    ("sme_export_share", "중소기업 수출(직간접) 비중 50% 이상", 1),
    ("sme_sales_share", "중소기업 총매출 비중 50% 이상", 2),
    ("noncapital_sales_share", "비수도권 기업 매출 비중 50% 이상", 3),
]


# The evaluation rubric of the 2024 call (5 criteria, 100 points; per-criterion cut at 40%).
RUBRIC = [
    (
        "necessity",
        "사업 필요성 및 지역 특화성",
        "지역 주력산업·현안과의 연계, 지역 정책(첨단전략산업·기회발전특구 등)과의 정합성",
        20,
        8,
    ),
    ("feasibility", "사업 계획의 타당성", "추진방향·세부 과제·일정의 구체성과 실현 가능성", 25, 10),
    (
        "consortium",
        "추진체계 및 협력 역량",
        "지방정부·지방중기청·지역혁신기관의 역할 분담과 원팀 협력 역량",
        20,
        8,
    ),
    (
        "outcomes",
        "기대효과 및 성과지표",
        "참여기업 매출·수출·고용 목표의 도전성과 측정 가능성 (K-SME 50+ 기여)",
        20,
        8,
    ),
    ("budget", "예산 계획의 적정성", "연도별·재원별 예산의 적정성과 지방비 매칭", 15, 6),
]
# Call budget envelope by year and source (2024 from the January 2024 joint call; 2025–2026 planned).
CALL_BUDGETS = {
    2024: {FundingSource.NATIONAL: 2_790 * EOK, FundingSource.LOCAL: 800 * EOK},
    2025: {FundingSource.NATIONAL: 2_800 * EOK, FundingSource.LOCAL: 820 * EOK},
    2026: {FundingSource.NATIONAL: 2_800 * EOK, FundingSource.LOCAL: 820 * EOK},
}


def _rubric(call):
    for order, (key, label, description, max_score, threshold) in enumerate(RUBRIC):
        RubricCriterion.objects.update_or_create(
            call=call,
            key=key,
            defaults={
                "label": label,
                "description": description,
                "max_score": max_score,
                "threshold": threshold,
                "weight": 1,
                "order": order,
            },
        )


def load_facts(out=None):
    program, _ = Program.objects.update_or_create(
        code="legend50plus",
        defaults={
            "name": "지역특화 프로젝트 『레전드 50⁺』",
            "name_en": "Regional specialization projects “Legend 50+”",
            "start_year": 2024,
            "end_year": 2026,
            "announced_on": datetime(2023, 11, 2).date(),
            "summary": (
                "지역의 현안 해결과 지역에 특화된 사업(프로젝트)을 끝까지 지원하여 '27년까지 우리경제에서 "
                "비수도권 기업이 차지하는 매출액 비중 50% 이상 달성을 목표로, 중소벤처기업부와 지방정부, "
                "지역의 혁신기관이 ‘한 조(원팀)’가 되어 마련한 중앙-지방 협력형 거대(메가) 사업(프로젝트)"
            ),
            "directions": DIRECTIONS,
            "proposed_count": 35,
            "selected_count": 21,
            "source_reference": SOURCE,
            "is_public": True,
        },
    )
    envelopes = [
        (2024, "", EnvelopeKind.PLANNED, 4_000 * EOK, "2023-11 발표 계획: 국비+지방비 4,000억원 규모"),
        (
            2024,
            FundingSource.NATIONAL,
            EnvelopeKind.COMMITTED,
            2_790 * EOK,
            "2024-01 통합공고: 중기부 2,790억원",
        ),
        (
            2024,
            FundingSource.LOCAL,
            EnvelopeKind.COMMITTED,
            800 * EOK,
            "2024-01 통합공고: 17개 시·도 약 800억원",
        ),
    ]
    for year, source, kind, amount, note in envelopes:
        ProgramEnvelope.objects.update_or_create(
            program=program,
            year=year,
            source=source,
            kind=kind,
            defaults={"amount_krw": amount, "note": note},
        )
    for key, label, order in TARGETS:
        Target.objects.update_or_create(
            program=program,
            indicator_key=key,
            defaults={"label": label, "target_share": "0.5000", "target_year": 2027, "order": order},
        )
    call, _ = Call.objects.update_or_create(
        code="legend50plus-2024",
        defaults={
            "program": program,
            "title": "2024년 지역특화 프로젝트 『레전드 50⁺』 공모",
            "round": 1,
            "opens_at": datetime(2023, 9, 11, 9, 0, tzinfo=KST),
            "closes_at": datetime(2023, 10, 13, 18, 0, tzinfo=KST),
            "start_year": 2024,
            "end_year": 2026,
            "description": (
                "17개 시·도가 지방중소벤처기업청과 함께 지역혁신기관의 역량을 결집하여 지역특화 사업(프로젝트)을 "
                "기획·제안합니다. 산·학·연 전문가의 컨설팅과 평가를 거쳐 선정합니다."
            ),
            "max_proposals_per_province": 3,
            "min_local_share_bp": 2000,
            "overall_threshold": 60,
        },
    )
    _rubric(call)
    for year, sources in CALL_BUDGETS.items():
        for source, amount in sources.items():
            CallBudget.objects.update_or_create(
                call=call, year=year, source=source, defaults={"amount_krw": amount}
            )
    return program


def load_demo(out=None, seed=0):
    """A follow-on call open now, so that drafting and submitting can be tried in the demo."""
    program = Program.objects.get(code="legend50plus")
    now = timezone.now().astimezone(KST)
    opens = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=14)
    closes = (now + timedelta(days=30)).replace(hour=18, minute=0, second=0, microsecond=0)
    call, _ = Call.objects.get_or_create(
        code="legend50plus-2027-sample",
        defaults={
            "program": program,
            "title": "2027년 지역특화 프로젝트 후속 공모 (표본)",
            "round": 3,
            "opens_at": opens,
            "closes_at": closes,
            "start_year": 2027,
            "end_year": 2029,
            "is_sample": True,
            "min_local_share_bp": 2000,
            "overall_threshold": 60,
        },
    )
    _rubric(call)
    for offset, year in enumerate(range(2027, 2030)):
        for source, amount in (
            (FundingSource.NATIONAL, (1_200 + 50 * offset) * EOK),
            (FundingSource.LOCAL, 350 * EOK),
        ):
            CallBudget.objects.get_or_create(
                call=call, year=year, source=source, defaults={"amount_krw": amount}
            )
