# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``"monitoring"`` scenario suite: series shaped like real monitoring data, to confirm the adaptive method.

Issue 16 judges detection on data like real monitoring series: short training heads, drift, a season the
forecast misses, quantized (integer-valued) series with long constant stretches, and long faults. This suite
has one scenario per such trait; the seeds (each base seed + ``MONITORING_SEED_OFFSET`` = 4000, an offset no
earlier suite used) were committed before any detector ran on it. It is a confirmation suite: run once, after
the method is fixed, and spent from then on (a later candidate needs a new suite).

Every series is hourly; its forecast error is AR(1) (phi = 0.6) Student-t noise (df 4 unless stated) scaled so
that its marginal standard deviation is the column's ``noise``; anomaly sizes are in units of that noise and
drawn at random from the stated range. Anomalies sit in the test rows only, at least 120 rows apart, none in
the first or last 60 test rows, and every anomalous row is labelled:

- ``spike`` (1-2 rows, 6-10), ``level_shift`` (12-48 rows, 3-6), ``variance_burst`` (12-24 rows, noise x 4-6),
  ``stuck_sensor`` (12-36 rows, frozen at the last value), ``long_shift`` (200-600 rows, 3-5),
  ``long_variance`` (200-400 rows, noise x 4), ``count_burst`` (12-36 rows, 2-3 x the expected count added),
  ``dropout`` (24-48 rows at 0).

Unlabelled nuisances: a linear drift, a daily and weekly season absent from the forecast, rounding to integers.

>>> scenarios = make_monitoring_scenarios()
>>> [(s.name, s.y_true_train.shape[0]) for s in scenarios][:3]
[('short_head_100', 100), ('short_head_300', 300), ('short_head_600_three_columns', 600)]
"""

from collections.abc import Callable

import numpy as np
import pandas as pd

from spotanomaly2_safe_cli.quality.scenarios import MONITORING_SEED_OFFSET, Scenario

__all__ = ["MONITORING_SCENARIO_NAMES", "make_monitoring_scenarios"]

YEAR = 365 * 24
_LENGTHS = {"spike": (1, 2), "level_shift": (12, 48), "variance_burst": (12, 24), "stuck_sensor": (12, 36),
            "long_shift": (200, 600), "long_variance": (200, 400), "count_burst": (12, 36), "dropout": (24, 48)}


def _ar_noise(rng: np.random.Generator, rows: int, columns: int, df: float) -> np.ndarray:
    shocks = rng.standard_t(df, size=(rows, columns)) * np.sqrt((df - 2) / df)
    error = np.zeros_like(shocks)
    error[0] = shocks[0]
    for row in range(1, rows):
        error[row] = 0.6 * error[row - 1] + 0.8 * shocks[row]
    return error


def _season(hours: np.ndarray, daily: float, weekly: float = 0.0) -> np.ndarray:
    return daily * np.sin(2 * np.pi * hours / 24) + weekly * np.sin(2 * np.pi * hours / (24 * 7))


def _starts(rng: np.random.Generator, lengths: list[int], rows: int) -> list[int]:
    """One start per length, in the given order along the test period, 120 rows apart, clear of both ends by 60."""
    while True:
        starts = np.sort(rng.choice(np.arange(60, rows - 60 - max(lengths)), size=len(lengths), replace=False))
        ends = starts + np.array(lengths)
        if len(lengths) == 1 or np.all(starts[1:] - ends[:-1] >= 120):
            return [int(start) for start in starts]


def _inject(rng: np.random.Generator, actual: np.ndarray, expected: np.ndarray, noise: np.ndarray, kinds: tuple[str, ...],
            labels: np.ndarray) -> None:
    lengths = [int(rng.integers(low, high + 1)) for low, high in (_LENGTHS[kind] for kind in kinds)]
    order = rng.permutation(len(kinds))
    for index, start in zip(order, _starts(rng, [lengths[i] for i in order], labels.size)):
        kind, rows = kinds[index], slice(start, start + lengths[index])
        column = int(rng.integers(actual.shape[1]))
        sign, scale = rng.choice([-1.0, 1.0]), noise[column]
        if kind in ("spike", "level_shift", "long_shift"):
            size = {"spike": (6, 10), "level_shift": (3, 6), "long_shift": (3, 5)}[kind]
            actual[rows, column] += sign * rng.uniform(*size) * scale
        elif kind in ("variance_burst", "long_variance"):
            factor = rng.uniform(4, 6) if kind == "variance_burst" else 4.0
            actual[rows, column] += rng.normal(size=lengths[index]) * factor * scale
        elif kind == "stuck_sensor":
            actual[rows, column] = actual[start - 1, column]
        elif kind == "count_burst":
            actual[rows, column] += np.round(rng.uniform(2, 3) * expected[rows, column])
        else:
            actual[rows, column] = 0.0
        labels[rows] = 1


def _build(name: str, seed: int, *, train_rows: int, test_rows: int, level: np.ndarray, noise: np.ndarray, kinds: tuple[str, ...],
           columns: tuple[str, ...] = ("value",), daily: float = 0.0, df: float = 4.0, drift: float = 0.0, missed_daily: float = 0.0, missed_weekly: float = 0.0,
           counts: bool = False, rounded: bool = False, seed_offset: int = MONITORING_SEED_OFFSET) -> Scenario:
    """A scenario; seasonal amplitudes and drift are in units of ``noise``; ``counts`` draws Poisson counts around the
    forecast; ``rounded`` rounds the actuals (anomalies included) to integers."""
    rng = np.random.default_rng(seed + seed_offset)
    hours = np.arange(train_rows + test_rows)
    forecast = level + noise * _season(hours, daily)[:, None]
    if counts:
        actual = rng.poisson(forecast).astype(np.float64)
    else:
        actual = forecast + noise * _ar_noise(rng, hours.size, level.size, df)
    actual += noise * _season(hours, missed_daily, missed_weekly)[:, None]
    actual[train_rows:] += drift * noise * np.linspace(0.0, 1.0, test_rows)[:, None]
    labels = np.zeros(test_rows, dtype=np.int64)
    _inject(rng, actual[train_rows:], forecast[train_rows:], noise, kinds, labels)
    if rounded:
        actual = np.round(actual)
    index = pd.date_range("2026-01-01", periods=hours.size, freq="h", tz="UTC")
    frames = [pd.DataFrame(values, index=index[rows], columns=list(columns))
              for rows in (slice(None, train_rows), slice(train_rows, None)) for values in (actual[rows], forecast[rows])]
    return Scenario(name, frames[0], frames[1], frames[2], frames[3], labels)


_ONE = np.array([1.0])
_BUILDERS: dict[str, Callable[..., Scenario]] = {
    "short_head_100": lambda offset: _build("short_head_100", 201, train_rows=100, test_rows=4000, level=200 * _ONE, noise=5 * _ONE,
                                     daily=8.0, kinds=("spike", "spike", "level_shift", "level_shift", "variance_burst"), seed_offset=offset),
    "short_head_300": lambda offset: _build("short_head_300", 202, train_rows=300, test_rows=4000, level=50 * _ONE, noise=2 * _ONE,
                                     daily=5.0, df=3.0, kinds=("level_shift",) * 3 + ("stuck_sensor",) * 2, seed_offset=offset),
    "short_head_600_three_columns": lambda offset: _build(
        "short_head_600_three_columns", 203, train_rows=600, test_rows=6000, level=np.array([500.0, 12.0, 4.0]),
        noise=np.array([4.0, 0.5, 0.02]), columns=("load_mw", "temperature_c", "pressure_bar"), daily=10.0,
        kinds=("spike", "level_shift", "variance_burst", "stuck_sensor", "level_shift"), seed_offset=offset),
    "level_drift": lambda offset: _build("level_drift", 204, train_rows=500, test_rows=YEAR, level=100 * _ONE, noise=3 * _ONE,
                                  daily=6.0, drift=6.0,
                                  kinds=("spike", "level_shift", "variance_burst", "stuck_sensor", "spike", "level_shift"), seed_offset=offset),
    "missed_season": lambda offset: _build("missed_season", 205, train_rows=500, test_rows=YEAR, level=30 * _ONE, noise=1 * _ONE,
                                    missed_daily=4.0, missed_weekly=2.0,
                                    kinds=("level_shift",) * 3 + ("variance_burst",) * 2 + ("stuck_sensor",), seed_offset=offset),
    "quantized_counts": lambda offset: _build("quantized_counts", 206, train_rows=500, test_rows=YEAR, level=1.5 * _ONE, noise=1 * _ONE,
                                       daily=1.2, counts=True, kinds=("count_burst",) * 3 + ("dropout",) * 2, seed_offset=offset),
    "quantized_gauge": lambda offset: _build("quantized_gauge", 207, train_rows=400, test_rows=YEAR, level=20 * _ONE, noise=0.4 * _ONE,
                                      daily=1.5, rounded=True, kinds=("level_shift",) * 4 + ("spike",) * 2, seed_offset=offset),
    "long_faults": lambda offset: _build("long_faults", 208, train_rows=500, test_rows=YEAR, level=10 * _ONE, noise=0.5 * _ONE,
                                  daily=4.0, kinds=("long_shift",) * 3 + ("long_variance",), seed_offset=offset),
}
MONITORING_SCENARIO_NAMES = tuple(_BUILDERS)


def make_monitoring_scenarios(seed_offset: int = MONITORING_SEED_OFFSET) -> list[Scenario]:
    """Every scenario of the ``"monitoring"`` suite, in ``MONITORING_SCENARIO_NAMES`` order; the same bytes on every call.

    ``seed_offset`` replaces ``MONITORING_SEED_OFFSET`` for a later suite of the same series from other seeds
    (``"confirmation2"``: :mod:`spotanomaly2_safe_cli.quality.scenarios_confirmation2`).
    """
    return [build(seed_offset) for build in _BUILDERS.values()]
