# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Order statistics of many overlapping windows at once: the refreshes of a speculated run of blocks.

The batch driver scores several blocks in one vectorized pass (:func:`spotanomaly2_safe.adaptive.core.advance`),
so it needs the baseline and the tail after each of them: windows of a fixed ``size`` ending at
increasing positions ``ends`` of one sequence (the ring's entries, oldest first, then the new ones).

- ``sorted_windows``: each window sorted (SIMD, branch-free); from it the median is two entries, and
  the ``q``-th smallest ``|x - m|`` (0-based) is ``min_i max(m - x_(i), x_(i+q) - m)``: the ``q + 1``
  entries nearest ``m`` are consecutive in sorted order, and ``fl(m - x) = -fl(x - m)`` exactly, so
  this is the value the partition of ``|x - m|`` gives, bit for bit.
- ``window_tops``: the ``top`` largest entries of each window, ascending, selected among the entries
  at least the ``top``-th largest of the part every window shares (a lower bound for all of them).

>>> import numpy as np
>>> values = np.array([[5.0, 1.0, 4.0, 2.0, 3.0, 9.0]])
>>> ordered = sorted_windows(values, 4, np.array([4, 6]))
>>> ordered.tolist()
[[[1.0, 2.0, 4.0, 5.0]], [[2.0, 3.0, 4.0, 9.0]]]
>>> sorted_median(ordered).tolist(), deviation_median(ordered, sorted_median(ordered)).tolist()
([[3.0], [3.5]], [[1.5], [1.0]])
>>> window_tops(values[0], 4, np.array([4, 6]), 2).tolist()
[[4.0, 5.0], [4.0, 9.0]]
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["STRIDE", "deviation_median", "sorted_median", "sorted_windows", "window_tops"]

STRIDE = 16


def sorted_windows(columns: np.ndarray, size: int, ends: np.ndarray) -> np.ndarray:
    """``(K, C, size)``, C-contiguous: for each of the ``K`` ends, per row of ``columns`` ``(C, L)``, the window ``[end - size, end)`` sorted."""
    windows = sliding_window_view(columns, size, axis=1)[:, ends - size].transpose(1, 0, 2)  # fancy indexing lays out K first
    windows.sort(axis=-1)
    return windows


def sorted_median(ordered: np.ndarray) -> np.ndarray:
    """The median along the last axis of sorted windows (the mean of the two middle entries for an even size)."""
    middle = ordered.shape[-1] // 2
    if ordered.shape[-1] % 2:
        return ordered[..., middle]
    return (ordered[..., middle - 1] + ordered[..., middle]) / 2.0


def _smallest_deviations(ordered: np.ndarray, centre: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """``(len(ranks), K, C)``: the ``rank``-th (0-based) smallest ``|x - centre|`` of each sorted window (module docstring).

    ``f(i) = max(c - x_(i), x_(i+rank) - c)``: its first term never increases with ``i``, its second
    never decreases, so ``f`` is smallest at ``i0 - 1`` or ``i0``, ``i0`` the first ``i`` where the
    second term reaches the first. ``i0`` is bracketed on every ``STRIDE``-th ``i`` up to the largest
    ``i`` of the largest rank; ``f`` is then evaluated on the bracket only (``STRIDE + 1`` positions,
    clipped to the rank's range: evaluating more positions never hurts). ``ranks`` increase by one.
    """
    size = ordered.shape[-1]
    last = size - 1 - ranks[:, None, None, None]  # the largest i of each rank
    flat = size * np.arange(centre.size).reshape(centre.shape)  # each window's first entry in the flat C-contiguous array
    coarse = np.arange(0, int(last.min()) + 1, STRIDE)[:, None, None] + flat  # (coarse i, K, C): reductions run along axis 0
    lower_coarse = np.take(ordered, coarse)
    before_i0 = np.take(ordered, coarse + ranks[:, None, None, None]) - centre < centre - lower_coarse
    start = np.maximum(STRIDE * (np.count_nonzero(before_i0, axis=1) - 1), 0)[:, None]  # the comparison is monotone in i
    positions = np.minimum(start + np.arange(STRIDE + 1)[:, None, None], last) + flat
    lower, upper = np.take(ordered, positions), np.take(ordered, positions + ranks[:, None, None, None])
    return np.maximum(centre - lower, upper - centre).min(axis=1) + 0.0  # + 0.0: |x - m| is never -0.0, x - m can be


def deviation_median(ordered: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """The median of ``|x - centre|`` along the last axis of sorted windows (the MAD when ``centre`` is their median)."""
    middle = ordered.shape[-1] // 2
    with np.errstate(over="ignore"):
        if ordered.shape[-1] % 2:
            return _smallest_deviations(ordered, centre, np.array([middle]))[0]
        lower, upper = _smallest_deviations(ordered, centre, np.array([middle - 1, middle]))
        return (lower + upper) / 2.0


def window_tops(values: np.ndarray, size: int, ends: np.ndarray, top: int) -> np.ndarray:
    """``(K, top)``: the ``top`` largest of each window ``values[end - size:end]``, ascending.

    ``ends`` increase and the shared part ``[ends[-1] - size, ends[0])`` holds at least ``top`` entries.
    Entries that compare false with everything (NaN) are never selected.
    """
    shared = values[ends[-1] - size : ends[0]]
    bound = np.partition(shared, len(shared) - top)[len(shared) - top]
    first = ends[0] - size
    positions = np.flatnonzero(values[first : ends[-1]] >= bound) + first
    inside = (positions >= ends[:, None] - size) & (positions < ends[:, None])
    candidates = np.where(inside, values[positions], -np.inf)
    candidates.sort(axis=1)
    return candidates[:, candidates.shape[1] - top :]
