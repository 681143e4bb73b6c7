# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Scoring rows against the frozen state: vectorized over a block, and one row in Python floats.

Both paths perform the same correctly rounded IEEE operations (``+ - * / sqrt``, ``abs``, ``max``) in
the same order, so they give the same bits (formulas: :mod:`spotanomaly2_safe.adaptive.core`).

>>> import numpy as np
>>> from spotanomaly2_safe.adaptive.state import AdaptiveSettings
>>> settings = AdaptiveSettings(2, 10, 50, 5, 1e-3, None, "l2", "absolute")
>>> windowed_scores(settings, np.array([[3.0, 4.0]]), np.array([[1.0, 0.0]])).tolist()
[2.8284271247461903]
"""

import math

import numpy as np

from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState
from spotanomaly2_safe.errors import InvalidInputError, Reason

__all__ = ["LN10", "deviations", "deviations_against", "normalized_against", "normalized_scores", "require_finite", "score_row", "windowed_scores"]

LN10 = math.log(10.0)
_INFINITY = math.inf


def deviations(settings: AdaptiveSettings, state: AdaptiveState, rows: np.ndarray) -> np.ndarray:
    """``(r - m) / s`` per row and column against the frozen baseline (absolute for ``smoothing="absolute"``).

    With ``season_period``, ``rows`` are the rows that follow the last one seen, each against its phase's ``m``.
    """
    if settings.season_period is None:
        return deviations_against(settings, rows, state.location, state.scale)
    phases = (state.season_start + state.rows_seen + np.arange(len(rows))) % settings.season_period
    return deviations_against(settings, rows, state.location[phases], state.scale)


def deviations_against(settings: AdaptiveSettings, rows: np.ndarray, location: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``deviations`` against a given ``m`` and ``s`` (per column, or per row and column)."""
    with np.errstate(over="ignore"):
        z = rows - location
        z /= scale  # in place: the same quotients without another array
    return np.abs(z, out=z) if settings.smoothing == "absolute" else z


def windowed_scores(settings: AdaptiveSettings, earlier: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Row scores of ``z`` given the ``window - 1`` rows of deviations before it (oldest first)."""
    stacked = np.concatenate([earlier, z]) if settings.window > 1 else z
    rows = len(z)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = stacked[:rows].copy()
        for lag in range(1, settings.window):  # in place: the same sums without a new array per lag
            mean += stacked[lag : lag + rows]
        mean /= settings.window
        np.abs(mean, out=mean)
        if settings.aggregation == "max":
            return np.ascontiguousarray(mean.T).max(axis=0)  # along the long axis: about 10x faster than across each row
        total = mean[:, 0] * mean[:, 0] if settings.aggregation == "l2" else mean[:, 0]
        for column in range(1, mean.shape[1]):
            total = total + (mean[:, column] * mean[:, column] if settings.aggregation == "l2" else mean[:, column])
        return np.sqrt(total) if settings.aggregation == "l2" else total / mean.shape[1]


def normalized_scores(state: AdaptiveState, scores: np.ndarray) -> np.ndarray:
    """``L / (1 + L)`` with ``L = -log10 P(S > score)`` under the frozen exponential tail."""
    return normalized_against(scores, state.u, state.sigma, state.log_share)


def normalized_against(scores: np.ndarray, u: np.ndarray | float, sigma: np.ndarray | float, log_share: np.ndarray | float) -> np.ndarray:
    """``normalized_scores`` under a given tail (``u``, ``sigma``, ``log(N_u / n)``: scalars, or one per score)."""
    with np.errstate(over="ignore", invalid="ignore"):
        surprise = np.maximum((scores - u) / sigma - log_share, 0.0) / LN10 + 0.0  # + 0.0: no -0.0
        return surprise / (1.0 + surprise)


def score_row(settings: AdaptiveSettings, state: AdaptiveState, values: list[float]) -> tuple[float, float, list[float] | None]:
    """One row as Python floats: ``(score, normalized, deviations)``, bit-identical to the vectorized functions.

    The same correctly rounded operations in the same order as ``deviations``, ``windowed_scores`` and
    ``normalized_scores`` (the streaming driver's fast path; the tests check the identity). The
    deviations are what the window keeps: ``None`` for ``window = 1`` (no window to keep). Raises
    ``SCORE_OVERFLOW`` as ``require_finite`` does when the score or the normalized score is not finite.
    """
    centres = state.location_values if settings.season_period is None else state.location_values[(state.season_start + state.rows_seen) % settings.season_period]
    if settings.window > 1:
        z, means = _windowed_row(settings, state, values, centres)
        score = max(means) if settings.aggregation == "max" else _sum_over_columns(settings.aggregation, means)
    elif len(values) == 1:  # one channel, no window: the mean is ``|d| / 1 = |d|`` exactly, and so is its max or mean
        z, mean = None, abs((values[0] - centres[0]) / state.scale_values[0])
        score = math.sqrt(mean * mean) if settings.aggregation == "l2" else mean
    else:
        z, means = None, []
        for value, centre, spread in zip(values, centres, state.scale_values):
            means.append(abs((value - centre) / spread))
        score = max(means) if settings.aggregation == "max" else _sum_over_columns(settings.aggregation, means)
    surprise = max((score - state.u) / state.sigma - state.log_share, 0.0) / LN10 + 0.0
    normalized = surprise / (1.0 + surprise)
    # Both finite: the score is >= 0 unless NaN, and the normalized score is NaN exactly when the surprise is not finite.
    if not (score < _INFINITY and normalized == normalized):
        require_finite(np.array([score]), np.array([normalized]))
    return score, normalized, z


def _sum_over_columns(aggregation: str, means: list[float]) -> float:
    """``"l2"`` or ``"mean"`` over the columns, summed in column order (``windowed_scores``)."""
    total = means[0] * means[0] if aggregation == "l2" else means[0]
    for column in range(1, len(means)):
        total = total + (means[column] * means[column] if aggregation == "l2" else means[column])
    return math.sqrt(total) if aggregation == "l2" else total / len(means)


def _windowed_row(settings: AdaptiveSettings, state: AdaptiveState, values: list[float], centres: list[float]) -> tuple[list[float], list[float]]:
    """The deviations of one row against ``centres`` (``m`` per column) and the means over the window (``window > 1``) per column."""
    absolute, window = settings.smoothing == "absolute", settings.window
    z, means = [], []
    for value, centre, spread, lags in zip(values, centres, state.scale_values, state.history_columns()):
        deviation = (value - centre) / spread
        if absolute:
            deviation = abs(deviation)
        z.append(deviation)
        earlier = iter(lags)  # oldest first
        total = next(earlier)
        for lag in earlier:
            total = total + lag
        means.append(abs((total + deviation) / window))
    return z, means


def require_finite(scores: np.ndarray, normalized: np.ndarray) -> None:
    bad = ~(np.isfinite(scores) & np.isfinite(normalized))
    if bad.any():
        raise InvalidInputError(
            f"The adaptive score overflows float64 at row position {int(np.flatnonzero(bad)[0])} of the batch; "
            "residuals this large cannot be scored.",
            reason=Reason.SCORE_OVERFLOW,
        )
