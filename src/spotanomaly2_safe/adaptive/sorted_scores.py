# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The tail's learned scores for the one-row path: a ring as a Python list, with its largest entries kept sorted.

The tail needs only the largest scores (:class:`SortedScores`, for the window score's tail in
:mod:`spotanomaly2_safe.adaptive.sorted_buffers` and the one-row scale's in
:mod:`spotanomaly2_safe.adaptive.spikes`): ``top`` keeps the largest kept scores sorted (a new score enters
when it is at least its smallest entry; an evicted score leaves it when it is at least that entry),
rebuilt from all scores when a refresh needs more than it holds. Scores are never ``-0.0`` (absolute
values, their squares' root, max or mean), so its entries are exactly those of ``np.sort`` of the ring.
"""

from bisect import bisect_left, insort
from typing import Protocol

import numpy as np

__all__ = ["RingBuffer", "SortedScores"]

# ``top`` is rebuilt with this many times the entries a refresh reads, so that it rarely runs short.
_TOP_MARGIN = 4


class RingBuffer(Protocol):
    """What is read of a ``Ring`` (``spotanomaly2_safe.adaptive.state``, which imports the sorted buffers)."""

    values: np.ndarray
    count: int
    position: int


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
