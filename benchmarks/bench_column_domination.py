# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Column domination and jittered quantized columns: a measured study of the recommended adaptive configuration.

The study behind docs/detection_quality.md, "Column domination and jittered quantized columns (study,
2026-11-26)". Nothing here changes the kernel: candidates are prototyped in this script (``simulate``), a
block-by-block re-implementation of the adaptive method of :mod:`spotanomaly2_safe.adaptive.core` for the
recommended parameters (window mean of |z|, ``aggregation="max"``, the one-row spike scale, protection, reset,
refresh). It reuses the kernel's public pieces (``data_resolution``, ``exponential_tail``, ``Ring``, the alarm
rule) and copies the median/MAD selection and the run lengths, so the kernel's private code can change freely; for
the unchanged rule its flags and alarms equal ``recommended_detector(screen_risk=None)``'s bit for bit (checked on every
run of the script: the ``check`` lines; the prototype has no training screen, which the recommendation gained after this
study: docs/detection_quality.md, "Training screen").

Parts (each prints its own table):

1. ``attribution``: SKAB (its protocol, constant training-mean forecast; rows counted with ``anomaly_flag``, as
   :func:`spotanomaly2_safe_cli.quality.evaluation.skab_quality` and the documented SKAB figures count them): per
   half (valve1 + valve2, other), which column gives the row score (argmax over columns of the 10-row mean |z|) on
   the true-positive and false-positive flagged rows and on the missed anomaly rows, and which scale flagged them;
   per column, the resolution floor against ``1.4826 * MAD`` at fit.
2. ``stress``: generated stress scenarios (``STRESS_SEEDS``; all but ``counter_odd_quantum`` fixed before any
   candidate ran): a 6-column plant whose sixth column is integer-valued with long constant stretches and jitter
   ``JITTERS`` (0, 1e-9, 1e-6, 1e-3 of the quantum), faults only in the five other columns, the quantized column
   forecast by persistence or by its training mean; and a univariate integer-valued series with long constant
   stretches, jitter and faults (quantum 1, and 0.32792 for the probe ``counter_odd_quantum``).
Since the study, the kernel's resolution rule is its "4 significant digits" candidate (``data_resolution``,
``"smallest_gap_4_digits"``; docs/detection_quality.md, "Resolution rule: the confirmation3 protocol"): the parts
``attribution`` and ``stress`` and the check lines now run that rule; the rule of the study's tables is kept here
as the candidate "smallest gap (kernel until 2026-11-26)", and the "4 significant digits" candidate is the kernel's
``data_resolution`` (the study's prototype of it, ``floor(log10(.))`` and the grid for one remaining value, gave the
same figures on every row it ran).

3. ``candidates``: every candidate of ``CANDIDATES`` (resolution rules ``RESOLUTION_RULES`` x calibrations
   ``CALIBRATIONS``) on SKAB (pooled and both halves; the persistence forecast; SKAB with relative jitter
   ``SKAB_JITTERS`` on every value, a probe added after the first table), the tuning and monitoring suites (both
   SEEN: not a confirmation) and the stress scenarios. No ``confirmation*`` suite is ever run here.

SKAB is GPL-3.0, read at run time (default ``../shared/data/skab`` beside the repository); without it the SKAB
parts are skipped with a note and the rest runs:

    python benchmarks/bench_column_domination.py                      # everything
    python benchmarks/bench_column_domination.py --part stress        # one part (attribution, stress, candidates)
    python benchmarks/bench_column_domination.py --data /path/to/skab --quick   # a smoke run: fewer seeds, candidates, suites
"""

import argparse
import math
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from spotanomaly2_safe import recommended_detector
from spotanomaly2_safe.adaptive.recommended import RECOMMENDED_PARAMETERS
from spotanomaly2_safe.adaptive.spread import MAD_TO_SIGMA, data_resolution
from spotanomaly2_safe.adaptive.state import Ring
from spotanomaly2_safe.adaptive.tails import TAIL_SCALE_FLOOR, exponential_tail
from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe_cli.quality.evaluation import quality_row
from spotanomaly2_safe_cli.quality.scenarios import Scenario, make_scenarios
from spotanomaly2_safe_cli.quality.scenarios_monitoring import _ar_noise, _inject, _season, _starts
from spotanomaly2_safe_cli.quality.skab import SPLITS, SkabDataMissing, forecast_frames, load_runs, pooled_metrics

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data" / "skab"
P = dict(RECOMMENDED_PARAMETERS)
ALARMS = {"min_duration": P["min_duration"], "min_gap": P["min_gap"]}
SEEN_SUITES = ("tuning", "monitoring")  # seen suites only; never a confirmation* suite


# ----------------------------------------------------------------------------------------------------------------
# Resolution rules (candidate a). Each maps the training residuals (n, C) to one floor per column.
# ----------------------------------------------------------------------------------------------------------------

def smallest_gap(train: np.ndarray) -> np.ndarray:
    """The kernel's rule until 2026-11-26 (main at 0fa157d): the smallest gap between two distinct training residuals;
    1.0 for a constant column or when the only gaps overflow float64."""
    with np.errstate(over="ignore"):
        gaps = np.diff(np.sort(train, axis=0), axis=0)
    gaps[gaps == 0.0] = np.inf
    smallest = gaps.min(axis=0, initial=np.inf)
    return np.where(np.isfinite(smallest), smallest, 1.0)


def kernel_resolution(train: np.ndarray) -> np.ndarray:
    """The kernel's rule since 2026-11-26 (``data_resolution``, ``"smallest_gap_4_digits"``): the study's "4 significant
    digits" candidate with the exact decimal exponent, and 1.0 (not the grid) when rounding leaves one value."""
    return data_resolution(train)[0]


def merged_gaps(train: np.ndarray, tolerance: float = 0.01) -> np.ndarray:
    """Gaps below ``tolerance * range`` merged: the smallest gap between sorted distinct training residuals that exceeds
    ``tolerance * (max - min)``; ``tolerance * (max - min)`` when no gap exceeds it; 1.0 for a constant column."""
    floors = []
    for column in train.T:
        distinct = np.unique(column)
        if distinct.size < 2:
            floors.append(1.0)
            continue
        gaps, bound = np.diff(distinct), tolerance * (distinct[-1] - distinct[0])
        wide = gaps[gaps > bound]
        floors.append(float(wide.min()) if wide.size else bound)
    return np.array(floors)


def low_quantile_gap(train: np.ndarray, quantile: float = 0.1) -> np.ndarray:
    """The ``quantile`` (linear interpolation) of the non-zero gaps between sorted distinct training residuals; 1.0 for a
    constant column."""
    floors = []
    for column in train.T:
        distinct = np.unique(column)
        floors.append(float(np.quantile(np.diff(distinct), quantile)) if distinct.size > 1 else 1.0)
    return np.array(floors)


def significant_digits(train: np.ndarray, digits: int = 3) -> np.ndarray:
    """The smallest gap after rounding the training residuals to ``digits`` significant digits of the column's largest
    |residual| (grid ``10 ** (floor(log10(max |r|)) - digits + 1)``); the grid when rounding leaves one value; 1.0
    for a column of zeros."""
    floors = []
    for column in train.T:
        largest = float(np.max(np.abs(column)))
        if largest == 0.0:
            floors.append(1.0)
            continue
        grid = 10.0 ** (math.floor(math.log10(largest)) - digits + 1)
        distinct = np.unique(np.round(column / grid) * grid)
        floors.append(float(np.diff(distinct).min()) if distinct.size > 1 else grid)
    return np.array(floors)


RESOLUTION_RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "smallest gap (kernel until 2026-11-26)": smallest_gap,
    "merged gaps < 1% range": merged_gaps,
    "merged gaps < 0.1% range": lambda train: merged_gaps(train, 0.001),
    "10% quantile of gaps": low_quantile_gap,
    "3 significant digits": significant_digits,
    "4 significant digits (kernel since 2026-11-26)": kernel_resolution,
}
CALIBRATIONS = ("row tail (kernel)", "per-column tails, risk / C", "per-column L, tail on max")


class Candidate(NamedTuple):
    resolution: str
    calibration: str


# Every resolution rule with the kernel's row tail; the per-column calibrations with the kernel's rule and the digit rules.
CANDIDATES = [Candidate(rule, CALIBRATIONS[0]) for rule in RESOLUTION_RULES] + [
    Candidate(rule, CALIBRATIONS[1]) for rule in ("smallest gap (kernel until 2026-11-26)", "3 significant digits",
                                                  "4 significant digits (kernel since 2026-11-26)")] + [
    Candidate(rule, CALIBRATIONS[2]) for rule in ("smallest gap (kernel until 2026-11-26)", "3 significant digits")]
KERNEL = CANDIDATES[5]  # the kernel's rule with the kernel's row tail: the prototype checked against recommended_detector(screen_risk=None)


# ----------------------------------------------------------------------------------------------------------------
# The prototype: the adaptive method block by block (the kernel's exact path, core._advance_block).
# ----------------------------------------------------------------------------------------------------------------

class Outputs(NamedTuple):
    flags: np.ndarray          # 0/1 raw flags
    alarms: np.ndarray         # flags post-processed with the recommended alarm rule
    window_flags: np.ndarray   # flagged by the window scale
    spike_flags: np.ndarray    # flagged by the one-row scale
    column: np.ndarray         # the column that gives the row's window score (argmax)
    spike_column: np.ndarray   # the column that gives the row's one-row score
    score: np.ndarray          # the window row score (raw for the kernel; max L for a per-column calibration)
    resolution: np.ndarray     # the floors at fit
    mad_spread: np.ndarray     # 1.4826 MAD at fit
    train_q99: np.ndarray      # per column, the 99 % quantile of the training 10-row mean |z| that seeded the tail


def _window_means(earlier: np.ndarray, z: np.ndarray, window: int) -> np.ndarray:
    """Per column, the mean of |z| over ``window`` rows, summed oldest first (``scores.windowed_scores`` before the max)."""
    stacked = np.concatenate([earlier, z])
    rows = len(z)
    mean = stacked[:rows]
    for lag in range(1, window):
        mean = mean + stacked[lag: lag + rows]
    return np.abs(mean / window)


class _Scale:
    """One scale (window or one-row) of a calibration: per-column learned scores and its threshold rule."""

    def __init__(self, calibration: str, risk: float, capacity: int, columns: int) -> None:
        self.calibration, self.risk, self.columns = calibration, risk, columns
        self.ring = Ring(capacity, (columns,))

    def refresh(self) -> None:
        values = self.ring.filled()
        if self.calibration == CALIBRATIONS[0]:
            self.threshold = exponential_tail(values.max(axis=1), self.risk, TAIL_SCALE_FLOOR)[4]
            return
        risk = self.risk / self.columns if self.calibration == CALIBRATIONS[1] else self.risk
        tails = [exponential_tail(np.ascontiguousarray(values[:, j]), risk, TAIL_SCALE_FLOOR) for j in range(self.columns)]
        self.u, self.sigma, _, self.log_share, self.column_thresholds = (np.array(part) for part in zip(*tails))
        if self.calibration == CALIBRATIONS[2]:
            self.threshold = exponential_tail(self.surprise(values).max(axis=1), self.risk, TAIL_SCALE_FLOOR)[4]

    def surprise(self, values: np.ndarray) -> np.ndarray:
        """``L = -log10 P`` per column under the column tails (0 below ``u``)."""
        return np.maximum((values - self.u) / self.sigma - self.log_share, 0.0) / math.log(10.0)

    def judge(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(flag, column giving the row score, row score) of per-column scores ``values``."""
        if self.calibration == CALIBRATIONS[0]:
            score = values.max(axis=1)
            return score > self.threshold, values.argmax(axis=1), score
        surprise = self.surprise(values)
        score = surprise.max(axis=1)
        if self.calibration == CALIBRATIONS[1]:
            return (values > self.column_thresholds).any(axis=1), surprise.argmax(axis=1), score
        return score > self.threshold, surprise.argmax(axis=1), score


def _median_and_mad(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a ``(C, n)`` array: the median and the MAD by the kernel's selection (``core._column_medians``)."""
    def medians(values: np.ndarray) -> np.ndarray:
        middle = values.shape[1] // 2
        ordered = np.partition(values, middle, axis=1)
        if values.shape[1] % 2:
            return ordered[:, middle]
        return (ordered[:, :middle].max(axis=1) + ordered[:, middle]) / 2.0
    location = medians(columns)
    return location, medians(np.abs(columns - location[:, None]))


def _run_lengths(previous: int, flags: np.ndarray) -> np.ndarray:
    """The length of the run of flagged rows ending at each row, continuing ``previous`` (``core._run_lengths``)."""
    positions = np.arange(len(flags))
    last_clear = np.maximum.accumulate(np.where(flags, -1, positions))
    return np.where(last_clear >= 0, positions - last_clear, positions + 1 + previous)


def _baseline(ring: Ring, resolution: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    location, mad = _median_and_mad(np.ascontiguousarray(ring.filled().T))
    return location, np.maximum(MAD_TO_SIGMA * mad, resolution), MAD_TO_SIGMA * mad


def simulate(train: np.ndarray, test: np.ndarray, candidate: Candidate = KERNEL) -> Outputs:
    """Fit on the training residuals and advance through the test residuals (one batch), as the kernel does."""
    window, lead, reset_after, every = P["window"], P["window"] - 1, P["reset_after"], P["refresh_every"]
    n_train, columns = train.shape
    resolution = RESOLUTION_RULES[candidate.resolution](train)
    baseline = Ring(P["baseline_size"], (columns,))
    baseline.extend(train)
    location, scale, mad_spread = _baseline(baseline, resolution)
    z = np.abs((train - location) / scale)
    warmup = min(P["warmup_rows"], n_train // 4)
    window_scale = _Scale(candidate.calibration, P["risk"], P["reference_size"], columns)
    window_scale.ring.extend(_window_means(z[:lead], z[lead:], window)[max(0, warmup - lead):])
    spike_scale = _Scale(candidate.calibration, P["spike_risk"], P["reference_size"], columns)
    spike_scale.ring.extend(z[warmup:])
    train_q99 = np.quantile(window_scale.ring.filled(), 0.99, axis=0)
    window_scale.refresh()
    spike_scale.refresh()
    history = z[n_train - lead:].copy()
    total = len(test)
    out = {name: np.zeros(total, dtype=np.int64) for name in ("flags", "window_flags", "spike_flags", "column", "spike_column")}
    out["score"] = np.zeros(total)
    run_rows, run_length, rows_seen, start = np.zeros((reset_after, columns)), 0, 0, 0
    while start < total:
        stop = min(total, start + every - rows_seen % every)
        block = test[start:stop]
        with np.errstate(over="ignore"):
            z = np.abs((block - location) / scale)
        means = _window_means(history, z, window)
        window_flag, column, score = window_scale.judge(means)
        spike_flag, spike_column, _ = spike_scale.judge(z)
        flags = window_flag | spike_flag
        runs = _run_lengths(run_length, flags)
        if (runs == reset_after).any():
            cut = int(np.argmax(runs == reset_after)) + 1
            block, z, means, flags, runs = block[:cut], z[:cut], means[:cut], flags[:cut], runs[:cut]
        stop = start + len(block)
        for name, values in (("flags", flags), ("window_flags", window_flag), ("spike_flags", spike_flag), ("column", column),
                             ("spike_column", spike_column), ("score", score)):
            out[name][start:stop] = values[: len(block)]
        learned = ~flags
        baseline.extend(block[learned])
        window_scale.ring.extend(means[learned])
        spike_scale.ring.extend(z[learned])
        history = np.concatenate([history, z])[len(z):]
        run = int(runs[-1])
        if run:
            fresh = min(run, len(block))
            run_rows[run - fresh: run] = block[len(block) - fresh:]
        reset = run == reset_after
        run_length = 0 if reset else run
        if reset:
            baseline.replace(run_rows)
        rows_seen += len(block)
        if reset or rows_seen % every == 0:
            location, scale, _ = _baseline(baseline, resolution)
            window_scale.refresh()
            spike_scale.refresh()
        start = stop
    return Outputs(out["flags"], postprocess_flags(out["flags"], **ALARMS), out["window_flags"], out["spike_flags"], out["column"],
                   out["spike_column"], out["score"], resolution, mad_spread, train_q99)


def kernel_outputs(y_true_train, y_pred_train, y_true_test, y_pred_test) -> tuple[np.ndarray, np.ndarray]:
    """``recommended_detector(screen_risk=None)``'s ``anomaly_flag`` and ``alarm`` (the reference the prototype must equal)."""
    _, flags_df = recommended_detector(screen_risk=None).fit_score_detect(y_true_train, y_pred_train, y_true_test, y_pred_test)
    return flags_df["anomaly_flag"].to_numpy(), flags_df["alarm"].to_numpy()


def residuals(y_true: pd.DataFrame, y_pred: pd.DataFrame) -> np.ndarray:
    return np.ascontiguousarray((y_true - y_pred).to_numpy(dtype=np.float64))


# ----------------------------------------------------------------------------------------------------------------
# Stress scenarios (fixed before any candidate ran; docs/detection_quality.md states them).
# ----------------------------------------------------------------------------------------------------------------

JITTERS = (0.0, 1e-9, 1e-6, 1e-3)  # jitter amplitude in units of the quantum: uniform on [-a, a] x quantum, added to the stored value
STRESS_SEEDS = {"plant_persistence": (9101, 9102, 9103), "plant_mean": (9111, 9112, 9113), "counter": (9121, 9122, 9123),
                "counter_odd_quantum": (9131, 9132, 9133)}
# "counter_odd_quantum" (quantum 0.32792, SKAB's Pressure step) was added AFTER the first candidate table was seen, to probe
# the significant-digit rules on a quantum that is not a power of ten; the other three kinds were fixed before any candidate ran.
ODD_QUANTUM = 0.32792
JITTER_SEED_OFFSET = 50_000  # the jitter draws come from their own generator (seed + offset): every jitter level scales the same draws
PLANT_COLUMNS = ("load_mw", "temperature_c", "pressure_bar", "flow_m3h", "vibration_mm_s", "setpoint")
PLANT_LEVEL = np.array([500.0, 12.0, 4.0, 80.0, 1.0])
PLANT_NOISE = np.array([4.0, 0.5, 0.02, 2.0, 0.05])
PLANT_FAULTS = ("level_shift", "level_shift", "variance_burst", "variance_burst", "spike", "spike")
STEP_PROBABILITY = 0.01  # per row; a step is one quantum, back toward the base level with probability 0.75 when away from it
COUNTER_LENGTHS = {"level_shift": (12, 48), "flapping": (12, 36), "spike": (1, 2)}


def _stepping_levels(rng: np.random.Generator, rows: int, base: float) -> np.ndarray:
    """An integer-valued level with long constant stretches: one-quantum steps at ``STEP_PROBABILITY`` per row."""
    level, levels = base, np.empty(rows)
    moves, towards, coin = rng.random(rows), rng.random(rows), rng.random(rows)
    for row in range(rows):
        if moves[row] < STEP_PROBABILITY:
            if level != base and towards[row] < 0.75:
                level += 1.0 if level < base else -1.0
            else:
                level += 1.0 if coin[row] < 0.5 else -1.0
        levels[row] = level
    return levels


def _jitter(seed: int, rows: int, jitter: float) -> np.ndarray:
    return np.random.default_rng(seed + JITTER_SEED_OFFSET).uniform(-1.0, 1.0, rows) * jitter


def _persistence(stored: np.ndarray) -> np.ndarray:
    return np.concatenate([stored[:1], stored[:-1]])


def _scenario(name: str, actual: np.ndarray, forecast: np.ndarray, train_rows: int, labels: np.ndarray, columns) -> Scenario:
    index = pd.date_range("2026-01-01", periods=len(actual), freq="h", tz="UTC")
    frames = [pd.DataFrame(values[rows], index=index[rows], columns=list(columns))
              for rows in (slice(None, train_rows), slice(train_rows, None)) for values in (actual, forecast)]
    return Scenario(name, *frames, labels)


def plant(seed: int, jitter: float, quantized_forecast: str, train_rows: int = 500, test_rows: int = 8000) -> Scenario:
    """Six columns; faults (``PLANT_FAULTS``) only in the five continuous ones; the sixth (``setpoint``) integer-valued,
    constant in long stretches, stored with jitter, forecast by persistence (``"persistence"``) or its training mean."""
    rng = np.random.default_rng(seed)
    rows = train_rows + test_rows
    hours = np.arange(rows)
    forecast = PLANT_LEVEL + PLANT_NOISE * _season(hours, 6.0)[:, None]
    actual = forecast + PLANT_NOISE * _ar_noise(rng, rows, PLANT_LEVEL.size, 4.0)
    levels = _stepping_levels(rng, rows, 40.0)
    labels = np.zeros(test_rows, dtype=np.int64)
    _inject(rng, actual[train_rows:], forecast[train_rows:], PLANT_NOISE, PLANT_FAULTS, labels)
    stored = levels + _jitter(seed, rows, jitter)
    quantized = _persistence(stored) if quantized_forecast == "persistence" else np.full(rows, stored[:train_rows].mean())
    return _scenario(f"plant_{quantized_forecast}/{seed}/jitter {jitter:g}", np.column_stack([actual, stored]),
                     np.column_stack([forecast, quantized]), train_rows, labels, PLANT_COLUMNS)


def counter(seed: int, jitter: float, quantum: float = 1.0, train_rows: int = 300, test_rows: int = 8000) -> Scenario:
    """One series on the grid ``quantum`` x integers (base 5) with long constant stretches, stored with jitter, forecast by persistence;
    faults in it: level shifts of 3-6 quanta (12-48 rows), flapping of +-1..2 quanta per row (12-36 rows), spikes of
    5-10 quanta (1-2 rows), two of each, placed as the monitoring suite places them."""
    rng = np.random.default_rng(seed)
    rows = train_rows + test_rows
    levels = _stepping_levels(rng, rows, 5.0)
    kinds = ("level_shift", "level_shift", "flapping", "flapping", "spike", "spike")
    lengths = [int(rng.integers(low, high + 1)) for low, high in (COUNTER_LENGTHS[kind] for kind in kinds)]
    labels = np.zeros(test_rows, dtype=np.int64)
    for kind, length, start in zip(kinds, lengths, _starts(rng, lengths, test_rows)):
        span = slice(train_rows + start, train_rows + start + length)
        sign = rng.choice([-1.0, 1.0])
        if kind == "level_shift":
            levels[span] += sign * rng.integers(3, 7)
        elif kind == "flapping":
            levels[span] += rng.choice([-2.0, -1.0, 1.0, 2.0], size=length)
        else:
            levels[span] += sign * rng.integers(5, 11)
        labels[start: start + length] = 1
    stored = (levels + _jitter(seed, rows, jitter)) * quantum
    return _scenario(f"counter/{seed}/jitter {jitter:g}", stored[:, None], _persistence(stored)[:, None], train_rows, labels, ("value",))


def stress_scenarios(quick: bool = False) -> dict[tuple[str, float], list[Scenario]]:
    """``(kind, jitter)`` -> the scenarios of its seeds (``quick``: the first seed only)."""
    sets = {}
    for kind, seeds in STRESS_SEEDS.items():
        for jitter in JITTERS:
            chosen = seeds[:1] if quick else seeds
            if kind.startswith("counter"):
                sets[(kind, jitter)] = [counter(seed, jitter, ODD_QUANTUM if kind == "counter_odd_quantum" else 1.0) for seed in chosen]
            else:
                sets[(kind, jitter)] = [plant(seed, jitter, kind.split("_")[1]) for seed in chosen]
    return sets


# ----------------------------------------------------------------------------------------------------------------
# Running and checking.
# ----------------------------------------------------------------------------------------------------------------

class Checker:
    """Counts the rows where the prototype's kernel rule differs from ``recommended_detector(screen_risk=None)`` (flags or alarms)."""

    def __init__(self) -> None:
        self.rows = self.differing = 0

    def compare(self, frames: tuple, outputs: Outputs) -> None:
        flags, alarms = kernel_outputs(*frames)
        self.rows += flags.size
        self.differing += int(np.sum((flags != outputs.flags) | (alarms != outputs.alarms)))

    def line(self, what: str) -> str:
        return f"check ({what}): prototype of the kernel rule vs recommended_detector(screen_risk=None): {self.differing} of {self.rows} rows differ"


def run_scenarios(scenarios: list[Scenario], candidate: Candidate, checker: Checker | None = None) -> dict:
    alarms, scores = [], []
    for scenario in scenarios:
        frames = scenario[1:5]
        outputs = simulate(residuals(*frames[:2]), residuals(*frames[2:]), candidate)
        if checker is not None:
            checker.compare(frames, outputs)
        alarms.append(outputs.alarms)
        scores.append(outputs.score)
    return quality_row(scenarios, alarms, scores)


def run_skab(runs: list, candidate: Candidate, checker: Checker | None = None, forecast: str = "constant_mean") -> tuple[dict, list]:
    """Pooled SKAB figures of the raw flags (keys all / valve / other; ``alarms_all``: the alarm column, pooled) and each
    run's (group, labels, outputs)."""
    per_run = []
    for run in runs:
        frames = forecast_frames(run, forecast)
        outputs = simulate(residuals(frames.y_true_train, frames.y_pred_train), residuals(frames.y_true_test, frames.y_pred_test), candidate)
        if checker is not None:
            checker.compare(frames[:4], outputs)
        per_run.append((run.group, frames.test_labels, outputs))
    selections = {"all": tuple(group for groups in SPLITS.values() for group in groups), **SPLITS}
    metrics = {key: pooled_metrics([labels for group, labels, _ in per_run if group in groups],
                                   [outputs.flags for group, _, outputs in per_run if group in groups])
               for key, groups in selections.items()}
    metrics["alarms_all"] = pooled_metrics([labels for _, labels, _ in per_run], [outputs.alarms for _, _, outputs in per_run])
    return metrics, per_run


SKAB_JITTER_SEED = 9141  # added AFTER the first candidate table was seen (a probe on real data, like "counter_odd_quantum")
SKAB_JITTERS = (1e-15, 1e-9, 1e-6)  # relative to each value: value * (1 + U(-1, 1) * jitter), every column of every run


def jittered_runs(runs: list, jitter: float) -> list:
    """SKAB's runs with every value multiplied by ``1 + U(-1, 1) * jitter`` (one generator, seeded ``SKAB_JITTER_SEED``)."""
    rng = np.random.default_rng(SKAB_JITTER_SEED)
    return [run._replace(sensors=run.sensors * (1.0 + rng.uniform(-1.0, 1.0, run.sensors.shape) * jitter)) for run in runs]


def _skab_cells(metrics) -> str:
    return f"{metrics.f1:.3f} / {metrics.far:.2f} / {metrics.mar:.2f}"


def _suite_cells(row: dict) -> str:
    return f"{row['event_f1']:.3f} / {row['recall']:.3f} / {row['false_bursts_per_10k']:.1f}"


def attribution(runs: list) -> None:
    checker = Checker()
    _, per_run = run_skab(runs, KERNEL, checker)
    columns = list(runs[0].sensors.columns)
    print("1. SKAB attribution, recommended configuration (constant-mean forecast; rows flagged by anomaly_flag)")
    print(checker.line("SKAB"))
    for half, groups in SPLITS.items():
        chosen = [(labels, outputs) for group, labels, outputs in per_run if group in groups]
        counts = {kind: np.zeros(len(columns), dtype=np.int64) for kind in ("TP", "FP", "FN")}
        scales = {kind: {"window only": 0, "spike only": 0, "both": 0} for kind in ("TP", "FP")}
        for labels, outputs in chosen:
            truth, alarm = labels.astype(bool), outputs.flags.astype(bool)
            for kind, mask in (("TP", truth & alarm), ("FP", ~truth & alarm), ("FN", truth & ~alarm)):
                counts[kind] += np.bincount(outputs.column[mask], minlength=len(columns))
                if kind != "FN":
                    w, s = outputs.window_flags[mask].astype(bool), outputs.spike_flags[mask].astype(bool)
                    for label, part in (("window only", w & ~s), ("spike only", s & ~w), ("both", w & s)):
                        scales[kind][label] += int(part.sum())
        print(f"\n  half {half} ({'+'.join(groups)}): rows by the column giving the window row score (argmax of the 10-row mean |z|)")
        print(f"  {'column':<24}{'TP rows':>9}{'FP rows':>9}{'missed':>9}")
        for j, column in enumerate(columns):
            print(f"  {column:<24}{counts['TP'][j]:>9}{counts['FP'][j]:>9}{counts['FN'][j]:>9}")
        for kind in ("TP", "FP"):
            print(f"  {kind} rows by the scale that flagged: " + ", ".join(f"{label} {n}" for label, n in scales[kind].items()))
        spike_tp = np.zeros(len(columns), dtype=np.int64)
        for labels, outputs in chosen:
            mask = outputs.spike_flags.astype(bool)
            spike_tp += np.bincount(outputs.spike_column[mask], minlength=len(columns))
        print("  rows flagged by the one-row scale, by its argmax column: " + ", ".join(f"{c} {n}" for c, n in zip(columns, spike_tp) if n))
    print("\n  resolution floor vs 1.4826 MAD at fit (median over the runs of each half; 'floor on' = runs where the floor > 1.4826 MAD;"
          " q99 = the 99 % quantile of the column's training 10-row mean |z|)")
    print(f"  {'column':<24}" + "".join(f"{h + ' floor':>14}{h + ' 1.48MAD':>14}{'floor on':>10}{h + ' q99':>12}" for h in SPLITS))
    for j, column in enumerate(columns):
        cells = []
        for groups in SPLITS.values():
            outs = [outputs for group, _, outputs in per_run if group in groups]
            floors = np.array([o.resolution[j] for o in outs])
            spreads = np.array([o.mad_spread[j] for o in outs])
            q99 = np.median([o.train_q99[j] for o in outs])
            cells.append(f"{np.median(floors):>14.3g}{np.median(spreads):>14.3g}{f'{int(np.sum(floors > spreads))}/{len(outs)}':>10}{q99:>12.3g}")
        print(f"  {column:<24}" + "".join(cells))
    print()


def stress(quick: bool) -> None:
    sets = stress_scenarios(quick)
    checker = Checker()
    print("2. Stress scenarios, recommended configuration (alarm column; windows / hit / false bursts, recall, precision, FB per 10k)")
    print(f"  {'kind':<20}{'jitter':>8}{'windows':>9}{'hit':>6}{'false':>7}{'recall':>8}{'precision':>10}{'FB/10k':>8}")
    for (kind, jitter), scenarios in sets.items():
        row = run_scenarios(scenarios, KERNEL, checker)
        print(f"  {kind:<20}{jitter:>8g}{row['windows']:>9}{row['hit_windows']:>6}{row['false_bursts']:>7}{row['recall']:>8.3f}"
              f"{row['precision']:>10.3f}{row['false_bursts_per_10k']:>8.1f}")
    print(f"  {checker.line('stress')}")
    differing = sum(int(np.sum(simulate(residuals(*c[1:3]), residuals(*c[3:5]), KERNEL).flags
                               != simulate(residuals(*c[1:3]), residuals(*c[3:5]), Candidate(KERNEL.resolution, CALIBRATIONS[1])).flags))
                    for (kind, _), scenarios in sets.items() if kind.startswith("counter") for c in scenarios)
    print(f"  check (one column): per-column tails at risk / 1 vs the row tail on the counter scenarios: {differing} rows differ")
    # Which column gives the row score on the plant scenarios' false-alarm and labelled rows, at each jitter.
    print("  plant scenarios: flagged rows (anomaly_flag) outside the labels whose window row score comes from the quantized column 'setpoint'")
    for (kind, jitter), scenarios in sets.items():
        if kind.startswith("counter"):
            continue
        outside = from_setpoint = 0
        for scenario in scenarios:
            outputs = simulate(residuals(*scenario[1:3]), residuals(*scenario[3:5]), KERNEL)
            mask = outputs.flags.astype(bool) & ~scenario.labels.astype(bool)
            outside += int(mask.sum())
            from_setpoint += int(np.sum(outputs.column[mask] == len(PLANT_COLUMNS) - 1))
        print(f"    {kind:<20} jitter {jitter:<6g}: {from_setpoint} of {outside} rows")
    print()


def candidates(runs: list | None, quick: bool) -> None:
    sets = stress_scenarios(quick)
    jittered = {} if runs is None else {jitter: jittered_runs(runs, jitter) for jitter in SKAB_JITTERS}
    suites = {suite: make_scenarios(suite) for suite in (SEEN_SUITES[:1] if quick else SEEN_SUITES)}
    chosen = [KERNEL, CANDIDATES[0], CANDIDATES[6]] if quick else CANDIDATES
    print("3. Candidates (SKAB: F1 / FAR % / MAR %; suites and stress: event F1 / recall / false bursts per 10k; alarm column)")
    for candidate in chosen:
        print(f"\n  candidate: resolution '{candidate.resolution}', calibration '{candidate.calibration}'")
        if runs is not None:
            metrics, _ = run_skab(runs, candidate)
            print(f"    SKAB all {_skab_cells(metrics['all'])} | valve1+valve2 {_skab_cells(metrics['valve'])} | other {_skab_cells(metrics['other'])}"
                  f" | all, alarm column {_skab_cells(metrics['alarms_all'])}")
            persistence, _ = run_skab(runs, candidate, forecast="persistence")
            print(f"    SKAB persistence forecast: all {_skab_cells(persistence['all'])} | valve1+valve2 {_skab_cells(persistence['valve'])}"
                  f" | other {_skab_cells(persistence['other'])}")
            for jitter, noisy in jittered.items():
                metrics, _ = run_skab(noisy, candidate)
                print(f"    SKAB, values x (1 + U(-1,1) x {jitter:g}): all {_skab_cells(metrics['all'])} | valve1+valve2 "
                      f"{_skab_cells(metrics['valve'])} | other {_skab_cells(metrics['other'])}")
        print("    " + " | ".join(f"{suite} {_suite_cells(run_scenarios(scenarios, candidate))}" for suite, scenarios in suites.items()))
        for kind in STRESS_SEEDS:
            cells = [f"{jitter:g}: {_suite_cells(run_scenarios(sets[(kind, jitter)], candidate))}" for jitter in JITTERS]
            print(f"    {kind:<18} " + " | ".join(cells))
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the SKAB folder (default {DEFAULT_DATA})")
    parser.add_argument("--part", choices=("attribution", "stress", "candidates"), action="append", help="repeatable; default all")
    parser.add_argument("--quick", action="store_true", help="one seed per stress kind, three candidates, the tuning suite only (a smoke run)")
    arguments = parser.parse_args()
    parts = arguments.part or ["attribution", "stress", "candidates"]
    try:
        runs = load_runs(arguments.data)
    except SkabDataMissing as error:
        runs = None
        print(f"SKAB parts skipped: {error}\n")
    if "attribution" in parts and runs is not None:
        attribution(runs)
    if "stress" in parts:
        stress(arguments.quick)
    if "candidates" in parts:
        candidates(runs, arguments.quick)


if __name__ == "__main__":
    main()
