# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Speed and memory of the pipeline against the bare libraries doing the same work, in one run.

Same work: residuals ``y_true - y_pred``, fit on the training residuals, score them, threshold at the
0.99 quantile, score and flag the test residuals. The pipeline adds its contracts (pandera), the
normalizer, the fit record and DataFrame output. KMeans is compared with bare scikit-learn under the
same one-thread limit (the price of the contracts) and with scikit-learn's default threads (the price
of determinism as well). Each timing is the best of ``--repeats`` runs; peak memory is traced
(tracemalloc) in a separate run of each job.

    python benchmarks/bench_kernel.py                 # 1,000,000 + 1,000,000 rows x 8 columns
    python benchmarks/bench_kernel.py --rows 20000    # a quick look
"""

import argparse
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.ensemble import IsolationForest
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from spotanomaly2_safe import ForecastingAnomalyDetector

QUANTILE = 0.99


def make_data(rows: int, columns: int) -> tuple[pd.DataFrame, ...]:
    rng = np.random.default_rng(0)
    names = [f"c{i}" for i in range(columns)]
    frames = []
    for start in (0, rows):
        forecast = pd.DataFrame(rng.normal(size=(rows, columns)), columns=names, index=pd.RangeIndex(start, start + rows))
        frames += [forecast + rng.standard_t(5, size=(rows, columns)), forecast]
    return tuple(frames)


def bare_kmeans(train_true, train_pred, test_true, test_pred) -> np.ndarray:
    train = train_true.to_numpy() - train_pred.to_numpy()
    test = test_true.to_numpy() - test_pred.to_numpy()
    scaler = StandardScaler().fit(train)
    model = KMeans(n_clusters=3, n_init=1, algorithm="lloyd", random_state=42).fit(scaler.transform(train))
    threshold = np.quantile(model.transform(scaler.transform(train)).min(axis=1), QUANTILE)
    return model.transform(scaler.transform(test)).min(axis=1) > threshold


def bare_kmeans_one_thread(*frames) -> np.ndarray:
    with threadpool_limits(limits=1):
        return bare_kmeans(*frames)


def bare_isolation_forest(train_true, train_pred, test_true, test_pred) -> np.ndarray:
    train = train_true.to_numpy() - train_pred.to_numpy()
    test = test_true.to_numpy() - test_pred.to_numpy()
    model = IsolationForest(n_estimators=100, contamination=0.1, random_state=42).fit(train)
    threshold = np.quantile(-model.decision_function(train), QUANTILE)
    return -model.decision_function(test) > threshold


def bare_norm(train_true, train_pred, test_true, test_pred) -> np.ndarray:
    threshold = np.quantile(np.linalg.norm(train_true.to_numpy() - train_pred.to_numpy(), axis=1), QUANTILE)
    return np.linalg.norm(test_true.to_numpy() - test_pred.to_numpy(), axis=1) > threshold


def pipeline(scorer_name: str, scorer_params: dict) -> Callable:
    def run(train_true, train_pred, test_true, test_pred):
        detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params, high_quantile=QUANTILE)
        return detector.fit_score_detect(train_true, train_pred, test_true, test_pred)

    return run


def best_seconds(job: Callable, frames: tuple, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        job(*frames)
        timings.append(time.perf_counter() - start)
    return min(timings)


def peak_mib(job: Callable, frames: tuple) -> float:
    tracemalloc.start()
    job(*frames)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="training rows (and as many test rows)")
    parser.add_argument("--columns", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    arguments = parser.parse_args()
    frames = make_data(arguments.rows, arguments.columns)
    comparisons = [
        ("KMeans pipeline vs sklearn, 1 thread", pipeline("KMeansScorer", {"n_clusters": 3}), bare_kmeans_one_thread, 1.3),
        ("KMeans pipeline vs sklearn, default threads", pipeline("KMeansScorer", {"n_clusters": 3}), bare_kmeans, None),
        ("IsolationForest pipeline vs sklearn", pipeline("IsolationForestScorer", {}), bare_isolation_forest, 1.3),
        ("Norm pipeline (with contracts) vs numpy.linalg.norm", pipeline("NormScorer", {}), bare_norm, 4.0),
    ]
    print(f"{arguments.rows:,} training + {arguments.rows:,} test rows x {arguments.columns} columns; best of {arguments.repeats}")
    print(f"{'comparison':<52} {'ours s':>8} {'bare s':>8} {'ratio':>6} {'target':>7} {'ours MiB':>9} {'bare MiB':>9}")
    for label, ours, bare, target in comparisons:
        ours_seconds, bare_seconds = best_seconds(ours, frames, arguments.repeats), best_seconds(bare, frames, arguments.repeats)
        ratio = ours_seconds / bare_seconds
        verdict = "-" if target is None else f"{'<=' if ratio <= target else '>'}{target}"
        print(
            f"{label:<52} {ours_seconds:8.3f} {bare_seconds:8.3f} {ratio:6.2f} {verdict:>7} "
            f"{peak_mib(ours, frames):9.1f} {peak_mib(bare, frames):9.1f}"
        )


if __name__ == "__main__":
    main()
