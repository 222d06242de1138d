"""Min-cost-flow back-end: network construction, candidate pricing and the optimality certificate.

The network (node ids in brackets)::

    source[0] -> proposal i            cap quota_i
    proposal i -> seat hub             only with min_per_sector: a hub of open seats (cap quota - sum of
                                       minimums) and one hub per required sector (cap its minimum); the
                                       open hub also feeds every sector hub
    hub -> group node (i, g)           cap 1, only where proposal i has >= 2 candidate experts in group g
    hub or group node -> expert j      cap 1, cost -round(affinity * scale)
    expert j -> sink[1]                cap max_load_j

``solve_max_flow_with_min_cost`` gives the maximum number of pairs and, among those, the largest
scaled affinity: exactly the lexicographic objective.

Sparse pricing: the network is first built on each proposal's top-k experts only. To prove the
restricted optimum optimal for the full instance, node potentials are computed on the residual graph
of the circulation whose pair costs are -(BIG + s) (BIG makes count dominate, see _instance.py). The
restricted solution is optimal on the restricted graph, so that residual graph has no negative cycle
and shortest-path distances are valid potentials. An omitted pair (tail -> j) could improve the
solution only if its reduced cost -(BIG + s) + pi(tail) - pi(j) is negative; if no omitted eligible
pair has a negative reduced cost, the same potentials certify optimality on the full graph (reduced
cost optimality). Otherwise the offending pairs are added and the loop repeats (column generation).
All of this is exact int64 arithmetic; a failure of any step falls back to the dense network.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

from ._instance import Instance

SOURCE, SINK = 0, 1
_INF = np.iinfo(np.int64).max // 4


@dataclass
class Network:
    n_nodes: int
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    # Certificate cost of each arc: -(BIG + s) on pair arcs, 0 elsewhere.
    big_costs: np.ndarray
    pair_scaled: np.ndarray  # s = round(affinity * scale) of each pair arc
    pair_slice: slice
    pair_rows: np.ndarray
    pair_cols: np.ndarray
    entry_of: np.ndarray  # (P, n_classes) node id of the hub a pair of that class leaves from
    group_keys: np.ndarray  # sorted proposal * n_groups + group for which a group node exists
    group_nodes: np.ndarray
    flows: np.ndarray | None = None
    stats: dict = field(default_factory=dict)

    @property
    def expert_base(self) -> int:
        return 2 + self.entry_of.shape[0]


def build_network(inst: Instance, rows: np.ndarray, cols: np.ndarray) -> Network:
    """Network on the candidate pairs (rows[k], cols[k]), each eligible and listed once."""
    P, E = inst.P, inst.E
    prop_base, exp_base = 2, 2 + P
    next_id = 2 + P + E
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    caps: list[np.ndarray] = []

    def add(t, h, c) -> None:
        t, h, c = np.broadcast_arrays(
            np.asarray(t, np.int64), np.asarray(h, np.int64), np.asarray(c, np.int64)
        )
        keep = c > 0
        tails.append(t[keep])
        heads.append(h[keep])
        caps.append(c[keep])

    act = np.flatnonzero(inst.row_active)
    add(SOURCE, prop_base + act, inst.q[act])
    act_e = np.flatnonzero(inst.col_active)
    add(exp_base + act_e, SINK, inst.L[act_e])

    prop_ids = prop_base + np.arange(P, dtype=np.int64)
    if inst.sector_mode:
        n_req = len(inst.sectors)
        open_hub = next_id + np.arange(P, dtype=np.int64)
        next_id += P
        sector_hub = next_id + np.arange(P * n_req, dtype=np.int64).reshape(P, n_req)
        next_id += P * n_req
        entry_of = np.concatenate([open_hub[:, None], sector_hub], axis=1)
        add(prop_ids[act], open_hub[act], inst.q[act] - inst.total_min)
        for k in range(n_req):
            add(prop_ids[act], sector_hub[act, k], inst.sector_min[k])
            # Open seats may take sector experts too; pointless (and unreachable) without open seats.
            add(open_hub[act], sector_hub[act, k], np.where(inst.q[act] > inst.total_min, inst.q[act], 0))
    else:
        entry_of = prop_ids[:, None]

    cls = inst.entry_class[cols] if inst.sector_mode else np.zeros(cols.size, dtype=np.int64)
    pair_tail = entry_of[rows, cls]
    group_keys = np.zeros(0, dtype=np.int64)
    group_nodes = np.zeros(0, dtype=np.int64)
    if inst.group is not None and rows.size:
        key = rows * inst.n_groups + inst.group[cols]
        uniq, first, inverse, counts = np.unique(
            key, return_index=True, return_inverse=True, return_counts=True
        )
        shared = counts >= 2
        group_keys = uniq[shared]
        group_nodes = next_id + np.arange(group_keys.size, dtype=np.int64)
        next_id += group_keys.size
        node_of_uniq = np.full(uniq.size, -1, dtype=np.int64)
        node_of_uniq[shared] = group_nodes
        # Groups nest inside one seat class here, so any member's hub is the group's hub.
        add(pair_tail[first[shared]], group_nodes, 1)
        via = node_of_uniq[inverse]
        pair_tail = np.where(via >= 0, via, pair_tail)

    n_struct = sum(t.size for t in tails)
    tails.append(pair_tail)
    heads.append(exp_base + cols)
    caps.append(np.ones(cols.size, dtype=np.int64))
    s = inst.scaled_pairs(rows, cols)
    big_costs = np.zeros(n_struct + cols.size, dtype=np.int64)
    big_costs[n_struct:] = -(inst.big + s)
    return Network(
        n_nodes=next_id,
        tails=np.concatenate(tails),
        heads=np.concatenate(heads),
        caps=np.concatenate(caps),
        big_costs=big_costs,
        pair_scaled=s,
        pair_slice=slice(n_struct, n_struct + cols.size),
        pair_rows=rows,
        pair_cols=cols,
        entry_of=entry_of,
        group_keys=group_keys,
        group_nodes=group_nodes,
    )


def solve_network(inst: Instance, net: Network) -> bool:
    """Max flow with min cost on the network; stores the flows. Returns True when OR-Tools says OPTIMAL."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    costs = np.zeros(net.tails.size, dtype=np.int64)
    # OR-Tools only needs the affinity part: its max-flow-then-min-cost mode handles the count.
    costs[net.pair_slice] = -net.pair_scaled
    smcf.add_arcs_with_capacity_and_unit_cost(
        net.tails.astype(np.int32), net.heads.astype(np.int32), net.caps, costs
    )
    del costs
    total = int(inst.q[inst.row_active].sum())
    smcf.set_nodes_supplies(
        np.array([SOURCE, SINK], dtype=np.int32), np.array([total, -total], dtype=np.int64)
    )
    status = smcf.solve_max_flow_with_min_cost()
    ok = status == smcf.OPTIMAL
    if ok:
        net.flows = np.asarray(smcf.flows(np.arange(net.tails.size, dtype=np.int32)), dtype=np.int64)
    net.stats["mcf_status"] = str(status)
    return ok


def chosen_pairs(net: Network) -> tuple[np.ndarray, np.ndarray]:
    assert net.flows is not None
    used = net.flows[net.pair_slice] > 0
    return net.pair_rows[used], net.pair_cols[used]


def _shortest_distances(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray, src: int) -> np.ndarray | None:
    """Single-source shortest paths with negative arc costs (queue-free Bellman-Ford by frontier rounds).

    Each round relaxes only the out-arcs of nodes whose distance improved in the previous round, all
    vectorised. Returns None on a negative cycle (which an optimal flow never has).
    """
    order = np.argsort(u, kind="stable")
    u, v, w = u[order], v[order], w[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])
    dist = np.full(n, _INF, dtype=np.int64)
    dist[src] = 0
    frontier = np.array([src], dtype=np.int64)
    for _ in range(n + 1):
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return dist
        offsets = np.repeat(starts - (np.cumsum(counts) - counts), counts)
        arcs = offsets + np.arange(total, dtype=np.int64)
        cand = dist[u[arcs]] + w[arcs]
        head = v[arcs]
        better = cand < dist[head]
        if not better.any():
            return dist
        head, cand = head[better], cand[better]
        np.minimum.at(dist, head, cand)
        frontier = np.unique(head)
    return None


def certificate_potentials(inst: Instance, net: Network) -> np.ndarray | None:
    """Exact int64 node potentials with non-negative reduced costs on the residual graph, or None.

    Distances from the source give every hub / group node its largest feasible potential; experts are
    then lowered to their smallest feasible one. Both choices make omitted pairs look as unattractive
    as the current duals allow, which keeps the pricing pass from adding pairs needlessly.
    """
    f = net.flows
    assert f is not None
    fwd = f < net.caps
    bwd = f > 0
    total = int(f[net.tails == SOURCE].sum())
    extra_u = [SINK] + ([SOURCE] if total > 0 else [])
    extra_v = [SOURCE] + ([SINK] if total > 0 else [])
    u = np.concatenate([net.tails[fwd], net.heads[bwd], np.array(extra_u, dtype=np.int64)])
    v = np.concatenate([net.heads[fwd], net.tails[bwd], np.array(extra_v, dtype=np.int64)])
    w = np.concatenate([net.big_costs[fwd], -net.big_costs[bwd], np.zeros(len(extra_u), dtype=np.int64)])
    dist = _shortest_distances(net.n_nodes, u, v, w, SOURCE)
    if dist is None:
        net.stats["certificate"] = "negative cycle"
        return None
    exp_lo, exp_hi = 2 + inst.P, 2 + inst.P + inst.E
    is_expert = (np.arange(net.n_nodes) >= exp_lo) & (np.arange(net.n_nodes) < exp_hi)
    # Experts that no candidate pair reaches only have their arc to the sink: pi(sink) is their best value.
    if dist[SINK] >= _INF:
        # No flow at all and no expert reachable: the sink only needs pi(sink) >= pi(source).
        dist[SINK] = 0
    unreached = dist >= _INF
    dist[unreached & is_expert] = dist[SINK]
    # Nodes without arcs (inactive proposals and their hubs) play no part in the certificate.
    touched = np.zeros(net.n_nodes, dtype=bool)
    touched[net.tails] = True
    touched[net.heads] = True
    dist[unreached & ~touched] = 0
    if (dist >= _INF).any():
        net.stats["certificate"] = "unreachable nodes"
        return None
    # Lower each expert to the largest lower bound its residual out-arcs impose.
    out = (u >= exp_lo) & (u < exp_hi)
    lower = np.full(net.n_nodes, -_INF, dtype=np.int64)
    np.maximum.at(lower, u[out], dist[v[out]] - w[out])
    has_out = lower > -_INF
    dist = np.where(is_expert & has_out, np.minimum(dist, lower), dist)
    if not (dist[v] <= dist[u] + w).all():
        net.stats["certificate"] = "potentials infeasible"
        return None
    return dist


def price_omitted(
    inst: Instance,
    net: Network,
    dist: np.ndarray,
    in_set: np.ndarray,
    per_row: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Omitted eligible pairs with negative reduced cost (up to per_row per proposal, worst first).

    Returns (rows, cols, total number of violating pairs). Zero violations = optimality certificate.
    """
    exp_pot = dist[net.expert_base + np.arange(inst.E)]
    entry_pot = dist[net.entry_of]
    cls = inst.entry_class
    out_rows: list[np.ndarray] = []
    out_cols: list[np.ndarray] = []
    n_viol = 0
    for r0, r1 in inst.row_chunks():
        mask = inst.eligible(r0, r1)
        mask &= ~in_set[r0:r1]
        if not mask.any():
            continue
        tail_pot = entry_pot[r0:r1][:, cls] if cls is not None else entry_pot[r0:r1, :1]
        if net.group_keys.size:
            rows = np.arange(r0, r1, dtype=np.int64)[:, None]
            key = rows * inst.n_groups + inst.group[None, :]
            pos = np.searchsorted(net.group_keys, key)
            pos = np.minimum(pos, net.group_keys.size - 1)
            found = net.group_keys[pos] == key
            tail_pot = np.where(found, dist[net.group_nodes[pos]], tail_pot)
        # reduced cost -(BIG + s) + pi(tail) - pi(j) < 0  <=>  s + BIG + pi(j) - pi(tail) > 0
        gain = inst.scaled_block(r0, r1)
        gain += inst.big
        gain += exp_pot[None, :]
        gain -= tail_pot
        viol = mask & (gain > 0)
        counts = viol.sum(axis=1)
        n_viol += int(counts.sum())
        if not n_viol:
            continue
        heavy = counts > per_row
        light_r, light_c = np.nonzero(viol & ~heavy[:, None])
        out_rows.append(light_r + r0)
        out_cols.append(light_c)
        for r in np.flatnonzero(heavy):
            cand = np.flatnonzero(viol[r])
            top = cand[np.argpartition(-gain[r, cand], per_row - 1)[:per_row]]
            out_rows.append(np.full(top.size, r + r0, dtype=np.int64))
            out_cols.append(top)
    if not out_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), n_viol
    return np.concatenate(out_rows).astype(np.int64), np.concatenate(out_cols).astype(np.int64), n_viol


def top_k_candidates(inst: Instance, k_row: int, k_col: int) -> tuple[np.ndarray, np.ndarray]:
    """Each proposal's k_row best eligible experts plus each expert's k_col best eligible proposals.

    The column side matters when many proposals prefer the same few experts: their row top-k then
    overlap, and the less popular experts that the optimum must use would only arrive via pricing.
    """
    P, E = inst.P, inst.E
    k_row = min(k_row, E)
    k_col = min(k_col, P)
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    col_vals: list[np.ndarray] = []  # per chunk: (E, <= k_col) best values of each column
    col_rows: list[np.ndarray] = []
    jitter_base: np.ndarray | None = None
    for r0, r1 in inst.row_chunks():
        mask = inst.eligible(r0, r1)
        # Break ties at random below the scaling resolution: with many equal affinities argpartition
        # would otherwise hand every proposal the same experts (and every expert the same proposals).
        # One pattern reused for every chunk is enough for that and saves most of the RNG work.
        if jitter_base is None:
            jitter_base = np.random.default_rng(0).random((r1 - r0, E), dtype=np.float32)
            jitter_base *= np.float32(0.25 / inst.scale)
        block = inst.A[r0:r1] + jitter_base[: r1 - r0]
        block[~mask] = -np.inf
        if k_row < E:
            idx = np.argpartition(block, E - k_row, axis=1)[:, E - k_row :]
        else:
            idx = np.broadcast_to(np.arange(E), block.shape)
        keep = np.take_along_axis(mask, idx, axis=1)
        r, c = np.nonzero(keep)
        rows_out.append(r + r0)
        cols_out.append(idx[r, c])
        if k_col > 0:
            # Column-wise work on a transposed copy: partitioning along axis 0 would stride badly.
            block_t = np.ascontiguousarray(block.T)
            kc = min(k_col, r1 - r0)
            sel = np.argpartition(block_t, block_t.shape[1] - kc, axis=1)[:, block_t.shape[1] - kc :]
            col_vals.append(np.take_along_axis(block_t, sel, axis=1))
            col_rows.append(sel + r0)
    if col_vals:
        vals = np.concatenate(col_vals, axis=1)
        rws = np.concatenate(col_rows, axis=1)
        if vals.shape[1] > k_col:
            sel = np.argpartition(vals, vals.shape[1] - k_col, axis=1)[:, vals.shape[1] - k_col :]
            vals = np.take_along_axis(vals, sel, axis=1)
            rws = np.take_along_axis(rws, sel, axis=1)
        ok = vals > -np.inf
        rows_out.append(rws[ok])
        cols_out.append(np.broadcast_to(np.arange(E)[:, None], vals.shape)[ok])
    if not rows_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = np.concatenate(rows_out).astype(np.int64)
    cols = np.concatenate(cols_out).astype(np.int64)
    key = np.unique(rows * E + cols)
    return key // E, key % E


def all_eligible(inst: Instance) -> tuple[np.ndarray, np.ndarray]:
    rows_out: list[np.ndarray] = []
    cols_out: list[np.ndarray] = []
    for r0, r1 in inst.row_chunks():
        r, c = np.nonzero(inst.eligible(r0, r1))
        rows_out.append((r + r0).astype(np.int64))
        cols_out.append(c.astype(np.int64))
    if not rows_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows_out), np.concatenate(cols_out)
