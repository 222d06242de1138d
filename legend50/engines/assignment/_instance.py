"""Normalised view of a problem shared by the flow and MIP back-ends: scaling, eligibility, chunks."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ._problem import AssignmentProblem

# Rows are processed in blocks of about this many cells so dense passes stay cache- and RAM-friendly
# (4M float64 cells = 32 MB per temporary).
CHUNK_CELLS = 1 << 20

# Cap on the largest scaled |affinity|. The flow certificate adds a lexicographic weight
# BIG ~ 2 * n_pairs * R to every pair, and its potentials must stay far from int64 overflow, so R is
# also capped by 2**48 / n_pairs (that keeps every potential and reduced cost below ~2**52).
MAX_SCALED = 1 << 30
HEADROOM = 1 << 48


class Instance:
    """Validated problem data plus the integer scaling used by every back-end."""

    def __init__(self, problem: AssignmentProblem, max_scaled: int = MAX_SCALED) -> None:
        self.problem = problem
        self.A = problem.affinity
        self.C = problem.conflicts
        self.q = problem.quotas
        self.L = problem.loads
        self.P, self.E = self.A.shape
        self.row_active = self.q > 0
        self.col_active = self.L > 0

        required = problem.required_sectors
        self.sectors: list[int] = sorted(required)
        self.sector_min = np.array([required[s] for s in self.sectors], dtype=np.int64)
        self.total_min = int(self.sector_min.sum()) if self.sectors else 0
        if self.sectors:
            assert problem.expert_sector is not None
            # entry class 0 = seats open to any sector, k >= 1 = seats reserved for self.sectors[k - 1]
            self.entry_class = np.zeros(self.E, dtype=np.int64)
            for k, sector in enumerate(self.sectors, start=1):
                self.entry_class[problem.expert_sector == sector] = k
        else:
            self.entry_class = None

        self.group: np.ndarray | None = None
        self.n_groups = 0
        if problem.expert_group is not None and self.E:
            labels, inverse = np.unique(problem.expert_group, return_inverse=True)
            if labels.size < self.E:  # all-singleton groups constrain nothing
                self.group = inverse.astype(np.int64)
                self.n_groups = int(labels.size)

        # Upper bound on the number of pairs any solution can have.
        self.max_pairs = int(min(self.q.sum(), self.L.sum(), self.P * self.E))
        lo = float(self.A.min()) if self.A.size else 0.0
        hi = float(self.A.max()) if self.A.size else 0.0
        amax = max(abs(lo), abs(hi))
        cap = max(1, min(max_scaled, HEADROOM // max(self.max_pairs, 1)))
        if amax > 0:
            # A power of two keeps A * scale exact in binary floating point, so affinities that are
            # integers (or coarse binary fractions) are represented without any rounding.
            self.scale = 2.0 ** math.floor(math.log2(cap / amax))
        else:
            self.scale = 1.0
        self.smin = int(np.rint(lo * self.scale))
        self.smax = int(np.rint(hi * self.scale))
        # Every pair gets weight BIG + s; BIG exceeds any affinity difference a solution can collect, so
        # maximising the weighted sum maximises the number of pairs first (see the package docstring).
        self.big = self.max_pairs * (self.smax - self.smin) + max(0, -self.smin) + 1

    @property
    def sector_mode(self) -> bool:
        return self.entry_class is not None

    def row_chunks(self) -> Iterator[tuple[int, int]]:
        step = max(1, CHUNK_CELLS // max(self.E, 1))
        for r0 in range(0, self.P, step):
            yield r0, min(self.P, r0 + step)

    def eligible(self, r0: int, r1: int) -> np.ndarray:
        """Bool block: pair may be assigned (not conflicted, proposal wants reviewers, expert has capacity)."""
        if self.C is None:
            mask = np.ones((r1 - r0, self.E), dtype=bool)
        else:
            mask = ~self.C[r0:r1]
        mask &= self.row_active[r0:r1, None]
        mask &= self.col_active[None, :]
        if self.entry_class is not None:
            # A proposal whose whole quota is reserved for sectors has no open seat for other experts.
            no_open = self.q[r0:r1] <= self.total_min
            mask[np.ix_(no_open, self.entry_class == 0)] = False
        return mask

    def scaled_block(self, r0: int, r1: int) -> np.ndarray:
        return np.rint(self.A[r0:r1] * self.scale).astype(np.int64)

    def scaled_pairs(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return np.rint(self.A[rows, cols] * self.scale).astype(np.int64)

    def scaling_is_exact(self) -> bool:
        for r0, r1 in self.row_chunks():
            block = self.A[r0:r1] * self.scale
            if not np.array_equal(np.rint(block), block):
                return False
        return True

    def groups_nest_in_sectors(self) -> bool:
        """True when every expert group lies inside one seat class, so groups fit the flow network."""
        if self.group is None or self.entry_class is None:
            return True
        pairs = np.unique(self.group * (len(self.sectors) + 1) + self.entry_class)
        return np.unique(pairs // (len(self.sectors) + 1)).size == pairs.size
