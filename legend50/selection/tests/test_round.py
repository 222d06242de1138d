from decimal import Decimal

import pytest

from legend50.core.testing import login_as
from legend50.selection.candidates import call_candidates, requested_costs
from legend50.selection.round import compute_round, dimensions, parse_parameters

from .factories import EOK, call_2024, make_candidates, round_query

pytestmark = pytest.mark.django_db

TIGHT = {(y, "national"): 100 * EOK for y in (2024, 2025, 2026)} | {
    (y, "local"): 60 * EOK for y in (2024, 2025, 2026)
}


def _compute(query):
    call = call_2024()
    candidates = call_candidates(call)
    dims = dimensions(call, candidates)
    params, errors = parse_parameters(call, query, candidates, dims)
    assert not errors, errors
    return compute_round(call, params, candidates=candidates)


def _titles(result, which):
    selected = getattr(result, which).selected
    return sorted(r.candidate.proposal.title[:2] for r in result.rows if r.candidate.pk in selected)


def test_requested_costs_sum_budget_lines_exactly(world):
    p = make_candidates()[0]
    costs = requested_costs(p)
    assert costs[(2024, "national")] == 60 * EOK
    assert all(isinstance(v, int) for v in costs.values())
    assert sum(costs.values()) == 3 * 90 * EOK


def test_optimal_beats_greedy_and_every_constraint_holds(world):
    make_candidates(budgets=TIGHT)
    result = _compute(round_query(**{f"budget-{y}-{s}": a for (y, s), a in TIGHT.items()}))
    assert result.optimal.optimal and result.optimal.gap == 0
    assert _titles(result, "optimal") == ["경기", "서울"]
    assert _titles(result, "greedy") == ["광주", "대구"]
    assert result.optimal.total_value == Decimal("169")
    assert result.greedy.total_value == Decimal("160")
    for u in result.optimal.used:
        assert u["used"] <= u["budget"]
    assert all(c.optimal_ok for c in result.constraints)
    # Ineligible and unscored proposals are never chosen and say why.
    reasons = {r.candidate.proposal.title[:2]: r.reason for r in result.rows}
    assert "과락" in reasons["충북"]
    assert "최종 점수가 확정되지 않아" in reasons["제주"]
    # Excluded eligible proposals get a what-would-it-take explanation.
    assert "점수가" in reasons["대구"] and "이상이어야" in reasons["대구"]


def test_province_minimum_include_exclude_and_group_limits(world):
    make_candidates(budgets=TIGHT)
    budgets = {f"budget-{y}-{s}": a for (y, s), a in TIGHT.items()}
    result = _compute(round_query(**budgets, **{"pmin-27": 1}))
    assert _titles(result, "optimal") == ["광주", "대구"]
    seoul = next(r for r in result.rows if r.candidate.proposal.title.startswith("서울"))
    result = _compute(round_query(**budgets, **{f"pin-{seoul.candidate.pk}": "exclude"}))
    assert "서울" not in _titles(result, "optimal")
    result = _compute(round_query(**budgets, **{f"pin-{seoul.candidate.pk}": "include", "gmax-capital": 1}))
    assert "서울" in _titles(result, "optimal") and "경기" not in _titles(result, "optimal")
    labels = [c.label for c in result.constraints]
    assert any("수도권" in label for label in labels)
    assert any(label.startswith("필수 포함") for label in labels)
    assert all(c.optimal_ok for c in result.constraints)
    # A minimum threshold removes low scorers.
    result = _compute(round_query(**budgets, min_score="80"))
    assert "광주" not in _titles(result, "optimal") + _titles(result, "greedy")


def test_infeasible_is_explained_in_korean(world):
    make_candidates(budgets=TIGHT)
    result = _compute(round_query(**{"pmin-31": 1}))
    assert result.optimal is not None and not result.optimal.feasible
    assert "울산광역시" in result.infeasible and "적격 후보가 없습니다" in result.infeasible
    result = _compute(round_query(**{"budget-2024-national": 10 * EOK, "pmin-27": 1}))
    assert "대구광역시" in result.infeasible and "예산" in result.infeasible
    result = _compute(
        round_query(**{"budget-2024-national": 10 * EOK}, **{f"pin-{make_pk('대구')}": "include"})
    )
    assert "필수 포함 과제만으로 2024년 국비 예산" in result.infeasible


def make_pk(prefix):
    from legend50.proposals.models import Proposal

    return Proposal.objects.get(title__startswith=prefix).pk


def test_bad_input_names_the_field(world, client):
    make_candidates()
    login_as(client, "ministry")
    response = client.get(
        f"/selection/calls/{call_2024().code}/round/",
        round_query(**{"budget-2024-national": "12억", "pmin-27": "x"}),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "2024년 국비 예산: 원 단위 0 이상의 정수로 입력하세요." in body
    assert "대구광역시 최소 선정 수: 0 이상의 정수로 입력하세요." in body


def test_round_page_shows_every_constraint_and_htmx_partial(world, client):
    make_candidates(budgets=TIGHT)
    login_as(client, "ministry")
    url = f"/selection/calls/{call_2024().code}/round/"
    query = round_query(
        **{f"budget-{y}-{s}": a for (y, s), a in TIGHT.items()},
        **{"pmin-27": 1, "pmax-41": 1, "gmin-honam": 1},
    )
    response = client.get(url, query)
    body = response.content.decode()
    for text in (
        "2024년 국비 예산",
        "2026년 지방비 예산",
        "대구광역시 선정 수",
        "경기도 선정 수",
        "호남권 선정 수",
        "최적 조합",
        "순위순 조합",
        "자격 기준: 충북 이차전지",
    ):
        assert text in body, text
    partial = client.get(url, query, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert 'id="propose-params" hx-swap-oob="true"' in partial.content.decode()


def test_nothing_is_saved_by_what_if(world, client):
    from legend50.selection.models import Decision

    make_candidates(budgets=TIGHT)
    login_as(client, "ministry")
    client.get(f"/selection/calls/{call_2024().code}/round/", round_query(**{"pmin-27": 1}))
    assert Decision.objects.count() == 0
