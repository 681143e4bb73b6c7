# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``"confirmation3"`` scenario suite: fresh seeds to confirm a resolution rule that tolerates float noise.

Committed, with the rule that decides, before any detector ran on it (2026-11-26; docs/detection_quality.md,
"Resolution rule: the confirmation3 protocol"), and sealed in ``SEALED_SUITES`` until its one run (2026-11-26; the
rule was met: the kernel adopted the candidate; spent now). It confirms the
candidate of the column-domination study ("smallest gap after rounding to 4 significant digits") against the
kernel's rule ("smallest gap"). Every seed is new: the generated kinds below use base seeds
``CONFIRMATION3_SEEDS`` (7301-7310) and draw their float jitter from a generator seeded ``seed +
CONFIRMATION3_JITTER_OFFSET`` (70,000: 77301-77310); the sixty-day kinds and the monitoring-shaped series use
their generators' base seeds + ``CONFIRMATION3_SEED_OFFSET`` (6000: 6101-6107 and 6201-6208). No earlier suite,
benchmark or study used these (suites: offsets 0 to 5000; ``bench_adaptive_grid.py``: 9000-9206; the study
``bench_column_domination.py``: 9101-9141 and those + 50,000).

Two parts, each scenario named ``"<part>/<name>"``; hourly rows, 500 training + 8,000 test rows for the
generated kinds:

- ``"noisy_quantized/<name>"`` (part a, ten series): quantized values as real data store them, with float noise.
  ``plant_*``: six columns; five continuous (the study's plant: levels 500 / 12 / 4 / 80 / 1, AR(1) Student-t
  forecast error, a daily season the forecast has) carry every fault (two level shifts, two variance bursts, two
  spikes, labelled); the sixth, ``setpoint``, steps by one quantum (probability 0.01 per row, back towards its base
  with probability 0.75 when away: long constant stretches), has no fault, and is stored as
  ``level * (1 + U(-1, 1) * j)`` with relative jitter j = 1e-15 or 1e-9, on quantum 1 (base 40) or 0.1 (base
  32.0), forecast by persistence (the previous stored value) or by its training mean. ``decimal_*``: one stepping
  series on quantum 0.1 (base 32.0) or 0.01 (base 4.53), stored as ``k / 10`` or ``k / 100`` (the double nearest to
  the decimal, as a parser reads it; no jitter added: persistence differences such as 32.2 - 32.1 and 32.3 - 32.2
  already differ by about 1e-15), stepping with probability 0.03 per row and back towards the base with probability 0.5
  (so that the 500 training rows visit several levels), forecast by persistence or by its training mean, with faults in it (two level
  shifts of 3-6 quanta for 12-48 rows, two flapping periods of +-1-2 quanta per row for 12-36 rows, two spikes of
  5-10 quanta for 1-2 rows). ``counter_*``: an integer stepping series (base 120) with relative jitter 1e-12, the
  same faults, forecast by persistence or by its training mean.
- ``"clean/<name>"`` (part b): the same ten series without any float noise (jitter 0; the decimal series on quantum
  1, ``k`` itself), from the same seeds, so each (``"clean/twin_<name>"``) is the noise-free twin of its part-a
  series; then the seven
  sixty-day kinds of the tuning suite (:mod:`spotanomaly2_safe_cli.quality.scenarios`, 60 test days) and the eight
  monitoring-shaped series (:mod:`spotanomaly2_safe_cli.quality.scenarios_monitoring`), from seeds + 6000.

>>> scenarios = make_confirmation3_scenarios()
>>> len(scenarios), scenarios[0].name, scenarios[10].name, scenarios[20].name, scenarios[27].name
(35, 'noisy_quantized/plant_persistence_q1_j1e-15', 'clean/twin_plant_persistence_q1_j1e-15', 'clean/sixty_day_spikes', 'clean/monitoring_short_head_100')
"""

from typing import NamedTuple

import numpy as np
import pandas as pd

from spotanomaly2_safe_cli.quality.scenarios import CONFIRMATION3_SEED_OFFSET, SCENARIO_NAMES, TEST_ROWS, Scenario, scenario_kind
from spotanomaly2_safe_cli.quality.scenarios_monitoring import _ar_noise, _inject, _season, _starts, make_monitoring_scenarios

__all__ = ["CONFIRMATION3_JITTER_OFFSET", "CONFIRMATION3_PARTS", "CONFIRMATION3_SEEDS", "make_confirmation3_scenarios"]

CONFIRMATION3_PARTS = ("noisy_quantized", "clean")
CONFIRMATION3_JITTER_OFFSET = 70_000
TRAIN_ROWS, GENERATED_TEST_ROWS = 500, 8000
# Per row: the probability of a one-quantum step, and of a step back towards the base when away from it. A univariate series
# steps more often and wanders further, so that its 500 training rows visit several levels (and several float roundings).
STEP_PROBABILITY = {"plant": 0.01, "series": 0.03}
RETURN_PROBABILITY = {"plant": 0.75, "series": 0.5}
PLANT_COLUMNS = ("load_mw", "temperature_c", "pressure_bar", "flow_m3h", "vibration_mm_s", "setpoint")
PLANT_LEVEL = np.array([500.0, 12.0, 4.0, 80.0, 1.0])
PLANT_NOISE = np.array([4.0, 0.5, 0.02, 2.0, 0.05])
PLANT_FAULTS = ("level_shift", "level_shift", "variance_burst", "variance_burst", "spike", "spike")
SERIES_LENGTHS = {"level_shift": (12, 48), "flapping": (12, 36), "spike": (1, 2)}


class Generated(NamedTuple):
    """One generated kind: ``divisor`` 1, 10 or 100 (quantum 1, 0.1, 0.01); ``base`` in quanta; ``jitter`` relative."""
    name: str
    seed: int
    kind: str          # "plant" or "series"
    forecast: str      # "persistence" or "mean"
    divisor: int
    base: int
    jitter: float


GENERATED = (
    Generated("plant_persistence_q1_j1e-15", 7301, "plant", "persistence", 1, 40, 1e-15),
    Generated("plant_mean_q0.1_j1e-15", 7302, "plant", "mean", 10, 320, 1e-15),
    Generated("plant_persistence_q0.1_j1e-9", 7303, "plant", "persistence", 10, 320, 1e-9),
    Generated("plant_mean_q1_j1e-9", 7304, "plant", "mean", 1, 40, 1e-9),
    Generated("decimal_persistence_q0.1", 7305, "series", "persistence", 10, 320, 0.0),
    Generated("decimal_mean_q0.1", 7306, "series", "mean", 10, 320, 0.0),
    Generated("decimal_persistence_q0.01", 7307, "series", "persistence", 100, 453, 0.0),
    Generated("decimal_mean_q0.01", 7308, "series", "mean", 100, 453, 0.0),
    Generated("counter_persistence_j1e-12", 7309, "series", "persistence", 1, 120, 1e-12),
    Generated("counter_mean_j1e-12", 7310, "series", "mean", 1, 120, 1e-12),
)
CONFIRMATION3_SEEDS = tuple(g.seed for g in GENERATED)


def _stepping_levels(rng: np.random.Generator, rows: int, base: int, probability: float, back: float) -> np.ndarray:
    """Whole quanta with long constant stretches: a one-quantum step with ``probability`` per row, towards ``base`` with
    probability ``back`` when away from it."""
    level, levels = base, np.empty(rows)
    moves, towards, coin = rng.random(rows), rng.random(rows), rng.random(rows)
    for row in range(rows):
        if moves[row] < probability:
            if level != base and towards[row] < back:
                level += 1 if level < base else -1
            else:
                level += 1 if coin[row] < 0.5 else -1
        levels[row] = level
    return levels


def _series_faults(rng: np.random.Generator, levels: np.ndarray, labels: np.ndarray) -> None:
    """Two level shifts, two flapping periods and two spikes, in whole quanta, into the test rows ``levels``."""
    kinds = ("level_shift", "level_shift", "flapping", "flapping", "spike", "spike")
    lengths = [int(rng.integers(low, high + 1)) for low, high in (SERIES_LENGTHS[kind] for kind in kinds)]
    for kind, length, start in zip(kinds, lengths, _starts(rng, lengths, labels.size)):
        rows, sign = slice(start, start + length), rng.choice([-1.0, 1.0])
        if kind == "level_shift":
            levels[rows] += sign * rng.integers(3, 7)
        elif kind == "flapping":
            levels[rows] += rng.choice([-2.0, -1.0, 1.0, 2.0], size=length)
        else:
            levels[rows] += sign * rng.integers(5, 11)
        labels[rows] = 1


def _generated(spec: Generated, noisy: bool) -> Scenario:
    rng = np.random.default_rng(spec.seed)
    rows = TRAIN_ROWS + GENERATED_TEST_ROWS
    labels = np.zeros(GENERATED_TEST_ROWS, dtype=np.int64)
    levels = _stepping_levels(rng, rows, spec.base, STEP_PROBABILITY[spec.kind], RETURN_PROBABILITY[spec.kind])
    if spec.kind == "plant":
        forecast = PLANT_LEVEL + PLANT_NOISE * _season(np.arange(rows), 6.0)[:, None]
        actual = forecast + PLANT_NOISE * _ar_noise(rng, rows, PLANT_LEVEL.size, 4.0)
        _inject(rng, actual[TRAIN_ROWS:], forecast[TRAIN_ROWS:], PLANT_NOISE, PLANT_FAULTS, labels)
    else:
        _series_faults(rng, levels[TRAIN_ROWS:], labels)
    divisor = spec.divisor if noisy else 1
    stored = levels / divisor  # IEEE division: the double nearest to the decimal k / divisor
    if noisy and spec.jitter:
        draws = np.random.default_rng(spec.seed + CONFIRMATION3_JITTER_OFFSET).uniform(-1.0, 1.0, rows)
        stored = stored * (1.0 + draws * spec.jitter)
    predicted = (np.concatenate([stored[:1], stored[:-1]]) if spec.forecast == "persistence"
                 else np.full(rows, stored[:TRAIN_ROWS].mean()))
    if spec.kind == "plant":
        true, pred, columns = np.column_stack([actual, stored]), np.column_stack([forecast, predicted]), PLANT_COLUMNS
    else:
        true, pred, columns = stored[:, None], predicted[:, None], ("value",)
    index = pd.date_range("2026-01-01", periods=rows, freq="h", tz="UTC")
    frames = [pd.DataFrame(values[part], index=index[part], columns=list(columns))
              for part in (slice(None, TRAIN_ROWS), slice(TRAIN_ROWS, None)) for values in (true, pred)]
    return Scenario(f"{CONFIRMATION3_PARTS[0]}/{spec.name}" if noisy else f"{CONFIRMATION3_PARTS[1]}/twin_{spec.name}", *frames, labels)


def make_confirmation3_scenarios() -> list[Scenario]:
    """Part ``noisy_quantized`` (ten series) then part ``clean`` (their ten noise-free twins, the seven sixty-day kinds and the
    eight monitoring-shaped series, seeds + 6000); the same bytes on every call."""
    noisy = [_generated(spec, True) for spec in GENERATED]
    twins = [_generated(spec, False) for spec in GENERATED]
    sixty_day = [scenario_kind(name, CONFIRMATION3_SEED_OFFSET, TEST_ROWS) for name in SCENARIO_NAMES]
    monitoring = make_monitoring_scenarios(CONFIRMATION3_SEED_OFFSET)
    return noisy + twins + [s._replace(name=f"clean/sixty_day_{s.name}") for s in sixty_day] + [
        s._replace(name=f"clean/monitoring_{s.name}") for s in monitoring]
