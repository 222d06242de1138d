"""Korean sentences for the portfolio engine's explanations.

The engine speaks in indices ("budget dimension 2", "province 27"); the officer needs "2025년 국비
예산", "대구광역시". The engine's sentences are a small fixed set, translated here pattern by pattern;
anything unknown keeps the engine's words behind a Korean lead so no reason is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from legend50.core.formatting import format_krw

_NUM = r"([\d,]+)"


def _n(text: str) -> int:
    return int(text.replace(",", ""))


class Namer:
    def __init__(self, dim_labels: list[str], province_names: dict[int, str], group_names: dict[int, str]):
        self.dim_labels = dim_labels
        self.province_names = province_names
        self.group_names = group_names

    def dim(self, d: str | int) -> str:
        d = int(d)
        return self.dim_labels[d] if 0 <= d < len(self.dim_labels) else f"예산 {d}"

    def label(self, grouping: str, label: str | int) -> str:
        label = int(label)
        if grouping == "region_group":
            return self.group_names.get(label, str(label))
        return self.province_names.get(label, f"{label:02d}")

    def grouping(self, grouping: str) -> str:
        return "권역" if grouping == "region_group" else "시·도"

    def won(self, text: str) -> str:
        return format_krw(_n(text))


_G = r"(province|region_group)"
_MI = r"(must_include with this proposal|this proposal|must_include)"
_MIN = r"(?:must_include with this proposal|this proposal|must_include)"
_MI_KO = {
    "must_include with this proposal": "필수 포함 과제와 이 과제",
    "this proposal": "이 과제",
    "must_include": "필수 포함 과제",
}

Rule = tuple[re.Pattern, Callable[[re.Match, Namer], str]]

_RULES: list[Rule] = [
    (
        re.compile(rf"{_G} (\d+) has a minimum of (\d+) selected above its maximum of (\d+)"),
        lambda m, n: f"{n.label(m[1], m[2])}의 최소 선정 수 {m[3]}건이 최대 선정 수 {m[4]}건보다 큽니다",
    ),
    (
        re.compile(rf"{_G} (\d+) needs at least (\d+) selected but has no eligible candidate"),
        lambda m, n: f"{n.label(m[1], m[2])}은(는) 최소 {m[3]}건을 선정해야 하지만 적격 후보가 없습니다",
    ),
    (
        re.compile(rf"{_G} (\d+) needs at least (\d+) selected but has only (\d+) eligible candidates?"),
        lambda m, n: (
            f"{n.label(m[1], m[2])}은(는) 최소 {m[3]}건을 선정해야 하지만 적격 후보가 {m[4]}건뿐입니다"
        ),
    ),
    (
        re.compile(rf"{_G} (\d+) needs at least (\d+) selected but its only eligible candidate does not fit"),
        lambda m, n: (
            f"{n.label(m[1], m[2])}은(는) 최소 {m[3]}건을 선정해야 하지만 유일한 적격 후보가 단독으로도 예산을 넘습니다"
        ),
    ),
    (
        re.compile(
            rf"{_G} (\d+) needs at least (\d+) selected but none of its (\d+) eligible candidates fits"
        ),
        lambda m, n: (
            f"{n.label(m[1], m[2])}은(는) 최소 {m[3]}건을 선정해야 하지만 적격 후보 {m[4]}건 모두 단독으로도 예산을 넘습니다"
        ),
    ),
    (
        re.compile(
            rf"{_G} (\d+) needs at least (\d+) selected but only (\d+) of its (\d+) eligible candidates fit"
        ),
        lambda m, n: (
            f"{n.label(m[1], m[2])}은(는) 최소 {m[3]}건을 선정해야 하지만 적격 후보 {m[5]}건 중 "
            f"예산 안에 드는 것은 {m[4]}건뿐입니다"
        ),
    ),
    (
        re.compile(rf"{_MIN} puts (\d+) proposals? in {_G} (\d+), above its maximum of (\d+)"),
        lambda m, n: (
            f"필수 포함 과제 {m[1]}건이 {n.label(m[2], m[3])}에 있어 최대 선정 수 {m[4]}건을 넘습니다"
        ),
    ),
    (
        re.compile(rf"{_MI} alone exceeds budget dimension (\d+) by {_NUM} won"),
        lambda m, n: f"{_MI_KO[m[1]]}만으로 {n.dim(m[2])}을(를) {n.won(m[3])} 초과합니다",
    ),
    (
        re.compile(
            rf"the minimums per {_G} require (\d+) more selections? whose cheapest cost \({_NUM} won"
            rf"(?: plus {_NUM} won for {_MIN})?\) exceeds budget dimension (\d+) \({_NUM} won\) by {_NUM} won"
        ),
        lambda m, n: (
            f"{n.grouping(m[1])}별 최소 선정 수를 채우려면 {m[2]}건을 더 선정해야 하는데, 가장 적은 신청액 조합"
            f"({n.won(m[3])}{' + 필수 포함 ' + n.won(m[4]) if m[4] else ''})도 {n.dim(m[5])}({n.won(m[6])})을(를) "
            f"{n.won(m[7])} 초과합니다"
        ),
    ),
    (
        re.compile(
            rf"the minimums per {_G}( and {_MIN})? need at least (\d+) selections but the maximums allow at most (\d+)"
        ),
        lambda m, n: (
            f"{n.grouping(m[1])}별 최소 선정 수{' 및 필수 포함' if m[2] else ''}에 최소 {m[3]}건이 필요하지만 "
            f"최대 선정 수로는 {m[4]}건까지만 선정할 수 있습니다"
        ),
    ),
    (
        re.compile(
            rf"the minimums per {_G}( and {_MIN})? need at least (\d+) selections but the maximums per {_G} allow at most (\d+)"
        ),
        lambda m, n: (
            f"{n.grouping(m[1])}별 최소 선정 수{' 및 필수 포함' if m[2] else ''}에 최소 {m[3]}건이 필요하지만 "
            f"{n.grouping(m[4])}별 최대 선정 수로는 {m[5]}건까지만 선정할 수 있습니다"
        ),
    ),
    (
        re.compile(
            rf"its request( together with must_include)? exceeds budget dimension (\d+) by {_NUM} won"
        ),
        lambda m, n: (
            f"신청액{'(필수 포함 과제와 합산)' if m[1] else ''}이 {n.dim(m[2])}을(를) {n.won(m[3])} 초과합니다"
        ),
    ),
    (
        re.compile(
            rf"{_G} (\d+) allows at most (\d+) selected and (must_include already fills it|it allows none)"
        ),
        lambda m, n: (
            f"{n.label(m[1], m[2])}은(는) 최대 {m[3]}건까지 선정할 수 있는데 "
            + ("필수 포함 과제가 이미 채웠습니다" if m[4].startswith("must") else "선정을 허용하지 않습니다")
        ),
    ),
    (
        re.compile(rf"{_G} (\d+) has (\d+) selected, below its minimum (\d+)"),
        lambda m, n: f"{n.label(m[1], m[2])} 선정 {m[3]}건으로 최소 {m[4]}건에 못 미칩니다",
    ),
    (
        re.compile(rf"{_G} (\d+) has (\d+) selected, above its maximum (\d+)"),
        lambda m, n: f"{n.label(m[1], m[2])} 선정 {m[3]}건으로 최대 {m[4]}건을 넘습니다",
    ),
    (
        re.compile(rf"budget dimension (\d+) exceeded by {_NUM} won"),
        lambda m, n: f"{n.dim(m[1])}을(를) {n.won(m[2])} 초과합니다",
    ),
    (
        re.compile(r"must_include proposal (\d+) is not selected"),
        lambda m, n: "필수 포함 과제가 선정되지 않았습니다",
    ),
    (
        re.compile(r"no portfolio containing it meets every budget and group minimum at once"),
        lambda m, n: "이 과제를 포함하면 모든 예산과 최소 선정 수를 동시에 만족하는 조합이 없습니다",
    ),
    (
        re.compile(r"no combination of proposals satisfies every budget and group limit at once.*"),
        lambda m, n: (
            "모든 예산과 시·도·권역별 선정 수 조건을 동시에 만족하는 과제 조합이 없습니다(솔버가 증명). "
            "예산, 최소 선정 수 또는 필수 포함을 완화하세요"
        ),
    ),
    (
        re.compile(r"no feasible portfolio was found within the time limit of ([\d.]+) s"),
        lambda m, n: f"제한 시간 {m[1]}초 안에 조건을 만족하는 조합을 찾지 못했습니다",
    ),
]

_ROW = re.compile(rf"budget dimension (\d+) \({_NUM} won\)|{_G} (\d+) \(([^)]*)\)")
_IIS = re.compile(r"these constraints cannot all hold together, even fractionally: (.*?)( and (\d+) more)?$")


def _iis(text: str, namer: Namer) -> str | None:
    m = _IIS.search(text)
    if not m:
        return None
    parts = []
    for row in _ROW.finditer(m[1]):
        if row[1] is not None:
            parts.append(f"{namer.dim(row[1])}({namer.won(row[2])})")
        else:
            limits = row[5].replace("min", "최소").replace("max", "최대")
            parts.append(f"{namer.label(row[3], row[4])}({limits}건)")
    more = f" 외 {m[3]}개" if m[2] else ""
    return "다음 조건을 동시에 만족할 수 없습니다: " + "; ".join(parts) + more


def to_korean(text: str, namer: Namer) -> str:
    """Translate one engine explanation (a sentence or a 'with it, ...' clause) into Korean."""
    if not text:
        return ""
    body = text.strip().rstrip(".")
    body = body[0].lower() + body[1:] if body else body
    prefix = ""
    for lead in ("cannot be selected: ", "with it, "):
        if body.startswith(lead):
            body = body[len(lead) :]
            prefix = "이 과제를 포함하면 " if lead == "with it, " else ""
    iis = _iis(body, namer)
    if iis:
        return prefix + iis + "."
    for pattern, render in _RULES:
        m = pattern.search(body)
        if m:
            return prefix + render(m, namer) + "."
    return f"조건을 만족할 수 없습니다 (엔진 설명: {text})"
