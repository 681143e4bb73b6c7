# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Per-observation latency of the streaming loop against river doing the same work, in one run.

Same work per observation, river's documented loop: ``score = model.score_one(...)``,
``model.classify(score)``, ``model.learn_one(...)`` with a Gaussian scorer inside a QuantileFilter
(q = 0.99, protection on). Ours: ``QuantileFilter(GaussianResidualDetector())`` on ``{"residual": r}``,
with every observation and score contract-checked, an exact sliding-window quantile (window 1000)
and atomic learning. River: ``anomaly.QuantileFilter(anomaly.GaussianScorer())`` on ``(None, r)``,
unchecked, P² quantile (in Rust). Both scorers have a 30-observation grace period. The stream is the
same seeded Gaussian residuals with 1 % spikes. Each timing is the best of ``--repeats`` runs.

    python benchmarks/bench_streaming.py                       # 20,000 observations
    python benchmarks/bench_streaming.py --observations 500    # a quick look
"""

import argparse
import random
import time
from collections.abc import Callable

from river import anomaly

from spotanomaly2_safe import GaussianResidualDetector, QuantileFilter

Q = 0.99
GRACE_PERIOD = 30


def make_stream(observations: int) -> list[float]:
    rng = random.Random(0)
    return [rng.gauss(0.0, 1.0) + (8.0 if rng.random() < 0.01 else 0.0) for _ in range(observations)]


def run_ours(stream: list[float]) -> int:
    model = QuantileFilter(GaussianResidualDetector(grace_period=GRACE_PERIOD), q=Q)
    flagged = 0
    for residual in stream:
        x = {"residual": residual}
        score = model.score_one(x)
        flagged += model.classify(score)
        model.learn_one(x)
    return flagged


def run_river(stream: list[float]) -> int:
    model = anomaly.QuantileFilter(anomaly.GaussianScorer(grace_period=GRACE_PERIOD), q=Q)
    flagged = 0
    for residual in stream:
        score = model.score_one(None, residual)
        flagged += model.classify(score)
        model.learn_one(None, residual)
    return flagged


def best_time(job: Callable[[list[float]], int], stream: list[float], repeats: int) -> tuple[float, int]:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        flagged = job(stream)
        timings.append(time.perf_counter() - start)
    return min(timings), flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    arguments = parser.parse_args()
    stream = make_stream(arguments.observations)
    ours, ours_flagged = best_time(run_ours, stream, arguments.repeats)
    river, river_flagged = best_time(run_river, stream, arguments.repeats)
    print(f"{arguments.observations:,} observations; learn + score + classify each; best of {arguments.repeats}")
    print(f"{'comparison':<44} {'ours s':>8} {'river s':>8} {'ratio':>6} {'target':>7} {'us/obs':>7} {'flags':>11}")
    print(
        f"{'Gaussian + QuantileFilter vs river':<44} {ours:8.4f} {river:8.4f} {ours / river:6.2f} {'<= 1.0':>7} "
        f"{ours / arguments.observations * 1e6:7.2f} {ours_flagged:>5}/{river_flagged:<5}"
    )


if __name__ == "__main__":
    main()
