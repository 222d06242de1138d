"""Every infeasibility the engine can explain reaches the officer in Korean (no English fallback)."""

import numpy as np
import pytest

from legend50.engines.portfolio import PortfolioProblem, explain_exclusions, greedy_portfolio, solve_portfolio
from legend50.selection.explain_ko import Namer, to_korean

NAMER = Namer(
    ["2024년 국비 예산", "2024년 지방비 예산"],
    {11: "서울특별시", 27: "대구광역시", 31: "울산광역시"},
    {0: "수도권", 3: "영남권"},
)
VALUE = [90.0, 80.0, 70.0]
COST = [[60, 30], [50, 20], [40, 20]]
GROUP = [27, 27, 11]
REGION = (np.array([3, 3, 0]), {}, {})


def _problem(**kw):
    base = dict(
        value=VALUE,
        cost=COST,
        budget=[100, 100],
        group=GROUP,
        group_name="province",
        extra_groupings={"region_group": REGION},
    )
    base.update(kw)
    return PortfolioProblem(**base)


CASES = {
    "min above max": dict(min_per_group={27: 2}, max_per_group={27: 1}),
    "no candidate": dict(min_per_group={31: 1}),
    "too few candidates": dict(min_per_group={11: 2}),
    "must include over max": dict(must_include=[0, 1], max_per_group={27: 1}),
    "must include over budget": dict(must_include=[0, 1], budget=[100, 100]),
    "only candidate too expensive": dict(min_per_group={11: 1}, budget=[30, 100]),
    "cheapest minimums over budget": dict(min_per_group={27: 2}, budget=[100, 100]),
    "minimums vs other grouping's maximums": dict(
        min_per_group={27: 2, 11: 1}, extra_groupings={"region_group": (np.array([3, 3, 0]), {}, {3: 1})}
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_infeasibility_reads_in_korean(name):
    result = solve_portfolio(_problem(**CASES[name]))
    assert result.status == "infeasible", name
    text = to_korean(result.explanation, NAMER)
    assert "엔진 설명" not in text, (name, result.explanation)
    assert "budget" not in text and "province" not in text


def test_exclusion_reasons_read_in_korean():
    problem = _problem(budget=[100, 100], max_per_group={11: 0})
    result = solve_portfolio(problem)
    for ex in explain_exclusions(problem, result).values():
        if ex.forced_objective is None:
            raw = ex.message.split(": ", 1)[1]
            assert "엔진 설명" not in to_korean(raw, NAMER), ex.message


def test_greedy_violations_read_in_korean():
    from legend50.selection.round import _greedy_violations

    result = greedy_portfolio(_problem(min_per_group={11: 1}, budget=[110, 100]))
    assert result.status == "infeasible"
    for part in _greedy_violations(result.explanation):
        assert "엔진 설명" not in to_korean(part, NAMER), part
