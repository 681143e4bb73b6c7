# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The optional seasonal term of the adaptive baseline (``season_period = P``; default ``None``: off).

A season the forecast misses (a daily cycle in hourly residuals) is seen by a single median as spread, which
then hides faults. With ``season_period = P`` the baseline's location is one median per phase:

- phase of a row = its position counted from the first training row, modulo ``P`` (the phase of test row ``k``,
  ``k = 0`` the first row after training, is ``(n_train + k) mod P``);
- at each refresh (frozen between refreshes, like every estimate), per column ``j`` and phase ``p``:
  ``m_j[p]`` = the lower median (the value of rank ``ceil(n_p / 2)``, a data value) of the ``n_p`` kept learned
  residuals (the last ``baseline_size`` learned rows) of phase ``p``, when ``n_p >= MIN_ROWS_PER_PHASE`` = 3; a
  phase with fewer (its rows were flagged, so not learned) keeps the value it had. The lower median, not the mean
  of the two middle values: a quantized phase's median then stays on the data's grid instead of flipping between a
  value and a half-step as ``n_p`` changes parity from refresh to refresh (measured: docs/detection_quality.md,
  "Seasonal term");
- ``s_j = max(1.4826 * median |r - m_j[phase(r)]|, resolution_j)`` over the same kept rows: one pooled spread;
  ``resolution_j`` is the resolution rule (:mod:`spotanomaly2_safe.adaptive.spread`) applied to the de-seasoned
  training residuals ``r - m_j[phase(r)]`` (the medians at fit), not to the residuals: integer actuals under a
  forecast that varies by phase lie on a fine grid overall (the forecast's differences) but on the quantum within a
  phase, where most rows equal their phase median and the pooled MAD is 0;
- row ``t``: ``z_tj = (r_tj - m_j[phase(t)]) / s_j``; everything after the deviations is the method without
  the term (:mod:`spotanomaly2_safe.adaptive.core`).

A reset (``reset_after = R``) re-initializes the baseline from the ``R`` flagged rows with their phases. So that
every phase has at least 3 rows wherever the baseline is set from scratch, the detectors refuse
``season_period > baseline_size // 3``, ``reset_after < 3 * season_period`` and fewer than ``3 * season_period``
training rows (:func:`require_season_fits`, :func:`min_training_rows`).

The phases of the kept rows live in a ring beside the baseline's (``AdaptiveState.phases``, the same slots),
and both drivers refresh by selection on the rings with this one function; the batch driver scores block by
block without speculation and the streaming driver takes the generic one-row step (both guards in the
drivers), so the term costs speed, never bits.

>>> import numpy as np
>>> values = np.array([[1.0], [10.0], [2.0], [11.0], [3.0], [12.0], [100.0], [13.0]])
>>> phases = np.array([0, 1, 0, 1, 0, 1, 0, 1])
>>> phase_medians(values, phases, 2, np.zeros((2, 1))).tolist()  # phase 0: 1, 2, 3, 100; phase 1: 10, 11, 12, 13
[[2.0], [11.0]]
>>> phase_medians(values[:4], phases[:4], 2, np.full((2, 1), 7.0)).tolist()  # 2 rows per phase: kept as they were
[[7.0], [7.0]]
>>> min_training_rows(24), require_season_fits(24, baseline_size=72, reset_after=None)
(72, None)
>>> require_season_fits(168, baseline_size=500, reset_after=None)  # a weekly period in hourly rows needs 504
Traceback (most recent call last):
...
spotanomaly2_safe.errors.InvalidParameterError: season_period=168 needs baseline_size >= 504 (3 rows per phase); got baseline_size=500.
>>> require_season_training(24, training_rows=71)
Traceback (most recent call last):
...
spotanomaly2_safe.errors.InvalidParameterError: season_period=24 needs training_rows >= 72 (3 rows per phase); got training_rows=71.
"""

import numpy as np

from spotanomaly2_safe.errors import InvalidParameterError, Reason

__all__ = ["MIN_ROWS_PER_PHASE", "SEASON_RULE", "min_training_rows", "phase_medians", "phases_of", "require_season_fits",
           "require_season_training"]

MIN_ROWS_PER_PHASE = 3
SEASON_RULE = (
    "m_j[p] = lower median (rank ceil(n_p / 2)) of the kept learned residuals of phase p = (row position from the first training row) mod season_period "
    "(kept as it was when fewer than 3); s_j = max(1.4826 * median |r - m_j[phase(r)]|, resolution_j), pooled"
)


def min_training_rows(period: int) -> int:
    """``3 * season_period``: the fewest training rows that give every phase 3 rows."""
    return MIN_ROWS_PER_PHASE * period


def require_season_fits(period: int | None, baseline_size: int, reset_after: int | None) -> None:
    """Refuse a period whose phases cannot hold 3 rows: ``period > baseline_size // 3`` or ``reset_after < 3 * period``."""
    if period is None:
        return None
    if period > baseline_size // MIN_ROWS_PER_PHASE:
        raise InvalidParameterError(
            f"season_period={period} needs baseline_size >= {min_training_rows(period)} (3 rows per phase); got baseline_size={baseline_size}.",
            reason=Reason.INVALID_PARAMETER,
        )
    if reset_after is not None and reset_after < min_training_rows(period):
        raise InvalidParameterError(
            f"season_period={period} needs reset_after >= {min_training_rows(period)} or None (a reset re-initializes the baseline "
            f"from the flagged rows: 3 rows per phase); got reset_after={reset_after}.",
            reason=Reason.INVALID_PARAMETER,
        )
    return None


def require_season_training(period: int | None, training_rows: int) -> None:
    """Refuse ``training_rows < 3 * period`` (the streaming driver, which knows its training rows when constructed)."""
    if period is not None and training_rows < min_training_rows(period):
        raise InvalidParameterError(
            f"season_period={period} needs training_rows >= {min_training_rows(period)} (3 rows per phase); got training_rows={training_rows}.",
            reason=Reason.INVALID_PARAMETER,
        )


def phases_of(start: int, first: int, count: int, period: int) -> np.ndarray:
    """The phases of ``count`` rows from position ``first`` (counted from the first row after training, whose phase is ``start``)."""
    return (start + np.arange(first, first + count)) % period


def phase_medians(values: np.ndarray, phases: np.ndarray, period: int, previous: np.ndarray) -> np.ndarray:
    """Per phase and column the lower median of ``values`` of that phase (a ``(period, C)`` array); ``previous`` where fewer than 3."""
    counts = np.bincount(phases, minlength=period)
    starts = np.cumsum(counts) - counts
    lower = np.minimum(starts + (counts - 1) // 2, len(values) - 1)  # rank ceil(n_p / 2), from 1
    columns = np.ascontiguousarray(values.T)  # along the long axis: every column at once, by value, then (stable) by phase
    by_value = np.argsort(columns, axis=1)
    by_phase = np.take_along_axis(by_value, np.argsort(phases[by_value], axis=1, kind="stable"), axis=1)
    ordered = np.take_along_axis(columns, by_phase, axis=1)
    return np.where((counts >= MIN_ROWS_PER_PHASE)[:, None], ordered[:, lower].T, previous)
