# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""hypothesis strategies for forecast frames: random shapes, scales, index kinds and column names.

Shapes, scales and labels are drawn by hypothesis; the values come from a numpy generator seeded by a
drawn integer, so every example is reproducible and never degenerate (continuous values: KMeans always
finds distinct rows).
"""

from typing import NamedTuple

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from spotanomaly2_safe.constants import MIN_TRAIN_SIZE

SCORERS = {
    "NormScorer": {},
    "KMeansScorer": {"n_clusters": 2},
    "IsolationForestScorer": {"n_estimators": 10},
}


class ForecastFrames(NamedTuple):
    y_true_train: pd.DataFrame
    y_pred_train: pd.DataFrame
    y_true_test: pd.DataFrame
    y_pred_test: pd.DataFrame


def _index(kind: str, size: int, rng: np.random.Generator) -> pd.Index:
    if kind == "range":
        return pd.RangeIndex(size)
    if kind == "shuffled-int":
        return pd.Index(rng.permutation(size * 3)[:size], dtype=np.int64)
    if kind == "string":
        return pd.Index([f"row-{value}" for value in rng.permutation(size)])
    return pd.date_range("2026-03-29", periods=size, freq="7min", tz="Europe/Berlin")


column_names = st.one_of(
    st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4, unique=True),
    st.lists(st.integers(-5, 50), min_size=1, max_size=4, unique=True),
)


@st.composite
def forecast_frames(draw: st.DrawFn, min_test_rows: int = 1) -> ForecastFrames:
    """Valid training and test actuals/forecasts sharing columns, each pair sharing one index."""
    columns = draw(column_names)
    n_train = draw(st.integers(MIN_TRAIN_SIZE, MIN_TRAIN_SIZE + 60))
    n_test = draw(st.integers(min_test_rows, 40))
    scale = draw(st.sampled_from([1e-3, 1.0, 250.0, 1e6]))
    kind = draw(st.sampled_from(["range", "shuffled-int", "string", "datetime"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    index = _index(kind, n_train + n_test, rng)
    forecast = pd.DataFrame(rng.normal(size=(n_train + n_test, len(columns))) * scale + 3 * scale, index=index, columns=columns)
    actual = forecast + rng.standard_t(4, size=forecast.shape) * scale
    return ForecastFrames(actual.iloc[:n_train], forecast.iloc[:n_train], actual.iloc[n_train:], forecast.iloc[n_train:])
