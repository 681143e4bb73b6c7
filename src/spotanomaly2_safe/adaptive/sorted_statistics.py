# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The median and the MAD of a sorted list, with the bits of the numpy selection on the same entries.

The one-row path keeps each baseline column as a sorted Python list
(:mod:`spotanomaly2_safe.adaptive.sorted_buffers`) and reads the statistics off it:

- median = the middle entry (odd ``n``) or ``(lower + upper) / 2.0`` of the two middle entries;
- MAD: with ``x_1 <= ... <= x_n`` and ``d_i = fl(x_i - m)`` (monotone in ``x_i``; ``fl(m - x) = -fl(x - m)``),
  the ``k`` smallest ``|d_i|`` lie in a run of ``k`` consecutive entries, so the ``k``-th smallest is
  ``min over i of max(m - x_i, x_(i+k-1) - m)``; the first term falls and the second rises with ``i``,
  so a search finds it (:func:`smallest_deviations`), from the run found at the last refresh.

>>> smallest_deviations([1.0, 2.0, 4.0, 7.0, 11.0], 4.0, 3)  # |x - 4| = 3, 2, 0, 3, 7: 3rd and 4th smallest (run from 1)
(3.0, 3.0, 1)
>>> median_and_mad_of_sorted([1.0, 2.0, 4.0, 7.0], 0)  # median 3; |x - 3| = 2, 1, 1, 4
(3.0, 1.5, 1)
"""

import math
from collections.abc import Sequence

__all__ = ["median_and_mad_of_sorted", "smallest_deviations"]


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


def median_and_mad_of_sorted(ordered: Sequence[float], guess: int) -> tuple[float, float, int]:
    """The median, the MAD and the start of the MAD's run (the next ``guess``) of a non-empty sorted list."""
    middle = len(ordered) // 2
    if len(ordered) % 2:
        centre = ordered[middle]
        kth, _, start = smallest_deviations(ordered, centre, middle + 1, guess)
        return centre, kth, start
    centre = (ordered[middle - 1] + ordered[middle]) / 2.0
    lower, upper, start = smallest_deviations(ordered, centre, middle, guess)
    return centre, (lower + upper) / 2.0, start
