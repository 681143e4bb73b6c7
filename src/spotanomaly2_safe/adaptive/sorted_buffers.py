# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The one-row path's copy of the baseline and the tail's scores: Python lists, each column kept sorted.

The batch driver keeps its buffers in numpy rings (:class:`~spotanomaly2_safe.adaptive.state.Ring`) and
selects the median, the MAD and the tail with ``np.partition`` at each refresh. One row at a time that
costs more than the row itself, so the streaming path keeps the same entries in the same ring slots as
Python lists and, per column, a sorted list updated by bisection on every learned row; a refresh then
reads the statistics off the sorted lists with the same bits
(:mod:`spotanomaly2_safe.adaptive.sorted_statistics`), and the tail off the largest scores
(:mod:`spotanomaly2_safe.adaptive.sorted_scores`). A column whose median is zero is handed to the numpy
rule instead (``0.0`` and ``-0.0`` compare equal, so a sorted list cannot tell which of them
``np.partition`` would put in the middle).
"""

from bisect import bisect_left, insort
from collections.abc import Callable

import numpy as np

from spotanomaly2_safe.adaptive.sorted_scores import RingBuffer, SortedScores
from spotanomaly2_safe.adaptive.sorted_statistics import median_and_mad_of_sorted

__all__ = ["SortedBuffers"]


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
            centre, mad, starts[index] = median_and_mad_of_sorted(ordered, starts[index])
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
