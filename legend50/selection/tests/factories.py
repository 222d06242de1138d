"""Small, explicit test data: scored proposals with budget lines (integer won) for the 2024 call."""

from __future__ import annotations

from decimal import Decimal

from legend50.programs.models import Call, CallBudget
from legend50.proposals.models import BudgetLine, Proposal, ProposalKpi, ProposalStatus
from legend50.registry.models import Region

EOK = 10**8

# (region, title, score, passes, national per year, local per year) — years 2024..2026
DEFAULT_SPECS = [
    ("27", "대구 ABB 융합 로봇SI 제조혁신", "90", True, 60 * EOK, 30 * EOK),
    ("11", "서울 바이오 소부장", "85", True, 50 * EOK, 25 * EOK),
    ("41", "경기 반도체 후공정", "84", True, 50 * EOK, 25 * EOK),
    ("29", "광주 AI 모빌리티", "70", True, 30 * EOK, 15 * EOK),
    ("43", "충북 이차전지", "65", False, 20 * EOK, 10 * EOK),
    ("50", "제주 그린수소", None, None, 20 * EOK, 10 * EOK),
]


def call_2024() -> Call:
    return Call.objects.get(code="legend50plus-2024")


def make_candidates(call=None, specs=DEFAULT_SPECS, budgets=None, kpis=True) -> list[Proposal]:
    """Proposals under review with final scores and budget lines; budgets {(year, source): won}."""
    call = call or call_2024()
    proposals = []
    for rank, (code, title, score, passes, national, local) in enumerate(specs, start=1):
        p = Proposal.objects.create(
            call=call,
            title=title,
            lead_region=Region.objects.get(code=code),
            status=ProposalStatus.UNDER_REVIEW,
            final_score=Decimal(score) if score is not None else None,
            passes_thresholds=passes,
            rank=rank if score is not None else None,
        )
        for year in call.years:
            BudgetLine.objects.create(
                proposal=p, year=year, source="national", category="firm_support", amount_krw=national
            )
            BudgetLine.objects.create(
                proposal=p, year=year, source="local", category="firm_support", amount_krw=local
            )
        if kpis:
            ProposalKpi.objects.create(
                proposal=p,
                key="participating_firms",
                label="참여기업 수",
                unit="개사",
                baseline=Decimal("0"),
                baseline_year=2023,
                targets={str(y): str(20 + 10 * i) for i, y in enumerate(call.years)},
            )
        proposals.append(p)
    for (year, source), amount in (budgets or {}).items():
        CallBudget.objects.update_or_create(
            call=call, year=year, source=source, defaults={"amount_krw": amount}
        )
    return proposals


def round_query(**extra) -> dict:
    q = {"submitted": "1", "require_pass": "on", "reserve_count": "1"}
    q.update({k: str(v) for k, v in extra.items()})
    return q
