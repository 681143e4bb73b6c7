# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The training screen (``screen_risk``): a training glitch's own scores do not seed the tails.

The protect rule ("a flagged row is not learned") applied once, at fit, to the training rows whose scores seed
the tails. With ``screen_risk = q`` (default ``None``: off, and every output, state and record is bit-identical to
the method without it):

- candidates: the training rows from the warm-up on (:func:`spotanomaly2_safe.adaptive.core.warmup_size`), the
  last ``reference_size`` of them, ``n`` rows; each row's statistic is ``g_t = log1p(max_j |z_tj|)``, its largest
  deviation on the log scale (:mod:`spotanomaly2_safe.adaptive.core`; a glitch is a row, in any column);
- on ``g`` sorted descending ``g_(1) >= ... >= g_(n)`` (equal values earliest row first), for ``k = 1 .. K_max``:
  ``g_(k)`` is an outlier if it exceeds the threshold that
  :func:`~spotanomaly2_safe.adaptive.tails.exponential_tail` (the tails' own rule, scale floor 0.25) fits to the
  ``n - k`` values without the ``k`` largest, at per-row risk ``q / n`` (Bonferroni over the ``n`` rows: training
  whose row statistics follow the fitted tail trips the screen with probability about ``q``);
- the rows of the ``k`` largest are screened for the **largest** ``k`` that passes (Rosner's generalized ESD), so a
  burst of equal glitch rows, which mask each other for small ``k``, is screened together;
- ``K_max = min(ceil(sqrt(n)), n // 4)``: at most as many rows as the tail holds scores (``N_u``), never more than a
  quarter of the candidates. More outlying rows than that are a regime, not a glitch: at most ``K_max`` are screened
  and the rest seed the tails.

A screened row seeds neither tail: not by its one-row score (the one-row scale, with ``spike_risk``) nor by any
window score whose window holds it (the ``window`` scores from that row on). Why rows, not window scores: a test
of the window scores themselves takes out a physical transient of several rows (a sustained move makes many
high window scores, beyond an exponential extrapolation of the rest even at risk 1e-20): on SKAB's training heads
it did, and raised the false-alarm rate from 9.3 % to 13.6-16.9 % (docs/detection_quality.md, "Training
screen"). Everything else is as without the screen: the screened rows' residuals stay in the baseline (the
median and the MAD are robust to a few rows; the baseline is fitted before the scores exist), their deviations stay
in the window's history (a glitch in the last ``window - 1`` training rows raises the first test rows' window
scores, which are then flagged and not learned), and the rows count as seen. Limit: a glitch in the last
``window - 1`` warm-up rows is not a candidate, and the window scores after it that hold it still seed the tail.
The screen runs in :func:`~spotanomaly2_safe.adaptive.core.initial_state`, which both drivers call, so the batch
and streaming outputs stay bit-identical. The screened training rows (0-based positions) are kept in the state
and recorded (:func:`screen_record`). A screen that would leave fewer than ``MIN_SEED_SCORES`` = 3 window scores to seed
the tail (a window long against the training rows: each screened row takes out up to ``window`` scores) refuses the
fit (:func:`require_seed_left`, :class:`InsufficientDataException`, ``TOO_FEW_ROWS``): the exponential tail needs its
threshold ``u`` and the ``N_u = ceil(sqrt(n))`` scores above it.

>>> statistics = np.concatenate([np.linspace(0.5, 3.0, 397), [40.0, 40.0, 40.0]])
>>> screened_positions(statistics, 0.01).tolist()
[397, 398, 399]
>>> screened_positions(np.linspace(0.5, 3.0, 400), 0.01).tolist()
[]
>>> screen_cap(350), screen_cap(51)
(19, 8)
>>> kept_window_scores([5, 20], first_row=10, n_scores=15, window=3).tolist()  # rows 10..24; a glitch at row 20
[True, True, True, True, True, True, True, True, True, True, False, False, False, True, True]
"""

import math
from typing import Any, NamedTuple

import numpy as np

from spotanomaly2_safe.adaptive.state import AdaptiveSettings
from spotanomaly2_safe.adaptive.tails import TAIL_SCALE_FLOOR, exponential_tail, tail_size
from spotanomaly2_safe.errors import InsufficientDataException, Reason

__all__ = ["MIN_SEED_SCORES", "SCREEN_RULE", "Screened", "kept_window_scores", "require_seed_left", "screen_cap", "screen_record", "screen_rows",
           "screened_positions", "screened_seed"]

MIN_SEED_SCORES = 3  # n >= ceil(sqrt(n)) + 1: the tail's u and the N_u scores above it
SCREEN_RULE = (
    "of the n candidate training rows (from the warm-up on; the last reference_size), with g = log1p(max over columns of |z|), the "
    "rows of the k largest g are screened for the largest k <= K_max = min(ceil(sqrt(n)), n // 4) whose k-th largest g "
    "exceeds the exponential-tail threshold of the other n - k values at per-row risk screen_risk / n; a screened row's "
    "one-row score and every window score whose window holds it do not seed the tails; the rows stay in the baseline and "
    "the window"
)


class Screened(NamedTuple):
    """The screen at fit: its candidate rows, the screened training rows (0-based, ascending) and, per tail, the number
    of seeding scores it took out (``spike_scores`` ``None`` without the one-row scale)."""

    n_candidates: int
    rows: list[int]
    window_scores: int
    spike_scores: int | None


def screen_cap(n_rows: int) -> int:
    """``K_max = min(ceil(sqrt(n)), n // 4)``: the most rows the screen takes out of ``n`` candidates (module docstring)."""
    return min(tail_size(n_rows), n_rows // 4)


def screened_positions(statistics: np.ndarray, screen_risk: float) -> np.ndarray:
    """The positions in ``statistics`` (one per candidate row) of the screened rows, ascending (module docstring)."""
    n_rows = len(statistics)
    order = np.argsort(-statistics, kind="stable")  # largest first; equal values earliest first
    descending = statistics[order]
    screened = 0
    for k in range(1, screen_cap(n_rows) + 1):
        if descending[k - 1] > exponential_tail(descending[k:], screen_risk / n_rows, TAIL_SCALE_FLOOR)[4]:
            screened = k
    return np.sort(order[:screened])


def screen_rows(settings: AdaptiveSettings, z: np.ndarray, warmup: int) -> tuple[int, list[int]]:
    """The candidates' number and the screened rows, given the training deviations ``z`` (one row per training row)
    whose first ``warmup`` rows are warm-up rows."""
    first = max(warmup, len(z) - settings.reference_size)
    # the C library's scalar log1p, as the tails take math.log: NumPy's SIMD log1p on AVX-512 differs from it by 1 ULP
    # on some inputs, which could move a near-tie across the threshold between machine classes (README, Determinism)
    candidates = np.array([math.log1p(value) for value in np.abs(z[first:]).max(axis=1).tolist()])
    return len(candidates), [first + int(position) for position in screened_positions(candidates, settings.screen_risk)]


def kept_window_scores(rows: list[int], first_row: int, n_scores: int, window: int) -> np.ndarray:
    """Per score of rows ``first_row`` .. ``first_row + n_scores - 1``: True unless its window (that row and the
    ``window - 1`` before it) holds one of the screened ``rows``."""
    kept = np.ones(n_scores, dtype=bool)
    for row in rows:
        kept[max(row - first_row, 0) : max(row + window - first_row, 0)] = False
    return kept


def screened_seed(settings: AdaptiveSettings, scores: np.ndarray, first_row: int, rows: list[int], window: int) -> np.ndarray:
    """The last ``reference_size`` seeding ``scores`` (score ``i`` of row ``first_row + i``) without those whose window
    (``window`` rows) holds a screened row."""
    start = max(0, len(scores) - settings.reference_size)
    return scores[start:][kept_window_scores(rows, first_row + start, len(scores) - start, window)]


def require_seed_left(kept: int, seeding: int, rows: list[int], window: int) -> None:
    """Refuse a screen that leaves ``kept < MIN_SEED_SCORES`` of the ``seeding`` window scores (module docstring).

    >>> require_seed_left(1, 51, [50], window=50)
    Traceback (most recent call last):
    ...
    spotanomaly2_safe.errors.InsufficientDataException: The training screen took 50 of the 51 seeding window scores out (screened training rows [50], window=50), leaving 1; the tail needs at least 3: fit on more training rows or use a smaller window.
    """
    if kept < MIN_SEED_SCORES:
        raise InsufficientDataException(
            f"The training screen took {seeding - kept} of the {seeding} seeding window scores out (screened training rows {rows}, "
            f"window={window}), leaving {kept}; the tail needs at least {MIN_SEED_SCORES}: fit on more training rows or use a smaller window.",
            reason=Reason.TOO_FEW_ROWS,
        )


def screen_record(settings: AdaptiveSettings, screened: Screened) -> dict[str, Any]:
    """The fit record's ``training_screen`` entry: the rule, the risk, the candidates, the cap and the screened rows."""
    return {
        "rule": SCREEN_RULE,
        "screen_risk": settings.screen_risk,
        "n_candidates": screened.n_candidates,
        "cap": screen_cap(screened.n_candidates),
        "n_screened": len(screened.rows),
        "rows": list(screened.rows),
        "window_scores_screened": screened.window_scores,
        **({} if screened.spike_scores is None else {"spike_scores_screened": screened.spike_scores}),
    }
