# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Golden outputs: the reference scenarios, their output hashes and the ``reproduce`` command.

A scenario's hash covers the output index and every output column's bytes (``anomaly_score``,
``anomaly_score_normalized``, ``anomaly_flag`` and, with alarm post-processing, ``alarm``; for the adaptive
method ``baseline_reset`` too) and the fit
record without the library and dependency versions (so a version bump that changes no output changes no
hash). The committed golden file (``verification/golden_outputs.json``) keeps one record per machine
class, with the reference outputs themselves, so another CPU class is checked against a measured bound
and not only by hash (:mod:`spotanomaly2_safe_cli.reproduce.records`, :mod:`spotanomaly2_safe_cli.reproduce.closeness`).
Bit-identity is promised on one machine class, which includes the dependency versions: the verified
environment is pinned in ``verification/constraints.txt``. Recording is one command,
``spotanomaly2-safe reproduce --record --reason "..."``, which writes this machine class's record only.

``reproduce`` prints one line per scenario (``identical``, ``within bound`` with the largest ULP and
relative differences, or ``differs`` with the rows) and the layer reached; exit status
:data:`EXIT_IDENTICAL` (0), :data:`EXIT_WITHIN_BOUND` (10), :data:`EXIT_DIFFERS` (1), or 2 for a usage
error or a refused recording, 3 for an unreadable or changed golden file (one line on stderr).
"""

import argparse
import hashlib
import json
import platform
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe.adaptive import AdaptiveDetector
from spotanomaly2_safe_cli.reproduce.closeness import DIFFERS, IDENTICAL, ScenarioOutputs
from spotanomaly2_safe_cli.demo import make_demo_data
from spotanomaly2_safe_cli.reproduce.records import GoldenFileError, GoldenRecordError, Reproduction, check_reproduction, record_golden
from spotanomaly2_safe_cli.reproduce.machine_class import class_id, current_machine_class
from spotanomaly2_safe_cli.versions import dependency_versions

__all__ = [
    "EXIT_DIFFERS",
    "EXIT_IDENTICAL",
    "EXIT_WITHIN_BOUND",
    "ADAPTIVE_ALL_PARTS",
    "ADAPTIVE_REFERENCE",
    "AdaptiveScenarioRun",
    "GOLDEN_FILE",
    "RECOMMENDED",
    "REFERENCE_SCENARIOS",
    "Scenario",
    "add_reproduce_arguments",
    "compute_hashes",
    "compute_outputs",
    "heavy_tailed_data",
    "heavy_tailed_seasonal_glitch_data",
    "environment",
    "output_hash",
    "reproduce",
    "run_reproduce",
    "run_scenario",
    "scenario_outputs",
]

GOLDEN_FILE = Path("verification") / "golden_outputs.json"
EXIT_IDENTICAL, EXIT_DIFFERS, EXIT_USAGE, EXIT_WITHIN_BOUND = 0, 1, 2, 10


class Scenario(NamedTuple):
    """Reference data (a function returning train/test actuals and forecasts), detector parameters and method.

    ``method``: ``"forecasting"`` (``ForecastingAnomalyDetector(**parameters)``) or ``"adaptive"``
    (``AdaptiveDetector(**parameters)``, its test rows directly following its training rows).
    """

    make_data: Callable[[], tuple[pd.DataFrame, ...]]
    parameters: dict[str, Any]
    method: str = "forecasting"


def heavy_tailed_data(n_train: int = 3000, n_test: int = 1000, n_columns: int = 4) -> tuple[pd.DataFrame, ...]:
    """Student-t(3) residuals on four 15-minute series with a spike and a level shift in the test part."""
    rng = np.random.default_rng(20260201)
    index = pd.date_range("2026-02-01", periods=n_train + n_test, freq="15min", tz="UTC")
    columns = [f"meter_{i}" for i in range(n_columns)]
    forecast = pd.DataFrame(100 + 10 * rng.normal(size=(n_train + n_test, n_columns)), index=index, columns=columns)
    actual = forecast + rng.standard_t(3, size=forecast.shape)
    actual.iloc[n_train + 100, 0] += 40.0
    actual.iloc[n_train + 500:n_train + 540, 2] += 8.0
    return actual.iloc[:n_train], forecast.iloc[:n_train], actual.iloc[n_train:], forecast.iloc[n_train:]


# The recommended configuration of README.md (docs/detection_quality.md): few alarms, a stated per-row risk.
RECOMMENDED = {
    "scorer_name": "RobustZScorer",
    "scorer_params": {"aggregation": "l2", "window": 6, "window_agg": "mean"},
    "threshold_method": "pot",
    "risk": 1e-3,
    "normalization": "tail_probability",
    "min_gap": 48,
}

# The adaptive method with EXPLICIT parameters (not recommended_detector()), so that retuning the recommendation
# does not change the reference; reset_after=20 makes the 40-row level shift reset the baseline; the alarm rule
# puts the carried alarm state into the reference.
ADAPTIVE_REFERENCE = {
    "window": 10,
    "baseline_size": 500,
    "reference_size": 2000,
    "refresh_every": 50,
    "risk": 1e-3,
    "reset_after": 20,
    "aggregation": "max",
    "smoothing": "absolute",
    "warmup_rows": 0,
    "min_duration": 2,
    "min_gap": 10,
    "spike_risk": None,
    "screen_risk": None,
}

# Every part of the adaptive method at once, with EXPLICIT parameters: the recommendation of 2026-11-26 (one-row scale,
# training screen, alarm rule) plus a seasonal term of one day of 15-minute rows, on heavy_tailed_data with a daily
# season the forecast misses and a training glitch for the screen to take out (heavy_tailed_seasonal_glitch_data).
ADAPTIVE_ALL_PARTS = {
    "window": 10,
    "baseline_size": 500,
    "reference_size": 2000,
    "refresh_every": 50,
    "risk": 5e-4,
    "reset_after": 500,
    "aggregation": "max",
    "smoothing": "absolute",
    "warmup_rows": 50,
    "min_duration": 1,
    "min_gap": 48,
    "spike_risk": 2e-4,
    "screen_risk": 0.01,
    "season_period": 96,
}


def heavy_tailed_seasonal_glitch_data() -> tuple[pd.DataFrame, ...]:
    """:func:`heavy_tailed_data` with a daily season (amplitude 3, period 96 rows) the forecast misses in every column
    and a -500 glitch in column 1 at training row 1,500."""
    train_true, train_pred, test_true, test_pred = heavy_tailed_data()
    season = 3.0 * np.sin(2 * np.pi * np.arange(len(train_true) + len(test_true)) / 96)[:, None]
    train_true = train_true + season[: len(train_true)]
    test_true = test_true + season[len(train_true) :]
    train_true.iloc[1500, 1] -= 500.0
    return train_true, train_pred, test_true, test_pred


REFERENCE_SCENARIOS: dict[str, Scenario] = {
    "demo-kmeans": Scenario(make_demo_data, {"scorer_name": "KMeansScorer", "scorer_params": {"n_clusters": 3}}),
    "demo-norm": Scenario(make_demo_data, {"scorer_name": "NormScorer", "scorer_params": {"ord": 2}}),
    "demo-isolation-forest": Scenario(make_demo_data, {"scorer_name": "IsolationForestScorer", "scorer_params": {"n_estimators": 50}}),
    "heavy-tailed-kmeans-auto-k": Scenario(
        heavy_tailed_data, {"scorer_name": "KMeansScorer", "scorer_params": {"auto_select_k": True, "k_max": 6}}
    ),
    "heavy-tailed-norm-inf-anchored": Scenario(
        heavy_tailed_data,
        {"scorer_name": "NormScorer", "scorer_params": {"ord": float("inf")}, "normalization": "threshold_anchored"},
    ),
    "demo-recommended": Scenario(make_demo_data, RECOMMENDED),
    "heavy-tailed-isolation-forest": Scenario(
        heavy_tailed_data, {"scorer_name": "IsolationForestScorer", "scorer_params": {"max_samples": 256}, "high_quantile": 0.995}
    ),
    "heavy-tailed-adaptive": Scenario(heavy_tailed_data, ADAPTIVE_REFERENCE, method="adaptive"),
    "seasonal-glitch-adaptive-all-parts": Scenario(heavy_tailed_seasonal_glitch_data, ADAPTIVE_ALL_PARTS, method="adaptive"),
}


class AdaptiveScenarioRun(NamedTuple):
    """An adaptive scenario's fitted detector (``adaptive``), with the attributes the evidence report reads of a
    scenario's detector: ``fit_record_``, ``scorer_name`` and ``detector.threshold`` (the threshold at fit; the
    adaptive threshold follows the normal rows after it)."""

    adaptive: AdaptiveDetector
    fit_record_: dict
    scorer_name: str
    detector: SimpleNamespace


def run_scenario(name: str) -> tuple[Any, pd.DataFrame, pd.DataFrame, tuple[pd.DataFrame, ...]]:
    """Fit and score one reference scenario: the fitted detector (an :class:`AdaptiveScenarioRun` for the
    adaptive method), scores, flags and the data."""
    scenario = REFERENCE_SCENARIOS[name]
    data = scenario.make_data()
    if scenario.method == "adaptive":
        adaptive = AdaptiveDetector(**scenario.parameters).fit(data[0], data[1])
        scores_df, flags_df = adaptive.score_and_detect(data[2], data[3])  # the state carries on from the training rows
        threshold = SimpleNamespace(threshold=adaptive.fit_record_["tail"]["threshold"])
        return AdaptiveScenarioRun(adaptive, adaptive.fit_record_, type(adaptive).__name__, threshold), scores_df, flags_df, data
    detector = ForecastingAnomalyDetector(**scenario.parameters).fit(data[0], data[1])
    # A windowed scorer continues from the training data: its context is the last window - 1 training rows.
    context_rows = detector.scorer.window - 1
    context = (data[0].iloc[-context_rows:], data[1].iloc[-context_rows:]) if context_rows else (None, None)
    scores_df, flags_df = detector.score_and_detect(data[2], data[3], *context)
    return detector, scores_df, flags_df, data


def output_hash(scores_df: pd.DataFrame, flags_df: pd.DataFrame, fit_record: dict) -> str:
    """SHA-256 over the output index, every output column's bytes and the version-free fit record."""
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(scores_df.index, index=False).to_numpy().tobytes())
    for frame in (scores_df, flags_df):
        for column in frame.columns:
            digest.update(str(column).encode())
            digest.update(np.ascontiguousarray(frame[column].to_numpy()).tobytes())
    stable_record = {key: value for key, value in fit_record.items() if key not in ("library", "dependencies")}
    digest.update(json.dumps(stable_record, sort_keys=True, allow_nan=False).encode())
    return digest.hexdigest()


def scenario_outputs(scores_df: pd.DataFrame, flags_df: pd.DataFrame, fit_record: dict) -> ScenarioOutputs:
    """A scenario's outputs as the golden records keep them: row labels as text, columns, version-free fit record."""
    columns = {str(column): frame[column].to_numpy() for frame in (scores_df, flags_df) for column in frame.columns}
    stable_record = {key: value for key, value in fit_record.items() if key not in ("library", "dependencies")}
    return ScenarioOutputs(np.asarray(scores_df.index.astype(str), dtype=str), columns, json.loads(json.dumps(stable_record)))


def compute_outputs(names: Sequence[str] | None = None) -> tuple[dict[str, str], dict[str, ScenarioOutputs]]:
    """The output hash and the outputs of each reference scenario (all of them by default)."""
    hashes, outputs = {}, {}
    for name in names or REFERENCE_SCENARIOS:
        detector, scores_df, flags_df, _ = run_scenario(name)
        hashes[name] = output_hash(scores_df, flags_df, detector.fit_record_)
        outputs[name] = scenario_outputs(scores_df, flags_df, detector.fit_record_)
    return hashes, outputs


def compute_hashes(names: Sequence[str] | None = None) -> dict[str, str]:
    """The output hash of each reference scenario (all of them by default)."""
    return compute_outputs(names)[0]


def environment() -> dict[str, str]:
    """Where the outputs were computed: dependency versions, Python, platform."""
    return {**dependency_versions(), "python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine()}


def reproduce(golden: Path) -> Reproduction:
    """Recompute every reference scenario here and check it against the golden file (layers a, b, c)."""
    hashes, outputs = compute_outputs()
    return check_reproduction(golden, current_machine_class(), hashes, outputs)


def add_reproduce_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--golden", type=Path, default=GOLDEN_FILE, help=f"the golden file (default: {GOLDEN_FILE})")
    parser.add_argument("--record", action="store_true",
                        help="write this machine class's record (hashes and reference outputs); needs --reason")
    parser.add_argument("--reason", default="", help="why the outputs changed or the record is added (kept in the golden file's history)")


def _error(message: str) -> int:
    print(f"spotanomaly2-safe: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_reproduce(arguments: argparse.Namespace) -> int:
    """Print each scenario's verdict and the layer reached; exit status by the worst verdict (module docstring)."""
    if arguments.record and not arguments.reason.strip():
        return _error("reproduce --record needs --reason \"...\": what changed in the outputs, and why.")
    hashes, outputs = compute_outputs()
    machine_class = current_machine_class()
    try:
        if arguments.record:
            record_golden(arguments.golden, machine_class, hashes, outputs, arguments.reason)
            print(f"recorded machine class {class_id(machine_class)} in {arguments.golden}")
        result = check_reproduction(arguments.golden, machine_class, hashes, outputs)
    except GoldenFileError:
        raise  # an input file: reported by main as one line with exit code 3
    except GoldenRecordError as error:
        return _error(str(error))
    print(f"machine class {class_id(machine_class)}")
    for name, verdict in result.verdicts.items():
        print(f"{name:<34} {verdict.summary()}")
    print(result.statement())
    worst = result.worst()
    return EXIT_IDENTICAL if worst == IDENTICAL else EXIT_DIFFERS if worst == DIFFERS else EXIT_WITHIN_BOUND
