# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The exponential tail of learned scores and its threshold: the one rule both tails of the adaptive method use.

Of ``n`` kept scores, the ``N_u = ceil(sqrt(n))`` largest form the tail; ``u`` is the largest score below
them, ``sigma = max(mean(tail - u), floor)`` (the excesses summed in ascending order, so the sum does not
depend on the buffer's order) and the threshold at per-row risk ``q`` is
``u + sigma * (log(N_u / n) - log(q))`` (Siffer et al.'s DSPOT with shape 0). The window score's tail
(:func:`spotanomaly2_safe.adaptive.core.refresh_tail`), the one-row scale's
(:mod:`spotanomaly2_safe.adaptive.spikes`) and the batch driver's speculated refreshes
(:mod:`spotanomaly2_safe.adaptive.speculated_run`, :func:`window_tails`) compute it with these functions' operations.

>>> exponential_tail(np.arange(100.0), 1e-3, TAIL_SCALE_FLOOR)[:3]
(89.0, 5.5, 10)
>>> exponential_tail_of_largest([89.0, *range(90, 100)], 100, 1e-3, 0.25) == exponential_tail(np.arange(100.0), 1e-3, 0.25)
True
"""

import math
from typing import NamedTuple

import numpy as np

from spotanomaly2_safe.adaptive.window_statistics import window_tops

__all__ = ["TAIL_SCALE_FLOOR", "Tails", "exponential_tail", "exponential_tail_of_largest", "tail_size", "tail_threshold", "window_tails"]

TAIL_SCALE_FLOOR = 0.25


def tail_size(n_scores: int) -> int:
    """``N_u = ceil(sqrt(n))``: the number of the ``n`` kept scores that form the tail.

    >>> tail_size(100), tail_size(101), tail_size(2000)
    (10, 11, 45)
    """
    return math.isqrt(n_scores - 1) + 1


def tail_threshold(risk: float, u: np.ndarray | float, sigma: np.ndarray | float, log_share: float) -> np.ndarray | float:
    """``u + sigma * (log(N_u / n) - log(risk))``: the score whose tail probability is ``risk`` (scalars or arrays)."""
    return u + sigma * (log_share - math.log(risk))


def exponential_tail(scores: np.ndarray, risk: float, floor: float) -> tuple[float, float, int, float, float]:
    """``(u, sigma, N_u, log(N_u / n), threshold)`` of the exponential tail of ``scores`` at ``risk``."""
    n_scores = len(scores)
    cut = n_scores - tail_size(n_scores) - 1
    ordered = np.partition(scores, cut)
    return _tail(float(ordered[cut]), np.sort(ordered[cut + 1 :]), n_scores, risk, floor)


def exponential_tail_of_largest(largest: list[float], n_scores: int, risk: float, floor: float) -> tuple[float, float, int, float, float]:
    """:func:`exponential_tail` given the ``N_u + 1`` largest of ``n_scores`` scores, ascending (the one-row path), bit-identical."""
    return _tail(largest[0], np.array(largest[1:]), n_scores, risk, floor)


def _tail(u: float, tail: np.ndarray, n_scores: int, risk: float, floor: float) -> tuple[float, float, int, float, float]:
    """The tail from ``u`` and the ``N_u`` scores above it, sorted ascending."""
    n_tail = len(tail)
    sigma = max(float(np.add.reduce(tail - u)) / n_tail, floor)  # np.mean's sum and division, without its overhead
    log_share = math.log(n_tail / n_scores)
    return u, sigma, n_tail, log_share, tail_threshold(risk, u, sigma, log_share)


class Tails(NamedTuple):
    """Per window, the exponential tail of its scores (``u``, ``sigma``, threshold), and the shared ``N_u`` and ``log(N_u / n)``."""

    u: np.ndarray
    sigma: np.ndarray
    threshold: np.ndarray
    n_tail: int
    log_share: float


def window_tails(values: np.ndarray, size: int, ends: np.ndarray, group: int, risk: float) -> Tails:
    """:func:`exponential_tail` of each window ``values[end - size:end]``, bit for bit (``ends`` and ``group`` as in ``window_tops``).

    >>> window_tails(np.arange(120.0), 100, np.array([100, 120]), 2, 1e-3).u.tolist()
    [89.0, 109.0]
    """
    n_tail = tail_size(size)
    tops = window_tops(values, size, ends, n_tail + 1, group)
    u = tops[:, 0]
    log_share = math.log(n_tail / size)
    with np.errstate(over="ignore", invalid="ignore"):  # windows after an overflowing block are never kept
        sums = np.add.reduce(tops[:, 1:] - u[:, None], axis=1)  # row by row, the pairwise sum of _tail's 1-D array
        sigma = np.maximum(sums / n_tail, TAIL_SCALE_FLOOR)
        return Tails(u, sigma, tail_threshold(risk, u, sigma, log_share), n_tail, log_share)
