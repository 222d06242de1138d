from collections import Counter

import pytest

from legend50.programs.models import Call
from legend50.proposals import demo
from legend50.proposals.models import Proposal, ProposalStatus

pytestmark = pytest.mark.django_db


def test_demo_proposals_match_the_source(world):
    demo.load_demo(seed=0)
    demo.load_demo(seed=0)  # idempotent
    call = Call.objects.get(code="legend50plus-2024")
    proposals = Proposal.objects.filter(call=call)
    assert proposals.count() == 35
    assert proposals.values("lead_region").distinct().count() == 17
    review = proposals.filter(status=ProposalStatus.UNDER_REVIEW)
    assert review.count() == 21
    per_region = Counter(review.values_list("lead_region__code", flat=True))
    assert set(per_region) == {r for r in demo.SELECTED_REGIONS}
    assert {c for c, n in per_region.items() if n == 2} == {"29", "41", "43", "48"}
    assert all(p.final_score is not None for p in proposals)
    assert min(p.final_score for p in review) > max(
        p.final_score for p in proposals.exclude(status=ProposalStatus.UNDER_REVIEW)
    )
    daegu = proposals.get(title="에이비비(ABB) 융합 로봇에스아이(SI) 제조혁신사업")
    assert not daegu.is_sample and daegu.status == ProposalStatus.UNDER_REVIEW
    assert daegu.background.startswith("지역 주축산업과 로봇산업이 동반성장")
    assert "고난도 자율조작" in daegu.objectives
    names = set(daegu.consortium.values_list("organization__name", flat=True))
    assert {"대구광역시", "대구·경북지방중소벤처기업청", "(재)대구테크노파크"} <= names
    assert sorted(set(daegu.budget_lines.values_list("year", flat=True))) == [2024, 2025, 2026]
    assert daegu.kpis.count() == 4 and daegu.participating_firms.count() == 3
    assert daegu.versions.count() == 2 and daegu.consulting_rounds.get().feedback.count() == 3
    assert proposals.exclude(pk=daegu.pk).filter(is_sample=False).count() == 0
    assert call.criteria.count() == 5 and call.total_score == 100
    assert call.budgets.get(year=2024, source="national").amount_krw == 2_790 * 10**8
    assert call.budgets.get(year=2024, source="local").amount_krw == 800 * 10**8
    from legend50.proposals.services import budget_summary

    assert budget_summary(daegu)["share_ok"]
