# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Order statistics of many overlapping windows at once: the refreshes of a speculated run of blocks.

The batch driver scores several blocks in one vectorized pass (:func:`spotanomaly2_safe.adaptive.core.advance`),
so it needs the baseline and the tail after each of them: windows of a fixed ``size`` ending at
increasing positions ``ends`` of one sequence (the ring's entries, oldest first, then the new ones).

- ``sorted_windows``: each window sorted. Each row of the sequence is ranked once (``row_ranks``),
  then the windows of ranks are sorted: ranks are small integers (16 bits for up to 65,536 entries),
  which sort several times faster than float64 (SIMD, branch-free), and a rank maps back to its
  value through the sorted row. From the sorted windows the median is two entries, and the ``q``-th
  smallest ``|x - m|`` (0-based) is ``min_i max(m - x_(i), x_(i+q) - m)``: the ``q + 1`` entries
  nearest ``m`` are consecutive in sorted order, and ``fl(m - x) = -fl(x - m)`` exactly, so this is
  the value the partition of ``|x - m|`` gives, bit for bit.
- ``window_tops``: the ``top`` largest entries of each window, ascending, selected among the entries
  at least the ``top``-th largest of a part some windows share (a lower bound for each of them).

>>> import numpy as np
>>> values = np.array([[5.0, 1.0, 4.0, 2.0, 3.0, 9.0]])
>>> ordered = sorted_windows(values, 4, np.array([4, 6]))
>>> ordered.entries(ordered.first_positions() + np.arange(4)[:, None, None]).transpose(1, 2, 0).tolist()
[[[1.0, 2.0, 4.0, 5.0]], [[2.0, 3.0, 4.0, 9.0]]]
>>> sorted_median(ordered).tolist(), deviation_median(ordered, sorted_median(ordered)).tolist()
([[3.0], [3.5]], [[1.5], [1.0]])
>>> window_tops(values[0], 4, np.array([4, 6]), 2, group=2).tolist()
[[4.0, 5.0], [4.0, 9.0]]
"""

from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["STRIDE", "SortedWindows", "deviation_median", "row_ranks", "sorted_median", "sorted_windows", "sorted_windows_of", "window_tops"]

STRIDE = 16
_SIGN = np.uint64(1 << 63)
_MAGNITUDE = np.uint64((1 << 63) - 1)


class SortedWindows(NamedTuple):
    """``K`` windows of each of ``C`` rows, sorted: ``ranks`` ``(K, C, size)`` C-contiguous, and each row's entries sorted."""

    ranks: np.ndarray
    ordered_rows: np.ndarray
    row_starts: np.ndarray  # (K, C): where each window's row starts in the flat ``ordered_rows``

    @property
    def size(self) -> int:
        return self.ranks.shape[-1]

    def entries(self, positions: np.ndarray) -> np.ndarray:
        """The entries at flat positions of ``ranks`` (trailing axes ``(K, C)``: a window's own positions)."""
        return np.take(self.ordered_rows, np.take(self.ranks, positions) + self.row_starts)

    def first_positions(self) -> np.ndarray:
        """``(K, C)``: the flat position of each window's smallest entry."""
        return self.size * np.arange(self.row_starts.size).reshape(self.row_starts.shape)


def row_ranks(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a C-contiguous float64 ``(C, L)`` array: each entry's rank (ties by position) and the row sorted.

    The sort key packs an order-preserving integer image of the value, its lowest bits dropped, with
    the position in them; when two entries closer than the dropped bits come out of order (checked on
    the sorted values), the row order is taken from ``argsort`` instead.
    """
    n_rows, length = columns.shape
    shift = np.uint64(max(length - 1, 1).bit_length())
    bits = columns.view(np.uint64)
    keys = bits ^ ((bits >> np.uint64(63)) * _MAGNITUDE | _SIGN)  # negative: all bits flipped; positive: the sign bit
    keys >>= shift
    keys <<= shift
    keys |= np.arange(length, dtype=np.uint64)
    keys.sort(axis=1)
    keys &= np.uint64((1 << int(shift)) - 1)
    order = keys.view(np.intp)  # positions below 2**63: the same integers
    order += length * np.arange(n_rows)[:, None]
    ordered_rows = np.take(columns, order)
    if (ordered_rows[:, 1:] < ordered_rows[:, :-1]).any():
        order = np.argsort(columns, axis=1) + length * np.arange(n_rows)[:, None]
        ordered_rows = np.take(columns, order)
    ranks = np.empty(columns.size, dtype=np.min_scalar_type(length - 1))
    ranks[order.ravel()] = np.tile(np.arange(length, dtype=ranks.dtype), n_rows)
    return ranks.reshape(columns.shape), ordered_rows


def sorted_windows(columns: np.ndarray, size: int, ends: np.ndarray) -> SortedWindows:
    """For each of the ``K`` ends, per row of a C-contiguous float64 ``(C, L)`` array, the window ``[end - size, end)`` sorted."""
    return sorted_windows_of(row_ranks(columns), size, ends)


def sorted_windows_of(ranked: tuple[np.ndarray, np.ndarray], size: int, ends: np.ndarray, kept: np.ndarray | None = None) -> SortedWindows:
    """:func:`sorted_windows` from the rows' ``row_ranks``; with ``kept`` (increasing positions), each window is the last
    ``size`` kept positions before its end (rows left out of a sequence: the ranks of the others keep their order)."""
    ranks, ordered_rows = ranked
    n_rows, length = ranks.shape
    if kept is not None:  # the kept positions the windows span, as one sequence
        stops = np.searchsorted(kept, ends)
        ranks = np.take(ranks, kept[stops[0] - size : stops[-1]], axis=1)
        ends = stops - (stops[0] - size)
    windows = sliding_window_view(ranks, size, axis=1)[:, ends - size].transpose(1, 0, 2)  # fancy indexing lays out K first
    windows.sort(axis=-1)
    return SortedWindows(windows, ordered_rows, np.broadcast_to(length * np.arange(n_rows), windows.shape[:2]))


def sorted_median(ordered: SortedWindows) -> np.ndarray:
    """``(K, C)``: the median of each sorted window (the mean of the two middle entries for an even size)."""
    middle = ordered.size // 2
    first = ordered.first_positions()
    if ordered.size % 2:
        return ordered.entries(first + middle)
    return (ordered.entries(first + (middle - 1)) + ordered.entries(first + middle)) / 2.0


def _smallest_deviations(ordered: SortedWindows, centre: np.ndarray, rank: int, pair: bool) -> list[np.ndarray]:
    """``(K, C)``: the ``rank``-th (0-based) smallest ``|x - centre|`` of each sorted window, with ``pair`` also the ``rank + 1``-th.

    ``f(i) = max(c - x_(i), x_(i+rank) - c)``: its first term never increases with ``i``, its second
    never decreases, so ``f`` is smallest at ``i0 - 1`` or ``i0``, ``i0`` the first ``i`` where the
    second term reaches the first. ``i0`` is bracketed on every ``STRIDE``-th ``i``; ``f`` is then evaluated
    on ``STRIDE + 3`` consecutive ``i`` from the bracket's start - 1, kept inside the rank's range
    (evaluating more positions never hurts). For ``rank + 1``, ``g(i) = max(c - x_(i), x_(i+1+rank) - c)``: its
    second term at ``i`` is ``f``'s at ``i + 1``, so its ``i0`` is ``i0 - 1`` or ``i0`` and its smallest value is at
    ``i0 - 2``, ``i0 - 1`` or ``i0``, all among those positions: ``g`` pairs each position's first term with the
    next position's second term.
    """
    last = ordered.size - 1 - rank  # the largest i of the rank
    first = ordered.first_positions()
    coarse = np.arange(0, last + 1, STRIDE)[:, None, None] + first  # (coarse i, K, C): reductions run along axis 0
    lower, upper = ordered.entries(np.stack([coarse, coarse + rank]))
    before_i0 = upper - centre < centre - lower  # monotone in i: i0 is after the last True, at most STRIDE further
    bracket = STRIDE * np.add.reduce(before_i0, axis=0, dtype=np.intp) - STRIDE
    # STRIDE + 3 consecutive i (every i of a small window) from the bracket's start - 1, kept inside the rank's range
    n_fine = min(STRIDE + 3, last + 1)
    positions = np.arange(n_fine)[:, None, None] + (np.clip(bracket - 1, 0, last + 1 - n_fine) + first)
    lower, upper = ordered.entries(np.stack([positions, positions + rank]))
    smallest = [np.maximum(centre - lower, upper - centre).min(axis=0) + 0.0]  # + 0.0: |x - m| is never -0.0, x - m can be
    if pair:
        smallest.append(np.maximum(centre - lower[:-1], upper[1:] - centre).min(axis=0) + 0.0)
    return smallest


def deviation_median(ordered: SortedWindows, centre: np.ndarray) -> np.ndarray:
    """The median of ``|x - centre|`` in each sorted window (the MAD when ``centre`` is its median)."""
    middle = ordered.size // 2
    with np.errstate(over="ignore", invalid="ignore"):
        if ordered.size % 2:
            return _smallest_deviations(ordered, centre, middle, pair=False)[0]
        lower, upper = _smallest_deviations(ordered, centre, middle - 1, pair=True)
        return (lower + upper) / 2.0


def window_tops(values: np.ndarray, size: int, ends: np.ndarray, top: int, group: int) -> np.ndarray:
    """``(K, top)``: the ``top`` largest of each window ``values[end - size:end]``, ascending.

    ``ends`` increase; the windows of each run of ``group`` share at least ``top`` entries, whose
    ``top``-th largest bounds that of each of them from below (so does that of any part of them, here all
    as long as the shortest): candidates are the entries at least the smallest of these bounds. Entries
    that compare false with everything (NaN) are never selected.
    """
    firsts = np.arange(0, len(ends), group)
    length = int((size - ends[np.minimum(firsts + group, len(ends)) - 1] + ends[firsts]).min())  # the shortest shared part
    shared = values[(ends[firsts] - length)[:, None] + np.arange(length)]  # a part of each group's shared part, as long as the shortest
    bound = np.fmin.reduce(np.partition(shared, length - top, axis=1)[:, length - top])  # a NaN bound (NaN entries) is passed over
    start = ends[0] - size
    positions = np.flatnonzero(values[start : ends[-1]] >= bound) + start
    # A window's candidates are consecutive among the positions: one row each, padded with -inf (the last entry below).
    first, stop = np.searchsorted(positions, ends - size), np.searchsorted(positions, ends)
    index = first[:, None] + np.arange(max(int((stop - first).max()), top))
    candidates = np.append(values[positions], -np.inf)[np.where(index < stop[:, None], index, len(positions))]
    candidates.sort(axis=1)
    return candidates[:, candidates.shape[1] - top :]
