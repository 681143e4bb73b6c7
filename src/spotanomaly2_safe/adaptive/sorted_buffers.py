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
  so a bisection finds it (:func:`smallest_deviations`);
- a column whose median is zero is handed to the numpy rule instead (``0.0`` and ``-0.0`` compare equal,
  so a sorted list cannot tell which of them ``np.partition`` would put in the middle).

The tail needs only the largest scores (:class:`SortedScores`, also the one-row scale's learned scores in
:mod:`spotanomaly2_safe.adaptive.spikes`): ``top`` keeps the largest kept scores sorted (a new score enters
when it is at least its smallest entry; an evicted score leaves it when it is at least that entry),
rebuilt from all scores when a refresh needs more than it holds. Scores are never ``-0.0`` (absolute
values, their squares' root, max or mean), so its entries are exactly those of ``np.sort`` of the ring.

>>> smallest_deviations([1.0, 2.0, 4.0, 7.0, 11.0], 4.0, 3)  # |x - 4| = 3, 2, 0, 3, 7: 3rd and 4th smallest (run from 1)
(3.0, 3.0, 1)
"""

import math
from bisect import bisect_left, insort
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

__all__ = ["SortedBuffers", "SortedScores", "smallest_deviations"]

# ``top`` is rebuilt with this many times the entries a refresh reads, so that it rarely runs short.
_TOP_MARGIN = 4


class RingBuffer(Protocol):
    """What is read of a ``Ring`` (``spotanomaly2_safe.adaptive.state``, which imports this module)."""

    values: np.ndarray
    count: int
    position: int


def _first_start(ordered: Sequence[float], centre: float, last: int, guess: int) -> int:
    """The first start ``i`` of a run ``ordered[i : i + last + 1]`` whose right end lies at least as far from
    ``centre`` as its left end (``n - last`` when none does).

    The condition is false, then true, along ``i`` (its left side rises and its right side falls, also in
    float64), so any bracketing finds the same start: steps doubling from ``guess`` (the start found at the
    last refresh, usually a few entries off), then bisection.
    """
    limit = len(ordered) - last
    probe = min(max(guess, 0), limit - 1)
    step = 1
    if ordered[probe + last] - centre >= centre - ordered[probe]:
        high = probe
        probe -= 1
        while probe >= 0 and ordered[probe + last] - centre >= centre - ordered[probe]:
            high = probe
            step *= 2
            probe -= step
        low = max(probe + 1, 0)
    else:
        low = probe + 1
        probe += 1
        while probe < limit and not ordered[probe + last] - centre >= centre - ordered[probe]:
            low = probe + 1
            step *= 2
            probe += step
        high = min(probe, limit)
    while low < high:
        middle = (low + high) // 2
        if ordered[middle + last] - centre >= centre - ordered[middle]:
            high = middle
        else:
            low = middle + 1
    return low


def smallest_deviations(ordered: Sequence[float], centre: float, k: int, guess: int = 0) -> tuple[float, float, int]:
    """The ``k``-th and the ``(k + 1)``-th smallest ``|x - centre|`` (``math.inf`` for the latter when ``k = n``),
    and the first start of a ``k``-run (the ``guess`` for the next call on similar entries).

    The ``(k + 1)``-run's first start (the first whose right end lies at least as far from ``centre`` as
    its left end) is the ``k``-run's first start ``low`` or the one before: a ``(k + 1)``-run at ``i``
    that qualifies contains the ``k``-run at ``i + 1``, which then qualifies too.
    """
    n, last = len(ordered), k - 1
    low = _first_start(ordered, centre, last, guess)
    kth = ordered[low + last] - centre if low + last < n else math.inf
    if low:
        kth = min(kth, centre - ordered[low - 1])
    start = low - 1 if low and low + k <= n and ordered[low - 1 + k] - centre >= centre - ordered[low - 1] else min(low, n - k)
    following = ordered[start + k] - centre if start + k < n else math.inf
    if start:
        following = min(following, centre - ordered[start - 1])
    return kth, following, low


def _median_and_mad_of_sorted(ordered: Sequence[float], guess: int) -> tuple[float, float, int]:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        centre = ordered[middle]
        kth, _, start = smallest_deviations(ordered, centre, middle + 1, guess)
        return centre, kth, start
    centre = (ordered[middle - 1] + ordered[middle]) / 2.0
    lower, upper, start = smallest_deviations(ordered, centre, middle, guess)
    return centre, (lower + upper) / 2.0, start


class SortedScores:
    """A ring of scores in the ring's slots as a Python list, with its largest entries kept sorted (``top``).

    >>> from spotanomaly2_safe.adaptive.state import Ring
    >>> reference = Ring(50)
    >>> reference.extend(np.arange(60.0))
    >>> scores = SortedScores(reference)
    >>> scores.push(100.0)  # drops the oldest score, 10.0
    >>> scores.largest_scores(3), scores.changed_largest(3), scores.changed_largest(3)
    ([58.0, 59.0, 100.0], [58.0, 59.0, 100.0], None)
    """

    def __init__(self, reference: RingBuffer) -> None:
        self.scores: list[float] = reference.values[: reference.count].tolist()
        self.capacity, self.position = len(reference.values), reference.position
        self.top: list[float] = []  # the largest kept scores, ascending (as a multiset of values)
        self.last_tail: tuple[int, list[float]] | None = None  # the number of scores and the largest ones at the last refresh

    def push(self, score: float) -> None:
        """Keep one learned score, dropping the oldest when full (``Ring.push``)."""
        scores, position, top = self.scores, self.position, self.top
        if len(scores) < self.capacity:
            scores.append(score)
        else:
            oldest = scores[position]
            if top and oldest >= top[0]:  # one copy of its value is in ``top``
                del top[bisect_left(top, oldest)]
            scores[position] = score
        if top and score >= top[0]:
            insort(top, score)
        self.position = position + 1 if position + 1 < self.capacity else 0

    def largest_scores(self, count: int) -> list[float]:
        """The ``count`` largest kept scores, ascending.

        ``top`` is rebuilt from all scores when it holds fewer, and cut back to ``_TOP_MARGIN * count``
        when it holds more than twice that (while the buffer fills, most new scores enter it).
        """
        top = self.top
        if len(top) < count:
            top = self.top = sorted(self.scores)[-_TOP_MARGIN * count :]
        elif len(top) > 2 * _TOP_MARGIN * count:
            del top[: len(top) - _TOP_MARGIN * count]
        return top[len(top) - count :]

    def changed_largest(self, count: int) -> list[float] | None:
        """:meth:`largest_scores`, or ``None`` when the number of scores and those are the ones of the last call.

        A tail refresh that gets ``None`` keeps the values it set: they came from the same scores.
        """
        largest = self.largest_scores(count)
        if self.last_tail == (len(self.scores), largest):
            return None
        self.last_tail = (len(self.scores), largest)
        return largest

    def copy(self) -> "SortedScores":
        twin = SortedScores.__new__(SortedScores)
        twin.__dict__.update(self.__dict__)
        twin.scores, twin.top = list(self.scores), list(self.top)
        return twin

    def write_back(self, reference: RingBuffer) -> None:
        """Return the scores to the ring, in the same slots."""
        reference.values[: len(self.scores)] = self.scores
        reference.count, reference.position = len(self.scores), self.position


class SortedBuffers:
    """The baseline rows and the learned scores of an adaptive state, in the rings' slots, plus sorted copies.

    Built from the two rings (``values``, ``count``, ``position``); :meth:`write_back` returns the entries to them.

    >>> from spotanomaly2_safe.adaptive.state import Ring
    >>> baseline, reference = Ring(3, (1,)), Ring(50)
    >>> baseline.extend(np.array([[3.0], [1.0], [2.0]]))
    >>> reference.extend(np.arange(60.0))
    >>> buffers = SortedBuffers(baseline, reference)
    >>> buffers.push([10.0], 100.0)  # drops the oldest row, [3.0], and the oldest score, 10.0
    >>> buffers.columns, buffers.reference.largest_scores(3)
    ([[1.0, 2.0, 10.0]], [58.0, 59.0, 100.0])
    """

    def __init__(self, baseline: RingBuffer, reference: RingBuffer) -> None:
        self.rows: list[list[float]] = baseline.values[: baseline.count].tolist()
        self.row_capacity, self.row_position = len(baseline.values), baseline.position
        self.columns = [sorted(column) for column in baseline.values[: baseline.count].T.tolist()]
        self.starts = [baseline.count // 4] * len(self.columns)  # per column, where the MAD's run started last (a guess)
        self.reference = SortedScores(reference)

    def push(self, row: list[float], score: float) -> None:
        """Keep one learned residual row and its score, dropping the oldest when full (``Ring.push``, twice)."""
        rows, position = self.rows, self.row_position
        if len(rows) < self.row_capacity:
            rows.append(row)
            for column, value in zip(self.columns, row):
                insort(column, value)
        else:
            oldest, rows[position] = rows[position], row
            if len(row) == 1:  # one channel: the same two steps without the loop
                column = self.columns[0]
                del column[bisect_left(column, oldest[0])]
                insort(column, row[0])
            else:
                for column, value, old in zip(self.columns, row, oldest):
                    del column[bisect_left(column, old)]
                    insort(column, value)
        self.row_position = position + 1 if position + 1 < self.row_capacity else 0
        reference = self.reference  # SortedScores.push(score), inlined: a call per row costs about 3 % of the row
        scores, position, top = reference.scores, reference.position, reference.top
        if len(scores) < reference.capacity:
            scores.append(score)
        else:
            oldest = scores[position]
            if top and oldest >= top[0]:
                del top[bisect_left(top, oldest)]
            scores[position] = score
        if top and score >= top[0]:
            insort(top, score)
        reference.position = position + 1 if position + 1 < reference.capacity else 0

    def median_and_mad(self, numpy_rule: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]) -> tuple[list[float], list[float]]:
        """Per column the median and the MAD of the kept rows; ``numpy_rule`` on a ``(1, n)`` array decides a zero median."""
        locations, mads, starts = [], [], self.starts
        for index, ordered in enumerate(self.columns):
            centre, mad, starts[index] = _median_and_mad_of_sorted(ordered, starts[index])
            if centre == 0.0:
                location, mad = numpy_rule(np.array([[row[index] for row in self.rows]]))
                centre, mad = float(location[0]), float(mad[0])
            locations.append(centre)
            mads.append(mad)
        return locations, mads

    def copy(self) -> "SortedBuffers":
        """An independent twin (the rows themselves are never changed in place, so they are shared)."""
        twin = SortedBuffers.__new__(SortedBuffers)
        twin.__dict__.update(self.__dict__)
        twin.rows, twin.columns, twin.reference = list(self.rows), [list(column) for column in self.columns], self.reference.copy()
        twin.starts = list(self.starts)
        return twin

    def write_back(self, baseline: RingBuffer, reference: RingBuffer) -> None:
        """Return the entries to the rings, in the same slots."""
        baseline.values[: len(self.rows)] = self.rows
        baseline.count, baseline.position = len(self.rows), self.row_position
        self.reference.write_back(reference)
