# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The streaming driver's fused one-row step (adaptive/one_row.py) against its references, bit for bit.

References: the batch driver (outputs and state), ``validate_observation`` (what is accepted and rejected, with
which error), ``score_row`` (the score and its overflow error) and ``continue_alarms`` (the alarm steps).
"""

import json
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotanomaly2_safe import AdaptiveDetector, AdaptiveResidualDetector, SpotAnomalySafeError
from spotanomaly2_safe.adaptive.core import advance_one
from spotanomaly2_safe.adaptive.scores import score_row
from spotanomaly2_safe.adaptive.spikes import spike_score_row
from spotanomaly2_safe.adaptive.state import AGGREGATIONS, SMOOTHINGS
from spotanomaly2_safe.adaptive.state_json import state_to_json
from spotanomaly2_safe.alarms import QUIET, continue_alarms, next_alarm_state
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.streaming.observations import validate_observation

CONFIGURATIONS = st.fixed_dictionaries({
    "window": st.integers(1, 5),
    "baseline_size": st.integers(10, 80),
    "reference_size": st.integers(50, 150),
    "refresh_every": st.integers(1, 12),
    "risk": st.sampled_from([1e-3, 5e-3, 9e-3]),
    "reset_after": st.one_of(st.none(), st.integers(10, 25)),
    "aggregation": st.sampled_from(AGGREGATIONS),
    "smoothing": st.sampled_from(SMOOTHINGS),
    "warmup_rows": st.integers(0, 30),
    "min_duration": st.one_of(st.none(), st.integers(1, 3)),
    "min_gap": st.one_of(st.none(), st.integers(0, 8)),
    "spike_risk": st.one_of(st.none(), st.sampled_from([1e-3, 5e-3])),
    "screen_risk": st.one_of(st.none(), st.sampled_from([0.01, 0.5])),  # 0.5 screens noise rows now and then: more screened rows to carry
})
SERIES = st.fixed_dictionaries({
    "seed": st.integers(0, 2**32 - 1),
    "n_channels": st.integers(1, 3),
    "n_train": st.integers(100, 140),
    "n_test": st.integers(40, 260),
    "step": st.sampled_from([None, 1.0, 0.5]),  # quantized values (many ties) or not
    "constant": st.sampled_from([None, 0.0, -0.0, 3.0]),  # a constant stretch: a zero MAD, a zero median of either sign
    "fault": st.floats(0.0, 40.0),  # a level shift over a stretch: flagged rows, runs, resets
    "spikes": st.integers(0, 6),  # one-row spikes
    "score_first": st.integers(1, 4),  # score_one before learn_one on every row but each score_first-th
    "training_glitches": st.integers(0, 3),  # one-row glitches in the training rows: rows for screen_risk to screen
})


def _series(series: dict) -> np.ndarray:
    rng = np.random.default_rng(series["seed"])
    rows = series["n_train"] + series["n_test"]
    values = rng.normal(size=(rows, series["n_channels"])) * rng.uniform(0.1, 5.0, series["n_channels"])
    if series["step"] is not None:
        values = np.round(values / series["step"]) * series["step"]
    if series["constant"] is not None:
        start = int(rng.integers(0, rows - 30))
        values[start : start + int(rng.integers(10, 60))] = series["constant"]
    start = int(rng.integers(series["n_train"], rows))
    values[start : start + int(rng.integers(1, 40)), 0] += series["fault"]
    for row in rng.integers(series["n_train"], rows, series["spikes"]):
        values[row, int(rng.integers(0, series["n_channels"]))] += float(rng.uniform(5.0, 30.0))
    for row in rng.integers(0, series["n_train"], series.get("training_glitches", 0)):
        values[row, int(rng.integers(0, series["n_channels"]))] -= float(rng.uniform(50.0, 1e4))
    return values


def _frame(values: np.ndarray, start: int) -> pd.DataFrame:
    return pd.DataFrame(values, columns=[f"c{i}" for i in range(values.shape[1])], index=pd.RangeIndex(start, start + len(values)))


def _zeros(frame: pd.DataFrame) -> pd.DataFrame:
    """A forecast of +0.0 everywhere: r - 0.0 keeps every residual's bits, -0.0 included (r - (-0.0) would not)."""
    return pd.DataFrame(0.0, columns=frame.columns, index=frame.index)


def _bits(values) -> bytes:
    return np.array(values, dtype=np.float64).tobytes()


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-041")
@settings(max_examples=80, deadline=None)
@given(params=CONFIGURATIONS, series=SERIES)
def test_one_row_streaming_outputs_and_state_equal_the_batch_driver_bit_for_bit_for_any_configuration(params, series):
    values, n_train = _series(series), series["n_train"]
    train, test = _frame(values[:n_train], 0), _frame(values[n_train:], n_train)
    batch = AdaptiveDetector(**params).fit(train, _zeros(train))
    scores, flags = batch.score_and_detect(test, _zeros(test))
    stream = AdaptiveResidualDetector(training_rows=n_train, **params)
    scored, outputs = [], []
    for position, row in enumerate(values.tolist()):
        x = dict(zip(train.columns, row))
        if position >= n_train:
            if position % series["score_first"]:  # River's loop; else learn_one checks and scores x itself
                scored.append((position - n_train, stream.score_one(x)))
            outputs.append(list(stream.evaluate_one(x).values()))
        stream.learn_one(x)
    expected = np.column_stack([scores.to_numpy(), flags.to_numpy()]).astype(float)
    assert _bits(outputs) == _bits(expected)
    assert _bits([score for _, score in scored]) == _bits(scores["anomaly_score"].to_numpy()[[row for row, _ in scored]])
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))


def _trained(n_channels: int, **params) -> AdaptiveResidualDetector:
    rng = np.random.default_rng(n_channels)
    detector = AdaptiveResidualDetector(training_rows=100, **params)
    for row in (rng.normal(size=(130, n_channels)) * 0.5).tolist():
        detector.learn_one(dict(zip(("load", "price", "flow")[:n_channels], row)))
    return detector


class _Float(float):
    """A float subclass: a real number the fast check hands to validate_observation."""


VALUES = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1.5, 2**53, 2**53 + 1, True]),  # the edges of the contract
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(2**60), 2**60),
    st.booleans(),
    st.none(),
    st.text(max_size=2),
    st.builds(np.float64, st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(np.int64, st.integers(-(2**62), 2**62)),
    st.builds(Fraction, st.integers(-(10**320), 10**320), st.integers(1, 10)),
    st.builds(_Float, st.floats(-1e6, 1e6)),
)
KEYS = st.sampled_from(["load", "price", "flow", "other", 7, None])
OBSERVATIONS = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=4),
    st.builds(lambda values: {"load": values[0], "price": values[1]}, st.tuples(VALUES, VALUES)),
    st.builds(lambda value: {"load": value}, VALUES),
    st.none(),
    st.lists(st.floats(), max_size=2),
    st.floats(),
)


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-041")
@settings(max_examples=300, deadline=None)
@given(x=OBSERVATIONS, n_channels=st.integers(1, 2), window=st.sampled_from([1, 3]), method=st.sampled_from(["score_one", "learn_one", "evaluate_one"]))
def test_one_row_steps_accept_reject_and_score_exactly_as_validate_observation_and_score_row_before_any_change(x, n_channels, window, method):
    detector = _trained(n_channels, window=window)
    before = json.dumps(detector.state_dict())
    try:  # the references: the contract, then the score (a value this large that it overflows is an error too)
        expected = score_row(detector.settings, detector.state, validate_observation(x, detector.channels))[0]
    except SpotAnomalySafeError as error:
        with pytest.raises(type(error)) as caught:
            getattr(detector, method)(x)
        assert (caught.value.reason, str(caught.value)) == (error.reason, str(error))
        assert json.dumps(detector.state_dict()) == before
        return
    result = getattr(detector, method)(x)
    if method == "score_one":
        assert _bits([result]) == _bits([expected])
    elif method == "evaluate_one":
        assert _bits([result["anomaly_score"]]) == _bits([expected])
    else:
        assert detector.n_learned == 131


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize(
    "n_channels, aggregation, window",  # l2: the score overflows; max with window 1: only (score - u) / sigma does
    [(1, "l2", 1), (1, "l2", 3), (1, "max", 1), (2, "l2", 1), (2, "l2", 3), (2, "max", 1)],
)
def test_one_row_score_overflow_is_score_rows_error_and_changes_nothing(n_channels, aggregation, window):
    detector = _trained(n_channels, aggregation=aggregation, window=window)
    x = dict(zip(detector.channels, [6e307] + [0.0] * (n_channels - 1)))
    with pytest.raises(SpotAnomalySafeError) as expected:
        score_row(detector.settings, detector.state, list(x.values()))
    before = json.dumps(detector.state_dict())
    for method in ("score_one", "learn_one", "evaluate_one"):
        with pytest.raises(type(expected.value)) as caught:
            getattr(detector, method)(x)
        assert caught.value.reason is Reason.SCORE_OVERFLOW and str(caught.value) == str(expected.value)
    assert json.dumps(detector.state_dict()) == before
    deviation = abs((6e307 - detector.state.location_values[0]) / detector.state.scale_values[0])
    assert math.isfinite(deviation) and math.isinf(deviation * deviation)  # l2 squares it to inf; max keeps it finite


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize("n_channels", [1, 2])
def test_one_row_spike_score_overflow_is_advance_ones_error_when_learned_or_evaluated_and_changes_nothing(n_channels):
    # |z| about 2e154 (scale about 0.75): its square overflows (the l2 spike score) while the 10-row mean's square does not.
    detector = _trained(n_channels, window=10, aggregation="l2", spike_risk=1e-3)
    x = dict(zip(detector.channels, [1.5e154] + [0.0] * (n_channels - 1)))
    with pytest.raises(SpotAnomalySafeError) as expected:
        advance_one(detector.settings, detector.state.copy(), list(x.values()))
    before = json.dumps(detector.state_dict())
    assert math.isfinite(detector.score_one(x))  # the window score alone is finite, as score_row's
    for method in ("learn_one", "evaluate_one"):
        with pytest.raises(type(expected.value)) as caught:
            getattr(detector, method)(x)
        assert caught.value.reason is Reason.SCORE_OVERFLOW and str(caught.value) == str(expected.value)
    assert json.dumps(detector.state_dict()) == before


@pytest.mark.requirement("REQ-ADA-024")
@pytest.mark.requirement("REQ-ADA-041")
@settings(max_examples=200)
@given(
    flags=st.lists(st.integers(0, 1), max_size=60),
    min_duration=st.integers(1, 4),
    min_gap=st.integers(0, 6),
    data=st.data(),
)
def test_next_alarm_state_steps_equal_continue_alarms_from_any_state(flags, min_duration, min_gap, data):
    run = data.draw(st.integers(0, min_duration), label="run")
    quiet_rows = data.draw(st.sampled_from([QUIET, *range(min_gap + 1)]), label="quiet_rows")
    alarms, state = [], (run, quiet_rows)
    for flag in flags:
        state = next_alarm_state(flag, min_duration, min_gap, *state)
        alarms.append(int(state[1] != QUIET))
    expected, *expected_state = continue_alarms(flags, min_duration, min_gap, run, quiet_rows)
    assert alarms == expected and list(state) == expected_state


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize("value", [math.inf, -math.inf])
@pytest.mark.parametrize("method", ["score_one", "learn_one", "evaluate_one"])
def test_one_row_step_rejects_an_infinite_value_of_one_channel_with_validate_observations_error(value, method):
    detector = _trained(1, window=3)
    with pytest.raises(SpotAnomalySafeError) as expected:
        validate_observation({"load": value}, detector.channels)
    before = json.dumps(detector.state_dict())
    with pytest.raises(type(expected.value)) as caught:
        getattr(detector, method)({"load": value})
    assert (caught.value.reason, str(caught.value)) == (expected.value.reason, str(expected.value))
    assert json.dumps(detector.state_dict()) == before


@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize("aggregation", AGGREGATIONS)
@pytest.mark.parametrize("window", [1, 3])
def test_one_row_score_of_one_channel_equals_score_row_for_a_deviation_whose_square_overflows(aggregation, window):
    """A deviation of about 1e200 spreads: finite as the max or mean of |z|, only the l2 score squares it to inf."""
    detector = _trained(1, aggregation=aggregation, window=window)
    x = {"load": 1e200}
    try:
        expected = score_row(detector.settings, detector.state, [1e200])[0]
    except SpotAnomalySafeError as error:
        with pytest.raises(type(error)) as caught:
            detector.score_one(x)
        assert (caught.value.reason, str(caught.value)) == (error.reason, str(error))
        assert aggregation == "l2"
        return
    assert _bits([detector.score_one(x)]) == _bits([expected]) and math.isfinite(expected)


@pytest.mark.requirement("REQ-ADA-041")
def test_one_row_score_one_while_training_is_zero_and_checks_the_known_channels():
    detector = AdaptiveResidualDetector(training_rows=100, window=3)
    detector.learn_one({"load": 1.0})
    assert _bits([detector.score_one({"load": 50.0})]) == _bits([0.0])
    with pytest.raises(SpotAnomalySafeError) as expected:
        validate_observation({"price": 1.0}, ("load",))
    with pytest.raises(type(expected.value)) as caught:
        detector.score_one({"price": 1.0})
    assert (caught.value.reason, str(caught.value)) == (expected.value.reason, str(expected.value))


def _change_every_value(x: dict) -> None:
    for channel in x:
        x[channel] = 40.0  # a fault: scored again it is flagged and not learned; with the kept score it would be


def _change_the_last_value(x: dict) -> None:
    x[list(x)[-1]] = 40.0


def _add_a_key(x: dict) -> None:
    x["other"] = 0.25


def _remove_the_last_key(x: dict) -> None:
    del x[list(x)[-1]]


@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize(
    "n_channels, change",
    [(1, _change_every_value), (2, _change_every_value), (2, _change_the_last_value), (1, _add_a_key), (2, _remove_the_last_key)],
)
def test_one_row_learn_one_of_a_dict_changed_after_score_one_is_checked_and_scored_again(n_channels, change):
    """The score kept by score_one is reused only for the same dict with the same keys and the very float objects
    it checked: a dict changed in between is learned (or rejected) as a fresh copy of it is."""
    scored_first, fresh = _trained(n_channels), _trained(n_channels)
    x = dict(zip(scored_first.channels, [0.25] * n_channels))
    scored_first.score_one(x)
    change(x)
    try:
        fresh.learn_one(dict(x))
    except SpotAnomalySafeError as error:
        with pytest.raises(type(error)) as caught:
            scored_first.learn_one(x)
        assert (caught.value.reason, str(caught.value)) == (error.reason, str(error))
    else:
        scored_first.learn_one(x)
    assert json.dumps(scored_first.state_dict()) == json.dumps(fresh.state_dict())


@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize("scale", ["window", "spike"])
def test_one_row_score_equal_to_its_threshold_is_not_flagged_and_is_learned_as_by_advance_one(scale):
    """The flag rule is score > threshold, for the window score and the one-row scale alike (a tie is neither flagged
    by evaluate_one nor kept from learning)."""
    detector = _trained(2, window=3, spike_risk=1e-3)
    x = {"load": 0.3, "price": -0.2}
    score = detector.score_one(x)
    if scale == "window":
        detector.state.threshold = score
    else:
        deviations = score_row(detector.settings, detector.state, list(x.values()))[2]
        detector.state.spike.threshold = spike_score_row(detector.settings, deviations)
    reference = detector.state.copy()
    flagged = advance_one(detector.settings, reference, list(x.values()))[2]
    assert detector.evaluate_one(x)["anomaly_flag"] == flagged == 0
    detector.learn_one(x)
    assert json.dumps(state_to_json(detector.state)) == json.dumps(state_to_json(reference))


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-041")
@pytest.mark.parametrize("method", ["score_one", "learn_one", "evaluate_one"])
def test_streaming_driver_while_training_outputs_zeros_and_rejects_a_channel_it_has_not_seen(method):
    detector = AdaptiveResidualDetector(training_rows=100, window=3, min_gap=2)
    detector.learn_one({"load": 1.0})
    if method == "score_one":
        assert _bits([detector.score_one({"load": 50.0})]) == _bits([0.0])
    elif method == "evaluate_one":
        expected = {"anomaly_score": 0.0, "anomaly_score_normalized": 0.0, "anomaly_flag": 0, "baseline_reset": 0, "alarm": 0}
        evaluation = detector.evaluate_one({"load": 50.0})
        assert evaluation == expected and _bits(list(evaluation.values())) == _bits(list(expected.values()))
    with pytest.raises(SpotAnomalySafeError) as expected_error:
        validate_observation({"price": 1.0}, ("load",))
    with pytest.raises(type(expected_error.value)) as caught:
        getattr(detector, method)({"price": 1.0})
    assert (caught.value.reason, str(caught.value)) == (expected_error.value.reason, str(expected_error.value))
    assert detector.n_learned == 1 and detector.training == [[1.0]]
