# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Speed of the adaptive method (issue 16 targets), printed as ratios; never timed in tests.

- Batch: ``recommended_detector()`` fitted on 1,000 rows then ``score_and_detect`` on ``--rows`` rows x
  ``--columns`` columns, against today's ``ForecastingAnomalyDetector("RobustZScorer")`` pipeline on the
  same frames (quantile threshold, default normalization). Target: ratio <= 3. ``--without-spike-scale``: the
  batch runs ``recommended_detector(spike_risk=None)`` instead (the configuration without the one-row scale).
- Streaming: per observation, ``AdaptiveResidualDetector`` (``score_one`` then ``learn_one``, which flags
  and protects internally) against river's ``QuantileFilter(GaussianScorer())`` (``score_one``,
  ``classify``, ``learn_one``) on the stream of ``bench_streaming.py``. Target: ratio <= 1. The detector
  runs with its defaults, or with ``--configuration recommended`` with ``recommended_detector()``'s parameters.

- Seasonal term (``--season-period P``): the batch with ``season_period=P`` against the same batch without it
  (``baseline_size`` and ``reset_after`` raised to ``3 * P`` where needed, in both), and the streaming detector with
  ``season_period=P`` against the same detector without it (``training_rows`` and ``baseline_size`` at least
  ``3 * P``, in both). The term takes the exact block path and the generic one-row step: its price, no target.

Each timing is the best of ``--repeats`` runs.

    python benchmarks/bench_adaptive.py                                   # 1,000,000 x 8 and 20,000 observations
    python benchmarks/bench_adaptive.py --rows 20000 --observations 2000  # a quick look
    python benchmarks/bench_adaptive.py --rows 20000 --configuration recommended
    python benchmarks/bench_adaptive.py --rows 100000 --observations 20000 --season-period 24
"""

import argparse

import numpy as np
import pandas as pd

from timing import best_time

from spotanomaly2_safe import AdaptiveResidualDetector, ForecastingAnomalyDetector, recommended_detector
from spotanomaly2_safe.adaptive.recommended import RECOMMENDED_PARAMETERS

TRAINING_ROWS = 1_000



def frames(rows: int, columns: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    values = rng.normal(size=(rows, columns)) + np.linspace(0.0, 3.0, rows)[:, None]
    true = pd.DataFrame(values, columns=[f"c{i}" for i in range(columns)])
    return true, pd.DataFrame(np.zeros_like(values), columns=true.columns)


def batch_ratio(rows: int, columns: int, repeats: int, overrides: dict | None = None) -> tuple[float, float]:
    true, pred = frames(TRAINING_ROWS + rows, columns)
    train = (true.iloc[:TRAINING_ROWS], pred.iloc[:TRAINING_ROWS])
    test = (true.iloc[TRAINING_ROWS:], pred.iloc[TRAINING_ROWS:])
    robust = ForecastingAnomalyDetector("RobustZScorer").fit(*train)
    adaptive = recommended_detector(**(overrides or {})).fit(*train)
    state = adaptive.state_dict()

    def run_adaptive() -> None:
        type(adaptive).from_state_dict(state).score_and_detect(*test)

    return best_time(run_adaptive, repeats), best_time(lambda: robust.score_and_detect(*test), repeats)


def make_stream(observations: int) -> list[float]:
    from bench_streaming import make_stream as stream_of_bench_streaming

    return stream_of_bench_streaming(observations)


# --configuration: the streaming detector's parameters (the default is the detector's own defaults).
CONFIGURATIONS = {"default": {}, "recommended": dict(RECOMMENDED_PARAMETERS)}


def stream_time(stream: list[float], repeats: int, params: dict | None = None) -> float:
    """The best time of ``score_one`` then ``learn_one`` on every observation of ``stream``."""
    def run_ours() -> None:
        model = AdaptiveResidualDetector(**(params or {}))
        for residual in stream:
            x = {"residual": residual}
            model.score_one(x)
            model.learn_one(x)

    return best_time(run_ours, repeats)


def season_ratios(rows: int, columns: int, observations: int, repeats: int, period: int, params: dict) -> tuple[tuple[float, float], tuple[float, float]]:
    """``((batch with, batch without), (stream with, stream without))`` the seasonal term of period ``period``."""
    sized = {"baseline_size": max(RECOMMENDED_PARAMETERS["baseline_size"], 3 * period), "reset_after": max(RECOMMENDED_PARAMETERS["reset_after"], 3 * period)}
    batch = batch_ratio(rows, columns, repeats, {**sized, "season_period": period})[0], batch_ratio(rows, columns, repeats, sized)[0]
    streamed = {**params, "training_rows": max(params.get("training_rows", 100), 3 * period), "baseline_size": max(params.get("baseline_size", 500), 3 * period)}
    if streamed.get("reset_after") is not None:
        streamed["reset_after"] = max(streamed["reset_after"], 3 * period)
    stream = make_stream(observations)
    return batch, (stream_time(stream, repeats, {**streamed, "season_period": period}), stream_time(stream, repeats, streamed))


def streaming_ratio(observations: int, repeats: int, params: dict | None = None) -> tuple[float, float]:
    from river import anomaly

    stream = make_stream(observations)

    def run_river() -> None:
        model = anomaly.QuantileFilter(anomaly.GaussianScorer(grace_period=30), q=0.99)
        for residual in stream:
            model.classify(model.score_one(None, residual))
            model.learn_one(None, residual)

    return stream_time(stream, repeats, params), best_time(run_river, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=8)
    parser.add_argument("--observations", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--configuration", choices=sorted(CONFIGURATIONS), default="default",
                        help="the streaming detector's parameters: its defaults, or recommended_detector()'s")
    parser.add_argument("--without-spike-scale", action="store_true", help="batch: recommended_detector(spike_risk=None)")
    parser.add_argument("--season-period", type=int, default=None, help="also time the seasonal term of this period against no term")
    arguments = parser.parse_args()
    overrides = {"spike_risk": None} if arguments.without_spike_scale else {}
    adaptive, robust = batch_ratio(arguments.rows, arguments.columns, arguments.repeats, overrides)
    ours, river = streaming_ratio(arguments.observations, arguments.repeats, CONFIGURATIONS[arguments.configuration])
    print(f"{'comparison':<64} {'ours s':>8} {'other s':>8} {'ratio':>6} {'target':>7}")
    batch = f"batch {arguments.rows:,} x {arguments.columns}: adaptive{' (spike_risk=None)' if overrides else ''} vs RobustZScorer"
    print(f"{batch:<64} {adaptive:8.3f} {robust:8.3f} {adaptive / robust:6.2f} {'<= 3':>7}")
    print(f"{f'stream {arguments.observations:,} obs: adaptive vs river Gaussian+Quantile':<64} {ours:8.3f} {river:8.3f} {ours / river:6.2f} {'<= 1.0':>7}")
    print(f"per observation: ours {ours / arguments.observations * 1e6:.1f} us, river {river / arguments.observations * 1e6:.1f} us "
          f"(streaming detector: {arguments.configuration} configuration)")
    if arguments.season_period is not None:
        period = arguments.season_period
        (batch_with, batch_without), (stream_with, stream_without) = season_ratios(
            arguments.rows, arguments.columns, arguments.observations, arguments.repeats, period, CONFIGURATIONS[arguments.configuration])
        print(f"{f'season batch {arguments.rows:,} x {arguments.columns}: season_period={period} vs none':<64} "
              f"{batch_with:8.3f} {batch_without:8.3f} {batch_with / batch_without:6.2f} {'none':>7}")
        print(f"{f'season stream {arguments.observations:,} obs: season_period={period} vs none':<64} "
              f"{stream_with:8.3f} {stream_without:8.3f} {stream_with / stream_without:6.2f} {'none':>7}")


if __name__ == "__main__":
    main()
