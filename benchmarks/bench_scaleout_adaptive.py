# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The adaptive method on Dask: rows/s of one series chained over partitions against one in-memory call; many series.

1. One series of ``--rows`` test rows x ``--columns`` columns (Student-t(3) residuals), a detector from
   ``recommended_detector()`` fitted on 2,000 rows. In memory: one ``score_and_detect`` call. Chained:
   ``score_chained`` over ``--partitions`` partitions, on the synchronous scheduler (this process) and on a
   LocalCluster of ``--workers`` processes (1 thread each); the outputs are checked bit for bit against the
   in-memory call and the result printed. The time of building the graph (which, from in-memory pandas
   frames, includes splitting them into Dask partitions) is printed apart from the time of computing it.
2. ``--series`` series x ``--series-rows`` rows (half training, half test, 2 columns each) with
   ``fit_score_series(..., detector="adaptive")`` on the same cluster.

    python benchmarks/bench_scaleout_adaptive.py                      # 1,000,000 rows x 4; 200 series x 4,000
    python benchmarks/bench_scaleout_adaptive.py --rows 20000 --series 4 --series-rows 400 --partitions 4

Timings are wall-clock and noisy on a shared machine; they are printed, never asserted.
"""

import argparse
import json
import time

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

from spotanomaly2_safe.adaptive import recommended_detector
from spotanomaly2_safe_cli.scaleout.chained import score_chained
from spotanomaly2_safe_cli.scaleout.series import fit_score_series


def _frames(rows: int, columns: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2020-01-01", periods=rows, freq="15min", tz="UTC")
    forecast = pd.DataFrame(100 + 10 * rng.normal(size=(rows, columns)), index=index, columns=[f"c{i}" for i in range(columns)])
    return forecast + rng.standard_t(3, size=forecast.shape), forecast


def _identical(got, expected) -> bool:
    return all(a.index.equals(b.index) and a.to_numpy().tobytes() == b.to_numpy().tobytes() for a, b in zip(got, expected))


def bench_chained(client: Client, arguments) -> None:
    actual, forecast = _frames(2_000 + arguments.rows, arguments.columns, seed=1)
    detector = recommended_detector().fit(actual.iloc[:2_000], forecast.iloc[:2_000])
    test_true, test_pred = actual.iloc[2_000:], forecast.iloc[2_000:]
    start = time.perf_counter()
    expected = recommended_detector().fit(actual.iloc[:2_000], forecast.iloc[:2_000]).score_and_detect(test_true, test_pred)
    in_memory = time.perf_counter() - start
    frames = dd.from_pandas(test_true, npartitions=arguments.partitions), dd.from_pandas(test_pred, npartitions=arguments.partitions)
    print(f"one series: {arguments.rows:,} rows x {arguments.columns} columns, {arguments.partitions} partitions, recommended_detector()")
    print(f"in memory, one score_and_detect          {arguments.rows / in_memory:>14,.0f} rows/s  ({in_memory:.2f} s)")
    for name, scheduler in (("synchronous", "synchronous"), (f"LocalCluster, {arguments.workers} workers", client)):
        start = time.perf_counter()
        lazy = score_chained(detector, *frames)
        built = time.perf_counter()
        scores, flags, state = dask.compute(*lazy, scheduler=scheduler)
        seconds, computing = time.perf_counter() - start, time.perf_counter() - built
        same = _identical((scores, flags), expected) and len(json.loads(state.iloc[0])["state"]["baseline"]) > 0
        print(f"chained, {name:<31} {arguments.rows / seconds:>14,.0f} rows/s  ({seconds:.2f} s, of which computing "
              f"{computing:.2f} s; ratio chained / in memory {in_memory / seconds:.2f}, computing only "
              f"{in_memory / computing:.2f}; identical: {same})")


def bench_series(arguments) -> None:
    frames = [[], [], [], []]
    half = arguments.series_rows // 2
    for number in range(arguments.series):
        actual, forecast = _frames(arguments.series_rows, 2, seed=100 + number)
        for role, frame in enumerate((actual.iloc[:half], forecast.iloc[:half], actual.iloc[half:], forecast.iloc[half:])):
            frames[role].append(frame.assign(series=number))
    long = [dd.from_pandas(pd.concat(parts), npartitions=arguments.workers * 2, sort=False) for parts in frames]
    start = time.perf_counter()
    results = fit_score_series(*long, series_column="series", detector="adaptive")
    seconds = time.perf_counter() - start
    print(f"many series: {arguments.series:,} x {arguments.series_rows:,} rows (half train, half test, 2 columns), adaptive")
    print(f"many series fitted + scored              {arguments.series / seconds:>14,.1f} series/s  ({seconds:.1f} s; "
          f"{len(results.states)} final states, {len(results.errors)} errors)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--series-rows", type=int, default=4_000)
    arguments = parser.parse_args()
    with LocalCluster(n_workers=arguments.workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        bench_chained(client, arguments)
        bench_series(arguments)


if __name__ == "__main__":
    main()
