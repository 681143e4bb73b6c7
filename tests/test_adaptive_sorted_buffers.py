# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The one-row path's sorted buffers: the same statistics, bit for bit, as the batch path's selection on the rings."""

import json
import math
import struct

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotanomaly2_safe import AdaptiveDetector, AdaptiveResidualDetector, InvalidInputError, recommended_detector
from spotanomaly2_safe.adaptive.recommended import RECOMMENDED_PARAMETERS
from spotanomaly2_safe.adaptive.core import _median_and_mad, advance, advance_one, initial_state
from spotanomaly2_safe.adaptive.sorted_buffers import SortedBuffers
from spotanomaly2_safe.adaptive.sorted_statistics import smallest_deviations
from spotanomaly2_safe.adaptive.state import AdaptiveSettings, Ring
from spotanomaly2_safe.adaptive.state_json import state_to_json
from spotanomaly2_safe.errors import Reason

# Quantized values with many ties, zeros of both signs, and a few wide ones: where selection is easiest to get wrong.
VALUES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -3.0]), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))


def _bits(values) -> list[int]:
    return [struct.unpack("<q", struct.pack("<d", float(value)))[0] for value in values]


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=200)
@given(values=st.lists(VALUES, min_size=1, max_size=40), data=st.data())
def test_smallest_deviations_equal_the_kth_and_next_of_the_sorted_absolute_deviations_whatever_the_guess(values, data):
    ordered = sorted(values)
    centre = data.draw(st.one_of(st.sampled_from(ordered), VALUES), label="centre")
    k = data.draw(st.integers(1, len(ordered)), label="k")
    guess = data.draw(st.integers(-2, len(ordered) + 2), label="guess")  # the start found at the last refresh: any hint
    deviations = sorted(abs(value - centre) for value in ordered)
    kth, following, start = smallest_deviations(ordered, centre, k, guess)
    assert (kth, following) == (deviations[k - 1], deviations[k] if k < len(ordered) else math.inf)
    assert start == smallest_deviations(ordered, centre, k)[2]  # the guess changes the search, never its result


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=150)
@given(rows=st.lists(st.lists(VALUES, min_size=2, max_size=2), min_size=1, max_size=60), capacity=st.integers(10, 30))
def test_sorted_buffers_median_and_mad_are_bit_identical_to_the_selection_on_the_ring(rows, capacity):
    baseline, reference = Ring(capacity, (2,)), Ring(50)
    reference.extend(np.arange(50.0))
    buffers = SortedBuffers(baseline, reference)
    for row in rows:
        buffers.push(row, 1.0)
        baseline.push(row)
    columns = np.ascontiguousarray(baseline.filled().T)
    location, mad = _median_and_mad(columns)
    locations, mads = buffers.median_and_mad(_median_and_mad)
    assert _bits(locations) == _bits(location) and _bits(mads) == _bits(mad)  # the sign of a zero median included


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=100)
@given(
    rows=st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=80),
    scores=st.lists(st.floats(0, 100, allow_nan=False), min_size=50, max_size=200),
    count=st.integers(1, 20),
)
def test_sorted_buffers_keep_the_ring_slots_sorted_columns_and_largest_scores(rows, scores, count):
    baseline, reference = Ring(25, (1,)), Ring(60)
    reference.extend(np.array(scores[:50]))
    buffers = SortedBuffers(baseline, reference)
    assert buffers.reference.largest_scores(count) == sorted(reference.filled().tolist())[-count:]
    for position, value in enumerate(rows):
        score = scores[(50 + position) % len(scores)]
        buffers.push([value], score)
        baseline.push([value])
        reference.push(score)
        if position % 9 == 0:  # as at refreshes: top is read, rebuilt or cut back
            assert buffers.reference.largest_scores(count) == sorted(reference.filled().tolist())[-count:]
    assert buffers.columns == [sorted(baseline.filled()[:, 0].tolist())]
    written = Ring(25, (1,)), Ring(60)
    buffers.write_back(*written)
    for ours, ring in zip(written, (baseline, reference)):
        assert (ours.count, ours.position, ours.filled().tobytes()) == (ring.count, ring.position, ring.filled().tobytes())


def _quantized_rows(seed: int, n_rows: int) -> np.ndarray:
    """Integer-valued residuals, mostly zeros of either sign (long constant stretches), and a fault."""
    rng = np.random.default_rng(seed)
    values = np.where(rng.random((n_rows, 2)) < 0.6, 0.0, rng.integers(-3, 4, size=(n_rows, 2)).astype(float))
    values[rng.random((n_rows, 2)) < 0.3] *= -1.0  # -0.0 where the value is 0.0
    values[700:760, 1] += 40.0
    return values


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-024")
@pytest.mark.requirement("REQ-ADA-030")
@pytest.mark.parametrize(
    "params",
    [
        {"baseline_size": 10, "refresh_every": 1},
        {"window": 4, "smoothing": "signed", "reset_after": 20, "refresh_every": 3},
        # with the one-row scale (window 1: its score is the window score) and the alarm rule
        {"baseline_size": 10, "reference_size": 120, "refresh_every": 2, "spike_risk": 5e-3, "min_gap": 5},
        {"window": 4, "smoothing": "signed", "reset_after": 20, "refresh_every": 3, "spike_risk": 1e-3, "min_duration": 2, "min_gap": 3},
        {"window": 3, "aggregation": "max", "reference_size": 150, "refresh_every": 1, "spike_risk": 1e-3, "min_duration": 3},
    ],
)
def test_adaptive_streaming_on_quantized_rows_with_signed_zeros_matches_the_batch_outputs_and_state(params):
    values = _quantized_rows(5, 1200)
    frames = [
        pd.DataFrame(part, columns=["load", "price"], index=pd.RangeIndex(start, start + len(part)))
        for start, part in ((0, values[:200]), (200, values[200:]))
    ]
    forecasts = [pd.DataFrame(0.0, columns=frame.columns, index=frame.index) for frame in frames]  # -0.0 - 0.0 keeps -0.0
    batch = AdaptiveDetector(**params).fit(frames[0], forecasts[0])
    scores, flags = batch.score_and_detect(frames[1], forecasts[1])
    stream = AdaptiveResidualDetector(training_rows=200, **params)
    outputs = []
    for position, (load, price) in enumerate(values.tolist()):
        x = {"load": load, "price": price}
        if position >= 200:
            outputs.append(list(stream.evaluate_one(x).values()))
        stream.learn_one(x)
    assert np.array(outputs).tobytes() == np.column_stack([scores.to_numpy(), flags.to_numpy()]).astype(float).tobytes()
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("spike_risk", [None, 5e-3])
def test_adaptive_one_row_and_block_steps_interleaved_match_blocks_only(spike_risk):
    settings_ = AdaptiveSettings(2, 40, 60, 5, 1e-3, 15, "mean", "absolute", spike_risk=spike_risk)
    values = _quantized_rows(8, 900)
    stepped, blocks = initial_state(settings_, values[:150]), initial_state(settings_, values[:150])
    outputs = []
    for start in range(150, 900, 50):
        for row in values[start : start + 25]:
            outputs.append(advance_one(settings_, stepped, row.tolist()))
        step = advance(settings_, stepped, values[start + 25 : start + 50])  # the rings take the rows back first
        outputs.extend(zip(step.score.tolist(), step.normalized.tolist(), step.flag.tolist(), step.reset.tolist()))
    whole = advance(settings_, blocks, values[150:900])
    assert outputs == list(zip(whole.score.tolist(), whole.normalized.tolist(), whole.flag.tolist(), whole.reset.tolist()))
    assert json.dumps(state_to_json(stepped)) == json.dumps(state_to_json(blocks))
    assert sum(output[2] for output in outputs) > 0  # flagged rows: learned by neither path


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-030")
@pytest.mark.parametrize("aggregation", ["l2", "max", "mean"])
def test_adaptive_streaming_of_one_channel_with_window_one_and_the_spike_scale_matches_the_batch(aggregation):
    params = {"window": 1, "aggregation": aggregation, "refresh_every": 4, "reference_size": 200, "spike_risk": 2e-3, "reset_after": 30, "min_gap": 6}
    rng = np.random.default_rng(11)
    values = np.round(rng.normal(size=(900, 1)) * (1.0 + np.arange(900)[:, None] / 300.0), 1)  # a spread that grows
    values[[250, 420, 610], 0] += 12.0  # one-row spikes
    values[700:740, 0] += 9.0  # a fault
    frame = pd.DataFrame(values, columns=["load"])
    forecast = pd.DataFrame(0.0, columns=frame.columns, index=frame.index)
    batch = AdaptiveDetector(**params).fit(frame.iloc[:200], forecast.iloc[:200])
    scores, flags = batch.score_and_detect(frame.iloc[200:], forecast.iloc[200:])
    stream = AdaptiveResidualDetector(training_rows=200, **params)
    outputs = []
    for position, load in enumerate(values[:, 0].tolist()):
        if position >= 200:
            outputs.append(list(stream.evaluate_one({"load": load}).values()))
        stream.learn_one({"load": load})
    assert flags["anomaly_flag"].sum() > 0 and flags["alarm"].sum() > flags["anomaly_flag"].sum()
    assert np.array(outputs).tobytes() == np.column_stack([scores.to_numpy(), flags.to_numpy()]).astype(float).tobytes()
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_streaming_with_the_recommended_parameters_matches_the_batch_outputs_and_state():
    rng = np.random.default_rng(12)
    values = np.round(rng.normal(size=3000) * 4.0) + np.where(np.arange(3000) % 400 == 7, 30.0, 0.0)  # quantized, one-row spikes
    values[2000:2100] += 25.0  # a fault
    frame = pd.DataFrame(values, columns=["load"])
    forecast = pd.DataFrame(0.0, columns=frame.columns, index=frame.index)
    batch = recommended_detector().fit(frame.iloc[:300], forecast.iloc[:300])
    scores, flags = batch.score_and_detect(frame.iloc[300:], forecast.iloc[300:])
    stream = AdaptiveResidualDetector(training_rows=300, **RECOMMENDED_PARAMETERS)
    outputs = []
    for position, load in enumerate(values.tolist()):
        x = {"load": load}
        if position >= 300:
            stream.score_one(x)
            outputs.append(list(stream.evaluate_one(x).values()))
        stream.learn_one(x)
    assert batch.state_.spike is not None and flags["alarm"].sum() > 0
    assert np.array(outputs).tobytes() == np.column_stack([scores.to_numpy(), flags.to_numpy()]).astype(float).tobytes()
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))


@pytest.mark.requirement("REQ-ADA-030")
def test_spike_scale_copy_keeps_its_own_sorted_scores():
    settings_ = AdaptiveSettings(3, 40, 60, 5, 1e-3, None, "l2", "absolute", spike_risk=5e-3)
    values = _quantized_rows(13, 400)
    state = initial_state(settings_, values[:150])
    for row in values[150:170]:
        advance_one(settings_, state, row.tolist())
    twin = state.copy()
    assert twin.spike.sorted_scores is not None and twin.spike.sorted_scores is not state.spike.sorted_scores
    for row in values[170:200]:
        advance_one(settings_, twin, row.tolist())
    before = state_to_json(state.copy())
    advance(settings_, state, values[170:200])  # the original continues unchanged by the twin's steps
    assert state_to_json(state) == state_to_json(twin) and before != state_to_json(twin)


class _Observation(dict):
    """A dict subclass: accepted by the checks, never taken for the dict that was scored."""


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(
    "change, reason",
    [
        (lambda x: x.update(load=float("nan")), Reason.MISSING_VALUE),
        (lambda x: x.update(extra=1.0), Reason.COLUMNS_DIFFER_FROM_FIT),
        (lambda x: x.update(load=True), Reason.NON_NUMERIC),
    ],
)
def test_adaptive_streaming_checks_x_again_when_it_changed_after_score_one(change, reason):
    values = _quantized_rows(3, 260)
    model = AdaptiveResidualDetector(training_rows=200)
    for load, price in values[:250].tolist():
        model.learn_one({"load": load, "price": price})
    before = json.dumps(model.state_dict())
    x = {"load": 1.0, "price": 2.0}
    model.score_one(x)
    change(x)
    with pytest.raises(InvalidInputError) as caught:
        model.learn_one(x)
    assert caught.value.reason is reason and json.dumps(model.state_dict()) == before


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("kind", [dict, _Observation])
def test_adaptive_streaming_learns_an_equal_value_in_a_new_float_or_a_dict_subclass_like_a_plain_dict(kind):
    values = _quantized_rows(4, 400)
    scored_first, learned_only = AdaptiveResidualDetector(training_rows=200), AdaptiveResidualDetector(training_rows=200)
    for load, price in values.tolist():
        x = kind(load=load, price=price)
        scored_first.score_one(x)
        x["load"] = float(repr(load))  # the same value, sign of zero included, in another float object
        scored_first.learn_one(x)
        learned_only.learn_one({"load": load, "price": price})
    assert json.dumps(scored_first.state_dict()) == json.dumps(learned_only.state_dict())


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("params", [{}, {"window": 3, "spike_risk": 5e-3, "min_gap": 4}])
def test_adaptive_batch_driver_fed_one_row_batches_then_blocks_matches_one_batch(params):
    values = _quantized_rows(9, 900)  # the fault at rows 700 to 759 is flagged
    frame = pd.DataFrame(values, columns=["load", "price"])
    forecast = pd.DataFrame(0.0, columns=frame.columns, index=frame.index)
    whole = AdaptiveDetector(refresh_every=4, reset_after=12, **params).fit(frame.iloc[:200], forecast.iloc[:200])
    expected = whole.score_and_detect(frame.iloc[200:], forecast.iloc[200:])
    assert expected[1]["anomaly_flag"].sum() > 0 and expected[1].get("alarm", pd.Series([1])).sum() > 0  # alarms with a rule
    split = AdaptiveDetector(refresh_every=4, reset_after=12, **params).fit(frame.iloc[:200], forecast.iloc[:200])
    parts = [split.score_and_detect(frame.iloc[row : row + 1], forecast.iloc[row : row + 1]) for row in range(200, 450)]  # the one-row path
    parts.append(split.score_and_detect(frame.iloc[450:], forecast.iloc[450:]))  # then one block on the rings
    for position in (0, 1):
        assert pd.concat([part[position] for part in parts]).to_numpy().tobytes() == expected[position].to_numpy().tobytes()
    assert json.dumps(split.state_dict()) == json.dumps(whole.state_dict())
