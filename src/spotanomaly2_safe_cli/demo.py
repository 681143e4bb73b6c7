# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The demo: deterministic synthetic forecasts with injected anomalies, scored by the published usage.

Two hourly series (``load_mw``, ``temperature_c``) follow a daily cycle; the forecast is the cycle plus
a small forecast error; the actuals add noise. Training: 60 days. Test: 21 days with four injected
anomalies (spikes, a level shift, a stuck sensor) whose rows are known.
"""

from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.files import OutputError, require_writable, write_atomically

__all__ = ["DemoData", "make_demo_data", "run_demo", "INJECTED"]

TRAIN_HOURS = 60 * 24
TEST_HOURS = 21 * 24
SEED = 20260101
# (test row where it starts, number of rows, column, kind, size in units of that column's noise)
INJECTED = (
    (70, 1, "load_mw", "spike", 8.0),
    (200, 6, "temperature_c", "level shift", 6.0),
    (330, 12, "load_mw", "stuck sensor", 0.0),
    (450, 1, "temperature_c", "spike", -8.0),
)
NOISE = {"load_mw": 4.0, "temperature_c": 0.5}


class DemoData(NamedTuple):
    y_true_train: pd.DataFrame
    y_pred_train: pd.DataFrame
    y_true_test: pd.DataFrame
    y_pred_test: pd.DataFrame


def _series(hours: np.ndarray, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    daily = np.sin(2 * np.pi * hours / 24)
    forecast = pd.DataFrame({"load_mw": 500 + 80 * daily, "temperature_c": 12 + 5 * daily})
    actual = forecast.copy()
    for column, noise in NOISE.items():
        actual[column] = forecast[column] + rng.normal(scale=noise, size=hours.size)
    index = pd.date_range("2026-01-01", periods=hours.size, freq="h", tz="UTC") + pd.Timedelta(hours=int(hours[0]))
    return actual.set_axis(index), forecast.set_axis(index)


def make_demo_data() -> DemoData:
    """Build the demo frames; the same bytes on every call."""
    rng = np.random.default_rng(SEED)
    train_true, train_pred = _series(np.arange(TRAIN_HOURS), rng)
    test_true, test_pred = _series(np.arange(TRAIN_HOURS, TRAIN_HOURS + TEST_HOURS), rng)
    for start, length, column, kind, size in INJECTED:
        rows = slice(start, start + length)
        position = test_true.columns.get_loc(column)
        if kind == "stuck sensor":
            test_true.iloc[rows, position] = test_true.iloc[start - 1, position]
        else:
            test_true.iloc[rows, position] += size * NOISE[column]
    return DemoData(train_true, train_pred, test_true, test_pred)


def run_demo(plot: Path | None = None, force: bool = False) -> str:
    """Score the demo data with the published usage and return the report as text; optionally write a PNG plot.

    The plot (scores, threshold, flagged rows; needs matplotlib: ``pip install -e ".[plot]"``) is written
    atomically to ``plot``, which must not exist yet unless ``force``.
    """
    data = make_demo_data()
    detector = ForecastingAnomalyDetector(
        scorer_name="KMeansScorer",
        scorer_params={"n_clusters": 3},
        high_quantile=0.99,
        normalize_scores=True,
        normalization_quantile=0.99,
    )
    scores_df, flags_df = detector.fit_score_detect(
        y_true_train=data.y_true_train, y_pred_train=data.y_pred_train,
        y_true_test=data.y_true_test, y_pred_test=data.y_pred_test,
    )
    flagged = flags_df["anomaly_flag"].to_numpy() == 1
    injected_rows = np.zeros(len(flagged), dtype=bool)
    rows = []
    for start, length, column, kind, _ in INJECTED:
        injected_rows[start:start + length] = True
        hits = int(flagged[start:start + length].sum())
        window = scores_df["anomaly_score"].iloc[start:start + length]
        rows.append({
            "starts": data.y_true_test.index[start].strftime("%Y-%m-%d %H:%M"),
            "rows": length, "column": column, "injected": kind,
            "flagged rows": hits, "max score": round(float(window.max()), 2),
        })
    table = pd.DataFrame(rows).to_string(index=False)
    if plot is not None:
        _write_plot(plot, scores_df, flags_df, detector.detector.threshold, force)
    false_alarms = int((flagged & ~injected_rows).sum())
    return (
        f"spotanomaly2-safe demo: KMeansScorer(n_clusters=3), high_quantile=0.99, threshold "
        f"{detector.detector.threshold:.3f}\n"
        f"train {len(data.y_true_train)} rows, test {len(flagged)} rows x {data.y_true_test.shape[1]} columns\n\n"
        f"{table}\n\n"
        f"injected anomalies flagged: {sum(row['flagged rows'] > 0 for row in rows)} of {len(rows)}; "
        f"flags outside injected rows: {false_alarms} of {int((~injected_rows).sum())} rows "
        f"(about {1 - detector.high_quantile:.0%} are expected from the quantile rule)\n"
        + (f"plot written to {plot}\n" if plot is not None else "")
    )


def _write_plot(path: Path, scores_df: pd.DataFrame, flags_df: pd.DataFrame, threshold: float, force: bool) -> None:
    try:
        from spotanomaly2_safe_cli.plots import plot_scores
    except ImportError as error:
        raise OutputError(f"{path}: plotting needs matplotlib: pip install 'spotanomaly2-safe[plot]' ({error}).") from None
    require_writable([path], force)
    title = "spotanomaly2-safe demo: KMeansScorer(n_clusters=3), high_quantile=0.99"
    write_atomically(path, lambda temporary: plot_scores(scores_df, flags_df, threshold, title, temporary))
