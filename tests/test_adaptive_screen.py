# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The training screen of the adaptive method (``screen_risk``, spotanomaly2_safe.adaptive.screen)."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frames import streamed_outputs
from spotanomaly2_safe import (
    AdaptiveDetector, AdaptiveResidualDetector, InsufficientDataException, InvalidInputError, InvalidParameterError, recommended_detector)
from spotanomaly2_safe.adaptive.core import initial_state
from spotanomaly2_safe.adaptive.screen import MIN_SEED_SCORES, SCREEN_RULE, kept_window_scores, screen_cap, screened_positions
from spotanomaly2_safe.adaptive.state import AdaptiveSettings
from spotanomaly2_safe.adaptive.state_json import state_to_json
from spotanomaly2_safe.adaptive.tails import TAIL_SCALE_FLOOR, exponential_tail
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.streaming.snapshot import restore_from_state_dict
from spotanomaly2_safe_cli.quality.scenarios_confirmation4 import glitch_probe_frames

SCREENED = {"window": 10, "aggregation": "max", "refresh_every": 50, "warmup_rows": 50, "reset_after": 500, "risk": 5e-4,
            "spike_risk": 2e-4, "min_gap": 48, "screen_risk": 0.01}


def _frames(values: np.ndarray, start: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    true = pd.DataFrame(values, columns=["load", "price"][: values.shape[1]], index=pd.RangeIndex(start, start + len(values)))
    return true, true * 0.0


def _oracle_screen(statistics: np.ndarray, screen_risk: float) -> int:
    """The number screened by the module docstring's rule, written out independently: sorted copies, the tail by hand."""
    ordered = sorted(statistics.tolist(), reverse=True)
    n = len(ordered)
    found = 0
    for k in range(1, min(math.ceil(math.sqrt(n)), n // 4) + 1):
        rest = sorted(ordered[k:])
        n_tail = math.ceil(math.sqrt(len(rest)))
        u = rest[len(rest) - n_tail - 1]
        sigma = max(sum(value - u for value in rest[len(rest) - n_tail :]) / n_tail, TAIL_SCALE_FLOOR)
        if ordered[k - 1] > u + sigma * (math.log(n_tail / len(rest)) - math.log(screen_risk / n)):
            found = k
    return found


def _probe(level: float, glitch: float | None, start: int, screen_risk: float | None) -> tuple[int, AdaptiveDetector]:
    """The measured hazard (``glitch_probe_frames``) under ``recommended_detector``; returns the fault's rows flagged."""
    detector = recommended_detector(screen_risk=screen_risk)
    _, flags = detector.fit_score_detect(*glitch_probe_frames(level, glitch, start))
    return int(flags["anomaly_flag"].to_numpy()[start : start + 100].sum()), detector


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize(("level", "glitch"), [(50.0, -9999.0), (1e5, 0.0)])
@pytest.mark.parametrize("start", [300, 1000, 1750])
def test_training_screen_flags_a_fault_that_one_training_glitch_hid(level, glitch, start):
    missed, _ = _probe(level, glitch, start, None)
    flagged, detector = _probe(level, glitch, start, 0.01)
    assert missed == 0 and flagged == 100
    record = detector.fit_record_["training_screen"]
    assert (record["rows"], record["labels"], record["window_scores_screened"], record["spike_scores_screened"]) == ([150], [150], 10, 1)


@pytest.mark.requirement("REQ-ADA-052")
def test_training_screen_records_rule_counts_cap_and_rows_and_is_deterministic():
    values = np.random.default_rng(3).normal(size=(400, 2))
    values[200, 1] = 300.0
    index = pd.date_range("2026-01-01", periods=400, freq="h", tz="UTC")
    true = pd.DataFrame(values, columns=["load", "price"], index=index)
    records = [AdaptiveDetector(**SCREENED).fit(true, true * 0.0).fit_record_ for _ in range(2)]
    assert records[0] == records[1]
    record = records[0]["training_screen"]
    assert record == {"rule": SCREEN_RULE, "screen_risk": 0.01, "n_candidates": 350, "cap": 19, "n_screened": 1, "rows": [200],
                      "window_scores_screened": 10, "spike_scores_screened": 1, "labels": [str(index[200])]}
    assert records[0]["tail"]["n_scores"] == 340 and records[0]["spike"]["n_scores"] == 349  # screened scores seed no tail
    json.dumps(records[0], allow_nan=False)


@pytest.mark.requirement("REQ-ADA-052")
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_train=st.integers(100, 900), window=st.integers(1, 12), columns=st.integers(1, 2))
def test_clean_gaussian_training_screens_nothing_and_outputs_equal_the_screen_off(seed, n_train, window, columns):
    values = np.random.default_rng(seed).normal(size=(n_train + 300, columns))
    params = {"window": window, "spike_risk": 1e-3, "warmup_rows": 20, "refresh_every": 25}
    on = AdaptiveDetector(**params, screen_risk=1e-3)
    off = AdaptiveDetector(**params)
    with_screen = on.fit_score_detect(*_frames(values[:n_train]), *_frames(values[n_train:], n_train))
    without = off.fit_score_detect(*_frames(values[:n_train]), *_frames(values[n_train:], n_train))
    assert on.fit_record_["training_screen"]["rows"] == []
    for position in (0, 1):
        assert (with_screen[position].to_numpy() == without[position].to_numpy()).all()
    state_on, state_off = on.state_dict()["state"], off.state_dict()["state"]
    assert state_on.pop("screen") == {"n_candidates": n_train - min(20, n_train // 4), "rows": [], "window_scores": 0, "spike_scores": 0}
    assert state_on == state_off


@pytest.mark.requirement("REQ-ADA-052")
@settings(max_examples=60, deadline=None)
@given(
    bulk=st.lists(st.floats(0.0, 5.0), min_size=60, max_size=400),
    glitches=st.lists(st.floats(0.0, 15.0), max_size=80),
    screen_risk=st.sampled_from([1e-4, 1e-2, 0.5]),
)
def test_screened_count_never_exceeds_the_cap_and_equals_an_independent_oracle(bulk, glitches, screen_risk):
    statistics = np.array(bulk + glitches)
    positions = screened_positions(statistics, screen_risk)
    assert len(positions) <= screen_cap(len(statistics))
    assert len(positions) == _oracle_screen(statistics, screen_risk)
    kept = np.delete(statistics, positions)
    assert positions.tolist() == sorted(positions.tolist()) and (len(positions) == 0 or kept.max() <= statistics[positions].min())


@pytest.mark.requirement("REQ-ADA-052")
def test_screen_cap_is_the_smaller_of_the_tail_size_and_a_quarter_of_the_candidates_as_an_int():
    caps = [screen_cap(n) for n in range(1, 1001)]
    assert caps == [min(math.ceil(math.sqrt(n)), n // 4) for n in range(1, 1001)]  # the quarter binds below 20 candidates
    assert all(type(cap) is int for cap in caps)


@pytest.mark.requirement("REQ-ADA-052")
def test_screen_statistic_exactly_at_its_threshold_is_not_screened_and_one_ulp_above_is():
    """The rule screens the k-th largest statistic when it *exceeds* the threshold fitted to the rest; equal is kept."""
    rest = np.linspace(0.5, 3.0, 99)
    threshold = exponential_tail(rest[::-1].copy(), 0.01 / 100, TAIL_SCALE_FLOOR)[4]  # 100 candidates, k = 1
    assert screened_positions(np.append(rest, threshold), 0.01).tolist() == []
    assert screened_positions(np.append(rest, np.nextafter(threshold, np.inf)), 0.01).tolist() == [99]


@pytest.mark.requirement("REQ-ADA-052")
def test_kept_window_scores_drop_exactly_the_scores_whose_window_holds_a_screened_row():
    """Against the rule written out per score: score i (row first_row + i) is dropped iff some screened row r has
    r <= first_row + i <= r + window - 1; screened rows before, at and after the first scored row, windows 1 to 4."""
    for window in range(1, 5):
        for first_row in range(0, 6):
            for rows in [[], [0], [2], [first_row], [first_row - 1], [first_row - window], [first_row + 3], [1, first_row + 2], [first_row + 7]]:
                rows = sorted({row for row in rows if row >= 0})
                kept = kept_window_scores(rows, first_row, 8, window)
                expected = [not any(row <= first_row + i <= row + window - 1 for row in rows) for i in range(8)]
                assert kept.dtype == bool and kept.tolist() == expected, (window, first_row, rows)


@pytest.mark.requirement("REQ-ADA-052")
def test_training_screen_without_spike_scale_records_and_keeps_no_spike_count():
    values = np.random.default_rng(13).normal(size=(200, 1))
    values[120, 0] = 300.0
    detector = AdaptiveDetector(window=4, screen_risk=0.01).fit(*_frames(values))
    record = detector.fit_record_["training_screen"]
    assert record["rows"] == [120] and record["window_scores_screened"] == 4 and "spike_scores_screened" not in record
    assert detector.state_dict()["state"]["screen"] == {"n_candidates": 200, "rows": [120], "window_scores": 4}
    stream = AdaptiveResidualDetector(training_rows=200, window=4, screen_risk=0.01)
    for value in values[:, 0].tolist():
        stream.learn_one({"load": value})
    assert stream.training_screen == {key: value for key, value in record.items() if key != "labels"}


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize(("glitch_rows", "screened"), [(15, 15), (20, 20), (21, 20), (60, 0)])
def test_glitch_run_within_the_cap_is_screened_whole_and_a_longer_one_at_most_up_to_the_cap(glitch_rows, screened):
    """The cap (20 of 400 candidate rows here) bounds the screen: a run of g glitch rows is screened whole while g <= 20,
    with the g + 9 window scores that hold them; one more and the cap's 20 are screened, the rest seed the tail; a much
    longer run is a regime whose remaining rows keep every tested threshold high: none screened (the stated limit)."""
    settings_ = AdaptiveSettings(10, 500, 2000, 50, 5e-4, None, "max", "absolute", screen_risk=0.01)
    values = np.random.default_rng(5).normal(size=(400, 1))
    values[100 : 100 + glitch_rows, 0] = -9999.0
    state = initial_state(settings_, values)
    assert screen_cap(400) == 20
    assert state.screened.rows == list(range(100, 100 + screened))
    taken_out = screened + 9 if screened else 0
    assert state.screened.window_scores == taken_out and state.reference.count == 391 - taken_out


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize(("glitch_row", "rows", "window_scores"), [(250, [250], 3), (201, [201], 3), (200, [200], 3), (50, [], 0)])
def test_training_screen_tests_only_the_last_reference_size_rows(glitch_row, rows, window_scores):
    """With more seeding rows than ``reference_size`` only the last ``reference_size`` seed the tail: those are the
    candidates (a glitch before them is dropped with them anyway); positions are training rows. A glitch on the first
    candidate row (200), which is also the first seeding score's row, takes out that score and the two after it."""
    settings_ = AdaptiveSettings(3, 500, 100, 10, 1e-3, None, "l2", "absolute", screen_risk=0.01)
    values = np.random.default_rng(6).normal(size=(300, 1))
    values[glitch_row, 0] = 400.0
    state = initial_state(settings_, values)
    assert state.screened == (100, rows, window_scores, None)
    assert state.reference.count == 100 - window_scores


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.requirement("REQ-ADA-007")
@settings(max_examples=10, deadline=None)
@given(glitch_row=st.integers(0, 299), size=st.sampled_from([-9999.0, 60.0, 1e4]), cuts=st.lists(st.integers(301, 899), max_size=3, unique=True).map(sorted))
def test_training_screen_batch_streaming_and_any_split_are_bit_identical(glitch_row, size, cuts):
    values = np.random.default_rng(11).normal(size=(900, 2))
    values[glitch_row, glitch_row % 2] = size
    values[500:540, 0] += 6.0
    whole = AdaptiveDetector(**SCREENED).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    detector = AdaptiveDetector(**SCREENED).fit(*_frames(values[:300]))
    record = detector.fit_record_["training_screen"]
    parts = []
    for start, stop in zip([300, *cuts], [*cuts, len(values)]):
        detector = AdaptiveDetector.from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
        parts.append(detector.score_and_detect(*_frames(values[start:stop], start)))
    stream = AdaptiveResidualDetector(training_rows=300, **SCREENED)
    streamed = streamed_outputs(stream, values, 300, whole[0].index)
    for position in (0, 1):
        assert (pd.concat([part[position] for part in parts]).to_numpy() == whole[position].to_numpy()).all()
        assert (streamed[list(whole[position].columns)].to_numpy() == whole[position].to_numpy()).all()
    assert stream.training_screen == {key: value for key, value in record.items() if key != "labels"}


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(("glitch_row", "kept"), [(50, 1), (51, 2), (52, 3)])
def test_training_screen_leaving_fewer_than_three_seeding_scores_is_too_few_rows_in_both_drivers(glitch_row, kept):
    """Window 50 on 100 training rows: the window scores of rows 49..99 seed the tail and a glitch screened at row r takes
    out those of rows r..99. Fewer than 3 left is refused (a tail on 0 scores raised a bare ValueError, on 1 it made a
    state its own from_state_dict refused); 3 are fitted, and batch and streaming agree."""
    values = np.random.default_rng(0).normal(size=(100, 1))
    values[glitch_row, 0] = 500.0
    batch = AdaptiveDetector(window=50, screen_risk=0.5)
    stream = AdaptiveResidualDetector(training_rows=100, window=50, screen_risk=0.5)
    for value in values[:99, 0].tolist():
        stream.learn_one({"load": value})
    if kept < MIN_SEED_SCORES:
        with pytest.raises(InsufficientDataException) as refused:
            batch.fit(*_frames(values))
        assert refused.value.reason is Reason.TOO_FEW_ROWS and not hasattr(batch, "state_")
        assert f"took {51 - kept} of the 51 seeding window scores out (screened training rows [{glitch_row}], window=50), leaving {kept};" in str(refused.value)
        with pytest.raises(InsufficientDataException):
            stream.learn_one({"load": float(values[99, 0])})
        assert stream.state is None and stream.n_learned == 99  # the failed call changed nothing
        return
    batch.fit(*_frames(values))
    assert batch.fit_record_["training_screen"]["rows"] == [glitch_row] and batch.state_.reference.count == kept
    snapshot = json.loads(json.dumps(batch.state_dict(), allow_nan=False))
    assert AdaptiveDetector.from_state_dict(snapshot).state_dict() == snapshot
    stream.learn_one({"load": float(values[99, 0])})
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))


@pytest.mark.requirement("REQ-ADA-052")
def test_streaming_training_screen_is_none_until_the_last_training_row_and_survives_a_snapshot():
    values = np.random.default_rng(12).normal(size=(160, 1))
    values[60, 0] = 500.0
    detector = AdaptiveResidualDetector(training_rows=150, window=4, screen_risk=0.01)
    for row in values[:149]:
        detector.learn_one({"load": float(row[0])})
    assert detector.training_screen is None
    detector.learn_one({"load": float(values[149, 0])})
    assert detector.training_screen["rows"] == [60] and detector.training_screen["window_scores_screened"] == 4
    restored = restore_from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
    assert restored.training_screen == detector.training_screen
    assert AdaptiveResidualDetector(training_rows=150, window=4).training_screen is None


@pytest.mark.requirement("REQ-ADA-052")
def test_without_screen_risk_no_screen_state_or_record():
    detector = AdaptiveDetector(window=4, spike_risk=1e-3).fit(*_frames(np.random.default_rng(2).normal(size=(200, 1))))
    assert detector.state_.screened is None and "training_screen" not in detector.fit_record_
    assert "screen" not in detector.state_dict()["state"]
    assert recommended_detector().screen_risk == 0.01  # the recommendation's setting since confirmation4 (docs/detection_quality.md)


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize("bad", [0.0, 0.6, -1e-3, "1e-2", True, float("nan")])
def test_screen_risk_outside_its_table_is_a_typed_error(bad):
    for build in (AdaptiveDetector, AdaptiveResidualDetector, recommended_detector):
        with pytest.raises(InvalidParameterError) as error:
            build(screen_risk=bad)
        assert error.value.reason is Reason.INVALID_PARAMETER


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-052")
def test_misspelled_screen_risk_is_an_unknown_parameter():
    for build in (AdaptiveResidualDetector, recommended_detector):
        with pytest.raises(InvalidParameterError) as error:
            build(screen_rsk=0.01)
        assert error.value.reason is Reason.UNKNOWN_PARAMETER
    with pytest.raises(TypeError):
        AdaptiveDetector(screen_rsk=0.01)


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize(
    ("screen_risk", "corrupt"),
    [
        (0.01, lambda s: s.pop("screen")),
        (0.01, lambda s: s.update(screen=[])),
        (0.01, lambda s: s["screen"].pop("spike_scores")),
        (0.01, lambda s: s["screen"].pop("rows")),
        (0.01, lambda s: s["screen"].update(n_candidates=0)),
        (0.01, lambda s: s["screen"].update(rows=[5, 4])),
        (0.01, lambda s: s["screen"].update(rows=[5, 5])),
        (0.01, lambda s: s["screen"].update(rows=[2**53 + 1])),
        (0.01, lambda s: s["screen"].update(rows=[-1])),
        (0.01, lambda s: s["screen"].update(rows=[1.0])),
        (0.01, lambda s: s["screen"].update(rows=list(range(100)))),
        (0.01, lambda s: s["screen"].update(window_scores=-1)),
        (0.01, lambda s: s["screen"].update(spike_scores=10**6)),
        (None, lambda s: s.update(screen={"n_candidates": 150, "rows": [], "window_scores": 0, "spike_scores": 0})),
    ],
)
def test_malformed_screen_state_is_invalid_state(screen_risk, corrupt):
    fitted = AdaptiveDetector(window=2, spike_risk=1e-3, screen_risk=screen_risk).fit(*_frames(np.random.default_rng(4).normal(size=(200, 1))))
    snapshot = json.loads(json.dumps(fitted.state_dict()))
    corrupt(snapshot["state"])
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize("screen", [{"n_candidates": 1, "rows": []}, {"n_candidates": 150, "rows": [0]}, {"n_candidates": 150, "rows": [0, 2**53]}])
def test_screen_state_at_its_bounds_is_accepted_and_written_back_unchanged(screen):
    """The bounds the state check states: n_candidates >= 1, row positions ints in [0, 2**53] (JSON's exact integers)."""
    fitted = AdaptiveDetector(window=2, spike_risk=1e-3, screen_risk=0.01).fit(*_frames(np.random.default_rng(4).normal(size=(200, 1))))
    snapshot = json.loads(json.dumps(fitted.state_dict()))
    snapshot["state"]["screen"].update(screen)
    assert AdaptiveDetector.from_state_dict(snapshot).state_dict()["state"]["screen"] == snapshot["state"]["screen"]


@pytest.mark.requirement("REQ-ADA-052")
def test_snapshot_made_before_screen_risk_existed_is_refused_never_reinterpreted():
    """A snapshot of a release without the parameter lacks it in ``params``: refused (INVALID_STATE), as for spike_risk."""
    snapshot = json.loads(json.dumps(AdaptiveDetector(window=2).fit(*_frames(np.random.default_rng(4).normal(size=(200, 1)))).state_dict()))
    del snapshot["params"]["screen_risk"]
    with pytest.raises(InvalidInputError) as error:
        AdaptiveDetector.from_state_dict(snapshot)
    assert error.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-ADA-052")
def test_bench_training_screen_prints_the_probe_table_off_and_on():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_training_screen.py"
    result = subprocess.run([sys.executable, str(script), "--starts", "300"], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[2].split() == ["level", "50,", "-9999", "sentinel", "300", "0", "(0)", "100", "(0)", "[150]"]
    assert lines[4].split()[-5:] == ["100", "(0)", "100", "(0)", "[]"]


def _screen_season_spike_params(period: int, reset: bool) -> dict:
    return {"window": 4, "baseline_size": 120, "reference_size": 200, "refresh_every": 7, "risk": 1e-3, "warmup_rows": 20,
            "reset_after": max(10, 3 * period) if reset else None, "min_gap": 5, "spike_risk": 1e-3, "screen_risk": 0.01,
            "season_period": period}


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.requirement("REQ-SEA-003")
@pytest.mark.requirement("REQ-SEA-004")
@settings(max_examples=25, deadline=None)
@given(
    period=st.integers(2, 40),
    reset=st.booleans(),
    glitch_row=st.integers(40, 239),  # the candidates: the last reference_size (200) of the training rows
    glitch=st.sampled_from([-9999.0, 500.0, 1e4]),
    cuts=st.lists(st.integers(1, 399), max_size=4, unique=True).map(sorted),
    snapshot_at=st.integers(240, 639),
    seed=st.integers(0, 2**16),
)
def test_screen_season_and_spike_scale_together_any_split_and_streaming_snapshot_are_bit_identical_to_one_batch(
        period, reset, glitch_row, glitch, cuts, snapshot_at, seed):
    """All three options at once (a screened training glitch, a seasonal baseline, the one-row scale): any split of the
    test rows with the strict-JSON state carried, and the streaming driver restored from its JSON snapshot mid-stream,
    give the outputs and the state of one batch, bit for bit; the screen record survives every round trip."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(640, 2))
    values[:, 0] += 3.0 * np.sin(2 * np.pi * np.arange(640) / period)
    values[glitch_row, seed % 2] = glitch
    values[400:440, 1] += 6.0
    params = _screen_season_spike_params(period, reset)
    whole = AdaptiveDetector(**params).fit(*_frames(values[:240]))
    record = whole.fit_record_
    expected = whole.score_and_detect(*_frames(values[240:], 240))
    assert glitch_row in record["training_screen"]["rows"] and record["season"]["period"] == period and "spike" in record
    detector, parts = AdaptiveDetector(**params).fit(*_frames(values[:240])), []
    for start, stop in zip([240, *(240 + cut for cut in cuts)], [*(240 + cut for cut in cuts), 640]):
        snapshot = json.loads(json.dumps(detector.state_dict(), allow_nan=False))
        assert {"screen", "phases", "season_start", "spike_reference"} <= set(snapshot["state"])
        detector = AdaptiveDetector.from_state_dict(snapshot)
        parts.append(detector.score_and_detect(*_frames(values[start:stop], start)))
    for position in (0, 1):
        assert pd.concat([part[position] for part in parts]).to_numpy().tobytes() == expected[position].to_numpy().tobytes()
    assert json.dumps(detector.state_dict(), allow_nan=False) == json.dumps(whole.state_dict(), allow_nan=False)
    stream, rows = AdaptiveResidualDetector(training_rows=240, **params), []
    for position, row in enumerate(values.tolist()):
        if position == snapshot_at:
            stream = restore_from_state_dict(json.loads(json.dumps(stream.state_dict(), allow_nan=False)))
        x = {"load": row[0], "price": row[1]}
        if position >= 240:
            rows.append(list(stream.evaluate_one(x).values()))
        stream.learn_one(x)
    batch_rows = np.column_stack([expected[0].to_numpy(), expected[1].to_numpy()]).astype(float)
    assert np.array(rows, dtype=float).tobytes() == batch_rows.tobytes()
    assert stream.training_screen == {key: value for key, value in record["training_screen"].items() if key != "labels"}
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(whole.state_))


@pytest.mark.requirement("REQ-REP-003")
@pytest.mark.requirement("REQ-ADA-052")
def test_training_screen_takes_the_c_library_log1p_never_numpys_simd_log1p(monkeypatch):
    """README, Determinism: NumPy's SIMD log1p differs from the C library's by 1 ULP on some inputs between machine
    classes, so the screen's statistic g = log1p(max |z|) must never call it (a near-tie could then move)."""
    values = np.random.default_rng(13).normal(size=(400, 2))
    values[150, 0] = -9999.0
    expected = AdaptiveDetector(**SCREENED).fit(*_frames(values)).fit_record_["training_screen"]

    def refuse(*arguments, **keywords):
        raise AssertionError("NumPy's log1p called by the training screen")

    monkeypatch.setattr(np, "log1p", refuse)
    assert AdaptiveDetector(**SCREENED).fit(*_frames(values)).fit_record_["training_screen"] == expected
    assert expected["rows"] == [150]


@pytest.mark.requirement("REQ-ADA-052")
def test_bench_training_screen_calibration_prints_the_smallest_screened_glitch_and_the_trip_rate():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_training_screen.py"
    result = subprocess.run([sys.executable, str(script), "--calibration", "--seeds", "1", "--series", "3"],
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    smallest = [line.split() for line in lines[1:4]]
    assert [row[0] for row in smallest] == ["100", "400", "1000"] and all(float(row[3]) <= float(row[5]) for row in smallest)
    trip = {line[:22].strip(): line[22:].split() for line in lines[5:]}
    assert list(trip) == ["Gaussian", "AR(1) Student-t df 4", "Poisson(1.5) counts", "lognormal(0, 1.5)", "Student-t df 3", "Student-t df 1.5"]
    assert all(row[1:3] == ["of", "9"] for row in trip.values()) and trip["Gaussian"][0] == "0"


@pytest.mark.requirement("REQ-ADA-052")
@pytest.mark.parametrize(("glitch_row", "screened", "seeds_the_tail"), [(45, [], True), (40, [], False), (50, [50], False)])
def test_glitch_in_the_last_window_minus_one_warmup_rows_is_no_candidate_and_its_window_scores_still_seed_the_tail(
        glitch_row, screened, seeds_the_tail):
    """The stated limit (adaptive/screen.py): the candidates start after the 50 warm-up rows, so a glitch in warm-up rows
    41-49 is not screened and the window scores of rows 50.. that hold it (window 10) seed the tail; one at row 40 is held
    by no seeding window score; one at row 50 is a candidate and screened."""
    settings_ = AdaptiveSettings(10, 500, 2000, 50, 5e-4, None, "max", "absolute", warmup_rows=50, screen_risk=0.01)
    values = np.random.default_rng(7).normal(size=(400, 1))
    values[glitch_row, 0] = -9999.0
    state = initial_state(settings_, values)
    assert state.screened.n_candidates == 350 and state.screened.rows == screened
    assert (state.reference.filled().max() > 100.0) == seeds_the_tail
