# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Shared test data: deterministic forecast frames (imported by the tests as ``frames``)."""

from typing import NamedTuple

import numpy as np
import pandas as pd

SCORER_CASES = [
    ("NormScorer", {}),
    ("KMeansScorer", {"n_clusters": 3}),
    ("IsolationForestScorer", {"n_estimators": 25}),
    ("RobustZScorer", {"aggregation": "l2"}),
]


class Frames(NamedTuple):
    y_true_train: pd.DataFrame
    y_pred_train: pd.DataFrame
    y_true_test: pd.DataFrame
    y_pred_test: pd.DataFrame


def make_frames(n_train: int = 300, n_test: int = 60, n_columns: int = 2, seed: int = 0) -> Frames:
    rng = np.random.default_rng(seed)
    columns = [f"sensor_{i}" for i in range(n_columns)]
    index = pd.date_range("2026-01-01", periods=n_train + n_test, freq="15min", tz="UTC")
    forecast = pd.DataFrame(rng.normal(size=(n_train + n_test, n_columns)) * 10 + 100, index=index, columns=columns)
    actual = forecast + rng.normal(size=forecast.shape)
    return Frames(actual.iloc[:n_train], forecast.iloc[:n_train], actual.iloc[n_train:], forecast.iloc[n_train:])


def streamed_outputs(stream, values: np.ndarray, training_rows: int, index: pd.Index, channels=("load", "price")) -> pd.DataFrame:
    """An adaptive streaming detector fed ``values`` row by row: the first ``training_rows`` learned, each later row
    evaluated (``evaluate_one``, whose score ``score_one`` must repeat) then learned; the evaluations as a frame on ``index``."""
    rows = []
    for position, row in enumerate(values):
        x = {channel: float(value) for channel, value in zip(channels, row)}
        if position >= training_rows:
            rows.append(stream.evaluate_one(x))
            assert stream.score_one(x) == rows[-1]["anomaly_score"]
        stream.learn_one(x)
    return pd.DataFrame(rows, index=index)
