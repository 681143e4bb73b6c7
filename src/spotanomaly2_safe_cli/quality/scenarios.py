# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Deterministic scenarios of realistic forecast/actual pairs with labelled anomaly windows.

No downloads: everything comes from ``numpy.random.default_rng`` with fixed seeds, so every call
returns the same bytes. Each scenario has three hourly columns on different scales
(``load_mw``, ``temperature_c``, ``pressure_bar``); the forecast is a daily + weekly seasonal profile
and the actuals add a realistic forecast error: AR(1)-correlated (phi = 0.6) Student-t noise
(heavy tails, df = 4 unless stated). Training: 90 days (2160 rows); test: the 60 days after (1440
rows), with anomalies injected at random, non-overlapping places and labelled row by row.

Anomaly kinds (sizes in units of the column's noise scale, drawn at random from the stated range):
spike (1-2 rows, 6-10), level shift (12-48 rows, 3-6), variance burst (12-24 rows, noise x 4-6),
stuck sensor (12-36 rows, actual frozen at its last value). Nuisances that are *not* labelled:
slow forecast-bias drift, a weekly pattern the forecast misses, anomalies in the training period.

The scenarios were written before any detector was tuned on them and are not to be tuned to a method.

Four suites of the same seven scenario kinds, the same anomaly kinds and counts:

- ``"tuning"``: the seeds above, 60 test days; the recommended configuration was chosen here.
- ``"held_out"``: each seed plus ``HELD_OUT_SEED_OFFSET``, 60 test days; never tuned on.
- ``"operations"``: each seed plus ``OPERATIONS_SEED_OFFSET``, a test period of one year (8,760 rows)
  with the same 5-6 anomalies per scenario, so about 7 labelled windows per 10,000 rows instead of 39.
  The 60-day suites put an incident in every series every 11 days, far denser than the operations the
  detector is meant for, and event precision depends on that density: a detector that raises an alarm
  burst every ~100 rows has precision near 0.2 at 39 windows per 10,000 rows and near 0.05 at 7. This
  suite was added (after the tuning, at a density fixed by the rule above, before anything ran on it)
  to measure at a realistic density; nothing was or is to be tuned on it.
- ``"confirmation"``: each seed plus ``CONFIRMATION_SEED_OFFSET``, shaped like ``"operations"``. Its
  seeds were fixed before any detector ran on it, to confirm a candidate chosen after the operations
  suite had been used for diagnosis (``docs/detection_quality.md``). It was run once, for that
  candidate, the recommended configuration and the 0.1.0 defaults. It is spent now: a later candidate
  needs a new suite.
- ``"monitoring"``: not these seven kinds but eight scenarios shaped like real monitoring data (short
  training heads of 100-600 rows, level drift, a season the forecast misses, quantized integer series with
  constant stretches, long faults), from seeds + ``MONITORING_SEED_OFFSET`` (4000); see
  :mod:`spotanomaly2_safe_cli.quality.scenarios_monitoring`. Its seeds and generators were committed before any
  detector ran on it, to confirm the adaptive method of issue 16. It was sealed (in ``SEALED_SUITES``: the
  tests and the evidence report ran no detector on it) until its one run, on 2026-11-26, for the recommended
  adaptive configuration, the previous recommendation (which refuses its 100-row training heads) and the
  0.1.0 defaults; the result is in ``docs/detection_quality.md``. It is spent now, like ``"confirmation"``.
- ``"confirmation2"``: the seven kinds above (60 test days) and the eight monitoring-shaped series, all from
  seeds + ``CONFIRMATION2_SEED_OFFSET`` (5000); see :mod:`spotanomaly2_safe_cli.quality.scenarios_confirmation2`.
  Committed before any detector ran on it, to confirm the one-row spike-scale candidate; sealed until its one run
  (2026-11-26; result in ``docs/detection_quality.md``: the candidate met the rule and became the recommendation).
  It is spent now.
- ``"confirmation3"``: ten series with a quantized column carrying float noise (part ``noisy_quantized``), their ten
  noise-free twins, the seven kinds above and the eight monitoring-shaped series (part ``clean``; the latter two from
  seeds + ``CONFIRMATION3_SEED_OFFSET``, 6000); see :mod:`spotanomaly2_safe_cli.quality.scenarios_confirmation3`.
  Committed, with the rule that decides, before any detector ran on it, to confirm a resolution rule that tolerates
  float noise; sealed until its one run (2026-11-26; result in ``docs/detection_quality.md``: the rule was met and
  the kernel's resolution rule became "smallest_gap_4_digits"). It is spent now.
- ``"confirmation4"``: sixteen monitoring-shaped series with training heads of 100 to 600 rows, each with one realistic
  training glitch (part ``glitch``: a -9999 sentinel, a 0.0 dropout, a spike burst or a stuck value), and the same
  sixteen without it (part ``clean``), from seeds + ``CONFIRMATION4_SEED_OFFSET`` (7000); see
  :mod:`spotanomaly2_safe_cli.quality.scenarios_confirmation4`. Committed, with the rule that decides, before any
  detector ran on it, to confirm the training screen (``screen_risk``); sealed until its one run (2026-11-26; result in
  ``docs/detection_quality.md``: the rule was met and ``recommended_detector()`` sets ``screen_risk=0.01``). It is spent now.

>>> scenarios = make_scenarios()
>>> [scenario.name for scenario in scenarios][:3]
['spikes', 'level_shifts', 'variance_bursts']
>>> scenarios[0].y_true_test.shape, int(scenarios[0].labels.sum()) > 0
((1440, 3), True)
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["CONFIRMATION2_SEED_OFFSET", "CONFIRMATION3_SEED_OFFSET", "CONFIRMATION4_SEED_OFFSET", "CONFIRMATION_SEED_OFFSET", "HELD_OUT_SEED_OFFSET", "MONITORING_SEED_OFFSET", "OPERATIONS_SEED_OFFSET", "SEALED_SUITES",
           "SUITES", "Scenario", "make_scenarios", "SCENARIO_NAMES", "scenario_kind", "unsealed_suites"]

TRAIN_ROWS = 90 * 24
TEST_ROWS = 60 * 24
OPERATIONS_TEST_ROWS = 365 * 24
COLUMNS = ("load_mw", "temperature_c", "pressure_bar")
LEVEL = np.array([500.0, 12.0, 4.0])
DAILY_AMPLITUDE = np.array([80.0, 5.0, 0.3])
WEEKLY_AMPLITUDE = np.array([30.0, 1.0, 0.05])
NOISE = np.array([4.0, 0.5, 0.02])
KINDS = ("spike", "level_shift", "variance_burst", "stuck_sensor")


class Scenario(NamedTuple):
    name: str
    y_true_train: pd.DataFrame
    y_pred_train: pd.DataFrame
    y_true_test: pd.DataFrame
    y_pred_test: pd.DataFrame
    labels: np.ndarray


def _forecast(hours: np.ndarray) -> np.ndarray:
    daily = np.sin(2 * np.pi * hours / 24)[:, None]
    weekly = np.sin(2 * np.pi * hours / (24 * 7))[:, None]
    return LEVEL + DAILY_AMPLITUDE * daily + WEEKLY_AMPLITUDE * weekly


def _forecast_error(rng: np.random.Generator, rows: int, df: float) -> np.ndarray:
    shocks = rng.standard_t(df, size=(rows, len(COLUMNS))) * np.sqrt((df - 2) / df)
    error = np.zeros_like(shocks)
    error[0] = shocks[0]
    for row in range(1, rows):
        error[row] = 0.6 * error[row - 1] + np.sqrt(1 - 0.36) * shocks[row]
    return error * NOISE


def _places(rng: np.random.Generator, count: int, rows: int) -> list[int]:
    """``count`` start rows at least 120 rows apart, none in the first or last 60 rows."""
    while True:
        starts = np.sort(rng.choice(np.arange(60, rows - 60), size=count, replace=False))
        if count == 1 or np.diff(starts).min() >= 120:
            return [int(start) for start in starts]


def _inject(rng: np.random.Generator, actual: np.ndarray, kind: str, start: int, labels: np.ndarray | None) -> None:
    column = int(rng.integers(len(COLUMNS)))
    length = {"spike": rng.integers(1, 3), "level_shift": rng.integers(12, 49),
              "variance_burst": rng.integers(12, 25), "stuck_sensor": rng.integers(12, 37)}[kind]
    rows = slice(start, start + int(length))
    sign = rng.choice([-1.0, 1.0])
    if kind == "spike":
        actual[rows, column] += sign * rng.uniform(6, 10) * NOISE[column]
    elif kind == "level_shift":
        actual[rows, column] += sign * rng.uniform(3, 6) * NOISE[column]
    elif kind == "variance_burst":
        actual[rows, column] += rng.normal(size=int(length)) * rng.uniform(4, 6) * NOISE[column]
    else:
        actual[rows, column] = actual[start - 1, column]
    if labels is not None:
        labels[rows] = 1


def _frames(hours: np.ndarray, actual: np.ndarray, forecast: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    index = pd.date_range("2026-01-01", periods=hours.size, freq="h", tz="UTC") + pd.Timedelta(hours=int(hours[0]))
    return pd.DataFrame(actual, index=index, columns=list(COLUMNS)), pd.DataFrame(forecast, index=index, columns=list(COLUMNS))


def _scenario(name: str, seed: int, kinds: tuple[str, ...], *, test_rows: int, df: float = 4.0, drift: float = 0.0,
              weekly_miss: float = 0.0, contaminate: int = 0) -> Scenario:
    rng = np.random.default_rng(seed)
    hours = np.arange(TRAIN_ROWS + test_rows)
    forecast = _forecast(hours)
    actual = forecast + _forecast_error(rng, hours.size, df)
    actual += weekly_miss * NOISE * np.cos(2 * np.pi * hours / (24 * 7))[:, None]
    actual[TRAIN_ROWS:] += drift * NOISE * np.linspace(0.0, 1.0, test_rows)[:, None]
    for start in _places(rng, contaminate, TRAIN_ROWS) if contaminate else []:
        _inject(rng, actual, KINDS[int(rng.integers(2))], start, None)
    labels = np.zeros(test_rows, dtype=np.int64)
    test_actual = actual[TRAIN_ROWS:]
    for kind, start in zip(kinds, _places(rng, len(kinds), test_rows)):
        _inject(rng, test_actual, kind, start, labels)
    train_true, train_pred = _frames(hours[:TRAIN_ROWS], actual[:TRAIN_ROWS], forecast[:TRAIN_ROWS])
    test_true, test_pred = _frames(hours[TRAIN_ROWS:], test_actual, forecast[TRAIN_ROWS:])
    return Scenario(name, train_true, train_pred, test_true, test_pred, labels)


_MIXED = ("spike", "level_shift", "variance_burst", "stuck_sensor", "spike", "level_shift")
_BUILDERS: dict[str, Callable[..., Scenario]] = {
    "spikes": lambda offset, **rows: _scenario("spikes", 101 + offset, ("spike",) * 6, df=3.0, **rows),
    "level_shifts": lambda offset, **rows: _scenario("level_shifts", 102 + offset, ("level_shift",) * 5, **rows),
    "variance_bursts": lambda offset, **rows: _scenario("variance_bursts", 103 + offset, ("variance_burst",) * 5, **rows),
    "stuck_sensors": lambda offset, **rows: _scenario("stuck_sensors", 104 + offset, ("stuck_sensor",) * 5, **rows),
    "drift": lambda offset, **rows: _scenario("drift", 105 + offset, _MIXED, drift=2.0, **rows),
    "contaminated_training": lambda offset, **rows: _scenario("contaminated_training", 106 + offset, _MIXED, contaminate=8, **rows),
    "weekly_miss": lambda offset, **rows: _scenario("weekly_miss", 107 + offset, _MIXED, weekly_miss=1.0, **rows),
}
SCENARIO_NAMES = tuple(_BUILDERS)


HELD_OUT_SEED_OFFSET = 1000
OPERATIONS_SEED_OFFSET = 2000
# Fixed (commit 87450a4) before any detector ran on it; see the module docstring.
CONFIRMATION_SEED_OFFSET = 3000
# Fixed, with spotanomaly2_safe_cli.quality.scenarios_monitoring, before any detector ran on it (issue 16).
MONITORING_SEED_OFFSET = 4000
# Fixed, with spotanomaly2_safe_cli.quality.scenarios_confirmation2, before any detector ran on it (the spike-scale candidate).
CONFIRMATION2_SEED_OFFSET = 5000
# Fixed, with spotanomaly2_safe_cli.quality.scenarios_confirmation3, before any detector ran on it (the resolution rule).
CONFIRMATION3_SEED_OFFSET = 6000
# Fixed, with spotanomaly2_safe_cli.quality.scenarios_confirmation4, before any detector ran on it (the training screen).
CONFIRMATION4_SEED_OFFSET = 7000
SUITES = {"tuning": (0, TEST_ROWS), "held_out": (HELD_OUT_SEED_OFFSET, TEST_ROWS),
          "operations": (OPERATIONS_SEED_OFFSET, OPERATIONS_TEST_ROWS),
          "confirmation": (CONFIRMATION_SEED_OFFSET, OPERATIONS_TEST_ROWS),
          "monitoring": (MONITORING_SEED_OFFSET, None),
          "confirmation2": (CONFIRMATION2_SEED_OFFSET, None),
          "confirmation3": (CONFIRMATION3_SEED_OFFSET, None),
          "confirmation4": (CONFIRMATION4_SEED_OFFSET, None)}
# Suites whose seeds are committed and on which no detector has run yet: nothing but their one run may score them.
# Empty: "monitoring", "confirmation2", "confirmation3" and "confirmation4" had their one runs (2026-11-26); a new
# confirmation suite is added here until its run.
SEALED_SUITES: frozenset[str] = frozenset()


def unsealed_suites() -> tuple[str, ...]:
    """The suites of ``SUITES`` not in ``SEALED_SUITES``, in ``SUITES`` order: the ones tests and reports may run detectors on."""
    return tuple(suite for suite in SUITES if suite not in SEALED_SUITES)


def scenario_kind(name: str, offset: int, test_rows: int) -> Scenario:
    """The scenario ``name`` (one of ``SCENARIO_NAMES``) from its base seed + ``offset`` with ``test_rows`` test rows."""
    return _BUILDERS[name](offset, test_rows=test_rows)


def make_scenarios(suite: str = "tuning") -> list[Scenario]:
    """Every scenario of ``suite`` (one of ``SUITES``), in ``SCENARIO_NAMES`` order; the same bytes on every call.

    ``"monitoring"`` has its own eight scenarios (``scenarios_monitoring.MONITORING_SCENARIO_NAMES`` order).

    ``"held_out"`` and ``"operations"`` draw the same seven scenario kinds from seeds no configuration was
    chosen on, for an unbiased estimate; ``"operations"`` also has a year-long test period (see the module
    docstring).
    """
    if suite not in SUITES:
        raise ValueError(f"unknown scenario suite {suite!r}; choose one of {', '.join(SUITES)}")
    if suite == "monitoring":
        from spotanomaly2_safe_cli.quality.scenarios_monitoring import make_monitoring_scenarios  # it imports this module

        return make_monitoring_scenarios()
    if suite == "confirmation2":
        from spotanomaly2_safe_cli.quality.scenarios_confirmation2 import make_confirmation2_scenarios  # it imports this module

        return make_confirmation2_scenarios()
    if suite == "confirmation3":
        from spotanomaly2_safe_cli.quality.scenarios_confirmation3 import make_confirmation3_scenarios  # it imports this module

        return make_confirmation3_scenarios()
    if suite == "confirmation4":
        from spotanomaly2_safe_cli.quality.scenarios_confirmation4 import make_confirmation4_scenarios  # it imports this module

        return make_confirmation4_scenarios()
    offset, test_rows = SUITES[suite]
    return [build(offset, test_rows=test_rows) for build in _BUILDERS.values()]
