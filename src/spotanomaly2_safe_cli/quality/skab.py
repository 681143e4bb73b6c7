# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""SKAB (Skoltech Anomaly Benchmark) under its published outlier-detection protocol.

SKAB is a real, labelled, multivariate testbed (a water-circulation rig, 8 sensors, 1-second rows). Its
data are GPL-3.0: they are read at run time from a folder the caller names (``benchmarks/bench_skab.py``
defaults to ``../shared/data/skab`` beside the repository) and never copied into the project.

Protocol (SKAB README, "Proposed Leaderboard", outlier detection):

- every labelled run of ``valve1/``, ``valve2/`` and ``other/`` (not ``anomaly-free/``): a ``;``-separated
  CSV indexed by ``datetime`` with the sensor columns and the labels ``anomaly`` and ``changepoint``;
- per run the first ``TRAIN_ROWS`` (400) rows train and every later row tests;
- binary figures pooled over every test row of every run, with TP, FP, FN, TN counted row by row:
  ``F1 = TP / (TP + (FP + FN) / 2)``, ``FAR = FP / (FP + TN) * 100`` and ``MAR = FN / (FN + TP) * 100``
  (percentages); a zero denominator gives 0.0.

SKAB has no forecasts. Two forecasts make ``y_true``/``y_pred`` pairs (``FORECASTS``); every figure says
which one it used:

- ``"constant_mean"``: each column's mean over the run's training rows, for every row;
- ``"persistence"``: the previous row. The first row has none, so training is rows 1 to 399 (399 rows);
  the first test row's forecast is the last training row.

The split figure guards against tuning on all of SKAB: pooled figures over ``SPLITS["valve"]``
(``valve1`` + ``valve2``) and over ``SPLITS["other"]`` separately, so a configuration chosen on one half
can be reported on the other.

>>> import numpy as np
>>> pooled_metrics([np.array([1, 1, 0, 0])], [np.array([1, 0, 1, 0])])
PooledMetrics(f1=0.5, far=50.0, mar=50.0, tp=1, fp=1, fn=1, tn=1)
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["FORECASTS", "GROUPS", "PUBLISHED", "SPLITS", "TARGETS", "TRAIN_ROWS", "ForecastFrames", "PooledMetrics",
           "SkabRun", "SkabDataMissing", "evaluate", "forecast_frames", "load_runs", "pooled_metrics", "targets_met"]

TRAIN_ROWS = 400
GROUPS = ("valve1", "valve2", "other")
SPLITS = {"valve": ("valve1", "valve2"), "other": ("other",)}
LABEL_COLUMNS = ("anomaly", "changepoint")
FORECASTS = ("constant_mean", "persistence")
# The SKAB leaderboard's best outlier-detection rows (F1, FAR %, MAR %), as its README publishes them.
PUBLISHED = {"Conv-AE": (0.78, 13.55, 28.02), "MSET": (0.78, 39.73, 14.13), "T-squared+Q (PCA)": (0.76, 26.62, 24.92)}
# Issue 16: dominate every published row.
TARGETS = {"f1": 0.82, "far": 12.0, "mar": 25.0}


class SkabDataMissing(FileNotFoundError):
    """The SKAB folder, or one of its group folders, is absent or holds no run."""


class SkabRun(NamedTuple):
    group: str
    name: str
    sensors: pd.DataFrame
    labels: np.ndarray


class ForecastFrames(NamedTuple):
    y_true_train: pd.DataFrame
    y_pred_train: pd.DataFrame
    y_true_test: pd.DataFrame
    y_pred_test: pd.DataFrame
    test_labels: np.ndarray


class PooledMetrics(NamedTuple):
    f1: float
    far: float
    mar: float
    tp: int
    fp: int
    fn: int
    tn: int


def load_runs(root: Path) -> list[SkabRun]:
    """Every labelled run under ``root`` (the folder holding ``data/`` or the ``data/`` folder itself).

    Runs are in ``GROUPS`` order, numerically by file name within a group. Raises ``SkabDataMissing``
    naming the folder when a group folder is absent or empty.
    """
    root = Path(root)
    data = root / "data" if (root / "data").is_dir() else root
    runs = []
    for group in GROUPS:
        paths = sorted((data / group).glob("*.csv"), key=lambda path: (len(path.stem), path.stem))
        if not paths:
            raise SkabDataMissing(f"no SKAB runs in {data / group}; expected the data/ folder of SKAB (valve1, valve2, other)")
        for path in paths:
            frame = pd.read_csv(path, sep=";", index_col="datetime", parse_dates=["datetime"])
            labels = frame["anomaly"].to_numpy(dtype=np.int64)
            runs.append(SkabRun(group, path.stem, frame.drop(columns=list(LABEL_COLUMNS)).astype(np.float64), labels))
    return runs


def forecast_frames(run: SkabRun, forecast: str) -> ForecastFrames:
    """Training and test actuals and forecasts of ``run`` under ``forecast`` (module docstring), and the test labels."""
    sensors = run.sensors
    if forecast == "constant_mean":
        mean = sensors.iloc[:TRAIN_ROWS].mean()
        predicted = pd.DataFrame(np.broadcast_to(mean.to_numpy(), sensors.shape).copy(), index=sensors.index, columns=sensors.columns)
        first = 0
    elif forecast == "persistence":
        predicted = sensors.shift(1)
        first = 1
    else:
        raise ValueError(f"unknown forecast {forecast!r}; choose one of {', '.join(FORECASTS)}")
    train, test = slice(first, TRAIN_ROWS), slice(TRAIN_ROWS, None)
    return ForecastFrames(sensors.iloc[train], predicted.iloc[train], sensors.iloc[test], predicted.iloc[test],
                          run.labels[TRAIN_ROWS:])


def pooled_metrics(labels: Iterable[np.ndarray], flags: Iterable[np.ndarray]) -> PooledMetrics:
    """F1, FAR % and MAR % of ``flags`` against ``labels``, counted over every row of every pair (module docstring)."""
    truth = np.concatenate([np.asarray(part, dtype=bool) for part in labels])
    flagged = np.concatenate([np.asarray(part, dtype=bool) for part in flags])
    if truth.shape != flagged.shape:
        raise ValueError(f"labels have {truth.size} rows and flags {flagged.size}; they must describe the same rows")
    tp, fp = int(np.sum(truth & flagged)), int(np.sum(~truth & flagged))
    fn, tn = int(np.sum(truth & ~flagged)), int(np.sum(~truth & ~flagged))
    f1 = tp / (tp + (fp + fn) / 2) if tp + fp + fn else 0.0
    far = fp / (fp + tn) * 100 if fp + tn else 0.0
    mar = fn / (fn + tp) * 100 if fn + tp else 0.0
    return PooledMetrics(f1, far, mar, tp, fp, fn, tn)


def evaluate(runs: Sequence[SkabRun], detect: Callable[[ForecastFrames], np.ndarray], forecast: str) -> dict[str, PooledMetrics]:
    """Pooled figures of ``detect`` (test frames -> 0/1 flag per test row) over all runs and over each of ``SPLITS``.

    Keys: ``"all"`` and each key of ``SPLITS``.
    """
    per_run = []
    for run in runs:
        frames = forecast_frames(run, forecast)
        flags = np.asarray(detect(frames))
        if flags.shape != frames.test_labels.shape:
            raise ValueError(f"run {run.group}/{run.name}: {flags.size} flags for {frames.test_labels.size} test rows")
        per_run.append((run.group, frames.test_labels, flags))
    selections: Mapping[str, tuple[str, ...]] = {"all": GROUPS, **SPLITS}
    return {key: pooled_metrics([labels for group, labels, _ in per_run if group in groups],
                                [flags for group, _, flags in per_run if group in groups])
            for key, groups in selections.items()}


def targets_met(metrics: PooledMetrics) -> dict[str, bool]:
    """Whether ``metrics`` meets each of ``TARGETS`` (F1 at least, FAR and MAR at most)."""
    return {"f1": metrics.f1 >= TARGETS["f1"], "far": metrics.far <= TARGETS["far"], "mar": metrics.mar <= TARGETS["mar"]}
