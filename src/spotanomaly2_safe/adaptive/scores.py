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
from itertools import repeat

import numpy as np

from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState
from spotanomaly2_safe.errors import InvalidInputError, Reason

__all__ = ["LN10", "deviations", "deviations_against", "normalized_against", "normalized_scores", "require_finite", "score_row", "windowed_scores"]

LN10 = math.log(10.0)


def deviations(settings: AdaptiveSettings, state: AdaptiveState, rows: np.ndarray) -> np.ndarray:
    """``(r - m) / s`` per row and column against the frozen baseline (absolute for ``smoothing="absolute"``)."""
    return deviations_against(settings, rows, state.location, state.scale)


def deviations_against(settings: AdaptiveSettings, rows: np.ndarray, location: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``deviations`` against a given ``m`` and ``s`` (per column, or per row and column)."""
    with np.errstate(over="ignore"):
        z = (rows - location) / scale
    return np.abs(z) if settings.smoothing == "absolute" else z


def windowed_scores(settings: AdaptiveSettings, earlier: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Row scores of ``z`` given the ``window - 1`` rows of deviations before it (oldest first)."""
    stacked = np.concatenate([earlier, z]) if settings.window > 1 else z
    rows = len(z)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = stacked[:rows]
        for lag in range(1, settings.window):
            mean = mean + stacked[lag : lag + rows]
        mean = np.abs(mean / settings.window)
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


def score_row(settings: AdaptiveSettings, state: AdaptiveState, values: list[float]) -> tuple[float, float, list[float]]:
    """One row as Python floats: ``(score, normalized, deviations)``, bit-identical to the vectorized functions.

    The same correctly rounded operations in the same order as ``deviations``, ``windowed_scores`` and
    ``normalized_scores`` (the streaming driver's fast path; the tests check the identity).
    """
    absolute, window = settings.smoothing == "absolute", settings.window
    earlier = state.history_columns() if window > 1 else repeat(None)
    z, means = [], []
    for value, centre, spread, lags in zip(values, state.location_values, state.scale_values, earlier):
        deviation = (value - centre) / spread
        if absolute:
            deviation = abs(deviation)
        z.append(deviation)
        if lags is None:  # window 1: no earlier rows, the mean is the row's own deviation
            means.append(abs(deviation / window))
            continue
        total = lags[0]
        for lag in range(1, window - 1):
            total = total + lags[lag]
        means.append(abs((total + deviation) / window))
    aggregation = settings.aggregation
    if aggregation == "max":
        score = max(means)
    elif aggregation == "l2":
        total = means[0] * means[0]
        for column in range(1, len(means)):
            total = total + means[column] * means[column]
        score = math.sqrt(total)
    else:
        total = means[0]
        for column in range(1, len(means)):
            total = total + means[column]
        score = total / len(means)
    surprise = max((score - state.u) / state.sigma - state.log_share, 0.0) / LN10 + 0.0
    return score, surprise / (1.0 + surprise), z


def require_finite(scores: np.ndarray, normalized: np.ndarray) -> None:
    bad = ~(np.isfinite(scores) & np.isfinite(normalized))
    if bad.any():
        raise InvalidInputError(
            f"The adaptive score overflows float64 at row position {int(np.flatnonzero(bad)[0])} of the batch; "
            "residuals this large cannot be scored.",
            reason=Reason.SCORE_OVERFLOW,
        )
