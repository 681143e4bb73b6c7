# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Cost of the input contracts on wide frames against long frames of the same number of cells, in one run.

Same work: ``validate_frames(y_true, y_pred)`` (every contract rule, pandera included, and the residuals)
on a wide frame (``--wide-rows`` x ``--wide-columns``, default 100 x 10,000) and on the long frame of
the transposed shape (10,000 x 100), which holds the same number of float64 cells. The target is a
ratio wide / long of at most 2: the contracts cost per cell, not per column. Each run gets fresh label
objects (pandas caches a label's hash table on the index). Then the whole pipeline on the wide shape: fitting on the wide frame and
scoring one row of it (NormScorer, so that the scorer itself costs little). Each timing is the best of
``--repeats`` runs (the two validations alternate, so that the machine's load affects both alike).

    python benchmarks/bench_validation.py                      # 100 x 10,000 against 10,000 x 100
    python benchmarks/bench_validation.py --wide-columns 2000  # a quick look (100 x 2,000 vs 2,000 x 100)

``--wide-rows`` is at least 100, the pipeline's minimum number of training rows.
"""

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe.contracts import validate_frames

TARGET = 2.0


def make_frames(rows: int, columns: int, start: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actuals and forecasts with string column labels (as read from a CSV header) and a RangeIndex."""
    rng = np.random.default_rng(0)
    labels = pd.Index([f"sensor_{i}" for i in range(columns)])
    forecast = pd.DataFrame(rng.normal(size=(rows, columns)), columns=labels, index=pd.RangeIndex(start, start + rows))
    return forecast + rng.normal(size=(rows, columns)), forecast


def fresh(frames: tuple[pd.DataFrame, ...]) -> tuple[pd.DataFrame, ...]:
    """The same frames with new label objects, so that no label lookup table is cached from an earlier run."""
    return tuple(
        frame.set_axis(pd.Index(frame.columns.tolist()), axis="columns").set_axis(frame.index.copy(), axis="index")
        for frame in frames
    )


def best_time(job: Callable[..., object], frames: tuple[pd.DataFrame, ...], repeats: int) -> float:
    """The best of ``repeats`` timings of ``job(*frames)``, each on fresh labels (made outside the timing)."""
    timings = []
    for _ in range(repeats):
        arguments = fresh(frames)
        start = time.perf_counter()
        job(*arguments)
        timings.append(time.perf_counter() - start)
    return min(timings)


def interleaved_best_times(job: Callable[..., object], first: tuple, second: tuple, repeats: int) -> tuple[float, float]:
    """Best times of ``job`` on two sets of frames, run alternately so that the machine's load affects both alike."""
    timings = [best_time(job, frames, 1) for _ in range(repeats) for frames in (first, second)]
    return min(timings[0::2]), min(timings[1::2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wide-rows", type=int, default=100)
    parser.add_argument("--wide-columns", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=100)
    arguments = parser.parse_args()
    rows, columns = arguments.wide_rows, arguments.wide_columns
    wide, long = make_frames(rows, columns), make_frames(columns, rows)
    wide_time, long_time = interleaved_best_times(validate_frames, wide, long, arguments.repeats)
    print(f"validate_frames on {rows * columns:,} float64 cells per frame; best of {arguments.repeats}")
    print(f"{'shape (rows x columns)':<34} {'seconds':>9}")
    print(f"{f'long  {columns:,} x {rows:,}':<34} {long_time:9.4f}")
    print(f"{f'wide  {rows:,} x {columns:,}':<34} {wide_time:9.4f}")
    print(f"{'ratio wide / long':<34} {wide_time / long_time:9.2f}   target <= {TARGET}")
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer")
    fit_time = best_time(detector.fit, wide, arguments.repeats)
    score_time = best_time(detector.score_and_detect, make_frames(1, columns, start=rows), arguments.repeats)
    print(f"{f'NormScorer fit on {rows:,} x {columns:,}':<34} {fit_time:9.4f}")
    print(f"{f'score_and_detect of 1 x {columns:,}':<34} {score_time:9.4f}")


if __name__ == "__main__":
    main()
