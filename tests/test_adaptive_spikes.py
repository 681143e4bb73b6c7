# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The one-row scale of the adaptive method (``spike_risk``, spotanomaly2_safe.adaptive.spikes)."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frames import streamed_outputs
from speculation_spy import advance_beside_steps, assert_overflow_learns_only_the_earlier_blocks, spy_on_speculation
from spotanomaly2_safe import AdaptiveDetector, AdaptiveResidualDetector, InvalidInputError, InvalidParameterError
from spotanomaly2_safe.adaptive import speculation
from spotanomaly2_safe.adaptive.core import TAIL_SCALE_FLOOR, advance, advance_one, initial_state
from spotanomaly2_safe.adaptive.spikes import spike_score_row, spike_scores, with_spike_row, with_spikes
from spotanomaly2_safe.adaptive.state import AdaptiveSettings
from spotanomaly2_safe.adaptive.state_json import state_from_json, state_to_json
from spotanomaly2_safe.errors import Reason

NOISE = np.random.default_rng(30).normal(size=(1500, 2)) * [1.0, 5.0]


def _frames(values: np.ndarray, start: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    true = pd.DataFrame(values, columns=["load", "price"][: values.shape[1]], index=pd.RangeIndex(start, start + len(values)))
    return true, true * 0.0


def _series_with_spikes_and_faults() -> np.ndarray:
    values = NOISE.copy()
    for row in (420, 700, 1111):
        values[row, 0] += 9.0  # one-row spikes, diluted by a window
    values[600:620, 0] += 8.0  # a short fault
    values[900:, 1] += 60.0  # a permanent level change
    return values


SPIKE_CONFIGURATIONS = [
    {"window": 10, "aggregation": "max", "spike_risk": 1e-3, "refresh_every": 50, "warmup_rows": 50, "reset_after": 100},
    {"window": 6, "smoothing": "signed", "aggregation": "l2", "spike_risk": 5e-3, "reset_after": 40, "refresh_every": 7},
    {"window": 3, "aggregation": "mean", "spike_risk": 2e-3, "reset_after": 10, "refresh_every": 1, "baseline_size": 30, "reference_size": 60},
    # the recommended shape with buffers that 300 training rows fill: the batch driver speculates from the first block
    {"window": 10, "aggregation": "max", "spike_risk": 2e-4, "risk": 5e-4, "refresh_every": 50, "warmup_rows": 50, "reset_after": 500,
     "baseline_size": 200, "reference_size": 250, "min_gap": 48},
]


def _oracle_tail(scores: np.ndarray, risk: float) -> tuple[float, float, float]:
    """u, sigma and threshold of the exponential tail rule, written out independently of the kernel."""
    ordered = np.sort(scores)
    n = len(ordered)
    n_tail = math.ceil(math.sqrt(n))
    u = ordered[n - n_tail - 1]
    sigma = max(float(np.mean(ordered[n - n_tail :] - u)), TAIL_SCALE_FLOOR)
    return u, sigma, u + sigma * (math.log(n_tail / n) - math.log(risk))


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_threshold_follows_the_recorded_rule_from_the_training_rows_after_the_warmup():
    values = NOISE[:400]
    detector = AdaptiveDetector(window=10, aggregation="max", warmup_rows=40, spike_risk=1e-3).fit(*_frames(values))
    record = detector.fit_record_
    z = np.abs(values - record["baseline"]["location"]) / record["baseline"]["scale"]
    u, sigma, threshold = _oracle_tail(z.max(axis=1)[40:], 1e-3)
    spike = record["spike"]
    assert spike["n_scores"] == 360 and spike["n_tail"] == 19
    assert (spike["u"], spike["sigma"]) == (pytest.approx(u, rel=1e-12), pytest.approx(sigma, rel=1e-12))
    assert spike["threshold"] == pytest.approx(threshold, rel=1e-12)
    assert spike["rule"].startswith("flag if the window score or the one-row score exceeds its own tail's threshold")


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_scale_flags_a_one_row_spike_the_window_dilutes_and_learns_it_nowhere():
    values = NOISE[:301].copy()
    values[300, 0] = 12.0  # 12 noise units in one row: a 10-row mean of |z| sees about 2
    plain = AdaptiveDetector(window=10, aggregation="max", baseline_size=1000, refresh_every=1000).fit(*_frames(values[:300]))
    spiky = AdaptiveDetector(window=10, aggregation="max", baseline_size=1000, refresh_every=1000, spike_risk=1e-3).fit(*_frames(values[:300]))
    counts = (spiky.state_.baseline.count, spiky.state_.reference.count, spiky.state_.spike.reference.count)
    plain_scores, plain_flags = plain.score_and_detect(*_frames(values[300:], 300))
    scores, flags = spiky.score_and_detect(*_frames(values[300:], 300))
    assert plain_flags["anomaly_flag"].iloc[0] == 0 and flags["anomaly_flag"].iloc[0] == 1
    assert scores["anomaly_score"].iloc[0] == plain_scores["anomaly_score"].iloc[0] < spiky.state_.threshold  # the window score is unchanged
    assert scores["anomaly_score_normalized"].iloc[0] > plain_scores["anomaly_score_normalized"].iloc[0]
    assert (spiky.state_.baseline.count, spiky.state_.reference.count, spiky.state_.spike.reference.count) == counts
    _, calm = spiky.score_and_detect(*_frames(np.array([[0.1, 0.2]]), 301))
    assert calm["anomaly_flag"].iloc[0] == 0 and spiky.state_.spike.reference.count == counts[2] + 1


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_normalized_score_at_its_threshold_is_the_spike_risk_on_the_log_scale():
    detector = AdaptiveDetector(window=10, aggregation="max", spike_risk=1e-3).fit(*_frames(NOISE[:300]))
    record = detector.fit_record_
    residual = record["baseline"]["location"][0] + record["spike"]["threshold"] * record["baseline"]["scale"][0]
    scores, flags = detector.score_and_detect(*_frames(np.array([[residual, record["baseline"]["location"][1]]]), 300))
    assert scores["anomaly_score_normalized"].iloc[0] == pytest.approx(3.0 / 4.0, rel=1e-9)  # L = -log10(1e-3) = 3


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_without_spike_risk_keeps_no_spike_state_or_record():
    off = AdaptiveDetector(window=4).fit(*_frames(NOISE[:200]))
    on = AdaptiveDetector(window=4, spike_risk=1e-3).fit(*_frames(NOISE[:200]))
    assert off.state_.spike is None and "spike" not in off.fit_record_
    assert not any(key.startswith("spike_") for key in off.state_dict()["state"])
    assert on.state_.spike is not None and "spike" in on.fit_record_
    assert {key for key in on.state_dict()["state"] if key.startswith("spike_")} == {
        "spike_reference", "spike_n_tail", "spike_u", "spike_sigma", "spike_log_share", "spike_threshold"}


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-030")
@pytest.mark.parametrize("params", SPIKE_CONFIGURATIONS)
def test_adaptive_spike_streaming_driver_is_bit_identical_to_the_batch_driver(params):
    values = _series_with_spikes_and_faults()
    batch = AdaptiveDetector(**params).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    assert batch[1]["anomaly_flag"].sum() > 0
    streamed = streamed_outputs(AdaptiveResidualDetector(training_rows=300, **params), values, 300, batch[0].index)
    assert (streamed[list(batch[0].columns)].to_numpy() == batch[0].to_numpy()).all()
    assert (streamed[list(batch[1].columns)].to_numpy() == batch[1].to_numpy()).all()


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-030")
@settings(max_examples=20, deadline=None)
@given(cuts=st.lists(st.integers(301, 1499), max_size=6, unique=True).map(sorted), which=st.integers(0, len(SPIKE_CONFIGURATIONS) - 1))
def test_adaptive_spike_any_split_with_json_state_is_bit_identical_to_one_batch(cuts, which):
    params, values = SPIKE_CONFIGURATIONS[which], _series_with_spikes_and_faults()
    whole = AdaptiveDetector(**params).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    detector = AdaptiveDetector(**params).fit(*_frames(values[:300]))
    parts = []
    for start, stop in zip([300, *cuts], [*cuts, len(values)]):
        detector = AdaptiveDetector.from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
        parts.append(detector.score_and_detect(*_frames(values[start:stop], start)))
    for position in (0, 1):
        assert (pd.concat([part[position] for part in parts]).to_numpy() == whole[position].to_numpy()).all()


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_one_row_steps_match_the_batch_after_a_state_copy():
    detector = AdaptiveDetector(window=4, aggregation="l2", spike_risk=1e-3, refresh_every=5).fit(*_frames(NOISE[:200]))
    values = _series_with_spikes_and_faults()[400:460]
    state, twin = detector.state_, detector.state_.copy()
    stepped = [advance_one(detector.settings, twin, row.tolist()) for row in values]
    assert twin.spike.reference.count != state.spike.reference.count or twin.spike.u != state.spike.u  # the copy is independent
    scores, flags = detector.score_and_detect(*_frames(values, 400))
    batch = list(zip(scores["anomaly_score"], scores["anomaly_score_normalized"], flags["anomaly_flag"], flags["baseline_reset"]))
    assert stepped == [tuple(row) for row in batch]


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize("bad", [0.0, 0.01, -1e-3, "1e-3", True])
def test_adaptive_spike_risk_outside_its_table_is_a_typed_error(bad):
    with pytest.raises(InvalidParameterError) as error:
        AdaptiveDetector(spike_risk=bad)
    assert error.value.reason is Reason.INVALID_PARAMETER
    with pytest.raises(InvalidParameterError):
        AdaptiveResidualDetector(spike_risk=bad)


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(
    ("spike_risk", "corrupt"),
    [
        (1e-3, lambda s: s.pop("spike_u")),
        (1e-3, lambda s: s.update(spike_sigma=0.0)),
        (1e-3, lambda s: s.update(spike_log_share=0.5)),
        (1e-3, lambda s: s.update(spike_reference=[1.0])),
        (1e-3, lambda s: s.update(spike_n_tail=-1)),
        (1e-3, lambda s: s.update(spike_threshold=float("inf"))),
        (None, lambda s: s.update(spike_u=1.0)),
    ],
)
def test_adaptive_malformed_spike_state_is_invalid_state(spike_risk, corrupt):
    snapshot = json.loads(json.dumps(AdaptiveDetector(window=2, spike_risk=spike_risk).fit(*_frames(NOISE[:200])).state_dict()))
    corrupt(snapshot["state"])
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_spike_score_overflow_is_a_typed_error_in_both_drivers_and_changes_nothing():
    # |z| about 2e154 (scale about 1.5): its square overflows (the l2 spike score) while the 10-row mean's square does not.
    params = {"window": 10, "aggregation": "l2", "spike_risk": 1e-3}
    huge = np.array([[3e154, 0.0]])
    # In training the same row cannot overflow: it coarsens its column's resolution grid to 1e151 (REQ-ADA-031).
    coarse = AdaptiveDetector(**params).fit(*_frames(np.vstack([NOISE[:199], huge])))
    assert coarse.fit_record_["resolution"][0] >= 1e151
    detector = AdaptiveDetector(**params).fit(*_frames(NOISE[:200]))
    before = json.dumps(detector.state_dict())
    for rows in (np.vstack([NOISE[200:203], huge]), huge):  # a block, and the one-row path
        with pytest.raises(InvalidInputError) as error:
            detector.score_and_detect(*_frames(rows, 200))
        assert error.value.reason is Reason.SCORE_OVERFLOW and json.dumps(detector.state_dict()) == before


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_spike_normalized_overflow_is_a_typed_error_in_both_drivers_and_changes_nothing():
    # A finite spike score (|z| about 8e307) whose surprise (spike - u) / sigma overflows: its normalized score would be
    # inf / (1 + inf) = NaN (the batch driver returned NaN, the one-row path the window's 1.0 before this was an error).
    rng = np.random.default_rng(0)
    training = rng.normal(0.0, 0.25, size=(200, 1))
    params = {"window": 10, "aggregation": "max", "spike_risk": 1e-3}
    huge = np.array([[2e307]])
    detector = AdaptiveDetector(**params).fit(*_frames(training))
    stream = AdaptiveResidualDetector(training_rows=200, **params)
    for row in training:
        stream.learn_one({"load": float(row[0])})
    before, stream_before = json.dumps(detector.state_dict()), json.dumps(stream.state_dict())
    for rows in (np.vstack([[[0.1]], huge, [[0.1]]]), huge):  # a block, and the one-row path
        with pytest.raises(InvalidInputError) as error:
            detector.score_and_detect(*_frames(rows, 200))
        assert error.value.reason is Reason.SCORE_OVERFLOW and json.dumps(detector.state_dict()) == before
    for method in (stream.evaluate_one, stream.learn_one):
        with pytest.raises(InvalidInputError) as error:
            method({"load": 2e307})
        assert error.value.reason is Reason.SCORE_OVERFLOW and json.dumps(stream.state_dict()) == stream_before


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_spike_normalized_overflow_deep_in_a_speculated_batch_raises_with_the_earlier_blocks_learned(monkeypatch):
    settings = SPECULATED_SPIKES[0]
    values = _long_series_with_spikes_and_faults(2)
    state = initial_state(settings, values[:1000])
    values[3021, 1] = 1e308  # finite scores; the spike's surprise (spike - u) / sigma overflows
    assert_overflow_learns_only_the_earlier_blocks(monkeypatch, settings, state, values[1000:], 2000)  # the blocks before row 3021's


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_streaming_snapshot_continues_bit_identically():
    values = _series_with_spikes_and_faults()
    original = AdaptiveResidualDetector(training_rows=200, window=5, reset_after=30, spike_risk=1e-3)
    for position, row in enumerate(values):
        x = {"load": float(row[0]), "price": float(row[1])}
        if position in (0, 150, 421, 700):
            snapshot = json.loads(json.dumps(original.state_dict(), allow_nan=False))
            restored = AdaptiveResidualDetector.from_state_dict(snapshot)
            assert restored.evaluate_one(x) == original.evaluate_one(x)
            original = restored
        original.learn_one(x)
    assert snapshot["state"]["adaptive"]["spike_n_tail"] > 0


# Batch speculation (spotanomaly2_safe.adaptive.speculation.speculate) with the spike scale: runs of blocks scored as if
# no row flags, both tails refreshed per block; a block flagged by either scale ends the run.
SPECULATED_SPIKES = [
    AdaptiveSettings(10, 500, 400, 50, 5e-4, 500, "max", "absolute", 50, 1, 48, 2e-4),  # the recommended shape, a shorter reference
    AdaptiveSettings(1, 101, 200, 7, 1e-2, 30, "l2", "signed", spike_risk=5e-3),
    AdaptiveSettings(3, 60, 100, 64, 1e-3, None, "mean", "absolute", spike_risk=1e-3),
    AdaptiveSettings(6, 80, 150, 1, 1e-3, 40, "l2", "signed", spike_risk=2e-3),
]


def _long_series_with_spikes_and_faults(n_columns: int) -> np.ndarray:
    values = np.random.default_rng(7).normal(size=(6000, n_columns)) + np.linspace(0.0, 3.0, 6000)[:, None]
    values[2500:2503, 0] += 40.0  # a short fault in the middle of the batch
    values[4000:4700, -1] += 25.0  # a long one: flagged blocks, and a reset where one is due
    for row in range(1300, 5900, 400):
        values[row, row % n_columns] += 12.0  # one-row spikes, diluted by a window
    return values


def _steps(settings: AdaptiveSettings, state, rows: np.ndarray) -> tuple[list, list]:
    """``advance_one`` row by row, with whether the window score alone flagged each row (its threshold before the row)."""
    stepped, window_flags = [], []
    for row in rows:
        threshold = state.threshold
        stepped.append(advance_one(settings, state, row.tolist()))
        window_flags.append(stepped[-1][0] > threshold)
    return stepped, window_flags


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-030")
@pytest.mark.parametrize("settings", SPECULATED_SPIKES)
def test_adaptive_spike_speculated_batch_with_faults_and_spikes_is_bit_identical_to_one_row_steps(settings, monkeypatch):
    window_flags = []

    def steps(settings, twin, rows):
        stepped, flags = _steps(settings, twin, rows)
        window_flags.extend(flags)
        return stepped

    batch, seen = advance_beside_steps(monkeypatch, settings, _long_series_with_spikes_and_faults(3), steps)
    assert seen["kept"] > 0 and seen["missed"] > 0  # blocks kept from speculation, and the exact path after a miss
    assert batch.flag.sum() > 0 and (settings.reset_after is None or batch.reset.sum() > 0)
    spike_only = batch.flag.astype(bool) & ~np.array(window_flags)
    assert settings.window == 1 or spike_only.any()  # rows flagged by the spike scale alone (window 1: the same score, a smaller risk)


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_flag_alone_is_continued_past_with_its_row_learned_nowhere():
    settings = SPECULATED_SPIKES[0]
    values = np.random.default_rng(11).normal(size=(1000 + 8 * 50, 2))
    state = initial_state(settings, values[:1000])
    rows = values[1000:].copy()
    rows[3 * 50 + 17, 1] = state.location[1] + 12.0 * state.scale[1]  # in block 3: 12 noise units, about 1.2 after the 10-row mean
    ends = 50 * np.arange(1, 9)
    with_spikes = speculation.speculate(settings, state, rows, ends)
    without = state.copy()
    without.spike = None
    plain = speculation.speculate(settings, without, rows, ends)
    assert (with_spikes.clean_blocks, with_spikes.continued) == (8, 1)  # the run goes on past the spike's block
    assert np.flatnonzero(with_spikes.excluded).tolist() == [3 * 50 + 17]
    assert (plain.clean_blocks, plain.continued) == (8, 0)  # the window scale alone flags no row
    assert (with_spikes.scores[:200] == plain.scores[:200]).all()  # the same until the refresh that leaves the spike out
    assert (with_spikes.location[3] != plain.location[3]).any()


def _noise_with_isolated_spikes(n_rows: int, n_columns: int, spike_rows: range, seed: int = 5) -> np.ndarray:
    values = np.random.default_rng(seed).normal(size=(n_rows, n_columns))
    for row in spike_rows:
        values[row, row % n_columns] += 9.0  # flagged by the spike scale alone (a 10-row mean sees about 0.9)
    return values


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.requirement("REQ-ADA-030")
@pytest.mark.parametrize("settings", [SPECULATED_SPIKES[0], SPECULATED_SPIKES[0]._replace(baseline_size=120, reference_size=160, window=3),
                                      SPECULATED_SPIKES[2]._replace(reset_after=None)])
def test_adaptive_spike_speculation_continued_past_isolated_flags_is_bit_identical_to_one_row_steps(settings, monkeypatch):
    # Spikes 173 rows apart, none on a block's last row: each block with a flag is continued past, its row learned nowhere.
    values = _noise_with_isolated_spikes(5000, 3, range(1217, 4900, 173))
    batch, seen = advance_beside_steps(monkeypatch, settings, values, lambda settings, twin, rows: _steps(settings, twin, rows)[0])
    assert seen["continued"] > 0 and batch.flag.sum() >= seen["continued"]


@pytest.mark.requirement("REQ-ADA-030")
@pytest.mark.parametrize("row_in_block", [0, 25, 49])
def test_adaptive_spike_flag_on_a_blocks_last_row_ends_the_speculated_run(row_in_block):
    # A flag on the last row may start a run that crosses into the next block: that block takes the exact path.
    settings = SPECULATED_SPIKES[0]
    values = np.random.default_rng(11).normal(size=(1000 + 8 * 50, 2))
    state = initial_state(settings, values[:1000])
    rows = values[1000:].copy()
    rows[2 * 50 + row_in_block, 0] = state.location[0] + 12.0 * state.scale[0]
    run = speculation.speculate(settings, state, rows, 50 * np.arange(1, 9))
    assert (run.clean_blocks, run.continued) == ((2, 0) if row_in_block == 49 else (8, 1))


@pytest.mark.requirement("REQ-ADA-004")
@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_flags_that_could_reach_reset_after_end_the_speculated_run(monkeypatch):
    # reset_after = 2: two flags in one block could be a run of 2 (a reset), so the block takes the exact path.
    settings = SPECULATED_SPIKES[0]._replace(reset_after=2)
    values = _noise_with_isolated_spikes(2000, 2, [1320, 1330, 1617])
    batch, seen = advance_beside_steps(monkeypatch, settings, values, lambda settings, twin, rows: _steps(settings, twin, rows)[0])
    assert batch.flag[[320, 330, 617]].all() and seen["missed"] > 0 and seen["continued"] > 0  # 1320 and 1330 missed; 1617 continued


@pytest.mark.requirement("REQ-ADA-030")
def test_adaptive_spike_reference_not_yet_full_takes_the_exact_path_until_it_fills(monkeypatch):
    settings = SPECULATED_SPIKES[0]
    values = _long_series_with_spikes_and_faults(2)
    snapshot = json.loads(json.dumps(state_to_json(initial_state(settings, values[:1000]))))
    snapshot["spike_reference"] = snapshot["spike_reference"][-100:]  # a state whose spike scale learned fewer rows than its window scale
    state, twin = state_from_json(snapshot, settings, 2), state_from_json(snapshot, settings, 2)
    assert state.reference.count == settings.reference_size > state.spike.reference.count
    seen = spy_on_speculation(monkeypatch)
    batch = advance(settings, state, values[1000:])
    stepped, _ = _steps(settings, twin, values[1000:])
    assert stepped == list(zip(batch.score.tolist(), batch.normalized.tolist(), batch.flag.tolist(), batch.reset.tolist()))
    assert json.dumps(state_to_json(state)) == json.dumps(state_to_json(twin))
    assert seen["kept"] > 0 and seen["spike_counts"] == {settings.reference_size}  # speculated only once the spike reference is full


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_spike_overflow_deep_in_a_speculated_batch_raises_with_the_earlier_blocks_learned(monkeypatch):
    # |z| about 2e154 in one row: the l2 spike score's square overflows (the 10-row mean's square does not).
    settings = SPECULATED_SPIKES[0]._replace(aggregation="l2")
    values = _long_series_with_spikes_and_faults(2)
    state = initial_state(settings, values[:1000])
    values[3021, 1] = state.location[1] + 2e154 * state.scale[1]
    assert_overflow_learns_only_the_earlier_blocks(monkeypatch, settings, state, values[1000:], 2000)  # the blocks before row 3021's


@pytest.mark.requirement("REQ-ADA-030")
@settings(max_examples=200)
@given(z=st.lists(st.floats(-1e200, 1e200, allow_nan=False), min_size=1, max_size=3), aggregation=st.sampled_from(["l2", "max", "mean"]))
def test_spike_score_row_is_bit_identical_to_the_vectorized_spike_scores(z, aggregation):
    settings_ = AdaptiveSettings(2, 10, 50, 5, 1e-3, None, aggregation, "signed", spike_risk=1e-4)
    assert np.float64(spike_score_row(settings_, z)).tobytes() == spike_scores(settings_, np.array([z]))[0].tobytes()


@pytest.mark.requirement("REQ-ADA-030")
def test_spike_score_equal_to_the_spike_threshold_is_not_flagged_by_either_driver_step():
    """The one-row scale's flag rule is spike score > its threshold: a tie is not flagged (block and one-row step alike)."""
    settings = AdaptiveSettings(2, 10, 50, 5, 1e-3, None, "l2", "absolute", spike_risk=1e-4)
    state = initial_state(settings, np.random.default_rng(3).normal(size=(120, 2)))
    z = np.array([[3.0, -4.0], [6.0, 8.0]])  # spike scores 5 and 10
    state.spike.threshold = 5.0
    no_flags, zeros = np.zeros(2, dtype=bool), np.zeros(2)
    assert with_spikes(settings, state, z, no_flags, zeros)[1].tolist() == [False, True]
    assert [with_spike_row(settings, state, 0.0, row.tolist(), 0.0, False)[2] for row in z] == [False, True]
