"""Expert–proposal affinity: KSIC division overlap, keyword hits and optional bids, built as numpy
matrices (no per-pair Python loop), with the parts kept so every assigned pair can be explained.

    affinity = w_ksic · (share of the proposal's KSIC divisions the expert covers)
             + w_keyword · min(keyword hits, 3) / 3
             + w_bid · bid level (−1 … 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_WEIGHTS = {"ksic": 0.6, "keyword": 0.4, "bid": 0.25}
KEYWORD_CAP = 3


def _divisions(values) -> set[str]:
    out = set()
    for value in values or ():
        text = str(value).strip()
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 2:
            out.add(digits[:2])
    return out


def proposal_features(proposal) -> tuple[set[str], str]:
    """KSIC divisions (from the proposal's own industry fields when present, else its firms) and
    the text keywords are matched against."""
    divisions = set()
    for attr in ("ksic_division", "ksic_divisions", "target_ksic"):
        value = getattr(proposal, attr, None)
        if value:
            divisions |= _divisions(value if isinstance(value, list | tuple) else [value])
    divisions |= _divisions(link.firm.ksic_code for link in proposal.participating_firms.all())
    text_parts = [proposal.title, proposal.summary]
    for attr in ("tags", "background", "direction", "objectives"):
        value = getattr(proposal, attr, None)
        if isinstance(value, list | tuple):
            text_parts.extend(str(v) for v in value)
        elif isinstance(value, str):
            text_parts.append(value)
    return divisions, " ".join(t for t in text_parts if t).lower()


@dataclass
class AffinityMatrix:
    affinity: np.ndarray  # (P, E) float
    ksic: np.ndarray  # (P, E) share of the proposal's divisions the expert covers
    keyword_hits: np.ndarray  # (P, E) int
    bids: np.ndarray  # (P, E) int


def build_affinity(proposals, experts, *, bids: dict[tuple[int, int], int], weights: dict) -> AffinityMatrix:
    p_features = [proposal_features(p) for p in proposals]
    division_index: dict[str, int] = {}
    for divisions, _ in p_features:
        for d in divisions:
            division_index.setdefault(d, len(division_index))
    for expert in experts:
        for d in _divisions(expert.ksic_divisions):
            division_index.setdefault(d, len(division_index))
    n_p, n_e, n_d = len(proposals), len(experts), max(len(division_index), 1)
    pd = np.zeros((n_p, n_d), dtype=np.float64)
    for i, (divisions, _) in enumerate(p_features):
        for d in divisions:
            pd[i, division_index[d]] = 1.0
    ed = np.zeros((n_e, n_d), dtype=np.float64)
    for j, expert in enumerate(experts):
        for d in _divisions(expert.ksic_divisions):
            ed[j, division_index[d]] = 1.0
    p_count = pd.sum(axis=1, keepdims=True)
    ksic = np.divide(pd @ ed.T, p_count, out=np.zeros((n_p, n_e)), where=p_count > 0)

    keyword_index: dict[str, int] = {}
    for expert in experts:
        for k in expert.keywords or ():
            k = str(k).strip().lower()
            if len(k) >= 2:
                keyword_index.setdefault(k, len(keyword_index))
    n_k = max(len(keyword_index), 1)
    pk = np.zeros((n_p, n_k), dtype=np.float64)
    for i, (_, text) in enumerate(p_features):
        for k, idx in keyword_index.items():
            if k in text:
                pk[i, idx] = 1.0
    ek = np.zeros((n_e, n_k), dtype=np.float64)
    for j, expert in enumerate(experts):
        for k in expert.keywords or ():
            k = str(k).strip().lower()
            if k in keyword_index:
                ek[j, keyword_index[k]] = 1.0
    hits = (pk @ ek.T).astype(np.int64)

    bid = np.zeros((n_p, n_e), dtype=np.int64)
    p_pos = {p.pk: i for i, p in enumerate(proposals)}
    e_pos = {e.pk: j for j, e in enumerate(experts)}
    for (expert_id, proposal_id), level in bids.items():
        if expert_id in e_pos and proposal_id in p_pos:
            bid[p_pos[proposal_id], e_pos[expert_id]] = int(level)

    affinity = (
        weights["ksic"] * ksic
        + weights["keyword"] * np.minimum(hits, KEYWORD_CAP) / KEYWORD_CAP
        + weights["bid"] * bid
    )
    # Stored rounded so that a re-run from the stored inputs solves exactly the same instance.
    return AffinityMatrix(np.round(affinity, 6), ksic, hits, bid)
