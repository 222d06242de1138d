"""The selection round: what-if parameters in, the optimal and the ranked-list portfolios out.

Nothing here writes to the database. `parse_parameters` reads a form (query string) into
`RoundParameters` with Korean messages naming each bad field; `compute_round` builds the engine's
problem and returns everything the page shows: both portfolios, money used per year and source,
provinces covered, every constraint with both portfolios' values, and why each proposal is out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np
from django.utils.translation import gettext as _

from legend50.core.formatting import format_krw
from legend50.programs.models import CallBudget, FundingSource
from legend50.registry.choices import RegionGroup
from legend50.registry.models import Region

from .candidates import Candidate, call_candidates
from .explain_ko import Namer, to_korean

SOURCE_ORDER = [s.value for s in FundingSource]
SOURCE_LABELS = dict(FundingSource.choices)
GROUP_ORDER = [g.value for g in RegionGroup]
GROUP_LABELS = dict(RegionGroup.choices)
DEFAULT_RESERVE = 3


@dataclass(frozen=True)
class Dim:
    year: int
    source: str

    @property
    def key(self) -> str:
        return f"budget-{self.year}-{self.source}"

    @property
    def label(self) -> str:
        return _("%(year)s년 %(source)s") % {
            "year": self.year,
            "source": SOURCE_LABELS.get(self.source, self.source),
        }


@dataclass
class RoundParameters:
    budgets: dict[Dim, int | None]
    min_score: Decimal | None = None
    require_pass: bool = True
    province_min: dict[str, int] = field(default_factory=dict)
    province_max: dict[str, int] = field(default_factory=dict)
    group_min: dict[str, int] = field(default_factory=dict)
    group_max: dict[str, int] = field(default_factory=dict)
    include: set[int] = field(default_factory=set)
    exclude: set[int] = field(default_factory=set)
    reserve_count: int = DEFAULT_RESERVE

    def as_query(self) -> dict[str, str]:
        """The parameters as form fields (stored with a decision; reloads the round page)."""
        q: dict[str, str] = {"submitted": "1", "reserve_count": str(self.reserve_count)}
        for dim, amount in self.budgets.items():
            q[dim.key] = "" if amount is None else str(amount)
        if self.min_score is not None:
            q["min_score"] = str(self.min_score)
        if self.require_pass:
            q["require_pass"] = "on"  # noqa: S105 - a checkbox value
        for code, v in self.province_min.items():
            q[f"pmin-{code}"] = str(v)
        for code, v in self.province_max.items():
            q[f"pmax-{code}"] = str(v)
        for g, v in self.group_min.items():
            q[f"gmin-{g}"] = str(v)
        for g, v in self.group_max.items():
            q[f"gmax-{g}"] = str(v)
        for pk in sorted(self.include):
            q[f"pin-{pk}"] = "include"
        for pk in sorted(self.exclude):
            q[f"pin-{pk}"] = "exclude"
        return q


def dimensions(call, candidates: list[Candidate]) -> list[Dim]:
    present = {(b.year, b.source) for b in CallBudget.objects.filter(call=call)}
    for c in candidates:
        present.update(k for k, v in c.costs.items() if v)
    years = set(call.years) | {y for y, _s in present}
    dims = [Dim(y, s) for y in sorted(years) for s in SOURCE_ORDER if (y, s) in present]
    return dims


def default_parameters(call, candidates: list[Candidate], dims: list[Dim]) -> RoundParameters:
    budgets = {(b.year, b.source): b.amount_krw for b in CallBudget.objects.filter(call=call)}
    return RoundParameters(budgets={d: budgets.get((d.year, d.source)) for d in dims})


def _parse_int(raw: str, label: str, errors: dict, key: str, *, money=False) -> int | None:
    text = (raw or "").strip().replace(",", "").replace(" ", "")
    if money and text.endswith("원"):
        text = text[:-1]
    if text == "":
        return None
    if not text.isdigit():
        msg = _("원 단위 0 이상의 정수로 입력하세요.") if money else _("0 이상의 정수로 입력하세요.")
        errors.setdefault(key, []).append(f"{label}: {msg}")
        return None
    return int(text)


def parse_parameters(
    call, data, candidates: list[Candidate], dims: list[Dim]
) -> tuple[RoundParameters, dict]:
    """Read the round form. Missing fields keep the defaults only on first load (no `submitted`)."""
    params = default_parameters(call, candidates, dims)
    errors: dict[str, list[str]] = {}
    if not data or not data.get("submitted"):
        return params, errors
    for dim in dims:
        params.budgets[dim] = _parse_int(
            data.get(dim.key, ""), dim.label + " " + _("예산"), errors, dim.key, money=True
        )
    raw = (data.get("min_score") or "").strip()
    if raw:
        try:
            params.min_score = Decimal(raw)
            if not params.min_score.is_finite() or params.min_score < 0:
                raise InvalidOperation
        except InvalidOperation:
            errors.setdefault("min_score", []).append(_("최저 점수: 0 이상의 숫자로 입력하세요."))
            params.min_score = None
    params.require_pass = bool(data.get("require_pass"))
    for region in Region.objects.order_by("code"):
        for prefix, target, word in (
            ("pmin", params.province_min, _("최소")),
            ("pmax", params.province_max, _("최대")),
        ):
            key = f"{prefix}-{region.code}"
            v = _parse_int(data.get(key, ""), f"{region.name} {word} " + _("선정 수"), errors, key)
            if v is not None:
                target[region.code] = v
        lo, hi = params.province_min.get(region.code), params.province_max.get(region.code)
        if lo is not None and hi is not None and lo > hi:
            errors.setdefault(f"pmin-{region.code}", []).append(
                _("%(region)s: 최소 선정 수 %(lo)s건이 최대 %(hi)s건보다 큽니다.")
                % {"region": region.name, "lo": lo, "hi": hi}
            )
    for g in GROUP_ORDER:
        for prefix, target, word in (
            ("gmin", params.group_min, _("최소")),
            ("gmax", params.group_max, _("최대")),
        ):
            key = f"{prefix}-{g}"
            v = _parse_int(data.get(key, ""), f"{GROUP_LABELS[g]} {word} " + _("선정 수"), errors, key)
            if v is not None:
                target[g] = v
    reserve = _parse_int(data.get("reserve_count", ""), _("예비 과제 수"), errors, "reserve_count")
    params.reserve_count = DEFAULT_RESERVE if reserve is None else reserve
    by_pk = {c.pk: c for c in candidates}
    for c in candidates:
        choice = data.get(f"pin-{c.pk}", "")
        if choice == "include":
            if c.score is None:
                errors.setdefault(f"pin-{c.pk}", []).append(
                    _("%(title)s: 최종 점수가 없는 과제는 필수 포함할 수 없습니다.")
                    % {"title": c.proposal.title}
                )
            else:
                params.include.add(c.pk)
        elif choice == "exclude":
            params.exclude.add(c.pk)
        elif choice:
            errors.setdefault(f"pin-{c.pk}", []).append(
                _("%(title)s: 알 수 없는 선택입니다.") % {"title": c.proposal.title}
            )
    params.include &= set(by_pk)
    params.exclude &= set(by_pk)
    return params, errors


def parameters_from_query(call, query: dict) -> RoundParameters:
    candidates = call_candidates(call)
    dims = dimensions(call, candidates)
    params, _errors = parse_parameters(call, query, candidates, dims)
    return params


# --------------------------------------------------------------------------------------------------


@dataclass
class Portfolio:
    name: str
    status: str
    feasible: bool
    explanation: str
    selected: set[int]
    total_value: Decimal
    used: list[dict]  # [{"dim": Dim, "used": int, "budget": int|None, "share": float|None}]
    provinces: list[str]
    optimal: bool = False
    gap: float | None = None
    wall_ms: float = 0.0

    @property
    def count(self) -> int:
        return len(self.selected)


@dataclass
class Row:
    candidate: Candidate
    eligible: bool
    ineligible_reason: str
    pinned: str
    in_optimal: bool = False
    in_greedy: bool = False
    reason: str = ""
    requested: list[int] = field(default_factory=list)


@dataclass
class ConstraintRow:
    label: str
    limit: str
    optimal: str
    greedy: str
    optimal_ok: bool
    greedy_ok: bool


@dataclass
class RoundResult:
    dims: list[Dim]
    params: RoundParameters
    rows: list[Row]
    optimal: Portfolio | None
    greedy: Portfolio | None
    constraints: list[ConstraintRow]
    infeasible: str = ""
    errors: dict = field(default_factory=dict)

    @property
    def difference(self) -> dict:
        if not self.optimal or not self.greedy or not self.optimal.feasible:
            return {}
        return {
            "only_optimal": [r for r in self.rows if r.in_optimal and not r.in_greedy],
            "only_greedy": [r for r in self.rows if r.in_greedy and not r.in_optimal],
            "value_gain": self.optimal.total_value - self.greedy.total_value,
        }

    def outcome_for(self, pk: int) -> str:
        return "selected" if self.optimal and pk in self.optimal.selected else ""


def _province_maps():
    regions = list(Region.objects.order_by("code"))
    return regions, {int(r.code): r.name for r in regions}


def compute_round(
    call, params: RoundParameters | None = None, *, candidates=None, explain=True
) -> RoundResult:
    candidates = call_candidates(call) if candidates is None else candidates
    dims = dimensions(call, candidates)
    if params is None:
        params = default_parameters(call, candidates, dims)
    regions, province_names = _province_maps()
    region_name = {r.code: r.name for r in regions}
    namer = Namer(
        [d.label + " " + _("예산") for d in dims],
        province_names,
        {i: GROUP_LABELS[g] for i, g in enumerate(GROUP_ORDER)},
    )

    rows: list[Row] = []
    scored: list[Row] = []
    for c in candidates:
        pinned = "include" if c.pk in params.include else "exclude" if c.pk in params.exclude else ""
        reason = ""
        if c.score is None:
            reason = _("최종 점수가 확정되지 않아 후보가 아닙니다.")
        elif params.require_pass and c.passes is False:
            reason = _("평가 과락 기준을 통과하지 못했습니다.")
        elif params.require_pass and c.passes is None:
            reason = _("과락 여부가 확정되지 않았습니다.")
        elif params.min_score is not None and c.score < params.min_score:
            reason = _("최종 점수 %(score)s점이 최저 점수 %(min)s점보다 낮습니다.") % {
                "score": c.score,
                "min": params.min_score,
            }
        row = Row(
            c,
            eligible=not reason,
            ineligible_reason=reason,
            pinned=pinned,
            requested=[c.costs.get((d.year, d.source), 0) for d in dims],
        )
        rows.append(row)
        if c.score is not None:
            scored.append(row)

    n, k = len(scored), len(dims)
    value = np.array([float(r.candidate.score) for r in scored], dtype=np.float64)
    cost = np.array([r.requested for r in scored], dtype=np.int64).reshape(n, k)
    totals = cost.sum(axis=0) if n else np.zeros(k, dtype=np.int64)
    budget = np.array(
        [
            params.budgets.get(d) if params.budgets.get(d) is not None else int(totals[i])
            for i, d in enumerate(dims)
        ],
        dtype=np.int64,
    )
    group = np.array([int(r.candidate.region_code) for r in scored], dtype=np.int64)
    group_idx = np.array([GROUP_ORDER.index(r.candidate.region_group) for r in scored], dtype=np.int64)
    index_of = {r.candidate.pk: i for i, r in enumerate(scored)}

    result = RoundResult(dims=dims, params=params, rows=rows, optimal=None, greedy=None, constraints=[])
    if k == 0:
        result.infeasible = _(
            "신청 예산도 공모 예산도 없어 계산할 수 없습니다. 공모 예산(연도·재원별)을 입력하세요."
        )
        return result
    if n == 0:
        result.infeasible = _("최종 점수가 확정된 후보가 없습니다. 평가 결과 확정 후 다시 계산하세요.")
        return result

    from legend50.engines.portfolio import (
        PortfolioProblem,
        explain_exclusions,
        greedy_portfolio,
        solve_portfolio,
    )

    problem = PortfolioProblem(
        value=value,
        cost=cost,
        budget=budget,
        group=group,
        min_per_group={int(code): v for code, v in params.province_min.items()},
        max_per_group={int(code): v for code, v in params.province_max.items()},
        eligible=np.array([r.eligible for r in scored], dtype=bool),
        must_include=[index_of[pk] for pk in params.include if pk in index_of],
        must_exclude=[index_of[pk] for pk in params.exclude if pk in index_of],
        extra_groupings={
            "region_group": (
                group_idx,
                {GROUP_ORDER.index(g): v for g, v in params.group_min.items()},
                {GROUP_ORDER.index(g): v for g, v in params.group_max.items()},
            )
        },
        group_name="province",
    )
    optimum = solve_portfolio(problem, time_limit=5.0)
    greedy = greedy_portfolio(problem)

    def portfolio(name, res) -> Portfolio:
        sel = {scored[i].candidate.pk for i in res.selected.tolist()}
        used = []
        for i, d in enumerate(dims):
            limit = params.budgets.get(d)
            u = int(res.used[i])
            used.append({"dim": d, "used": u, "budget": limit, "share": (u / limit) if limit else None})
        provinces = sorted({scored[i].candidate.region_code for i in res.selected.tolist()})
        total = sum((scored[i].candidate.score for i in res.selected.tolist()), Decimal(0))
        if res.status == "infeasible" and name == "greedy":
            explanation = _("순위순 선정은 다음 조건을 어깁니다: ") + "; ".join(
                to_korean(part, namer).rstrip(".") for part in _greedy_violations(res.explanation)
            )
        elif res.status == "infeasible":
            explanation = to_korean(res.explanation, namer)
        elif name == "greedy":
            explanation = _("점수 순으로 예산과 최대 선정 수가 허용하는 한 선정합니다.")
        elif res.optimal:
            explanation = _("최적임이 증명되었습니다 (최적해와의 차이 0).")
        else:
            explanation = _("최적해와의 차이가 %(gap).2e 이내로 증명된 조합입니다.") % {"gap": res.gap}
        return Portfolio(
            name=name,
            status=res.status,
            feasible=res.status != "infeasible",
            explanation=explanation,
            selected=sel if (res.status != "infeasible" or name == "greedy") else set(),
            total_value=total,
            used=used,
            provinces=[region_name[c] for c in provinces],
            optimal=bool(res.optimal),
            gap=None if res.gap is None or math.isnan(res.gap) else float(res.gap),
            wall_ms=res.wall_time * 1000,
        )

    result.optimal = portfolio("optimal", optimum)
    result.greedy = portfolio("greedy", greedy)
    if not result.optimal.feasible:
        result.infeasible = result.optimal.explanation
    for r in rows:
        r.in_optimal = r.candidate.pk in result.optimal.selected
        r.in_greedy = r.candidate.pk in result.greedy.selected

    if explain and result.optimal.feasible:
        excluded = [
            index_of[r.candidate.pk] for r in scored if r.eligible and not r.in_optimal and not r.pinned
        ]
        if excluded:
            exclusions = explain_exclusions(problem, optimum, indices=excluded)
            for i, ex in exclusions.items():
                scored[i].reason = _exclusion_ko(ex, dims, namer)
    for r in rows:
        if r.pinned == "exclude":
            r.reason = _("필수 제외로 지정되었습니다.")
        elif not r.eligible and not r.reason:
            r.reason = r.ineligible_reason
        elif r.in_optimal:
            r.reason = _("필수 포함") if r.pinned == "include" else _("최적 조합에 포함")
    result.constraints = _constraints(result, params, dims, rows, regions)
    return result


def _greedy_violations(text: str) -> list[str]:
    body = text.split(": ", 1)[1] if ": " in text else text
    return [part for part in body.rstrip(".").split("; ") if part]


def _exclusion_ko(ex, dims: list[Dim], namer: Namer) -> str:
    if ex.forced_objective is None:
        raw = ex.message.split(": ", 1)[1] if ": " in ex.message else ex.message
        return _("선정될 수 없음: ") + to_korean(raw, namer)
    if ex.value_increase == 0:
        return _("같은 총점의 다른 조합에 포함될 수 있으나 동점 처리로 제외되었습니다.")
    parts = [
        _("점수가 %(need)s점 이상이어야 선정됩니다(현재 %(now)s점, %(delta)s점 부족)")
        % {"need": f"{ex.value_needed:.3f}", "now": f"{ex.value:.3f}", "delta": f"{ex.value_increase:.3f}"}
    ]
    if ex.cost_reduction is not None and ex.cost_reduction_share is not None:
        cuts = [
            f"{dims[d].label} {format_krw(int(v))}"
            for d, v in enumerate(ex.cost_reduction.tolist())
            if int(v) > 0
        ]
        parts.append(
            _("또는 신청액을 %(pct)s%% 줄이면 선정됩니다(%(cuts)s)")
            % {"pct": f"{math.ceil(ex.cost_reduction_share * 1000) / 10:g}", "cuts": ", ".join(cuts)}
        )
    elif ex.cost_reduction is None and ex.value_increase:
        parts.append(_("신청액을 줄이는 것만으로는 선정되지 않습니다"))
    return "; ".join(parts) + "."


def _constraints(result: RoundResult, params, dims, rows, regions) -> list[ConstraintRow]:
    out: list[ConstraintRow] = []
    opt, gr = result.optimal, result.greedy

    def sel_rows(p):
        return [r for r in rows if p and r.candidate.pk in p.selected]

    for i, d in enumerate(dims):
        limit = params.budgets.get(d)
        ou = opt.used[i]["used"] if opt and opt.feasible else None
        gu = gr.used[i]["used"] if gr else None
        out.append(
            ConstraintRow(
                label=d.label + " " + _("예산"),
                limit=format_krw(limit) if limit is not None else _("제한 없음"),
                optimal=format_krw(ou) if ou is not None else "-",
                greedy=format_krw(gu) if gu is not None else "-",
                optimal_ok=ou is not None and (limit is None or ou <= limit),
                greedy_ok=gu is not None and (limit is None or gu <= limit),
            )
        )

    def counts(p, key):
        tally: dict[str, int] = {}
        for r in sel_rows(p):
            tally[key(r)] = tally.get(key(r), 0) + 1
        return tally

    o_prov = counts(opt if opt and opt.feasible else None, lambda r: r.candidate.region_code)
    g_prov = counts(gr, lambda r: r.candidate.region_code)
    for region in regions:
        lo, hi = params.province_min.get(region.code), params.province_max.get(region.code)
        if lo is None and hi is None:
            continue
        out.append(
            _count_row(region.name, lo, hi, o_prov.get(region.code, 0), g_prov.get(region.code, 0), opt)
        )
    o_grp = counts(opt if opt and opt.feasible else None, lambda r: r.candidate.region_group)
    g_grp = counts(gr, lambda r: r.candidate.region_group)
    for g in GROUP_ORDER:
        lo, hi = params.group_min.get(g), params.group_max.get(g)
        if lo is None and hi is None:
            continue
        out.append(_count_row(str(GROUP_LABELS[g]), lo, hi, o_grp.get(g, 0), g_grp.get(g, 0), opt))
    for r in rows:
        if r.pinned:
            want = r.pinned == "include"
            label = (_("필수 포함: ") if want else _("필수 제외: ")) + r.candidate.proposal.title
            out.append(
                ConstraintRow(
                    label=label,
                    limit=_("포함") if want else _("제외"),
                    optimal=(_("포함") if r.in_optimal else _("제외")) if opt and opt.feasible else "-",
                    greedy=_("포함") if r.in_greedy else _("제외"),
                    optimal_ok=bool(opt and opt.feasible and r.in_optimal == want),
                    greedy_ok=r.in_greedy == want,
                )
            )
    for r in rows:
        if not r.eligible and r.candidate.score is not None and r.pinned != "include":
            out.append(
                ConstraintRow(
                    label=_("자격 기준: ") + r.candidate.proposal.title,
                    limit=_("제외"),
                    optimal=(_("포함") if r.in_optimal else _("제외")) if opt and opt.feasible else "-",
                    greedy=_("포함") if r.in_greedy else _("제외"),
                    optimal_ok=bool(opt and opt.feasible and not r.in_optimal),
                    greedy_ok=not r.in_greedy,
                )
            )
    return out


def _count_row(label, lo, hi, o, g, opt) -> ConstraintRow:
    limit = " ~ ".join(
        [
            (_("최소 %(n)s건") % {"n": lo}) if lo is not None else "",
            (_("최대 %(n)s건") % {"n": hi}) if hi is not None else "",
        ]
    ).strip(" ~")

    def ok(v):
        return (lo is None or v >= lo) and (hi is None or v <= hi)

    feasible = bool(opt and opt.feasible)
    return ConstraintRow(
        label=label + " " + _("선정 수"),
        limit=limit,
        optimal=(_("%(n)s건") % {"n": o}) if feasible else "-",
        greedy=_("%(n)s건") % {"n": g},
        optimal_ok=feasible and ok(o),
        greedy_ok=ok(g),
    )
