# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frames import streamed_outputs
from speculation_spy import advance_beside_steps, assert_overflow_learns_only_the_earlier_blocks
from spotanomaly2_safe import (
    AdaptiveDetector,
    AdaptiveResidualDetector,
    InsufficientDataException,
    InvalidInputError,
    InvalidParameterError,
    NotFittedError,
    recommended_detector,
)
from spotanomaly2_safe.adaptive.core import advance, advance_one, initial_state, tail_size, warmup_size
from spotanomaly2_safe.adaptive.recommended import RECOMMENDED_PARAMETERS
from spotanomaly2_safe.adaptive.state_json import state_to_json
from spotanomaly2_safe.adaptive.cooldown import advance_alarm_one, peek_alarm
from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState
from spotanomaly2_safe.alarms import continue_alarms, postprocess_flags
from spotanomaly2_safe.errors import Reason

NOISE = np.random.default_rng(16).normal(size=(1500, 2)) * [1.0, 5.0]


def _frames(values: np.ndarray, start: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    columns = ["load", "price"][: values.shape[1]] if values.shape[1] <= 2 else [f"c{i}" for i in range(values.shape[1])]
    true = pd.DataFrame(values, columns=columns, index=pd.RangeIndex(start, start + len(values)))
    return true, true * 0.0


def _series_with_faults() -> np.ndarray:
    values = NOISE.copy()
    values[600:620, 0] += 8.0  # a short fault
    values[900:, 1] += 60.0  # a permanent level change
    return values


def _run_batches(params: dict, values: np.ndarray, train: int, cuts: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    detector = AdaptiveDetector(**params).fit(*_frames(values[:train]))
    parts = []
    for start, stop in zip([train, *cuts], [*cuts, len(values)]):
        detector = AdaptiveDetector.from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
        parts.append(detector.score_and_detect(*_frames(values[start:stop], start)))
    return pd.concat([part[0] for part in parts]), pd.concat([part[1] for part in parts])


CONFIGURATIONS = [
    {},
    {"window": 6, "smoothing": "signed", "reset_after": 40, "refresh_every": 7, "aggregation": "max", "warmup_rows": 50, "min_duration": 2, "min_gap": 5},
    {"window": 3, "reset_after": 10, "refresh_every": 1, "baseline_size": 30, "reference_size": 60, "aggregation": "mean"},
]


@pytest.mark.requirement("REQ-ADA-001")
def test_adaptive_score_uses_only_learned_rows_before_the_row():
    values = np.random.default_rng(161).normal(size=(160, 1)) * 2.0
    values[130] = 40.0  # flagged, so never learned
    detector = AdaptiveDetector(refresh_every=1, baseline_size=1000, risk=1e-3).fit(*_frames(values[:100]))
    scores, flags = detector.score_and_detect(*_frames(values[100:], 100))
    learned = np.concatenate([np.ones(100, dtype=bool), flags["anomaly_flag"].to_numpy() == 0])
    assert not learned.all()  # a flagged row is left out of the oracle's rows as well
    for row in range(100, 160):
        before = values[:row, 0][learned[:row]]
        centre = np.median(before)
        scale = max(1.4826 * np.median(np.abs(before - centre)), detector.fit_record_["resolution"][0])
        assert scores["anomaly_score"].iloc[row - 100] == pytest.approx(abs(values[row, 0] - centre) / scale, rel=1e-12)


@pytest.mark.requirement("REQ-ADA-001")
def test_adaptive_outputs_of_earlier_rows_do_not_depend_on_later_rows():
    values = _series_with_faults()
    changed = values.copy()
    changed[1000:] = 1e6
    first = AdaptiveDetector(window=4).fit_score_detect(*_frames(values[:300]), *_frames(values[300:1000], 300))
    second = AdaptiveDetector(window=4).fit_score_detect(*_frames(changed[:300]), *_frames(changed[300:], 300))
    pd.testing.assert_frame_equal(first[0], second[0].iloc[:700])
    pd.testing.assert_frame_equal(first[1], second[1].iloc[:700])


@pytest.mark.requirement("REQ-ADA-001")
def test_adaptive_baseline_follows_a_slow_drift():
    values = np.random.default_rng(162).normal(size=(3000, 1)) + np.linspace(0.0, 30.0, 3000)[:, None]
    adaptive = AdaptiveDetector(baseline_size=200).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))[1]
    assert adaptive["anomaly_flag"].mean() < 0.01


@pytest.mark.requirement("REQ-ADA-002")
def test_adaptive_quantized_one_unit_step_scores_about_one_not_float_resolution():
    values = np.zeros((400, 1))
    values[::50] = 1.0  # integer-valued, long constant stretches, MAD 0
    detector = AdaptiveDetector().fit(*_frames(values[:300]))
    scores, _ = detector.score_and_detect(*_frames(np.array([[1.0], [0.0], [3.0]]), 300))
    assert detector.fit_record_["resolution"] == [1.0]
    assert detector.fit_record_["resolution_rules"] == ["smallest_gap_4_digits"]
    assert scores["anomaly_score"].tolist() == [1.0, 0.0, 3.0]


@pytest.mark.requirement("REQ-ADA-002")
def test_adaptive_constant_training_column_uses_the_unit_rule():
    values = np.column_stack([np.full(150, 7.0), np.random.default_rng(163).normal(size=150)])
    detector = AdaptiveDetector().fit(*_frames(values))
    assert detector.fit_record_["resolution_rules"] == ["unit", "smallest_gap_4_digits"]
    assert detector.fit_record_["baseline"]["scale"][0] == 1.0


@pytest.mark.requirement("REQ-ADA-003")
def test_adaptive_long_fault_is_never_learned_without_reset():
    values = NOISE[:, :1].copy()
    values[500:1400] += 10.0
    detector = AdaptiveDetector(baseline_size=100)
    _, flags = detector.fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    assert flags["anomaly_flag"].iloc[200:1100].all()
    assert flags["baseline_reset"].sum() == 0
    assert abs(detector.state_dict()["state"]["location"][0]) < 1.0


@pytest.mark.requirement("REQ-ADA-004")
def test_adaptive_reset_relearns_a_permanent_level_change_and_says_so():
    values = NOISE[:, :1].copy()
    values[500:] += 10.0
    detector = AdaptiveDetector(reset_after=50)
    _, flags = detector.fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    resets = np.flatnonzero(flags["baseline_reset"].to_numpy())
    assert resets.tolist() == [249]  # the 50th consecutive flagged row, from row 500 on
    assert flags["anomaly_flag"].iloc[200:250].all()
    assert flags["anomaly_flag"].iloc[300:].mean() < 0.02
    assert abs(detector.state_dict()["state"]["location"][0] - 10.0) < 1.0
    assert detector.fit_record_["reset_rule"] == "after 50 consecutive flagged rows"


@pytest.mark.requirement("REQ-ADA-005")
@pytest.mark.parametrize("n_rows", [100, 101, 400, 2500])
def test_adaptive_tail_size_and_threshold_follow_the_recorded_rule(n_rows):
    detector = AdaptiveDetector(reference_size=2000, risk=1e-3).fit(*_frames(NOISE[:n_rows, :1] if n_rows <= 1500 else np.tile(NOISE[:, :1], (2, 1))[:n_rows]))
    tail = detector.fit_record_["tail"]
    kept = min(n_rows, 2000)
    assert (tail["n_scores"], tail["n_tail"]) == (kept, math.ceil(math.sqrt(kept))) == (kept, tail_size(kept))
    assert tail["threshold"] == tail["u"] + tail["sigma"] * (math.log(tail["n_tail"] / kept) - math.log(1e-3))
    assert tail["rule"].startswith("N_u = ceil(sqrt(n))")


@pytest.mark.requirement("REQ-ADA-005")
def test_adaptive_threshold_follows_normal_rows_but_not_flagged_ones():
    quiet = NOISE[:, :1] * 0.5
    detector = AdaptiveDetector(reference_size=200, baseline_size=200).fit(*_frames(quiet[:200]))
    before = detector.state_dict()["state"]["threshold"]
    louder = np.vstack([quiet[200:400] * 3.0])
    detector.score_and_detect(*_frames(louder, 200))
    state = detector.state_dict()["state"]
    scores = np.sort(state["reference"])
    n_tail = math.ceil(math.sqrt(len(scores)))
    u = scores[len(scores) - n_tail - 1]
    sigma = max(np.mean(scores[len(scores) - n_tail:] - u), 0.25)
    assert state["threshold"] != before
    assert state["threshold"] == pytest.approx(u + sigma * (math.log(n_tail / len(scores)) - math.log(1e-3)), rel=1e-12)


@pytest.mark.requirement("REQ-ADA-006")
def test_adaptive_normalized_score_is_strictly_increasing_and_never_ties_at_one():
    detector = AdaptiveDetector().fit(*_frames(NOISE[:300, :1]))
    probes = np.array([[5.0], [50.0], [5e3], [5e6], [5e9], [5e12]])
    scores, _ = detector.score_and_detect(*_frames(probes, 300))
    normalized = scores["anomaly_score_normalized"].to_numpy()
    assert (np.diff(normalized) > 0).all() and (normalized < 1.0).all() and (normalized >= 0.0).all()


@pytest.mark.requirement("REQ-ADA-006")
def test_adaptive_normalized_score_never_decreases_with_the_score():
    detector = AdaptiveDetector(refresh_every=10_000).fit(*_frames(NOISE[:300, :1]))
    probes = 1.0 + np.sort(np.abs(np.random.default_rng(164).standard_t(2, size=(2000, 1))) * 10.0, axis=0)  # above the median
    scores, _ = detector.score_and_detect(*_frames(probes, 300))
    assert (np.diff(scores["anomaly_score"].to_numpy()) >= 0).all()
    assert (np.diff(scores["anomaly_score_normalized"].to_numpy()) >= 0).all()


@pytest.mark.requirement("REQ-ADA-006")
def test_adaptive_normalized_score_at_the_threshold_is_the_risk_on_the_log_scale():
    detector = AdaptiveDetector(risk=1e-3).fit(*_frames(NOISE[:300, :1]))
    record = detector.fit_record_
    residual = record["baseline"]["location"][0] + record["tail"]["threshold"] * record["baseline"]["scale"][0]
    scores, _ = detector.score_and_detect(*_frames(np.array([[residual]]), 300))
    assert scores["anomaly_score"].iloc[0] == pytest.approx(record["tail"]["threshold"], rel=1e-12)
    assert scores["anomaly_score_normalized"].iloc[0] == pytest.approx(3.0 / 4.0, rel=1e-9)


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("params", CONFIGURATIONS)
def test_adaptive_streaming_driver_is_bit_identical_to_the_batch_driver(params):
    values = _series_with_faults()
    batch = AdaptiveDetector(**params).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    streamed = streamed_outputs(AdaptiveResidualDetector(training_rows=300, **params), values, 300, batch[0].index)
    assert (streamed[list(batch[0].columns)].to_numpy() == batch[0].to_numpy()).all()
    assert (streamed[list(batch[1].columns)].to_numpy() == batch[1].to_numpy()).all()


@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.integers(301, 1499), max_size=6, unique=True).map(sorted), which=st.integers(0, len(CONFIGURATIONS) - 1))
def test_adaptive_any_split_with_json_state_is_bit_identical_to_one_batch(cuts, which):
    values = _series_with_faults()
    whole = AdaptiveDetector(**CONFIGURATIONS[which]).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    split = _run_batches(CONFIGURATIONS[which], values, 300, cuts)
    assert (split[0].to_numpy() == whole[0].to_numpy()).all() and (split[1].to_numpy() == whole[1].to_numpy()).all()


@pytest.mark.requirement("REQ-ADA-007")
def test_adaptive_streaming_learns_the_values_x_holds_when_learned():
    values = _series_with_faults()[:400]
    scoring_first, learning_only = (AdaptiveResidualDetector(training_rows=200, window=3, smoothing="signed") for _ in range(2))
    for position, row in enumerate(values):
        x = {"load": float(row[0]), "price": float(row[1])}
        scoring_first.score_one(x)
        if position % 7 == 0:
            x["load"] = 50.0  # mutated between score_one and learn_one: the new values are learned
        scoring_first.learn_one(x)
        learning_only.learn_one(dict(x))
    assert json.dumps(scoring_first.state_dict()) == json.dumps(learning_only.state_dict())


@pytest.mark.requirement("REQ-ADA-007")
def test_adaptive_streaming_snapshot_continues_bit_identically():
    values = _series_with_faults()
    original = AdaptiveResidualDetector(training_rows=200, reset_after=30)
    for position, row in enumerate(values):
        x = {"load": float(row[0]), "price": float(row[1])}
        if position in (0, 150, 700):
            snapshot = json.loads(json.dumps(original.state_dict(), allow_nan=False))
            restored = AdaptiveResidualDetector.from_state_dict(snapshot)
            assert restored.evaluate_one(x) == original.evaluate_one(x)
            original = restored
        original.learn_one(x)


@pytest.mark.requirement("REQ-ADA-007")
def test_adaptive_state_copied_after_one_row_steps_is_independent_and_continues_like_a_batch():
    settings = AdaptiveSettings(3, 100, 100, 7, 1e-3, None, "l2", "signed")
    values = _series_with_faults()
    state = initial_state(settings, values[:200])
    for row in values[200:210]:
        advance_one(settings, state, row.tolist())  # the one-row path keeps the window as Python lists
    twin, batch_twin = state.copy(), state.copy()
    before = state.history.tobytes()
    stepped = [advance_one(settings, twin, row.tolist()) for row in values[210:260]]
    assert state.history.tobytes() == before and twin.history.tobytes() != before
    batch = advance(settings, batch_twin, values[210:260])
    assert stepped == list(zip(batch.score.tolist(), batch.normalized.tolist(), batch.flag.tolist(), batch.reset.tolist()))
    assert [advance_one(settings, state, row.tolist()) for row in values[210:260]] == stepped
    assert state.history.tobytes() == twin.history.tobytes() == batch_twin.history.tobytes()


@pytest.mark.requirement("REQ-ADA-008")
@pytest.mark.parametrize("n_columns", [1, 8])
def test_recommended_detector_runs_from_100_training_rows(n_columns):
    values = np.random.default_rng(165).normal(size=(400, n_columns))
    detector = recommended_detector()
    scores, flags = detector.fit_score_detect(*_frames(values[:100]), *_frames(values[100:], 100))
    assert list(scores.columns) == ["anomaly_score", "anomaly_score_normalized"]
    assert list(flags.columns) == ["anomaly_flag", "baseline_reset", "alarm"]
    assert scores.index.equals(pd.RangeIndex(100, 400)) and flags.index.equals(scores.index)
    json.dumps(detector.fit_record_, allow_nan=False)
    assert detector.fit_record_["parameters"] == dict(RECOMMENDED_PARAMETERS)


@pytest.mark.requirement("REQ-ADA-008")
def test_recommended_detector_rejects_unknown_overrides_and_applies_known_ones():
    with pytest.raises(InvalidParameterError) as error:
        recommended_detector(risc=1e-3)
    assert error.value.reason is Reason.UNKNOWN_PARAMETER
    assert recommended_detector(window=4).window == 4
    with pytest.raises(InvalidParameterError) as error:
        recommended_detector(window=0)
    assert error.value.reason is Reason.INVALID_PARAMETER


@pytest.mark.requirement("REQ-ADA-008")
@settings(max_examples=30, deadline=None)
@given(
    n_train=st.integers(100, 2000),
    step=st.sampled_from([1.0, 0.5, 100.0]),
    constant_every=st.integers(1, 200),
    seed=st.integers(0, 2**16),
)
def test_recommended_detector_gives_finite_outputs_on_quantized_short_or_constant_heads(n_train, step, constant_every, seed):
    rng = np.random.default_rng(seed)
    values = np.round(rng.normal(size=(n_train + 50, 1)) * 2.0) * step
    values[: n_train // constant_every * constant_every : constant_every] = values[0]
    values[: n_train // 2] = values[0, 0]  # a constant stretch in the head
    scores, flags = recommended_detector().fit_score_detect(*_frames(values[:n_train]), *_frames(values[n_train:], n_train))
    normalized = scores["anomaly_score_normalized"].to_numpy()
    assert np.isfinite(scores.to_numpy()).all() and ((normalized >= 0.0) & (normalized < 1.0)).all()
    assert set(flags["anomaly_flag"]) <= {0, 1} and len(flags) == 50


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(
    ("name", "bad"),
    [("window", 0), ("window", 51), ("baseline_size", 9), ("reference_size", 49), ("refresh_every", 0), ("risk", 0.0),
     ("risk", 0.01), ("reset_after", 9), ("aggregation", "sum"), ("smoothing", "none"), ("window", 2.0), ("reset_after", True),
     ("warmup_rows", -1), ("warmup_rows", 100_001), ("warmup_rows", 1.5)],
)
def test_adaptive_parameter_outside_its_table_is_a_typed_error(name, bad):
    with pytest.raises(InvalidParameterError) as error:
        AdaptiveDetector(**{name: bad})
    assert error.value.reason is Reason.INVALID_PARAMETER
    with pytest.raises(InvalidParameterError):
        AdaptiveResidualDetector(**{name: bad})


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_streaming_unknown_parameter_and_bad_training_rows_are_typed_errors():
    with pytest.raises(InvalidParameterError) as error:
        AdaptiveResidualDetector(windw=2)
    assert error.value.reason is Reason.UNKNOWN_PARAMETER
    with pytest.raises(InvalidParameterError) as error:
        AdaptiveResidualDetector(training_rows=99)
    assert error.value.reason is Reason.INVALID_PARAMETER


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_data_errors_are_typed_and_change_nothing():
    detector = AdaptiveDetector()
    with pytest.raises(NotFittedError):
        detector.score_and_detect(*_frames(NOISE[:5, :1]))
    with pytest.raises(NotFittedError):
        detector.state_dict()
    with pytest.raises(InsufficientDataException) as error:
        detector.fit(*_frames(NOISE[:99, :1]))
    assert error.value.reason is Reason.TOO_FEW_ROWS
    detector.fit(*_frames(NOISE[:200]))
    before = json.dumps(detector.state_dict())
    with pytest.raises(InvalidInputError) as error:
        detector.score_and_detect(*_frames(NOISE[200:210, :1], 200))
    assert error.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT
    overflow = np.vstack([NOISE[200:230], [[1e308, 0.0]]])
    with pytest.raises(InvalidInputError) as error:
        detector.score_and_detect(*_frames(-overflow, 200))
    assert error.value.reason is Reason.SCORE_OVERFLOW
    assert json.dumps(detector.state_dict()) == before


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_training_overflow_is_a_typed_error():
    """Training residuals whose deviation from the median overflows float64. (Residuals of +-1e308 around a median
    near 0 no longer overflow: the resolution floor at 4 significant digits of 1e308 is about 1e308 itself.) The
    MAD's subtraction overflows first, where numpy warns (not guarded in the kernel): the warning is silenced here."""
    values = NOISE[:150, :1] * 1e290 - 0.85e308
    values[0] = 1e308
    with np.errstate(over="ignore"), pytest.raises(InvalidInputError) as error:
        AdaptiveDetector().fit(*_frames(values))
    assert error.value.reason is Reason.SCORE_OVERFLOW


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_streaming_rejected_observation_changes_nothing():
    detector = AdaptiveResidualDetector(training_rows=100)
    for row in NOISE[:100]:
        detector.learn_one({"load": float(row[0]), "price": float(row[1])})
    before = json.dumps(detector.state_dict())
    for bad, reason in [
        ({"load": 1.0}, Reason.COLUMNS_DIFFER_FROM_FIT),
        ({"load": float("nan"), "price": 0.0}, Reason.MISSING_VALUE),
        ({"load": -1.7e308, "price": 1e308}, Reason.SCORE_OVERFLOW),
    ]:
        with pytest.raises(InvalidInputError) as error:
            detector.learn_one(bad)
        assert error.value.reason is reason
    assert json.dumps(detector.state_dict()) == before
    assert detector.score_one({"load": 0.0, "price": 0.0}) >= 0.0
    assert json.dumps(detector.state_dict()) == before


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(
    "corrupt",
    [
        lambda s: s.update(format="other"),
        lambda s: s["params"].pop("risk"),
        lambda s: s.update(columns=[]),
        lambda s: s.update(columns=["load", "load"]),
        lambda s: s.update(fit_record=None),
        lambda s: s["state"].update(format="x"),
        lambda s: s["state"].update(resolution=[0.0, 1.0]),
        lambda s: s["state"].update(resolution="a"),
        lambda s: s["state"].update(resolution_rules=["bad", "unit"]),
        lambda s: s["state"].update(baseline=[]),
        lambda s: s["state"].update(baseline=[[1.0]]),
        lambda s: s["state"].update(baseline=[[1.0, float("nan")]]),
        lambda s: s["state"].update(reference=[1.0]),
        lambda s: s["state"].update(history=[[0.0, 0.0]] * 2),
        lambda s: s["state"].update(run_length=-1),
        lambda s: s["state"].update(run_length=True),
        lambda s: s["state"].update(run=[[0.0, 0.0]]),
        lambda s: s["state"].update(scale=[0.0, 1.0]),
        lambda s: s["state"].update(sigma=0.0),
        lambda s: s["state"].update(log_share=0.5),
        lambda s: s["state"].update(u="1"),
        lambda s: s["state"].update(n_tail=10**9),
        lambda s: s["state"].update(alarm_run=1),  # no alarm rule: the alarm state must be quiet
        lambda s: s["state"].update(alarm_quiet_rows=0),
        lambda s: s["state"].pop("alarm_quiet_rows"),
    ],
)
def test_adaptive_malformed_state_dict_is_invalid_state(corrupt):
    snapshot = json.loads(json.dumps(AdaptiveDetector(window=2).fit(*_frames(NOISE[:200])).state_dict()))
    corrupt(snapshot)
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(("n_scores", "accepted"), [(2, False), (3, True)])
def test_adaptive_state_reference_holds_at_least_the_three_scores_a_tail_needs(n_scores, accepted):
    """The tail's rule needs u below N_u = ceil(sqrt(n)) scores, so n >= 3 (a fit leaves at least 51; a training screen that
    would leave fewer than 3 is TOO_FEW_ROWS): a state with 2 is refused, as one with 1 always was."""
    snapshot = json.loads(json.dumps(AdaptiveDetector(window=2).fit(*_frames(NOISE[:200])).state_dict()))
    snapshot["state"]["reference"] = snapshot["state"]["reference"][-n_scores:]
    if accepted:
        assert AdaptiveDetector.from_state_dict(snapshot).state_dict()["state"]["reference"] == snapshot["state"]["reference"]
        return
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE and "reference must be a list of 3 to 2000 rows" in str(error.value)


@pytest.mark.requirement("REQ-ADA-004")
def test_adaptive_fit_record_states_never_resets_without_reset_after():
    assert AdaptiveDetector(window=2).fit(*_frames(NOISE[:200])).fit_record_["reset_rule"] == "never"


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize("first_label", [199, 150])
def test_adaptive_restored_detector_refuses_a_batch_not_after_the_last_training_label(first_label):
    """The state carries the last training label (199 of 0..199): a batch from it or earlier is refused after a round trip too."""
    detector = AdaptiveDetector(window=2).fit(*_frames(NOISE[:200]))
    restored = AdaptiveDetector.from_state_dict(json.loads(json.dumps(detector.state_dict())))
    for fitted in (detector, restored):
        with pytest.raises(InvalidInputError) as error:
            fitted.score_and_detect(*_frames(NOISE[200:210], first_label))
        assert error.value.reason is Reason.CONTEXT_MISMATCH and "(label 199)" in str(error.value)
    restored.score_and_detect(*_frames(NOISE[200:210], 200))  # the next label is accepted

@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-004")
@pytest.mark.parametrize(("run_length", "accepted"), [(19, True), (20, False), (21, False)])
def test_adaptive_state_run_of_flagged_rows_is_at_most_reset_after_minus_one(run_length, accepted):
    """With reset_after=20 the 20th consecutive flagged row resets the baseline, so a carried run holds at most 19 rows."""
    snapshot = json.loads(json.dumps(AdaptiveDetector(window=2, reset_after=20).fit(*_frames(NOISE[:200])).state_dict()))
    snapshot["state"].update(run_length=run_length, run=[[0.0, 0.0]] * run_length, rows_seen=run_length)
    if accepted:
        assert AdaptiveDetector.from_state_dict(snapshot).state_dict() == snapshot
        return
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_state_dict_refuses_columns_json_cannot_hold():
    true = pd.DataFrame(NOISE[:200, :1], columns=[("a", 1)])
    detector = AdaptiveDetector().fit(true, true * 0.0)
    with pytest.raises(InvalidParameterError) as error:
        detector.state_dict()
    assert error.value.reason is Reason.SNAPSHOT_UNSUPPORTED


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(
    "corrupt",
    [
        lambda s: s.update(format="other"),
        lambda s: s["params"].pop("risk"),
        lambda s: s["state"].update(channels=[1]),
        lambda s: s["state"].update(channels=None),
        lambda s: s["state"].update(training=[[0.0, 0.0]] * 100),
        lambda s: s["state"].update(adaptive={"format": "x"}),
    ],
)
def test_adaptive_streaming_malformed_state_dict_is_invalid_state(corrupt):
    detector = AdaptiveResidualDetector(training_rows=100)
    for row in NOISE[:120]:
        detector.learn_one({"load": float(row[0]), "price": float(row[1])})
    snapshot = json.loads(json.dumps(detector.state_dict()))
    corrupt(snapshot)
    with pytest.raises(InvalidInputError) as error:
        AdaptiveResidualDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-010")
def test_adaptive_state_stays_bounded_on_a_long_series():
    values = np.random.default_rng(166).normal(size=(20_000, 1))
    detector = AdaptiveDetector(baseline_size=300, reference_size=500, reset_after=20, window=5)
    detector.fit_score_detect(*_frames(values[:200]), *_frames(values[200:], 200))
    state = detector.state_dict()["state"]
    assert len(state["baseline"]) == 300 and len(state["reference"]) == 500 and len(state["history"]) == 4
    assert len(state["run"]) < 20 and state["rows_seen"] == 19_800


@pytest.mark.requirement("REQ-ADA-021")
@pytest.mark.parametrize(("warmup_rows", "n_rows", "window"), [(50, 400, 10), (50, 100, 10), (3, 120, 10), (80, 300, 1), (0, 200, 5)])
def test_adaptive_warmup_rows_seed_the_baseline_but_not_the_tail(warmup_rows, n_rows, window):
    train = _frames(NOISE[:n_rows])
    cold = AdaptiveDetector(window=window).fit(*train)
    warm = AdaptiveDetector(window=window, warmup_rows=warmup_rows).fit(*train)
    applied = min(warmup_rows, n_rows // 4)
    assert warm.fit_record_["tail"]["warmup_rows"] == applied == warmup_size(warm.settings, n_rows)
    assert warm.fit_record_["tail"]["warmup_rule"].startswith("the first min(warmup_rows, n_train // 4) training rows")
    cold_state, warm_state = cold.state_dict()["state"], warm.state_dict()["state"]
    assert warm_state["reference"] == cold_state["reference"][max(0, applied - (window - 1)) :]
    assert (warm_state["baseline"], warm_state["location"], warm_state["scale"]) == (cold_state["baseline"], cold_state["location"], cold_state["scale"])


@pytest.mark.requirement("REQ-ADA-021")
def test_adaptive_warmup_keeps_a_start_up_transient_out_of_the_threshold():
    values = NOISE[:400, :1].copy()
    values[:30] += np.linspace(12.0, 0.0, 30)[:, None]  # the settling of a system after its start
    cold = AdaptiveDetector(window=5).fit(*_frames(values))
    warm = AdaptiveDetector(window=5, warmup_rows=50).fit(*_frames(values))
    assert warm.fit_record_["tail"]["threshold"] < cold.fit_record_["tail"]["threshold"] / 2
    fault = np.full((20, 1), 6.0)
    assert warm.score_and_detect(*_frames(fault, 400))[1]["anomaly_flag"].sum() > cold.score_and_detect(*_frames(fault, 400))[1]["anomaly_flag"].sum()


# --- Row order: each batch follows the last row seen (REQ-ADA-022) ------------------------------------------------


def _dated(values: np.ndarray, start: str, tz: str | None = "UTC") -> tuple[pd.DataFrame, pd.DataFrame]:
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    index = pd.date_range(start, periods=len(values), freq="h", tz=tz)
    true = pd.DataFrame(values, columns=["load", "price"][: values.shape[1]], index=index)
    return true, true * 0.0


@pytest.mark.requirement("REQ-ADA-022")
def test_adaptive_batch_scored_twice_is_refused_and_changes_no_state():
    detector = AdaptiveDetector().fit(*_frames(NOISE[:200]))
    batch = _frames(NOISE[200:260], 200)
    detector.score_and_detect(*batch)
    before = json.dumps(detector.state_dict())
    with pytest.raises(InvalidInputError) as caught:
        detector.score_and_detect(*batch)
    assert caught.value.reason is Reason.CONTEXT_MISMATCH
    assert "continues the series from the last row it saw (label 259)" in str(caught.value)
    assert json.dumps(detector.state_dict()) == before
    detector.score_and_detect(*_frames(NOISE[260:270], 260))  # the rows that do follow are accepted


@pytest.mark.requirement("REQ-ADA-022")
@pytest.mark.parametrize(
    ("make_batch", "reason"),
    [
        (lambda: _frames(NOISE[200:210][::-1], 200)[0].set_axis(range(209, 199, -1)), Reason.UNORDERED_INDEX),
        (lambda: _dated(NOISE[200:210], "2026-03-01", tz=None)[0], Reason.CONTEXT_MISMATCH),
        (lambda: _dated(NOISE[200:210], "2026-01-01T05:00")[0], Reason.CONTEXT_MISMATCH),
    ],
    ids=["decreasing-labels", "naive-batch-for-tz-aware-training", "batch-overlapping-training"],
)
def test_adaptive_batch_out_of_order_or_of_another_index_type_is_refused(make_batch, reason):
    detector = AdaptiveDetector().fit(*_dated(NOISE[:200], "2026-01-01"))
    if reason is Reason.UNORDERED_INDEX:
        detector = AdaptiveDetector().fit(*_frames(NOISE[:200]))
    batch = make_batch()
    with pytest.raises(InvalidInputError) as caught:
        detector.score_and_detect(batch, batch * 0.0)
    assert caught.value.reason is reason


@pytest.mark.requirement("REQ-ADA-022")
def test_adaptive_training_labels_must_strictly_increase():
    true, pred = _frames(NOISE[:200])
    shuffled = true.set_axis(np.r_[1, 0, np.arange(2, 200)])
    with pytest.raises(InvalidInputError) as caught:
        AdaptiveDetector().fit(shuffled, pred.set_axis(shuffled.index))
    assert caught.value.reason is Reason.UNORDERED_INDEX


@pytest.mark.requirement("REQ-ADA-022")
@pytest.mark.parametrize("tz", ["UTC", "Europe/Berlin", None])
def test_adaptive_state_dict_carries_the_last_label_so_a_restored_detector_refuses_a_repeated_batch(tz):
    detector = AdaptiveDetector().fit(*_dated(NOISE[:200], "2026-01-01", tz))
    first = _dated(NOISE[200:240], "2026-01-09T08:00", tz)
    detector.score_and_detect(*first)
    snapshot = json.loads(json.dumps(detector.state_dict(), allow_nan=False))
    assert snapshot["last_label"]["value"].startswith("2026-01-10T23:00")
    restored = AdaptiveDetector.from_state_dict(snapshot)
    with pytest.raises(InvalidInputError) as caught:
        restored.score_and_detect(*first)
    assert caught.value.reason is Reason.CONTEXT_MISMATCH
    following = _dated(NOISE[240:250], "2026-01-11", tz)
    expected = detector.score_and_detect(*following)
    got = restored.score_and_detect(*following)
    pd.testing.assert_frame_equal(got[0], expected[0])
    pd.testing.assert_frame_equal(got[1], expected[1])


@pytest.mark.requirement("REQ-ADA-022")
@pytest.mark.parametrize(
    "last_label",
    [None, {"dtype": "int64"}, {"dtype": "int64", "value": "x"}, {"dtype": "no-such-dtype", "value": 1},
     {"dtype": 3, "value": 1}, {"dtype": "int64", "value": 1, "extra": 0}],
)
def test_adaptive_malformed_last_label_is_invalid_state(last_label):
    snapshot = json.loads(json.dumps(AdaptiveDetector().fit(*_frames(NOISE[:200])).state_dict()))
    snapshot["last_label"] = last_label
    with pytest.raises(InvalidInputError) as caught:
        AdaptiveDetector.from_state_dict(snapshot)
    assert caught.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-022")
def test_adaptive_state_dict_refuses_row_labels_json_cannot_hold():
    true = pd.DataFrame(NOISE[:200, :1], columns=["load"], index=pd.MultiIndex.from_arrays([["a"] * 200, range(200)]))
    detector = AdaptiveDetector().fit(true, true * 0.0)
    with pytest.raises(InvalidParameterError) as caught:
        detector.state_dict()
    assert caught.value.reason is Reason.SNAPSHOT_UNSUPPORTED


@pytest.mark.requirement("REQ-ADA-023")
@pytest.mark.parametrize("configuration", ["default", "recommended"])
def test_adaptive_speed_benchmark_prints_batch_and_streaming_ratios_with_their_targets(configuration):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_adaptive.py"
    arguments = ["--rows", "2000", "--observations", "200", "--repeats", "1", "--configuration", configuration]
    result = subprocess.run([sys.executable, str(script), *arguments], capture_output=True, text=True, check=True)
    rows = {line.split(":")[0]: line.split() for line in result.stdout.splitlines() if line.startswith(("batch ", "stream "))}
    assert set(rows) == {"batch 2,000 x 8", "stream 200 obs"}
    assert rows["batch 2,000 x 8"][-2:] == ["<=", "3"] and rows["stream 200 obs"][-2:] == ["<=", "1.0"]
    assert all(float(row[-3]) > 0 for row in rows.values())  # the printed ratio
    assert "per observation: ours" in result.stdout and f"(streaming detector: {configuration} configuration)" in result.stdout


@pytest.mark.requirement("REQ-ADA-023")
def test_adaptive_speed_benchmark_without_spike_scale_labels_the_batch_row():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_adaptive.py"
    arguments = ["--rows", "2000", "--observations", "200", "--repeats", "1", "--without-spike-scale"]
    result = subprocess.run([sys.executable, str(script), *arguments], capture_output=True, text=True, check=True)
    batch = [line for line in result.stdout.splitlines() if line.startswith("batch ")]
    assert len(batch) == 1 and batch[0].startswith("batch 2,000 x 8: adaptive (spike_risk=None) vs RobustZScorer")
    assert float(batch[0].split()[-3]) > 0


SPECULATED = [
    AdaptiveSettings(10, 500, 400, 50, 5e-4, 500, "max", "absolute", 50),  # the recommended shape, a shorter reference
    AdaptiveSettings(1, 101, 200, 7, 1e-2, 30, "l2", "signed"),
    AdaptiveSettings(3, 60, 100, 64, 1e-3, None, "mean", "absolute"),
]


def _one_row_steps(settings, state, rows) -> list:
    return [advance_one(settings, state, row.tolist()) for row in rows]


def _long_series_with_faults(n_columns: int) -> np.ndarray:
    values = np.random.default_rng(7).normal(size=(6000, n_columns)) + np.linspace(0.0, 3.0, 6000)[:, None]
    values[2500:2503, 0] += 40.0  # a short fault in the middle of the batch
    values[4000:4700, -1] += 25.0  # a long one: flagged blocks, and a reset where one is due
    return values


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("settings", SPECULATED)
def test_adaptive_speculated_batch_with_faults_mid_batch_is_bit_identical_to_one_row_steps(settings, monkeypatch):
    batch, seen = advance_beside_steps(monkeypatch, settings, _long_series_with_faults(3), _one_row_steps)
    assert seen["kept"] > 0 and seen["missed"] > 0  # blocks kept from speculation, and the exact path after a miss
    assert batch.flag.sum() > 0 and (settings.reset_after is None or batch.reset.sum() > 0)


@pytest.mark.requirement("REQ-ADA-009")
def test_adaptive_overflow_deep_in_a_speculated_batch_raises_with_the_earlier_blocks_learned(monkeypatch):
    settings = SPECULATED[0]
    values = _long_series_with_faults(2)
    values[3021:3023, 1] = 1e308  # two in one window: their sum overflows
    state = initial_state(settings, values[:1000])
    assert_overflow_learns_only_the_earlier_blocks(monkeypatch, settings, state, values[1000:], 2000)  # the blocks before row 3021's


@pytest.mark.requirement("REQ-ADA-007")
def test_adaptive_batch_ending_in_a_lasting_fault_is_bit_identical_to_one_row_steps():
    settings = SPECULATED[0]._replace(reset_after=None)
    values = _long_series_with_faults(2)
    values[3000:, 0] += 30.0  # never learned, never reset: the batch ends while the exact path backs off
    state = initial_state(settings, values[:1000])
    twin = state.copy()
    batch = advance(settings, state, values[1000:])
    stepped = [advance_one(settings, twin, row.tolist()) for row in values[1000:]]
    assert stepped == list(zip(batch.score.tolist(), batch.normalized.tolist(), batch.flag.tolist(), batch.reset.tolist()))
    assert batch.flag[2000:].all()


@pytest.mark.requirement("REQ-ADA-024")
@pytest.mark.parametrize("min_duration, min_gap", [(1, 48), (3, 0), (2, 10), (None, 4), (4, None)])
def test_adaptive_alarms_are_the_cool_down_rule_on_the_flags_of_one_batch(min_duration, min_gap):
    values = _series_with_faults()
    params = {"window": 3, "reset_after": 40, "min_duration": min_duration, "min_gap": min_gap}
    detector = AdaptiveDetector(**params)
    _, flags = detector.fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    expected = postprocess_flags(flags["anomaly_flag"].to_numpy(), min_duration or 1, min_gap or 0)
    assert flags["anomaly_flag"].sum() > 10 and flags["alarm"].dtype == np.int64
    assert (flags["alarm"].to_numpy() == expected).all()
    assert detector.fit_record_["alarm_rule"] == {"min_duration": min_duration or 1, "min_gap": min_gap or 0}


@pytest.mark.requirement("REQ-ADA-024")
@settings(max_examples=20, deadline=None)
@given(cuts=st.lists(st.integers(301, 1499), max_size=6, unique=True).map(sorted), min_gap=st.integers(0, 60))
def test_adaptive_alarms_of_any_split_with_json_state_equal_one_batch(cuts, min_gap):
    values = _series_with_faults()
    params = {"window": 3, "reset_after": 40, "min_duration": 2, "min_gap": min_gap}
    whole = AdaptiveDetector(**params).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))[1]
    split = _run_batches(params, values, 300, cuts)[1]
    assert (split["alarm"].to_numpy() == whole["alarm"].to_numpy()).all()


@pytest.mark.requirement("REQ-ADA-024")
def test_adaptive_without_alarm_rule_has_no_alarm_output_and_the_recommendation_has_one():
    values = _series_with_faults()
    plain = AdaptiveDetector().fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))[1]
    assert list(plain.columns) == ["anomaly_flag", "baseline_reset"]
    stream = AdaptiveResidualDetector(training_rows=100)
    assert "alarm" not in stream.evaluate_one({"load": 0.0})
    assert RECOMMENDED_PARAMETERS["min_duration"] == 1 and RECOMMENDED_PARAMETERS["min_gap"] == 48
    assert recommended_detector().flag_columns == ("anomaly_flag", "baseline_reset", "alarm")
    assert AdaptiveResidualDetector(min_gap=3).evaluate_one({"load": 0.0})["alarm"] == 0  # still training: quiet


@pytest.mark.requirement("REQ-ADA-024")
@pytest.mark.parametrize("field, bad", [("alarm_run", 3), ("alarm_run", -1), ("alarm_quiet_rows", 6), ("alarm_quiet_rows", -2), ("alarm_quiet_rows", 1.0)])
def test_adaptive_alarm_state_outside_the_rule_is_invalid_state(field, bad):
    detector = AdaptiveDetector(min_duration=2, min_gap=5).fit(*_frames(NOISE[:200]))
    snapshot = json.loads(json.dumps(detector.state_dict()))
    snapshot["state"][field] = bad
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-024")
@settings(max_examples=100, deadline=None)
@given(flags=st.lists(st.integers(0, 1), max_size=80), min_duration=st.integers(1, 4), min_gap=st.integers(0, 6))
def test_adaptive_one_row_alarm_steps_equal_the_cool_down_rule_on_all_flags_with_its_state(flags, min_duration, min_gap):
    settings_ = AdaptiveSettings(1, 100, 100, 10, 1e-3, None, "l2", "absolute", min_duration=min_duration, min_gap=min_gap)
    state = AdaptiveState(settings_, 1)
    alarms = []
    for flag in flags:
        alarms.append(peek_alarm(settings_, state, flag))
        advance_alarm_one(settings_.alarm_rule(), state, flag)
    expected, run, quiet_rows = continue_alarms(flags, min_duration, min_gap)
    assert alarms == expected and (state.alarm_run, state.alarm_quiet_rows) == (run, quiet_rows)


@pytest.mark.requirement("REQ-ADA-007")
@pytest.mark.parametrize("n_rows", [1, 2, 700])  # one row (the one-row path), a short block, a speculated batch
def test_adaptive_zero_location_is_positive_zero_in_every_path(n_rows):
    # The middle entries are -0.0 and +0.0: which one a sort or partition returns differs between CPU classes.
    values = np.resize(np.array([-0.0, 0.0, 0.0, -0.0, 1.0, -1.0, -0.0]), 2000).reshape(1000, 2)
    params = {"window": 3, "baseline_size": 21, "reference_size": 60, "refresh_every": 5}
    true = pd.DataFrame(values, columns=["load", "price"])
    pred = pd.DataFrame(0.0, columns=true.columns, index=true.index)  # -0.0 - 0.0 keeps the residual -0.0
    detector = AdaptiveDetector(**params).fit(true.iloc[:300], pred.iloc[:300])
    assert [math.copysign(1.0, value) for value in detector.state_.location_values] == [1.0, 1.0]
    detector.score_and_detect(true.iloc[300 : 300 + n_rows], pred.iloc[300 : 300 + n_rows])
    stream = AdaptiveResidualDetector(training_rows=300, **params)
    for load, price in values[: 300 + n_rows].tolist():
        stream.learn_one({"load": load, "price": price})
    for state in (detector.state_, stream.state):
        assert [math.copysign(1.0, value) for value in state.location_values] == [1.0, 1.0]
        assert [math.copysign(1.0, value) for value in state.location] == [1.0, 1.0]
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(detector.state_))


@pytest.mark.requirement("REQ-ADA-004")
def test_adaptive_reset_counts_a_run_from_the_first_row_after_training_in_both_drivers():
    # The run counter starts at 0 after fit: a fault from the very first scored row resets on its 50th row, not before.
    values = NOISE[:, :1].copy()
    values[300:] += 10.0
    _, flags = AdaptiveDetector(reset_after=50).fit_score_detect(*_frames(values[:300]), *_frames(values[300:400], 300))
    assert np.flatnonzero(flags["baseline_reset"].to_numpy()).tolist() == [49]
    assert flags["anomaly_flag"].iloc[:50].all()
    stream = AdaptiveResidualDetector(training_rows=300, reset_after=50)
    resets = []
    for value in values[:400, 0].tolist():
        resets.append(stream.evaluate_one({"load": value})["baseline_reset"])
        stream.learn_one({"load": value})
    assert np.flatnonzero(resets[300:]).tolist() == [49]
