# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotanomaly2_safe.adaptive.core import _column_medians
from spotanomaly2_safe.adaptive.window_statistics import deviation_median, row_ranks, sorted_median, sorted_windows, sorted_windows_of, window_tops

SHAPES = st.tuples(st.integers(1, 3), st.integers(2, 200), st.integers(1, 12), st.integers(1, 8))  # columns, size, step, windows


def _values(seed: int, n_values: int, quantized: bool, n_columns: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.standard_t(2, size=(n_columns, n_values)) * 10.0 ** rng.integers(-3, 4)
    return np.round(values) + 0.0 if quantized else values  # rounded: many ties (+ 0.0: residuals x - x are never -0.0)


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=200, deadline=None)
@given(shape=SHAPES, seed=st.integers(0, 2**32 - 1), quantized=st.booleans())
def test_sorted_window_median_and_mad_equal_the_partition_refresh_bit_for_bit(shape, seed, quantized):
    n_columns, size, step, n_windows = shape
    columns = _values(seed, size + step * n_windows, quantized, n_columns)
    ends = size + step * np.arange(n_windows)
    ordered = sorted_windows(columns, size, ends)
    location = sorted_median(ordered)
    spread = deviation_median(ordered, location)
    for window, end in enumerate(ends):
        entries = np.ascontiguousarray(columns[:, end - size : end])
        expected = _column_medians(entries)
        assert location[window].tobytes() == expected.tobytes()
        assert spread[window].tobytes() == _column_medians(np.abs(entries - expected[:, None])).tobytes()


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=200, deadline=None)
@given(shape=SHAPES, seed=st.integers(0, 2**32 - 1), quantized=st.booleans(), left_out=st.sets(st.integers(0, 10**6), max_size=12))
def test_sorted_windows_over_kept_positions_equal_the_partition_refresh_of_the_kept_entries_bit_for_bit(shape, seed, quantized, left_out):
    # Rows left out of the sequence (flagged rows): each window is the last size kept entries before its end.
    n_columns, size, step, n_windows = shape
    length = size + step * n_windows + len(left_out)
    columns = _values(seed, length, quantized, n_columns)
    kept = np.setdiff1d(np.arange(length), [size + position % (length - size) for position in left_out])  # none among the first size
    ends = np.sort(np.random.default_rng(seed).choice(kept[size - 1 :] + 1, size=n_windows))
    ordered = sorted_windows_of(row_ranks(columns), size, ends, kept)
    location = sorted_median(ordered)
    spread = deviation_median(ordered, location)
    for window, end in enumerate(ends):
        entries = np.ascontiguousarray(columns[:, kept[kept < end][-size:]])
        expected = _column_medians(entries)
        assert location[window].tobytes() == expected.tobytes()
        assert spread[window].tobytes() == _column_medians(np.abs(entries - expected[:, None])).tobytes()


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=200, deadline=None)
@given(size=st.integers(8, 60), step=st.integers(1, 5), n_windows=st.integers(1, 30), top=st.integers(1, 4), seed=st.integers(0, 2**32 - 1),
       quantized=st.booleans())
def test_window_tops_are_the_largest_entries_of_each_window_in_ascending_order(size, step, n_windows, top, seed, quantized):
    group = 1 + (size - top) // step  # the windows of a group share at least top entries
    values = np.abs(_values(seed, size + step * n_windows, quantized)[0])
    ends = size + step * np.arange(n_windows)
    tops = window_tops(values, size, ends, top, group)
    assert tops.shape == (n_windows, top)
    for window, end in enumerate(ends):
        assert tops[window].tobytes() == np.sort(values[end - size : end])[size - top :].tobytes()


@pytest.mark.requirement("REQ-ADA-007")
def test_window_tops_never_select_nan_entries():
    values = np.array([1.0, 5.0, 2.0, 4.0, np.nan, 3.0])
    assert window_tops(values, 4, np.array([4, 6]), 2, group=2).tolist() == [[4.0, 5.0], [3.0, 4.0]]


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("length", [2, 300, 70_000])  # 8-, 16- and 32-bit ranks
def test_row_ranks_order_values_closer_than_the_dropped_key_bits_exactly(length):
    rng = np.random.default_rng(length)
    near = 1.0 + rng.integers(0, 64, size=(2, length)) * np.finfo(float).eps  # within the key's dropped lowest bits
    near[1] = -near[1]
    ranks, ordered_rows = row_ranks(near)
    assert ordered_rows.tobytes() == np.sort(near, axis=1).tobytes()
    assert (np.take_along_axis(ordered_rows, ranks.astype(np.intp), axis=1) == near).all()
    assert sorted(ranks[0].tolist()) == list(range(length))  # a permutation: ties get distinct ranks
