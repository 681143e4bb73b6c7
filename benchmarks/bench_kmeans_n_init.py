# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""What KMeans' ``n_init`` default changes: 1 (ours) against 10 (what 0.1.0 always ran), in one run.

For the published usage (``KMeansScorer``, ``n_clusters=3``, ``high_quantile=0.99``) on the demo data
and on every scenario of the chosen suites, per ``n_init``: the fit time (best of ``--repeats``), the
KMeans inertia on the standardized training residuals, the threshold, and, on the test rows, how many
flags differ between the two settings, the largest relative score difference and the event-level
detection quality (:func:`spotanomaly2_safe_cli.quality.evaluation.quality_row`, raw flags, no alarms).

    python benchmarks/bench_kmeans_n_init.py                          # demo + tuning and held-out suites
    python benchmarks/bench_kmeans_n_init.py --suite tuning --repeats 1 --scenarios 2   # a quick look
"""

import argparse
import time

import numpy as np

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.demo import make_demo_data
from spotanomaly2_safe_cli.quality.evaluation import quality_row
from spotanomaly2_safe_cli.quality.scenarios import SUITES, Scenario, make_scenarios

N_INITS = (1, 10)


def _fit(data, n_init: int, repeats: int) -> tuple[ForecastingAnomalyDetector, float]:
    best = float("inf")
    for _ in range(repeats):
        detector = ForecastingAnomalyDetector("KMeansScorer", {"n_clusters": 3, "n_init": n_init}, high_quantile=0.99)
        start = time.perf_counter()
        detector.fit(data[0], data[1])
        best = min(best, time.perf_counter() - start)
    return detector, best


def compare(name: str, data, repeats: int) -> dict:
    """Fit and score ``data`` (train true, train pred, test true, test pred) with each ``n_init``."""
    runs = {}
    for n_init in N_INITS:
        detector, seconds = _fit(data, n_init, repeats)
        scores_df, flags_df = detector.score_and_detect(data[2], data[3])
        runs[n_init] = {"seconds": seconds, "inertia": float(detector.scorer.kmeans_.inertia_), "threshold": detector.detector.threshold,
                        "scores": scores_df["anomaly_score"].to_numpy(), "flags": flags_df["anomaly_flag"].to_numpy()}
    one, ten = runs[1], runs[10]
    return {
        "name": name, "runs": runs,
        "flags_differing": int((one["flags"] != ten["flags"]).sum()), "rows": one["flags"].size,
        "max_relative_score_difference": float(np.max(np.abs(one["scores"] - ten["scores"]) / np.maximum(np.abs(ten["scores"]), 1e-12))),
    }


def _print_row(result: dict) -> None:
    one, ten = result["runs"][1], result["runs"][10]
    print(f"{result['name']:<34} {one['seconds'] * 1e3:8.1f} {ten['seconds'] * 1e3:8.1f} {ten['seconds'] / one['seconds']:6.1f}x "
          f"{one['inertia']:11.1f} {ten['inertia']:11.1f} {one['threshold']:8.3f} {ten['threshold']:8.3f} "
          f"{result['flags_differing']:6d}/{result['rows']:<6d} {result['max_relative_score_difference']:9.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--suite", action="append", choices=sorted(SUITES), help="scenario suite (repeatable; default: tuning, held_out)")
    parser.add_argument("--scenarios", type=int, default=None, help="only the first N scenarios of each suite")
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    print(f"{'data':<34} {'fit ms':>8} {'':>8} {'ratio':>7} {'inertia':>11} {'':>11} {'thresh.':>8} {'':>8} {'flags differing':>13} {'max rel. score diff':>9}")
    print(f"{'':<34} {'n_init=1':>8} {'10':>8} {'10/1':>7} {'n_init=1':>11} {'10':>11} {'1':>8} {'10':>8}")
    _fit(make_demo_data(), 1, 1)  # warm-up: the first fit of a process pays one-off import and set-up costs
    _print_row(compare("demo", make_demo_data(), arguments.repeats))
    for suite in arguments.suite or ["tuning", "held_out"]:
        scenarios: list[Scenario] = make_scenarios(suite)[: arguments.scenarios]
        results = [compare(f"{suite}/{s.name}", (s.y_true_train, s.y_pred_train, s.y_true_test, s.y_pred_test), arguments.repeats)
                   for s in scenarios]
        for result in results:
            _print_row(result)
        for n_init in N_INITS:
            row = quality_row(scenarios, [r["runs"][n_init]["flags"] for r in results], [r["runs"][n_init]["scores"] for r in results])
            print(f"  {suite} n_init={n_init:<2}: event F1 {row['event_f1']:.3f}, recall {row['recall']:.3f}, precision "
                  f"{row['precision']:.3f}, false-alarm bursts per 10,000 rows {row['false_bursts_per_10k']:.1f}, "
                  f"point F1 {row['point_f1']:.3f}, average precision {row['average_precision']:.3f}")


if __name__ == "__main__":
    main()
