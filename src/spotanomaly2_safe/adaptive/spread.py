# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The spread floor that respects the data's resolution, written once.

A robust spread (``1.4826 * MAD``) is 0 on a quantized series with long constant stretches; dividing
by a floor at float resolution then turns a one-unit step into a z-score of about 1e15, which outranks
every real anomaly. The floor here is the data's own resolution instead, read at 4 significant digits so
that float noise on a quantized value (a unit conversion, a sum of parts, ``32.2 - 32.1`` against
``32.3 - 32.2``: relative errors of about 1e-15) is not taken for its grid:

- ``resolution`` of a column (rule ``"smallest_gap_4_digits"``): with ``m`` the largest |training
  residual| of the column, ``e`` the decimal exponent of ``m`` (``decimal.Decimal(m).adjusted()``: exact,
  the same on every CPU, where ``floor(log10(m))`` may differ in the last bit at a power of ten) and the
  grid ``q = 10 ** (e - 3)`` (the float nearest to it; the smallest subnormal float if that is 0), each
  residual is put on the grid, ``k = rint(r / q)`` (IEEE division and rounding half to even, both exact
  operations), and the resolution is ``(smallest non-zero gap between the distinct k) * q``: the smallest
  gap between the residuals rounded to 4 significant digits of ``m``.
- rule ``"unit"``: 1.0 in residual units when every ``k`` is equal (or every residual is 0), or when the
  gap overflows float64 (residuals of both signs near 1e308).
- floored spread = ``max(spread, resolution)``: a deviation of one resolution unit scores at most 1.

Both the values and the rules are recorded in the fit record. Known limits, by construction:

- jitter above about 1e-4 of ``m`` is taken as data: it survives the rounding and becomes the floor, as
  with the plain smallest gap (measured: jitter at 1e-3 of the quantum still floods);
- real variation finer than the grid (1e-4 to 1e-3 of ``m``) in a column whose MAD is below it is not
  seen by the floor;
- one huge training residual coarsens the grid of its column: the floor is then at least ``q``, 1e-4 to
  1e-3 of that residual, even on continuous data, and on a quantized column every other residual may round
  to one multiple of ``q``, so the floor can exceed the true quantum (up to the gap between the huge
  residual and the rest). Wherever that floor exceeds ``1.4826 * MAD`` (a training residual some 1,000 to
  10,000 times the column's spread or more) the column's z-scores are divided by the larger floor: its
  deviations score smaller, so the column raises fewer, never more, flags on its own than with its true
  quantum or its MAD as the spread, and faults in it can be missed. The fit record shows it (``resolution``
  against the spread).

>>> import numpy as np
>>> residuals = np.array([[3.0, 0.5], [3.0, 0.5], [6.0, 0.5], [4.0, 0.5]])
>>> resolution, rules = data_resolution(residuals)
>>> resolution.tolist(), rules
([1.0, 1.0], ['smallest_gap_4_digits', 'unit'])
>>> decimal_steps = np.array([[32.2 - 32.1], [32.3 - 32.2], [0.0], [32.1 - 32.2]])  # persistence residuals, 0.1 apart
>>> decimal_steps[:2, 0].tolist(), data_resolution(decimal_steps)[0].tolist()
([0.10000000000000142, 0.09999999999999432], [0.1])
>>> float(np.diff(np.unique(decimal_steps)).min())  # the plain smallest gap: float noise, not the grid
7.105427357601002e-15
>>> floored_spread(np.array([0.0, 2.5]), resolution).tolist()
[1.0, 2.5]
"""

import math
from decimal import Decimal

import numpy as np

__all__ = ["MAD_TO_SIGMA", "RESOLUTION_DIGITS", "RESOLUTION_RULES", "data_resolution", "floored_spread", "floored_spread_values",
           "resolution_grid"]

MAD_TO_SIGMA = 1.4826  # 1 / Phi^-1(3/4): MAD to the standard deviation of normal data
RESOLUTION_DIGITS = 4
RESOLUTION_RULES = ("smallest_gap_4_digits", "unit")
_SMALLEST_GRID = math.ulp(0.0)  # the grid of a column whose largest |residual| is below about 1e-320


def resolution_grid(largest: float) -> float:
    """The grid ``q = 10 ** (e - 3)`` of a column whose largest |residual| is ``largest`` > 0 (module docstring).

    >>> resolution_grid(1000.0), resolution_grid(999.9999999999999), resolution_grid(0.1)
    (1.0, 0.1, 0.0001)
    """
    exponent = Decimal(largest).adjusted()  # the exact decimal expansion of the float: no rounding at a power of ten
    return max(float(f"1e{exponent - RESOLUTION_DIGITS + 1}"), _SMALLEST_GRID)


def data_resolution(residuals: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per column of a validated 2-D residual matrix: the resolution and the rule that gave it (module docstring)."""
    largest = np.abs(residuals).max(axis=0, initial=0.0)
    grid = np.array([resolution_grid(value) if value > 0.0 else 1.0 for value in largest.tolist()])
    multiples = np.sort(np.rint(residuals / grid), axis=0)
    gaps = np.diff(multiples, axis=0)
    gaps[gaps == 0.0] = np.inf
    with np.errstate(over="ignore"):  # a gap that overflows float64 (values near +-1e308) counts as none
        floors = gaps.min(axis=0, initial=np.inf) * grid
    changed = np.isfinite(floors)
    resolution = np.where(changed, floors, 1.0)
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
