"""The program 『레전드 50⁺』 and its calls, from the source document (seeds/000_d72eab169193bd62.txt)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import Call, EnvelopeKind, FundingSource, Program, ProgramEnvelope, Target

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
    Call.objects.update_or_create(
        code="legend50plus-2024",
        defaults={
            "program": program,
            "title": "2024년 지역특화 프로젝트 『레전드 50⁺』 공모",
            "round": 1,
            "opens_at": datetime(2023, 9, 11, 9, 0, tzinfo=KST),
            "closes_at": datetime(2023, 10, 13, 18, 0, tzinfo=KST),
            "start_year": 2024,
            "end_year": 2026,
        },
    )
    return program


def load_demo(out=None, seed=0):
    """A follow-on call open now, so that drafting and submitting can be tried in the demo."""
    program = Program.objects.get(code="legend50plus")
    now = timezone.now().astimezone(KST)
    opens = now.replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=14)
    closes = (now + timedelta(days=30)).replace(hour=18, minute=0, second=0, microsecond=0)
    Call.objects.get_or_create(
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
        },
    )
