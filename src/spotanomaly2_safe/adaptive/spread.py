# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The spread floor that respects the data's resolution, written once.

A robust spread (``1.4826 * MAD``) is 0 on a quantized series with long constant stretches; dividing
by a floor at float resolution then turns a one-unit step into a z-score of about 1e15, which outranks
every real anomaly. The floor here is the data's own resolution instead, read at 4 significant digits so
that float noise on a quantized value (a unit conversion, a sum of parts, ``32.2 - 32.1`` against
``32.3 - 32.2``: relative errors of about 1e-15) is not taken for its grid:

- ``resolution`` of a column (rule ``"smallest_gap_4_digits"``): with ``m`` the grid's magnitude (below),
  ``e`` the decimal exponent of ``m`` (``decimal.Decimal(m).adjusted()``: exact, the same on every CPU, where
  ``floor(log10(m))`` may differ in the last bit at a power of ten) and the grid ``q = 10 ** (e - 3)`` (the
  float nearest to it; the smallest subnormal float if that is 0), each residual is put on the grid,
  ``k = rint(r / q)`` (IEEE division and rounding half to even, both exact operations), and the resolution is
  ``(smallest non-zero gap between the distinct k) * q``: the smallest gap between the residuals rounded to 4
  significant digits of ``m``.
- the grid's magnitude ``m`` (glitch guard): with ``n`` residuals, ``med`` their median as an order statistic
  (the value at rank ``ceil(n / 2)``), ``d = |r - med|``, ``p`` the 99th percentile of ``d`` as an order
  statistic (the value at rank ``ceil(0.99 n)`` of the ascending ``d``; no interpolation, no logarithm) and
  ``D`` the largest ``d``: ``m`` is the largest |r| when ``p == 0`` or ``p < 1e-5 * D`` (the bulk is at
  float-noise or jitter scale next to the farthest residual: rare quantum steps among float noise, as a
  persistence forecast of decimal data gives, set the grid); otherwise ``m`` is the largest |r| among the
  residuals with ``d <= 1000 * p``: a residual more than 1,000 times the 99th percentile away from the median (a
  sentinel such as -9999, a dropout to 0.0) is a training glitch and does not coarsen the grid. It still takes
  part in the gaps, rounded on the grid of ``m``. The deviations are taken from the median, not from 0, because a
  glitch also shifts a forecast fitted on the training rows (a training mean moves by glitch / n): every
  residual then carries that offset, and |r| alone would see the glitch only about n times above the bulk.
- rule ``"unit"``: 1.0 in residual units when every ``k`` is equal (or every residual is 0), or when the
  gap overflows float64 (residuals of both signs near 1e308).
- floored spread = ``max(spread, resolution)``: a deviation of one resolution unit scores at most 1.

Both the values and the rules are recorded in the fit record. Known limits, by construction:

- jitter above about 1e-4 of ``m`` is taken as data: it survives the rounding and becomes the floor, as
  with the plain smallest gap (measured: jitter at 1e-3 of the quantum still floods); where quantum steps are
  in fewer than 1 % of the rows, jitter between 1e-5 and 1e-3 of the largest step also makes ``p >= 1e-5 *
  D``: ``m`` is then the largest |r| within 1,000 times that jitter of the median, and the jitter is taken as
  data;
- real variation finer than the grid (1e-4 to 1e-3 of ``m``) in a column whose MAD is below it is not
  seen by the floor;
- the guard holds for glitches in at most ``n - ceil(0.99 n)`` rows (1 % of the rows: one row of 100 to 199)
  that lie between 1,000 and 100,000 times ``p`` from the median (``p`` is about 2.6 spreads on normal data: up
  to about 2.6e5 spreads). More glitch rows (their own values then set ``p``), or a glitch above 1e5 times ``p``
  (then ``p < 1e-5 * D``: it is taken for the quantized-with-jitter case), coarsen the grid as without the
  guard; so does a large common offset of the residuals (1e3 to 1e4 times their spread or more, e.g. the shift
  that a glitch of some 1e6 spreads gives a training mean of 400 rows): the floor is then at least ``q``, 1e-4 to
  1e-3 of the largest residual, even on continuous data, and on a quantized column every other residual may
  round to one multiple of ``q``, so the
  floor can exceed the true quantum (up to the gap between the glitch and the rest). Wherever that floor
  exceeds ``1.4826 * MAD`` the column's z-scores are divided by the larger floor: its deviations score
  smaller, so the column raises fewer, never more, flags on its own than with its true quantum or its MAD as
  the spread, and faults in it can be missed. The fit record shows it (``resolution`` against the spread).

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
>>> glitched = np.random.default_rng(0).normal(size=(400, 1)); glitched[150] = -9999.0  # one sentinel in training
>>> data_resolution(glitched)[0].tolist(), resolution_grid(float(np.abs(glitched).max()))  # the bulk's grid, not the sentinel's
([0.001], 1.0)
>>> floored_spread(np.array([0.0, 2.5]), resolution).tolist()
[1.0, 2.5]
"""

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

__all__ = ["GLITCH_RATIO", "MAD_TO_SIGMA", "NOISE_RATIO", "RESOLUTION_DIGITS", "RESOLUTION_RULES", "data_resolution",
           "floored_spread", "floored_spread_values", "grid_magnitude", "glitch_rows", "resolution_grid"]

MAD_TO_SIGMA = 1.4826  # 1 / Phi^-1(3/4): MAD to the standard deviation of normal data
RESOLUTION_DIGITS = 4
RESOLUTION_RULES = ("smallest_gap_4_digits", "unit")
GLITCH_RATIO = 1000.0  # a |residual| above GLITCH_RATIO * p is a training glitch
NOISE_RATIO = 1e-5  # p below NOISE_RATIO * D: the bulk is float noise or jitter, rare quantum steps set the grid
_PERCENT = 99  # p is the 99th percentile of |r| (an order statistic)
_SMALLEST_GRID = math.ulp(0.0)  # the grid of a column whose largest |residual| is below about 1e-320


def resolution_grid(largest: float) -> float:
    """The grid ``q = 10 ** (e - 3)`` of a column whose largest |residual| is ``largest`` > 0 (module docstring).

    >>> resolution_grid(1000.0), resolution_grid(999.9999999999999), resolution_grid(0.1)
    (1.0, 0.1, 0.0001)
    """
    exponent = Decimal(largest).adjusted()  # the exact decimal expansion of the float: no rounding at a power of ten
    return max(float(f"1e{exponent - RESOLUTION_DIGITS + 1}"), _SMALLEST_GRID)


def glitch_rows(count: int) -> int:
    """How many of ``count`` |residuals| rank above the 99th percentile: ``count - ceil(0.99 count)`` (exact integers).

    >>> glitch_rows(99), glitch_rows(100), glitch_rows(199), glitch_rows(200), glitch_rows(500)
    (0, 1, 1, 2, 5)
    """
    return count - (_PERCENT * count + 99) // 100


def grid_magnitude(ordered: Sequence[float]) -> float:
    """The grid's magnitude ``m`` of one column from its residuals in ascending order (module docstring).

    The deviations ``d = |r - median|`` are largest at the two ends of the sorted column, so the
    ``glitch_rows(n) + 1`` largest are read from the ends; the glitches (``d > 1000 p``) are the first of
    them, and ``m`` is the larger |end| of what remains.

    >>> bulk = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.5] * 15  # 105 rows: one glitch row may be set aside
    >>> grid_magnitude(sorted(bulk + [-9999.0])), grid_magnitude(sorted(bulk + [-1e7])), grid_magnitude(sorted(bulk))
    (2.5, 10000000.0, 2.5)
    >>> grid_magnitude(sorted([0.0] * 99 + [4e-17, 0.1])), grid_magnitude([0.0] * 100)  # rare steps set the grid
    (0.1, 0.0)
    """
    count = len(ordered)
    median = float(ordered[(count + 1) // 2 - 1])  # the order statistic at rank ceil(n / 2): no interpolation
    low, high, sides, deviation = 0, count - 1, [], 0.0
    for _ in range(glitch_rows(count) + 1):  # the largest deviations in descending order, from the two ends
        below, above = median - float(ordered[low]), float(ordered[high]) - median
        sides.append((below > above, deviation := max(below, above)))
        low, high = (low + 1, high) if below > above else (low, high - 1)
    percentile, largest = deviation, sides[0][1]  # float overflow gives inf: then p < 1e-5 D or the bound is inf
    if percentile == 0.0 or percentile < NOISE_RATIO * largest:
        low, high = 0, count - 1
    else:
        bound = GLITCH_RATIO * percentile
        glitches = [from_low for from_low, value in sides if value > bound]
        low, high = sum(glitches), count - 1 - (len(glitches) - sum(glitches))
    return max(abs(float(ordered[low])), abs(float(ordered[high])))


def data_resolution(residuals: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per column of a validated 2-D residual matrix: the resolution and the rule that gave it (module docstring)."""
    ordered = np.sort(residuals, axis=0)
    magnitudes = [grid_magnitude(ordered[:, column]) for column in range(ordered.shape[1])]
    grid = np.array([resolution_grid(value) if value > 0.0 else 1.0 for value in magnitudes])
    multiples = np.rint(ordered / grid)  # sorted still: division by q > 0 and rint are monotone
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
