# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``"confirmation4"`` scenario suite: fresh seeds to confirm the adaptive training screen (``screen_risk``).

Committed, with the rule that decides, before any detector ran on it (2026-11-26; docs/detection_quality.md,
"Training screen: the confirmation4 protocol"), and sealed in ``SEALED_SUITES`` until its one run.

**Decision rule** (the same text as in docs/detection_quality.md). Configurations: A = ``recommended_detector()``
(screen off), B = ``recommended_detector(screen_risk=0.01)``; flags post-processed with ``min_gap=48``
(``evaluation.ADAPTIVE_RECOMMENDED``, ``evaluation.SCREEN_CANDIDATE``), figures pooled per part
(``evaluation.quality_row``). ``recommended_detector()`` turns the screen on (``screen_risk=0.01``) **if and only if
all** of these hold:

1. part ``glitch``: B's event recall is at least A's + 0.10;
2. part ``glitch``: B has at most 5 false-alarm bursts per 10,000 test rows;
3. part ``clean``: B's event F1 is not more than 0.01 below A's;
4. SKAB (constant-mean forecast, pooled) and the seen suites (tuning, held_out, operations, confirmation, monitoring,
   confirmation2, confirmation3): B's F1 (SKAB) and event F1 (suites) are not more than 0.01 below A's. (Measured
   before this rule was written, while choosing the screen's form and ``screen_risk`` on them: equal on every one.)

Otherwise the parameter stays off in the recommendation, with the numbers stated. The result is recorded pass or fail,
and the suite is spent after its run (it leaves ``SEALED_SUITES``).

**The suite.** Sixteen monitoring-shaped series (the generator of :mod:`spotanomaly2_safe_cli.quality.scenarios_monitoring`:
AR(1) Student-t forecast error, a daily season the forecast has, some with drift, a season the forecast misses, Poisson
counts or integer rounding, one or three columns), hourly, training heads of 100 to 600 rows and 3,000 test rows
each, with four or five faults of the generator's kinds in the test rows (at least 120 rows apart, clear of both ends
by 60, so most start within the first 2,000 test rows, where a training glitch's own scores still seed the tail).
Base seeds ``CONFIRMATION4_SEEDS`` (7401-7416: ``CONFIRMATION4_SEED_OFFSET`` 7000 + 401-416); each series' training
glitch draws from its own generator seeded ``seed + CONFIRMATION4_GLITCH_OFFSET`` (70,000: 77401-77416). No earlier
suite, benchmark or study used these (suites: offsets 0 to 6000 on base seeds 101-107 and 201-208, and 7301-7310 with
77301-77310; ``bench_adaptive_grid.py``: 9000-9206; ``bench_column_domination.py``: 9101-9141 and those + 50,000).
Two parts, each scenario named ``"<part>/<name>"``:

- ``"glitch/<name>"``: the series with one training glitch of its stated kind, in one column drawn at random, starting
  at a training row drawn uniformly from ``[n_train // 4, n_train - 10)`` (after the longest warm-up the method takes,
  ``n_train // 4`` rows, where it seeds the tail; glitches in warm-up rows seed no tail with or without the screen):
  ``sentinel`` (the actual is ``-9999`` for one row), ``dropout`` (the actual is ``0.0`` for 1-3 rows), ``burst``
  (2-5 rows of ``+-size * noise`` added, ``size`` log-uniform in [30, 3000], rounded on rounded series), ``stuck``
  (the actual frozen at the row before for 20-60 rows). Labels are test rows only; the glitch is not labelled.
- ``"clean/<name>"``: the same series without the glitch (the same frames otherwise, bit for bit).

>>> scenarios = make_confirmation4_scenarios()
>>> len(scenarios), scenarios[0].name, scenarios[16].name
(32, 'glitch/head100_sentinel', 'clean/head100_sentinel')
>>> [s.y_true_train.shape[0] for s in scenarios[:4]]
[100, 150, 200, 300]
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from spotanomaly2_safe_cli.quality.scenarios import CONFIRMATION4_SEED_OFFSET, Scenario
from spotanomaly2_safe_cli.quality.scenarios_monitoring import _build

__all__ = ["CONFIRMATION4_GLITCH_OFFSET", "CONFIRMATION4_PARTS", "CONFIRMATION4_SEEDS", "GLITCH_KINDS", "SERIES", "glitch_probe_frames",
           "make_confirmation4_scenarios"]

CONFIRMATION4_PARTS = ("glitch", "clean")
CONFIRMATION4_GLITCH_OFFSET = 70_000
GLITCH_KINDS = ("sentinel", "dropout", "burst", "stuck")
TEST_ROWS = 3000
_ONE = np.array([1.0])
_THREE_LEVEL, _THREE_NOISE, _THREE_COLUMNS = np.array([500.0, 12.0, 4.0]), np.array([4.0, 0.5, 0.02]), ("load_mw", "temperature_c", "pressure_bar")


class Series(NamedTuple):
    """One series: ``_build``'s keyword arguments (besides name, seed and test rows) and its training glitch's kind."""

    name: str
    base_seed: int
    glitch: str
    arguments: dict


SERIES = (
    Series("head100_sentinel", 401, "sentinel", dict(train_rows=100, level=200 * _ONE, noise=5 * _ONE, daily=8.0,
                                                     kinds=("spike", "level_shift", "level_shift", "variance_burst"))),
    Series("head150_dropout", 402, "dropout", dict(train_rows=150, level=50 * _ONE, noise=2 * _ONE, daily=5.0, df=3.0,
                                                   kinds=("level_shift", "level_shift", "level_shift", "stuck_sensor"))),
    Series("head200_burst_three_columns", 403, "burst", dict(train_rows=200, level=_THREE_LEVEL, noise=_THREE_NOISE, columns=_THREE_COLUMNS,
                                                             daily=10.0, kinds=("spike", "level_shift", "variance_burst", "stuck_sensor"))),
    Series("head300_stuck_drift", 404, "stuck", dict(train_rows=300, level=100 * _ONE, noise=3 * _ONE, daily=6.0, drift=3.0,
                                                     kinds=("spike", "level_shift", "variance_burst", "level_shift"))),
    Series("head400_sentinel_three_columns", 405, "sentinel", dict(train_rows=400, level=_THREE_LEVEL, noise=_THREE_NOISE,
                                                                   columns=_THREE_COLUMNS, daily=10.0,
                                                                   kinds=("level_shift", "variance_burst", "level_shift", "spike", "stuck_sensor"))),
    Series("head600_dropout_missed_season", 406, "dropout", dict(train_rows=600, level=30 * _ONE, noise=1 * _ONE, missed_daily=4.0,
                                                                 missed_weekly=2.0, kinds=("level_shift", "level_shift", "level_shift", "variance_burst"))),
    Series("head100_burst_counts", 407, "burst", dict(train_rows=100, level=1.5 * _ONE, noise=1 * _ONE, daily=1.2, counts=True,
                                                      kinds=("count_burst", "count_burst", "dropout", "count_burst"))),
    Series("head300_stuck_gauge", 408, "stuck", dict(train_rows=300, level=20 * _ONE, noise=0.4 * _ONE, daily=1.5, rounded=True,
                                                     kinds=("level_shift", "level_shift", "level_shift", "spike"))),
    Series("head500_sentinel_gauge", 409, "sentinel", dict(train_rows=500, level=20 * _ONE, noise=0.4 * _ONE, daily=1.5, rounded=True,
                                                           kinds=("level_shift", "level_shift", "spike", "level_shift", "spike"))),
    Series("head200_dropout_drift", 410, "dropout", dict(train_rows=200, level=100 * _ONE, noise=3 * _ONE, daily=6.0, drift=4.0,
                                                         kinds=("spike", "level_shift", "variance_burst", "stuck_sensor", "level_shift"))),
    Series("head400_burst_heavy_tails", 411, "burst", dict(train_rows=400, level=50 * _ONE, noise=2 * _ONE, daily=5.0, df=3.0,
                                                           kinds=("level_shift", "level_shift", "stuck_sensor", "variance_burst"))),
    Series("head600_stuck_three_columns", 412, "stuck", dict(train_rows=600, level=_THREE_LEVEL, noise=_THREE_NOISE, columns=_THREE_COLUMNS,
                                                             daily=10.0, kinds=("spike", "level_shift", "variance_burst", "level_shift"))),
    Series("head150_sentinel_counts", 413, "sentinel", dict(train_rows=150, level=1.5 * _ONE, noise=1 * _ONE, daily=1.2, counts=True,
                                                            kinds=("count_burst", "dropout", "count_burst", "count_burst"))),
    Series("head300_burst_missed_season", 414, "burst", dict(train_rows=300, level=30 * _ONE, noise=1 * _ONE, missed_daily=4.0,
                                                             missed_weekly=2.0, kinds=("level_shift", "variance_burst", "level_shift", "level_shift"))),
    Series("head100_dropout", 415, "dropout", dict(train_rows=100, level=10 * _ONE, noise=0.5 * _ONE, daily=4.0,
                                                   kinds=("level_shift", "level_shift", "spike", "variance_burst"))),
    Series("head500_stuck", 416, "stuck", dict(train_rows=500, level=200 * _ONE, noise=5 * _ONE, daily=8.0,
                                               kinds=("level_shift", "stuck_sensor", "level_shift", "spike", "variance_burst"))),
)
CONFIRMATION4_SEEDS = tuple(series.base_seed + CONFIRMATION4_SEED_OFFSET for series in SERIES)


def _with_glitch(scenario: Scenario, series: Series) -> Scenario:
    """``scenario`` with its training glitch (module docstring) in a copy of its training actuals."""
    rng = np.random.default_rng(series.base_seed + CONFIRMATION4_SEED_OFFSET + CONFIRMATION4_GLITCH_OFFSET)
    actual = scenario.y_true_train.to_numpy().copy()
    rows, columns = actual.shape
    column, start = int(rng.integers(columns)), int(rng.integers(rows // 4, rows - 10))
    if series.glitch == "sentinel":
        actual[start, column] = -9999.0
    elif series.glitch == "dropout":
        actual[start : start + int(rng.integers(1, 4)), column] = 0.0
    elif series.glitch == "burst":
        size = 10.0 ** rng.uniform(np.log10(30.0), np.log10(3000.0)) * series.arguments["noise"][column] * rng.choice([-1.0, 1.0])
        burst = slice(start, start + int(rng.integers(2, 6)))
        actual[burst, column] += size
        if series.arguments.get("rounded"):
            actual[burst, column] = np.round(actual[burst, column])
    else:
        actual[start : start + int(rng.integers(20, 61)), column] = actual[start - 1, column]
    frame = scenario.y_true_train.copy()
    frame.iloc[:, :] = actual
    return scenario._replace(name=f"{CONFIRMATION4_PARTS[0]}/{series.name}", y_true_train=frame)


def make_confirmation4_scenarios() -> list[Scenario]:
    """Part ``glitch`` (sixteen series, each with one training glitch) then part ``clean`` (the same series without it);
    the same bytes on every call."""
    clean = [_build(series.name, series.base_seed, test_rows=TEST_ROWS, seed_offset=CONFIRMATION4_SEED_OFFSET, **series.arguments)
             for series in SERIES]
    return [_with_glitch(scenario, series) for scenario, series in zip(clean, SERIES)] + [
        scenario._replace(name=f"{CONFIRMATION4_PARTS[1]}/{scenario.name}") for scenario in clean]


def glitch_probe_frames(level: float, glitch: float | None, start: int) -> tuple[pd.DataFrame, ...]:
    """The measured training-glitch hazard (docs/detection_quality.md, "Training screen"): one column N(``level``, 1),
    400 training rows, ``glitch`` (if not None) at training row 150, an 8-sigma level shift of 100 rows from test row
    ``start``, 5,000 test rows, a training-mean forecast; ``(train actuals, train forecast, test actuals, test forecast)``."""
    values = level + np.random.default_rng(1).normal(size=5400)
    if glitch is not None:
        values[150] = glitch
    values[400 + start : 400 + start + 100] += 8.0
    actual = pd.DataFrame({"p": values})
    forecast = pd.DataFrame({"p": np.full(len(values), values[:400].mean())})
    return actual.iloc[:400], forecast.iloc[:400], actual.iloc[400:], forecast.iloc[400:]
