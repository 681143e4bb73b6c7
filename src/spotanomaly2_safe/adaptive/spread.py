# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The spread floor that respects the data's resolution, written once.

A robust spread (``1.4826 * MAD``) is 0 on a quantized series with long constant stretches; dividing
by a floor at float resolution then turns a one-unit step into a z-score of about 1e15, which outranks
every real anomaly. The floor here is the data's own resolution instead:

- ``resolution`` of a column = the smallest gap between two distinct training residual values of
  the column (rule ``"smallest_gap"``: the grid a quantized series lives on); when the column has one
  value only, 1.0 in residual units (rule ``"unit"``). Both are recorded in the fit record.
- floored spread = ``max(spread, resolution)``: a deviation of one resolution unit scores at most 1.

>>> import numpy as np
>>> residuals = np.array([[3.0, 0.5], [3.0, 0.5], [6.0, 0.5], [4.0, 0.5]])
>>> resolution, rules = data_resolution(residuals)
>>> resolution.tolist(), rules
([1.0, 1.0], ['smallest_gap', 'unit'])
>>> floored_spread(np.array([0.0, 2.5]), resolution).tolist()
[1.0, 2.5]
"""

import numpy as np

__all__ = ["MAD_TO_SIGMA", "RESOLUTION_RULES", "data_resolution", "floored_spread", "floored_spread_values"]

MAD_TO_SIGMA = 1.4826  # 1 / Phi^-1(3/4): MAD to the standard deviation of normal data
RESOLUTION_RULES = ("smallest_gap", "unit")


def data_resolution(residuals: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per column of a validated 2-D residual matrix: the resolution and the rule that gave it (module docstring)."""
    with np.errstate(over="ignore"):  # a gap that overflows is not the smallest one
        gaps = np.diff(np.sort(residuals, axis=0), axis=0)
    gaps[gaps == 0.0] = np.inf
    smallest = gaps.min(axis=0, initial=np.inf)
    changed = np.isfinite(smallest)
    resolution = np.where(changed, smallest, 1.0)
    return np.ascontiguousarray(resolution), [RESOLUTION_RULES[0] if flag else RESOLUTION_RULES[1] for flag in changed]


def floored_spread(spread: np.ndarray, resolution: np.ndarray) -> np.ndarray:
    """``max(spread, resolution)`` per column: the floor rule of every adaptive spread."""
    return np.maximum(spread, resolution)


def floored_spread_values(spread: list[float], resolution: list[float]) -> list[float]:
    """``floored_spread`` on Python floats (the one-row path): ``max`` of two non-NaN floats is ``np.maximum``'s.

    >>> floored_spread_values([0.0, 2.5], [1.0, 1.0])
    [1.0, 2.5]
    """
    return [max(value, floor) for value, floor in zip(spread, resolution)]
