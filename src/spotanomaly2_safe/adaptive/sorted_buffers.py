# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The one-row path's copy of the baseline and the tail's scores: Python lists, each column kept sorted.

The batch driver keeps its buffers in numpy rings (:class:`~spotanomaly2_safe.adaptive.state.Ring`) and
selects the median, the MAD and the tail with ``np.partition`` at each refresh. One row at a time that
costs more than the row itself, so the streaming path keeps the same entries in the same ring slots as
Python lists and, per column, a sorted list updated by bisection on every learned row; a refresh then
reads the statistics off the sorted lists with the same bits:

- median = the middle entry (odd ``n``) or ``(lower + upper) / 2.0`` of the two middle entries;
- MAD: with ``x_1 <= ... <= x_n`` and ``d_i = fl(x_i - m)`` (monotone in ``x_i``; ``fl(m - x) = -fl(x - m)``),
  the ``k`` smallest ``|d_i|`` lie in a run of ``k`` consecutive entries, so the ``k``-th smallest is
  ``min over i of max(m - x_i, x_(i+k-1) - m)``; the first term falls and the second rises with ``i``,
  so a bisection finds it (:func:`kth_smallest_deviation`);
- a column whose median is zero is handed to the numpy rule instead (``0.0`` and ``-0.0`` compare equal,
  so a sorted list cannot tell which of them ``np.partition`` would put in the middle).

Scores are never ``-0.0`` (they are absolute values, their squares' root, max or mean), so the sorted
scores are exactly ``np.sort`` of the ring's scores.

>>> kth_smallest_deviation([1.0, 2.0, 4.0, 7.0, 11.0], 4.0, 3)  # |x - 4| = 3, 2, 0, 3, 7
3.0
"""

import math
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["SortedBuffers", "kth_smallest_deviation"]

# ``top`` is rebuilt with this many times the entries a refresh reads, so that it rarely runs short.
_TOP_MARGIN = 4


def kth_smallest_deviation(ordered: Sequence[float], centre: float, k: int) -> float:
    """The ``k``-th smallest (1-based) ``|x - centre|`` over the sorted values ``ordered`` (module docstring)."""
    last = k - 1
    low, high = 0, len(ordered) - last  # the first window start whose right end is at least as far as its left end
    while low < high:
        middle = (low + high) // 2
        if ordered[middle + last] - centre >= centre - ordered[middle]:
            high = middle
        else:
            low = middle + 1
    best = ordered[low + last] - centre if low + last < len(ordered) else math.inf
    return min(best, centre - ordered[low - 1]) if low else best


def _median_of_sorted(ordered: Sequence[float]) -> float:
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def _mad_of_sorted(ordered: Sequence[float], centre: float) -> float:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return kth_smallest_deviation(ordered, centre, middle + 1)
    return (kth_smallest_deviation(ordered, centre, middle) + kth_smallest_deviation(ordered, centre, middle + 1)) / 2.0


class SortedBuffers:
    """The baseline rows and the learned scores of an adaptive state, in the rings' slots, plus sorted copies.

    Built from the two rings (``values``, ``count``, ``position``); :meth:`write_back` returns the entries to them.
    """

    def __init__(self, baseline, reference) -> None:
        self.rows: list[list[float]] = baseline.values[: baseline.count].tolist()
        self.row_capacity, self.row_position = len(baseline.values), baseline.position
        self.columns = [sorted(column) for column in baseline.values[: baseline.count].T.tolist()]
        self.scores: list[float] = reference.values[: reference.count].tolist()
        self.score_capacity, self.score_position = len(reference.values), reference.position
        self.top: list[float] = []  # the largest kept scores, ascending (as a multiset of values)

    def push(self, row: list[float], score: float) -> None:
        """Keep one learned residual row and its score, dropping the oldest when full (``Ring.push``, twice)."""
        rows, position = self.rows, self.row_position
        if len(rows) < self.row_capacity:
            rows.append(row)
            for column, value in zip(self.columns, row):
                insort(column, value)
        else:
            for column, value, oldest in zip(self.columns, row, rows[position]):
                del column[bisect_left(column, oldest)]
                insort(column, value)
            rows[position] = row
        self.row_position = position + 1 if position + 1 < self.row_capacity else 0
        scores, position, top = self.scores, self.score_position, self.top
        if len(scores) < self.score_capacity:
            scores.append(score)
        else:
            oldest = scores[position]
            if top and oldest >= top[0]:  # one copy of its value is in ``top``
                del top[bisect_left(top, oldest)]
            scores[position] = score
        if top and score >= top[0]:
            insort(top, score)
        self.score_position = position + 1 if position + 1 < self.score_capacity else 0

    def largest_scores(self, count: int) -> list[float]:
        """The ``count`` largest kept scores, ascending (``top`` is rebuilt from all scores when it holds fewer)."""
        if len(self.top) < count:
            self.top = sorted(self.scores)[-_TOP_MARGIN * count :]
        return self.top[len(self.top) - count :]

    def median_and_mad(self, numpy_rule: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> tuple[list[float], list[float]]:
        """Per column the median and the MAD of the kept rows; ``numpy_rule`` on a ``(1, n)`` array decides a zero median."""
        locations, mads = [], []
        for index, ordered in enumerate(self.columns):
            centre = _median_of_sorted(ordered)
            if centre == 0.0:
                location, mad = numpy_rule(np.array([[row[index] for row in self.rows]]))
                locations.append(float(location[0]))
                mads.append(float(mad[0]))
                continue
            locations.append(centre)
            mads.append(_mad_of_sorted(ordered, centre))
        return locations, mads

    def write_back(self, baseline, reference) -> None:
        """Return the entries to the rings, in the same slots."""
        baseline.values[: len(self.rows)] = self.rows
        baseline.count, baseline.position = len(self.rows), self.row_position
        reference.values[: len(self.scores)] = self.scores
        reference.count, reference.position = len(self.scores), self.score_position
