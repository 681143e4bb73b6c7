# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from spotanomaly2_safe import InputTypeError, InvalidInputError, InvalidParameterError
from spotanomaly2_safe.alarms import continue_alarm_runs, continue_alarms, postprocess_flags
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.evaluation import runs

FLAGS = arrays(np.int64, st.integers(1, 80), elements=st.integers(0, 1))


@pytest.mark.requirement("REQ-QUA-009")
@given(FLAGS)
def test_neutral_settings_return_raw_flags(flags):
    np.testing.assert_array_equal(postprocess_flags(flags), flags)


@pytest.mark.requirement("REQ-QUA-009")
@given(flags=FLAGS, min_duration=st.integers(1, 4), min_gap=st.integers(0, 6))
def test_raw_flags_of_separate_alarms_are_more_than_min_gap_rows_apart(flags, min_duration, min_gap):
    alarms = postprocess_flags(flags, min_duration=min_duration, min_gap=min_gap)
    bursts = runs(alarms)
    for (start, end), (next_start, _) in zip(bursts[:-1], bursts[1:]):
        last_flag = start + np.flatnonzero(flags[start:end])[-1]
        first_flag_of_next = next_start + 1 - min_duration
        assert first_flag_of_next - last_flag - 1 > min_gap
    for start, _ in bursts:  # an alarm starts on the min_duration-th consecutive raw flag
        assert start + 1 >= min_duration and flags[start + 1 - min_duration : start + 1].all()


@pytest.mark.requirement("REQ-ADA-024")
@given(prefix=FLAGS, flags=arrays(np.int64, st.integers(0, 80), elements=st.integers(0, 1)), min_duration=st.integers(1, 4),
       min_gap=st.integers(0, 6))
def test_alarm_runs_continue_any_state_exactly_like_the_row_by_row_rule(prefix, flags, min_duration, min_gap):
    _, run, quiet_rows = continue_alarms(prefix.tolist(), min_duration, min_gap)  # a state the rule reaches
    alarms, *state = continue_alarm_runs(flags, min_duration, min_gap, run, quiet_rows)
    expected, *expected_state = continue_alarms(flags.tolist(), min_duration, min_gap, run, quiet_rows)
    assert alarms.dtype == np.int64 and alarms.tolist() == expected and state == expected_state
    assert all(type(value) is int for value in state)  # the adaptive state stays strict JSON


@pytest.mark.requirement("REQ-QUA-009")
def test_single_stray_flags_never_alarm_with_min_duration_two():
    np.testing.assert_array_equal(postprocess_flags(np.array([1, 0, 1, 0, 1]), min_duration=2), [0, 0, 0, 0, 0])


@pytest.mark.requirement("REQ-QUA-009")
def test_alarm_holds_through_short_gaps_and_ends_after_longer_ones():
    flags = np.array([1, 0, 0, 1, 0, 0, 0, 1])
    np.testing.assert_array_equal(postprocess_flags(flags, min_gap=2), [1, 1, 1, 1, 1, 1, 0, 1])


@pytest.mark.requirement("REQ-QUA-009")
@pytest.mark.parametrize(
    ("flags", "error", "reason"),
    [
        ([0, 1], InputTypeError, Reason.NOT_AN_ARRAY),
        (np.zeros((2, 2), dtype=int), InvalidInputError, Reason.EMPTY_INPUT),
        (np.array([0.0, 1.0]), InvalidInputError, Reason.NOT_BINARY),
        (np.array([0, 2]), InvalidInputError, Reason.NOT_BINARY),
    ],
)
def test_bad_flags_are_rejected(flags, error, reason):
    with pytest.raises(error) as caught:
        postprocess_flags(flags)
    assert caught.value.reason is reason


@pytest.mark.requirement("REQ-PAR-004")
@pytest.mark.parametrize(("name", "value"), [("min_duration", 0), ("min_gap", -1), ("min_gap", True)])
def test_bad_alarm_parameters_are_rejected(name, value):
    with pytest.raises(InvalidParameterError):
        postprocess_flags(np.array([1]), **{name: value})
