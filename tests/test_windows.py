# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spotanomaly2_safe.scoring.windows import WINDOW_AGGREGATIONS, aggregate_windows

REDUCERS = {"mean": np.mean, "max": np.max, "median": np.median}


@pytest.mark.requirement("REQ-QUA-004")
@pytest.mark.parametrize("window_agg", WINDOW_AGGREGATIONS)
@given(values=arrays(np.float64, st.integers(6, 40), elements=st.floats(-1e6, 1e6)), window=st.integers(1, 6))
def test_each_output_row_is_the_aggregate_of_the_window_ending_there(window_agg, values, window):
    result = aggregate_windows(values, window, window_agg)
    expected = [REDUCERS[window_agg](values[start : start + window]) for start in range(values.size - window + 1)]
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-6)


@pytest.mark.requirement("REQ-QUA-004")
def test_window_one_returns_values_unchanged():
    values = np.array([3.0, 1.0])
    assert aggregate_windows(values, 1, "median") is values


@pytest.mark.requirement("REQ-QUA-004")
@pytest.mark.parametrize("window_agg", WINDOW_AGGREGATIONS)
def test_two_dimensional_values_aggregate_each_column(window_agg):
    values = np.arange(12.0).reshape(6, 2) ** 2
    result = aggregate_windows(values, 3, window_agg)
    for column in range(2):
        np.testing.assert_allclose(result[:, column], aggregate_windows(values[:, column].copy(), 3, window_agg))
