# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The training screen (``screen_risk``): a training glitch's own scores do not seed the tails.

The protect rule ("a flagged row is not learned") applied once, at fit, to the scores that seed a tail: the
training rows' scores after the warm-up rows (:func:`spotanomaly2_safe.adaptive.core.warmup_size`), the last
``reference_size`` of them. With ``screen_risk = q`` (default ``None``: off, and every output, state and record
is bit-identical to the method without it), for each tail (the window score's; the one-row scale's too, with
``spike_risk`` set), on its ``n`` candidate scores sorted descending ``x_(1) >= ... >= x_(n)`` (equal scores
earliest row first):

- for ``k = 1 .. K_max``: ``x_(k)`` is an outlier if it exceeds the threshold that
  :func:`~spotanomaly2_safe.adaptive.tails.exponential_tail` (the tails' own rule, scale floor 0.25) fits to the
  ``n - k`` scores without the ``k`` largest, at per-row risk ``q / n`` (Bonferroni over the ``n`` candidates:
  training whose scores follow the fitted tail trips the screen with probability about ``q``);
- the ``k`` largest are screened for the **largest** ``k`` that passes (Rosner's generalized ESD): one glitch row
  makes about ``window`` equal window scores, which mask each other for small ``k`` and are screened together;
- ``K_max = min(N_u(n) + spread - 1, n // 4)`` with ``N_u(n) = ceil(sqrt(n))`` (the tail's size) and ``spread``
  the rows one row's deviation reaches (``window`` for the window score, 1 for the one-row scale): at most as
  many glitch rows as the tail holds, each spread over ``spread`` scores, and never more than a quarter of the
  candidates (as the warm-up rule keeps three quarters of the training rows). More outlying training scores
  than that are a regime, not a glitch: at most ``K_max`` of them are screened, and the rest seed the tail.

Screened scores do not seed their tail; everything else is as without the screen: the screened rows' residuals
stay in the baseline (the median and the MAD are robust to a few rows; the baseline is fitted before the scores
exist), their deviations stay in the window's history (a glitch in the last ``window - 1`` training rows raises the
first test rows' window scores, which are then flagged and not learned), and the rows still count as seen. The
screen runs in :func:`~spotanomaly2_safe.adaptive.core.initial_state`, which both drivers call, so the batch and
streaming outputs stay bit-identical. The screened training rows (0-based positions) are kept in the state and
recorded (:func:`screen_record`).

>>> scores = np.concatenate([np.linspace(0.5, 1.5, 390), np.full(10, 40.0)])
>>> screened_positions(scores, 0.01, 10).tolist() == list(range(390, 400))
True
>>> screened_positions(np.linspace(0.5, 1.5, 400), 0.01, 10).tolist()
[]
>>> screen_cap(350, 10), screen_cap(51, 49), screen_cap(350, 1)
(27, 12, 19)
"""

from typing import Any, NamedTuple

import numpy as np

from spotanomaly2_safe.adaptive.state import AdaptiveSettings
from spotanomaly2_safe.adaptive.tails import TAIL_SCALE_FLOOR, exponential_tail, tail_size

__all__ = ["SCREEN_RULE", "Screened", "screen_cap", "screen_record", "screen_seed", "screened_positions"]

SCREEN_RULE = (
    "of the n candidate seeding scores of a tail (after the warm-up rows; the last reference_size), the k largest are screened "
    "for the largest k <= K_max = min(ceil(sqrt(n)) + spread - 1, n // 4) whose k-th largest exceeds the exponential-tail "
    "threshold of the other n - k scores at per-row risk screen_risk / n (spread: window for the window score, 1 for the "
    "one-row scale); screened scores do not seed the tail; the rows stay in the baseline and the window"
)


class Screened(NamedTuple):
    """One tail's screen at fit: its number of candidate scores and the screened training rows (0-based, ascending)."""

    n_candidates: int
    rows: list[int]


def screen_cap(n_scores: int, spread: int) -> int:
    """``K_max = min(ceil(sqrt(n)) + spread - 1, n // 4)``: the most scores the screen takes out of ``n`` (module docstring)."""
    return min(tail_size(n_scores) + spread - 1, n_scores // 4)


def screened_positions(scores: np.ndarray, screen_risk: float, spread: int) -> np.ndarray:
    """The positions in ``scores`` of the screened ones, ascending (module docstring)."""
    n_scores = len(scores)
    order = np.argsort(-scores, kind="stable")  # largest first; equal scores earliest first
    descending = scores[order]
    screened = 0
    for k in range(1, screen_cap(n_scores, spread) + 1):
        if descending[k - 1] > exponential_tail(descending[k:], screen_risk / n_scores, TAIL_SCALE_FLOOR)[4]:
            screened = k
    return np.sort(order[:screened])


def screen_seed(settings: AdaptiveSettings, scores: np.ndarray, first_row: int, spread: int) -> tuple[np.ndarray, Screened | None]:
    """The scores that seed a tail, given the candidates ``scores`` (score ``i`` is training row ``first_row + i``).

    With the screen off: ``scores`` as they are and ``None``. With it: the last ``reference_size`` candidates without
    the screened ones (in row order), and the :class:`Screened` record.
    """
    if settings.screen_risk is None:
        return scores, None
    candidates = scores[max(0, len(scores) - settings.reference_size) :]
    positions = screened_positions(candidates, settings.screen_risk, spread)
    first = first_row + len(scores) - len(candidates)
    return np.delete(candidates, positions), Screened(len(candidates), [first + int(position) for position in positions])


def screen_record(settings: AdaptiveSettings, screened: dict[str, Screened]) -> dict[str, Any]:
    """The fit record's ``training_screen`` entry: the rule, the risk and, per tail, the candidates, the cap and the screened rows."""
    spreads = {"window": settings.window, "spike": 1}
    return {
        "rule": SCREEN_RULE,
        "screen_risk": settings.screen_risk,
        **{
            tail: {"n_candidates": entry.n_candidates, "cap": screen_cap(entry.n_candidates, spreads[tail]), "n_screened": len(entry.rows), "rows": list(entry.rows)}
            for tail, entry in screened.items()
        },
    }
