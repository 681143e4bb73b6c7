# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Golden outputs: SHA-256 of the kernel's outputs on fixed generated reference scenarios.

A scenario's hash covers the output index and every output column's bytes (``anomaly_score``,
``anomaly_score_normalized``, ``anomaly_flag`` and, with alarm post-processing, ``alarm``) and the fit record without the library and dependency versions (so a
version bump that changes no output changes no hash). The committed golden file
(``verification/golden_outputs.json``) holds one hash per scenario, the environment it was recorded in,
and a history of recordings each with its reason: a change in outputs fails the golden test until the
file is deliberately re-recorded with a reason (``spotanomaly2-safe reproduce --record --reason "..."``). Bit-identity is promised for the same dependency build and platform, so the test
environment is pinned (``requirements-lock.txt``).
"""

import argparse
import datetime
import hashlib
import json
import platform
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.demo import make_demo_data
from spotanomaly2_safe_cli.versions import dependency_versions

__all__ = [
    "GOLDEN_FILE",
    "RECOMMENDED",
    "REFERENCE_SCENARIOS",
    "Scenario",
    "add_reproduce_arguments",
    "compare_hashes",
    "compute_hashes",
    "output_hash",
    "record_golden",
    "run_reproduce",
    "run_scenario",
]

GOLDEN_FILE = Path("verification") / "golden_outputs.json"


class Scenario(NamedTuple):
    """Reference data (a function returning train/test actuals and forecasts) and detector parameters."""

    make_data: Callable[[], tuple[pd.DataFrame, ...]]
    parameters: dict[str, Any]


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
}


def run_scenario(name: str) -> tuple[ForecastingAnomalyDetector, pd.DataFrame, pd.DataFrame, tuple[pd.DataFrame, ...]]:
    """Fit and score one reference scenario: the fitted detector, scores, flags and the data."""
    scenario = REFERENCE_SCENARIOS[name]
    data = scenario.make_data()
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


def compute_hashes(names: Sequence[str] | None = None) -> dict[str, str]:
    """The output hash of each reference scenario (all of them by default)."""
    hashes = {}
    for name in names or REFERENCE_SCENARIOS:
        detector, scores_df, flags_df, _ = run_scenario(name)
        hashes[name] = output_hash(scores_df, flags_df, detector.fit_record_)
    return hashes


def compare_hashes(golden: dict[str, str], computed: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(scenario, golden hash, computed hash, status) with status ``match``, ``DIFFERS``, ``MISSING`` or ``NEW``."""
    rows = []
    for name in sorted(set(golden) | set(computed)):
        expected, actual = golden.get(name, ""), computed.get(name, "")
        status = "NEW" if not expected else "MISSING" if not actual else "match" if expected == actual else "DIFFERS"
        rows.append((name, expected, actual, status))
    return rows


def environment() -> dict[str, str]:
    """Where hashes were computed: dependency versions, Python, platform."""
    return {**dependency_versions(), "python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine()}


def record_golden(path: Path, computed: dict[str, str], reason: str) -> dict:
    """Rewrite the golden file with ``computed``, appending a history entry with the reason and what changed."""
    if not reason.strip():
        raise ValueError("Recording golden outputs needs a reason (what changed in the outputs, and why).")
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"hashes": {}, "history": []}
    changed = [name for name, _, _, status in compare_hashes(previous["hashes"], computed) if status != "match"]
    entry = {
        "recorded_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "reason": reason,
        "changed": changed,
    }
    golden = {"hashes": dict(sorted(computed.items())), "environment": environment(), "history": [*previous["history"], entry]}
    path.write_text(json.dumps(golden, indent=2) + "\n", encoding="utf-8")
    return golden


def add_reproduce_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--golden", type=Path, default=GOLDEN_FILE, help=f"the golden file (default: {GOLDEN_FILE})")
    parser.add_argument("--record", action="store_true", help="rewrite the golden file with the hashes computed now (needs --reason)")
    parser.add_argument("--reason", default="", help="why the outputs changed (kept in the golden file's history)")


def run_reproduce(arguments: argparse.Namespace) -> int:
    """Print each scenario's hash and status; 0 only when all match. With ``--record``, print what changed, then record."""
    computed = compute_hashes()
    if arguments.record:
        previous = json.loads(arguments.golden.read_text(encoding="utf-8"))["hashes"] if arguments.golden.exists() else {}
        for name, expected, actual, status in compare_hashes(previous, computed):
            if status != "match":
                print(f"{status:<7} {name}: {expected or '-'} -> {actual or '-'}")
        record_golden(arguments.golden, computed, arguments.reason)
    golden = json.loads(arguments.golden.read_text(encoding="utf-8"))["hashes"]
    rows = compare_hashes(golden, computed)
    for name, _, actual, status in rows:
        print(f"{name:<34} {actual or '-':<64} {status}")
    return 0 if all(status == "match" for *_, status in rows) else 1
