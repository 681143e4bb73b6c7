# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Detection quality on SKAB, real multivariate data, under its published protocol.

Protocol and forecasts: :mod:`spotanomaly2_safe_cli.quality.skab` (first 400 rows of each of the 34 labelled runs
train, every later row tests; F1, FAR %, MAR % pooled over all 23,801 test rows; a constant training-mean
forecast and, separately, a one-step persistence forecast). The SKAB leaderboard's best rows are printed
beside ours, and each row is marked against issue 16's targets (F1 >= 0.82, FAR <= 12 %, MAR <= 25 %).

Split figures: every configuration is also scored on ``valve1`` + ``valve2`` and on ``other`` alone; the
configuration with the best F1 on one half is reported on the other half (both directions).

The data are GPL-3.0 and are read at run time, never copied into the project:

    python benchmarks/bench_skab.py                       # reads ../shared/data/skab beside the repository
    python benchmarks/bench_skab.py --data /path/to/skab  # the SKAB folder (holding data/) or its data/ folder
    python benchmarks/bench_skab.py --forecast constant_mean

The ``recommended`` row uses ``spotanomaly2_safe.recommended_detector()`` when the installed kernel has it and is
skipped with a note otherwise. SKAB counts rows, so every row scores the detector's ``anomaly_flag`` as it is (the
recommended detector's ``alarm`` column, which holds an alarm through gaps of up to 48 unflagged rows, is not used:
it gives 0.837 / 25.95 / 11.85 instead of 0.846 / 9.32 / 20.81; docs/detection_quality.md, "Column domination and
jittered quantized columns"), as :func:`spotanomaly2_safe_cli.quality.evaluation.skab_quality` does.
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

import spotanomaly2_safe
from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.quality.skab import (
    FORECASTS,
    PUBLISHED,
    SPLITS,
    TARGETS,
    TRAIN_ROWS,
    ForecastFrames,
    PooledMetrics,
    SkabDataMissing,
    evaluate,
    load_runs,
    targets_met,
)

REPOSITORY = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPOSITORY.parent / "shared" / "data" / "skab"
SPLITS_KEYS = tuple(SPLITS)


def _quantile(scorer_name: str, scorer_params: dict) -> Callable[[], ForecastingAnomalyDetector]:
    return lambda: ForecastingAnomalyDetector(scorer_name, dict(scorer_params), threshold_method="quantile", high_quantile=0.99)


# label -> a factory of an unfitted detector, or None when the installed kernel does not offer it.
CONFIGURATIONS: dict[str, Callable[[], object] | None] = {
    "RobustZScorer max, quantile 0.99": _quantile("RobustZScorer", {"aggregation": "max"}),
    "RobustZScorer l2, quantile 0.99": _quantile("RobustZScorer", {"aggregation": "l2"}),
    "KMeansScorer k=3, quantile 0.99 (0.1.0 defaults)": _quantile("KMeansScorer", {"n_clusters": 3}),
    "IsolationForestScorer, quantile 0.99": _quantile("IsolationForestScorer", {}),
    "NormScorer, quantile 0.99": _quantile("NormScorer", {}),
    "recommended": getattr(spotanomaly2_safe, "recommended_detector", None),
}


def detect_with(factory: Callable[[], object]) -> Callable[[ForecastFrames], np.ndarray]:
    def detect(frames: ForecastFrames) -> np.ndarray:
        _, flags_df = factory().fit_score_detect(frames.y_true_train, frames.y_pred_train, frames.y_true_test, frames.y_pred_test)
        return flags_df["anomaly_flag"].to_numpy()
    return detect


def _cells(metrics: PooledMetrics | tuple) -> str:
    f1, far, mar = metrics[:3]
    return f"{f1:>6.3f}{far:>8.2f}{mar:>8.2f}"


def _marks(metrics: PooledMetrics) -> str:
    met = targets_met(metrics)
    return "  ".join(f"{key} {'met' if ok else 'MISSED'}" for key, ok in met.items())


def run(data: Path, forecasts: tuple[str, ...]) -> None:
    runs = load_runs(data)
    n_test = sum(run.labels.size - TRAIN_ROWS for run in runs)
    print(f"SKAB at {data}: {len(runs)} labelled runs, {n_test} test rows; first {TRAIN_ROWS} rows of each run train")
    print(f"targets: F1 >= {TARGETS['f1']}, FAR <= {TARGETS['far']} %, MAR <= {TARGETS['mar']} %\n")
    for forecast in forecasts:
        print(f"forecast: {forecast}")
        header = f"{'configuration':<52}{'F1':>6}{'FAR %':>8}{'MAR %':>8}   {'valve1+valve2':^22} {'other':^22}  targets"
        print(header)
        results = {}
        for label, factory in CONFIGURATIONS.items():
            if factory is None:
                print(f"{label:<52}  (skipped: this kernel has no spotanomaly2_safe.recommended_detector)")
                continue
            result = evaluate(runs, detect_with(factory), forecast)
            results[label] = result
            print(f"{label:<52}{_cells(result['all'])}   {_cells(result['valve'])} {_cells(result['other'])}  {_marks(result['all'])}")
        for name, published in PUBLISHED.items():
            print(f"{'published: ' + name:<52}{_cells(published)}")
        print("\nsplit figures (chosen by F1 on one half, reported on the other):")
        for chosen_on, reported_on in ((SPLITS_KEYS[0], SPLITS_KEYS[1]), (SPLITS_KEYS[1], SPLITS_KEYS[0])):
            best = max(results, key=lambda label: results[label][chosen_on].f1)
            print(f"  chosen on {chosen_on:<6} -> {best}: {chosen_on} {_cells(results[best][chosen_on])} | "
                  f"{reported_on} {_cells(results[best][reported_on])}")
        print()



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"the SKAB folder (default {DEFAULT_DATA})")
    parser.add_argument("--forecast", choices=FORECASTS, action="append",
                        help="constant_mean or persistence (repeatable; default both)")
    arguments = parser.parse_args()
    try:
        run(arguments.data, tuple(arguments.forecast or FORECASTS))
    except SkabDataMissing as error:
        print(f"bench_skab.py: {error}; pass --data DIR", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
