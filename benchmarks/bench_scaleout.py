# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Scale-out on Dask: rows/s from Parquet to Parquet against one process in memory, memory per worker, many series.

1. A Parquet dataset of ``--rows`` test rows x ``--columns`` columns (actuals and forecasts, ``--partitions``
   files each) is generated into a temporary folder (deleted afterwards). A RobustZScorer detector
   (window 1) is fitted in memory on 100,000 training rows. Distributed: ``score_datasets`` (the
   ``score --workers`` path: read Parquet, score, write Parquet parts atomically) on a LocalCluster of
   ``--workers`` processes, 1 thread each, ``--memory-limit`` each. In memory: the first
   ``--in-memory-rows`` rows read with pandas, scored with one ``score_and_detect`` call and written,
   in this process. Peak memory per worker is each worker process's maximum resident set size.
2. ``--series`` series x ``--series-rows`` rows (half training, half test, 2 columns each; RobustZScorer)
   fitted and scored per series with ``fit_score_series`` on the same cluster.

    python benchmarks/bench_scaleout.py                                   # 20,000,000 rows x 8; 1,000 x 10,000
    python benchmarks/bench_scaleout.py --rows 200000 --series 20         # a quick look

Timings are wall-clock and noisy on a shared machine; they are printed, never asserted.
"""

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.scaleout.series import fit_score_series
from spotanomaly2_safe_cli.scaleout.dataset import read_dataset, score_datasets

START = pd.Timestamp("2020-01-01", tz="UTC")
STEP = pd.Timedelta("15min")


def _frames(first_row: int, rows: int, columns: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    index = pd.DatetimeIndex(START + STEP * np.arange(first_row, first_row + rows), name="timestamp")
    names = [f"meter_{number}" for number in range(columns)]
    forecast = pd.DataFrame(rng.normal(100, 10, size=(rows, columns)), index=index, columns=names)
    return forecast + rng.standard_t(5, size=(rows, columns)), forecast


def write_dataset(folder: Path, rows: int, columns: int, partitions: int) -> None:
    """Actuals and forecasts as ``partitions`` Parquet files each (the index as a column), one partition at a time."""
    bounds = np.linspace(0, rows, partitions + 1).astype(int)
    for number, (first, last) in enumerate(zip(bounds[:-1], bounds[1:])):
        for name, frame in zip(("actuals", "forecasts"), _frames(int(first), int(last - first), columns, seed=number + 1)):
            (folder / name).mkdir(exist_ok=True)
            frame.reset_index().to_parquet(folder / name / f"part.{number:05d}.parquet", index=False)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def bench_dataset(client: Client, detector, folder: Path, arguments) -> None:
    y_true = read_dataset(str(folder / "actuals"), "timestamp", "datetime")
    y_pred = read_dataset(str(folder / "forecasts"), "timestamp", "datetime")
    started = time.perf_counter()
    score_datasets(detector, y_true, y_pred, [folder / "scores", folder / "flags"])
    distributed_seconds = time.perf_counter() - started
    peaks = client.run(_peak_rss_mib)
    in_memory_rows = min(arguments.in_memory_rows, arguments.rows)
    needed_parts = -(-in_memory_rows * arguments.partitions // arguments.rows)  # the first parts holding those rows
    started = time.perf_counter()
    tables = []
    for name in ("actuals", "forecasts"):
        frame = pd.concat(pd.read_parquet(path) for path in sorted((folder / name).iterdir())[:needed_parts])
        tables.append(frame.iloc[:in_memory_rows].set_index("timestamp"))
    scores, flags = detector.score_and_detect(*tables)
    scores.reset_index().to_parquet(folder / "in_memory_scores.parquet", index=False)
    flags.reset_index().to_parquet(folder / "in_memory_flags.parquet", index=False)
    in_memory_seconds = time.perf_counter() - started
    data_mib = arguments.rows * arguments.columns * 8 * 2 / 2**20
    print(f"dataset: {arguments.rows:,} rows x {arguments.columns} columns ({data_mib:,.0f} MiB of float64 actuals + forecasts), "
          f"{arguments.partitions} partitions, {arguments.workers} workers x 1 thread, memory limit {arguments.memory_limit} each")
    print(f"distributed Parquet -> score -> Parquet      {arguments.rows / distributed_seconds:>14,.0f} rows/s  ({distributed_seconds:.1f} s)")
    print(f"in memory, one process ({in_memory_rows:,} rows)  {in_memory_rows / in_memory_seconds:>14,.0f} rows/s  ({in_memory_seconds:.1f} s)")
    print(f"ratio distributed / in memory                {in_memory_seconds / in_memory_rows * arguments.rows / distributed_seconds:>14.2f}")
    for address, peak in sorted(peaks.items()):
        print(f"peak resident memory of worker {address}  {peak:>10,.0f} MiB")


def bench_series(arguments) -> None:
    half = arguments.series_rows // 2
    parts = {role: [] for role in range(4)}
    for number in range(arguments.series):
        train, test = _frames(0, half, 2, seed=10_000 + number), _frames(half, half, 2, seed=20_000 + number)
        for role, frame in enumerate((*train, *test)):
            parts[role].append(frame.assign(series=f"s{number:05d}"))
    frames = [dd.from_pandas(pd.concat(parts[role]), npartitions=max(1, arguments.series // 50), sort=False) for role in range(4)]
    started = time.perf_counter()
    results = fit_score_series(*frames, series_column="series", detector_parameters={"scorer_name": "RobustZScorer"})
    seconds = time.perf_counter() - started
    print(f"series: {arguments.series:,} x {arguments.series_rows:,} rows (half train, half test, 2 columns), RobustZScorer")
    print(f"many series fitted + scored                  {arguments.series / seconds:>14,.1f} series/s  ({seconds:.1f} s; "
          f"{len(results.fit_records):,} fitted, {len(results.errors):,} errors)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--columns", type=int, default=8)
    parser.add_argument("--partitions", type=int, default=None, help="default: one per 500,000 rows")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GiB")
    parser.add_argument("--in-memory-rows", type=int, default=4_000_000, help="rows scored by the single-process baseline")
    parser.add_argument("--series", type=int, default=1_000)
    parser.add_argument("--series-rows", type=int, default=10_000)
    parser.add_argument("--series-memory-limit", default="4GiB", help="per-worker limit of the many-series cluster")
    parser.add_argument("--only-series", action="store_true", help="skip the 20M-row dataset part")
    parser.add_argument("--tmp", default=None, help="folder for the generated data (default: the system's)")
    arguments = parser.parse_args()
    arguments.partitions = arguments.partitions or max(1, arguments.rows // 500_000)
    folder = Path(tempfile.mkdtemp(prefix="bench_scaleout.", dir=arguments.tmp))
    try:
        if not arguments.only_series:
            write_dataset(folder, arguments.rows, arguments.columns, arguments.partitions)
            train = _frames(-100_000, 100_000, arguments.columns, seed=0)
            detector = ForecastingAnomalyDetector("RobustZScorer").fit(*train)
            with LocalCluster(n_workers=arguments.workers, threads_per_worker=1, processes=True, memory_limit=arguments.memory_limit,
                              dashboard_address=":0") as cluster, Client(cluster) as client:
                bench_dataset(client, detector, folder, arguments)
        # Its own cluster: the many-series data is built in this process and shipped in the graph, so the
        # 1 GiB limit of the dataset part (meant to be several times smaller than the data) does not apply.
        with LocalCluster(n_workers=arguments.workers, threads_per_worker=1, processes=True,
                          memory_limit=arguments.series_memory_limit, dashboard_address=":0") as cluster, Client(cluster):
            print(f"many-series cluster: {arguments.workers} workers x 1 thread, memory limit {arguments.series_memory_limit} each")
            bench_series(arguments)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
