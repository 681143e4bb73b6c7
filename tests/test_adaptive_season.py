# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The seasonal term of the adaptive baseline (adaptive/season.py, ``season_period``): formula, causality, refusals,
state, and the drivers' bit-identity (batch, streaming, any split with the JSON state)."""

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_adaptive_one_row import CONFIGURATIONS, SERIES, _bits, _frame, _series, _zeros
from spotanomaly2_safe import (
    AdaptiveDetector,
    AdaptiveResidualDetector,
    InsufficientDataException,
    InvalidInputError,
    InvalidParameterError,
    recommended_detector,
)
from spotanomaly2_safe.adaptive import speculation
from spotanomaly2_safe.adaptive.recommended import RECOMMENDED_PARAMETERS
from spotanomaly2_safe.adaptive.core import _column_medians
from spotanomaly2_safe.adaptive.season import MIN_ROWS_PER_PHASE, SEASON_RULE, phase_medians
from spotanomaly2_safe.adaptive.state_json import state_to_json
from spotanomaly2_safe.errors import Reason

PERIOD = 24


def _seasonal_residuals(n_rows: int, amplitude: float, seed: int = 0, start: int = 0) -> np.ndarray:
    """A season of period 24 the forecast missed (amplitude in noise units) plus unit normal noise, one column."""
    rows = np.arange(start, start + n_rows)
    return (amplitude * np.sin(2 * np.pi * rows / PERIOD) + np.random.default_rng(seed).normal(size=n_rows))[:, None]


def _frames(values: np.ndarray, start: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    true = _frame(np.asarray(values, dtype=np.float64).reshape(len(values), -1), start)
    return true, _zeros(true)


def _seasonal_configurations() -> st.SearchStrategy:
    """The one-row tests' random configurations, each with a period that fits its baseline, reset and 100 training rows."""
    def with_period(params: dict) -> st.SearchStrategy:
        largest = min(params["baseline_size"], params["reset_after"] or 10**6, 100) // MIN_ROWS_PER_PHASE
        return st.integers(2, largest).map(lambda period: {**params, "season_period": period})
    return CONFIGURATIONS.flatmap(with_period)


SEASONAL_SERIES = SERIES.map(lambda series: {**series, "season": series["seed"] % 7})  # season amplitude 0 to 6 noise units


def _seasonal_series(series: dict, period: int) -> np.ndarray:
    values = _series(series)
    return values + series["season"] * np.sin(2 * np.pi * np.arange(len(values)) / period)[:, None]


@pytest.mark.requirement("REQ-SEA-001")
def test_season_pure_sinusoid_scores_at_noise_scale_with_the_term_and_inflates_the_spread_without():
    train, test = _seasonal_residuals(480, 5.0), _seasonal_residuals(960, 5.0, seed=1, start=480)
    seasonal = AdaptiveDetector(season_period=PERIOD).fit(*_frames(train))
    plain = AdaptiveDetector().fit(*_frames(train))
    assert 0.8 < seasonal.state_.scale[0] < 1.25  # the noise's sigma (1.0)
    assert plain.state_.scale[0] > 4.0  # the season taken for spread (about 5.0 * 0.93)
    expected = 5.0 * np.sin(2 * np.pi * np.arange(PERIOD) / PERIOD)
    assert np.abs(seasonal.state_.location[:, 0] - expected).max() < 1.2  # the median of 20 noisy rows per phase
    scores = seasonal.score_and_detect(*_frames(test, 480))[0]["anomaly_score"]
    assert 0.55 < scores.median() < 0.85  # |N(0, 1)| has median 0.674


@pytest.mark.requirement("REQ-SEA-001")
def test_season_finds_a_fault_the_season_hides_from_the_plain_baseline():
    test = _seasonal_residuals(480, 6.0, seed=2, start=480)
    fault = np.arange(480, 960) % PERIOD == 18  # at the season's trough phase (-6 noise units) ...
    test[fault, 0] += 6.0  # ... a +6 fault puts the rows at the series' median: invisible to a plain baseline
    train = _seasonal_residuals(480, 6.0)
    seasonal = AdaptiveDetector(season_period=PERIOD).fit_score_detect(*_frames(train), *_frames(test, 480))[1]["anomaly_flag"]
    plain = AdaptiveDetector().fit_score_detect(*_frames(train), *_frames(test, 480))[1]["anomaly_flag"]
    assert seasonal.to_numpy()[fault].mean() > 0.9 and plain.to_numpy()[fault].mean() == 0.0


def _oracle_scores(values: np.ndarray, flags: np.ndarray, n_train: int, baseline_size: int, resolution: float) -> list[float]:
    """|r_t - m[phase(t)]| / s from the learned rows strictly before t (refresh every row, window 1, one column)."""
    learned = [(value, position % PERIOD) for position, value in enumerate(values[:n_train])]
    location = np.zeros(PERIOD)
    scores = []
    for position in range(n_train, len(values)):
        kept = learned[-baseline_size:]
        for phase in range(PERIOD):
            of_phase = [value for value, kept_phase in kept if kept_phase == phase]
            if len(of_phase) >= 3:
                location[phase] = np.sort(of_phase)[(len(of_phase) - 1) // 2]  # the lower median
        spread = max(1.4826 * np.median([abs(value - location[phase]) for value, phase in kept]), resolution)
        scores.append(abs(values[position] - location[position % PERIOD]) / spread)
        if not flags[position - n_train]:
            learned.append((values[position], position % PERIOD))
    return scores


@pytest.mark.requirement("REQ-SEA-001")
def test_season_score_is_the_phase_lower_median_and_pooled_mad_of_the_learned_rows_before_the_row():
    values = _seasonal_residuals(600, 4.0, seed=3)[:, 0]
    values[400:430] += 9.0  # a fault: flagged rows are not learned, so they never enter a phase median
    params = {"window": 1, "refresh_every": 1, "baseline_size": 150, "season_period": PERIOD, "aggregation": "max"}
    detector = AdaptiveDetector(**params).fit(*_frames(values[:300, None]))
    scores, flags = detector.score_and_detect(*_frames(values[300:, None], 300))
    assert flags["anomaly_flag"].sum() > 10
    oracle = _oracle_scores(values, flags["anomaly_flag"].to_numpy(), 300, 150, float(detector.state_.resolution[0]))
    assert scores["anomaly_score"].to_numpy() == pytest.approx(np.array(oracle), rel=1e-12, abs=0)


@pytest.mark.requirement("REQ-SEA-001")
def test_season_a_row_never_influences_its_own_estimate():
    values = _seasonal_residuals(400, 3.0, seed=4)
    detector = AdaptiveDetector(season_period=PERIOD, refresh_every=1, window=1, aggregation="max").fit(*_frames(values[:300]))
    detector.score_and_detect(*_frames(values[300:399], 300))
    before = detector.state_.copy()
    scores = [AdaptiveDetector.from_state_dict(detector.state_dict()).score_and_detect(*_frames(np.array([[value]]), 399))[0]["anomaly_score"].iloc[0]
              for value in (-50.0, 0.0, 50.0)]
    phase = (before.season_start + before.rows_seen) % PERIOD
    centre, spread = before.location[phase, 0], before.scale[0]
    assert scores == [abs(value - centre) / spread for value in (-50.0, 0.0, 50.0)]


@pytest.mark.requirement("REQ-SEA-001")
@settings(max_examples=60, deadline=None)
@given(phases=st.lists(st.integers(0, 4), min_size=1, max_size=40), seed=st.integers(0, 2**16))
def test_season_phase_medians_are_the_lower_median_per_phase_with_three_rows_else_the_previous_value(phases, seed):
    values = np.random.default_rng(seed).normal(size=(len(phases), 2)).round(1)  # ties included
    previous = np.full((5, 2), 7.5)
    medians = phase_medians(values, np.array(phases), 5, previous)
    for phase in range(5):
        rows = values[np.array(phases) == phase]
        expected = np.sort(rows, axis=0)[(len(rows) - 1) // 2] if len(rows) >= MIN_ROWS_PER_PHASE else previous[phase]
        assert (medians[phase] == expected).all()  # -0.0 == 0.0: set_baseline fixes the sign of a zero median


@pytest.mark.requirement("REQ-SEA-001")
def test_season_pooled_spread_median_equals_numpys_median_per_column_for_odd_and_even_counts():
    """The pooled MAD takes core's column median (the unseasoned baseline's): the exact median, ties and even counts included."""
    rng = np.random.default_rng(11)
    for n_rows in range(1, 14):
        values = rng.normal(size=(n_rows, 3)).round(1)  # ties included
        assert _column_medians(np.ascontiguousarray(values.T)).tolist() == np.median(values, axis=0).tolist()


@pytest.mark.requirement("REQ-SEA-001")
@pytest.mark.parametrize("n_train", [100, 105])
def test_season_fit_sets_phase_lower_medians_and_the_pooled_mad_of_every_training_row_per_column(n_train):
    """At fit every training row is kept (n_train <= baseline_size): m_j[p] is the lower median of phase p's rows, s_j
    the floored 1.4826 * MAD of all rows around their phase's m_j, per column (an even and an odd count of rows)."""
    period = 5
    values = np.random.default_rng(12).normal(size=(n_train, 2)) * [1.0, 3.0]
    values[:, 1] += np.arange(n_train) % period  # a season in the second column
    state = AdaptiveDetector(season_period=period).fit(*_frames(values)).state_
    phases = np.arange(n_train) % period
    location = np.array([np.sort(values[phases == phase], axis=0)[(np.sum(phases == phase) - 1) // 2] for phase in range(period)])
    mad = np.median(np.abs(values - location[phases]), axis=0)
    assert state.location.tolist() == location.tolist()
    assert state.scale.tolist() == np.maximum(1.4826 * mad, state.resolution).tolist()


@pytest.mark.requirement("REQ-SEA-002")
@pytest.mark.parametrize(
    ("params", "fragment"),
    [({"season_period": 167, "baseline_size": 500}, "baseline_size >= 501"),
     ({"season_period": 24, "reset_after": 71}, "reset_after >= 72"),
     ({"season_period": 168, "baseline_size": 504, "reset_after": 500}, "reset_after >= 504"),
     ({"season_period": 168}, "baseline_size >= 504")],  # recommended_detector(season_period=168): its 500 is refused
)
def test_season_period_without_three_rows_per_phase_in_baseline_or_reset_is_refused(params, fragment):
    for build in (lambda: AdaptiveDetector(**params), lambda: AdaptiveResidualDetector(training_rows=600, **params),
                  lambda: recommended_detector(**params)):
        with pytest.raises(InvalidParameterError) as refused:
            build()
        assert refused.value.reason is Reason.INVALID_PARAMETER and fragment in str(refused.value)
    AdaptiveDetector(**{**params, "baseline_size": 3 * params["season_period"], "reset_after": None})  # the edge is accepted


@pytest.mark.requirement("REQ-SEA-002")
@pytest.mark.parametrize("bad", [1, 0, -24, 2.0, 24.5, True, "24"])
def test_season_period_outside_its_table_is_a_typed_error(bad):
    with pytest.raises(InvalidParameterError) as refused:
        AdaptiveDetector(season_period=bad)
    assert refused.value.reason is Reason.INVALID_PARAMETER and "season_period" in str(refused.value)


@pytest.mark.requirement("REQ-SEA-002")
def test_season_fewer_training_rows_than_three_periods_are_refused_before_any_state():
    detector = AdaptiveDetector(season_period=48, baseline_size=500)
    with pytest.raises(InsufficientDataException) as refused:
        detector.fit(*_frames(_seasonal_residuals(143, 1.0)))
    assert refused.value.reason is Reason.TOO_FEW_ROWS and "at least 144" in str(refused.value) and not hasattr(detector, "state_")
    detector.fit(*_frames(_seasonal_residuals(144, 1.0)))  # 3 periods: accepted
    assert (AdaptiveDetector(season_period=PERIOD).fit(*_frames(_seasonal_residuals(100, 1.0))).state_.location.shape == (PERIOD, 1))
    with pytest.raises(InvalidParameterError) as streaming:
        AdaptiveResidualDetector(training_rows=143, season_period=48)
    assert streaming.value.reason is Reason.INVALID_PARAMETER and "training_rows >= 144" in str(streaming.value)


@pytest.mark.requirement("REQ-SEA-002")
def test_season_streaming_accepts_exactly_three_periods_of_training_rows_and_fits_as_the_batch_driver():
    values = _seasonal_residuals(150, 2.0, seed=13)
    stream = AdaptiveResidualDetector(training_rows=144, season_period=48)
    for value in values[:144, 0].tolist():
        stream.learn_one({"c0": value})
    batch = AdaptiveDetector(season_period=48).fit(*_frames(values[:144]))
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))


@pytest.mark.requirement("REQ-SEA-002")
def test_season_recommendation_has_no_period_and_accepts_one_as_an_override():
    assert "season_period" not in RECOMMENDED_PARAMETERS and recommended_detector().season_period is None
    detector = recommended_detector(season_period=PERIOD)
    assert detector.season_period == PERIOD and detector.settings.season_period == PERIOD
    assert detector.get_params() == {**RECOMMENDED_PARAMETERS, "season_period": PERIOD}


@pytest.mark.requirement("REQ-SEA-003")
@settings(max_examples=60, deadline=None)
@given(params=_seasonal_configurations(), series=SEASONAL_SERIES)
def test_season_streaming_outputs_and_state_equal_the_batch_driver_bit_for_bit_for_any_configuration(params, series):
    values, n_train = _seasonal_series(series, params["season_period"]), series["n_train"]
    train, test = _frame(values[:n_train], 0), _frame(values[n_train:], n_train)
    batch = AdaptiveDetector(**params).fit(train, _zeros(train))
    scores, flags = batch.score_and_detect(test, _zeros(test))
    stream = AdaptiveResidualDetector(training_rows=n_train, **params)
    outputs = []
    for position, row in enumerate(values.tolist()):
        x = dict(zip(train.columns, row))
        if position >= n_train:
            if position % series["score_first"]:
                assert _bits([stream.score_one(x)]) == _bits([scores["anomaly_score"].iloc[position - n_train]])
            outputs.append(list(stream.evaluate_one(x).values()))
        stream.learn_one(x)
    assert _bits(outputs) == _bits(np.column_stack([scores.to_numpy(), flags.to_numpy()]).astype(float))
    assert json.dumps(state_to_json(stream.state)) == json.dumps(state_to_json(batch.state_))
    assert stream.state.sorted_buffers is None  # the generic step: the rings, never the fused path's sorted lists


@pytest.mark.requirement("REQ-SEA-003")
@settings(max_examples=40, deadline=None)
@given(params=_seasonal_configurations(), series=SEASONAL_SERIES, cuts=st.lists(st.integers(1, 259), max_size=5, unique=True).map(sorted))
def test_season_any_split_with_json_state_is_bit_identical_to_one_batch_outputs_and_state(params, series, cuts):
    values, n_train = _seasonal_series(series, params["season_period"]), series["n_train"]
    whole = AdaptiveDetector(**params).fit(*_frames(values[:n_train]))
    expected = whole.score_and_detect(*_frames(values[n_train:], n_train))
    detector = AdaptiveDetector(**params).fit(*_frames(values[:n_train]))
    parts = []
    bounds = [n_train, *[n_train + cut for cut in cuts if n_train + cut < len(values)], len(values)]
    for start, stop in zip(bounds[:-1], bounds[1:]):
        detector = AdaptiveDetector.from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
        parts.append(detector.score_and_detect(*_frames(values[start:stop], start)))
    for got, want in zip((pd.concat([part[index] for part in parts]) for index in (0, 1)), expected):
        assert got.to_numpy().tobytes() == want.to_numpy().tobytes()
    assert json.dumps(detector.state_dict()["state"]) == json.dumps(whole.state_dict()["state"])


@pytest.mark.requirement("REQ-SEA-003")
def test_season_batch_driver_never_speculates_and_streaming_keeps_no_sorted_lists(monkeypatch):
    def refuse(*arguments):
        raise AssertionError("speculated with season_period set")

    monkeypatch.setattr(speculation, "speculate", refuse)
    values = _seasonal_residuals(3000, 3.0, seed=5)
    detector = AdaptiveDetector(season_period=PERIOD, refresh_every=50).fit(*_frames(values[:500]))
    detector.score_and_detect(*_frames(values[500:], 500))  # thousands of clean blocks: speculated without the term
    assert detector.state_.sorted_buffers is None
    monkeypatch.undo()
    stream = AdaptiveResidualDetector(training_rows=500, season_period=PERIOD)
    for value in values[:700, 0].tolist():
        stream.learn_one({"c0": value})
    assert stream.state.sorted_buffers is None and stream.state.phases.count == 500


@pytest.mark.requirement("REQ-SEA-003")
def test_season_reset_reinitializes_from_the_flagged_rows_with_their_phases():
    values = _seasonal_residuals(700, 4.0, seed=6)
    values[400:, 0] += 40.0  # a permanent level change
    params = {"season_period": PERIOD, "reset_after": 3 * PERIOD, "refresh_every": 5}
    scores, flags = AdaptiveDetector(**params).fit_score_detect(*_frames(values[:300]), *_frames(values[300:], 300))
    assert flags["baseline_reset"].sum() == 1 and flags["baseline_reset"].iloc[100 + 3 * PERIOD - 1] == 1
    detector = AdaptiveDetector(**params).fit(*_frames(values[:300]))
    detector.score_and_detect(*_frames(values[300:400 + 3 * PERIOD], 300))
    state = detector.state_
    assert state.phases.ordered().tolist() == [float(row % PERIOD) for row in range(400, 400 + 3 * PERIOD)]
    expected = np.median(values[400 : 400 + 3 * PERIOD, 0].reshape(3, PERIOD), axis=0)
    assert _bits(state.location[:, 0]) == _bits(np.roll(expected, 400 % PERIOD))  # phase p = row mod 24
    assert flags["anomaly_flag"].iloc[100 + 3 * PERIOD :].mean() < 0.01  # the new level is learned


@pytest.mark.requirement("REQ-SEA-004")
def test_season_state_json_round_trips_with_phases_and_continues_bit_identically():
    values = _seasonal_residuals(900, 3.0, seed=7)
    detector = AdaptiveDetector(season_period=PERIOD, window=3, refresh_every=7).fit(*_frames(values[:300]))
    detector.score_and_detect(*_frames(values[300:600], 300))
    snapshot = json.loads(json.dumps(detector.state_dict(), allow_nan=False))
    state = snapshot["state"]
    assert len(state["phases"]) == len(state["baseline"]) and state["season_start"] == 300 % PERIOD
    assert np.array(state["location"]).shape == (PERIOD, 1)
    assert snapshot["fit_record"]["parameters"]["season_period"] == PERIOD
    assert snapshot["fit_record"]["season"] == {"rule": SEASON_RULE, "period": PERIOD, "first_phase_after_training": 300 % PERIOD}
    restored = AdaptiveDetector.from_state_dict(snapshot)
    assert json.dumps(restored.state_dict()) == json.dumps(snapshot)
    continued, original = (d.score_and_detect(*_frames(values[600:], 600)) for d in (restored, detector))
    assert continued[0].to_numpy().tobytes() == original[0].to_numpy().tobytes()


def _corrupt(state: dict, key: str, value) -> dict:
    return {**state, key: value}


@pytest.mark.requirement("REQ-SEA-004")
@pytest.mark.parametrize(
    "corrupt",
    [lambda s: _corrupt(s, "phases", s["phases"][:-1]),
     lambda s: _corrupt(s, "phases", [PERIOD] + s["phases"][1:]),
     lambda s: _corrupt(s, "phases", [1.0] + s["phases"][1:]),
     lambda s: _corrupt(s, "phases", None),
     lambda s: _corrupt(s, "season_start", PERIOD),
     lambda s: _corrupt(s, "season_start", -1),
     lambda s: _corrupt(s, "location", s["location"][:-1]),
     lambda s: _corrupt(s, "location", [row[0] for row in s["location"]]),
     lambda s: {key: value for key, value in s.items() if key != "phases"}],
)
def test_season_malformed_state_is_invalid_state(corrupt):
    detector = AdaptiveDetector(season_period=PERIOD).fit(*_frames(_seasonal_residuals(300, 2.0)))
    snapshot = json.loads(json.dumps(detector.state_dict()))
    with pytest.raises(InvalidInputError) as refused:
        AdaptiveDetector.from_state_dict({**snapshot, "state": corrupt(snapshot["state"])})
    assert refused.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-SEA-004")
def test_season_state_of_another_period_or_none_is_refused():
    plain = json.loads(json.dumps(AdaptiveDetector().fit(*_frames(_seasonal_residuals(300, 2.0))).state_dict()))
    with pytest.raises(InvalidInputError) as refused:  # a state without phases read as seasonal: refused, never guessed
        AdaptiveDetector.from_state_dict({**plain, "params": {**plain["params"], "season_period": PERIOD}})
    assert refused.value.reason is Reason.INVALID_STATE
    seasonal = json.loads(json.dumps(AdaptiveDetector(season_period=PERIOD).fit(*_frames(_seasonal_residuals(300, 2.0))).state_dict()))
    for period in (None, 12):
        with pytest.raises(InvalidInputError) as refused:
            AdaptiveDetector.from_state_dict({**seasonal, "params": {**seasonal["params"], "season_period": period}})
        assert refused.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-SEA-004")
def test_season_off_keeps_the_state_keys_and_fit_record_of_the_method_without_the_term():
    detector = AdaptiveDetector(spike_risk=1e-3).fit(*_frames(_seasonal_residuals(300, 2.0)))
    state = detector.state_dict()["state"]
    assert "phases" not in state and "season_start" not in state and np.array(state["location"]).shape == (1,)
    assert "season_period" not in detector.fit_record_["parameters"] and "season" not in detector.fit_record_
    assert detector.get_params()["season_period"] is None and detector.state_.phases is None


@pytest.mark.requirement("REQ-SEA-005")
def test_season_speed_benchmark_prints_the_ratio_against_no_term_without_a_target():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_adaptive.py"
    arguments = ["--rows", "2000", "--observations", "400", "--repeats", "1", "--season-period", "168"]
    result = subprocess.run([sys.executable, str(script), *arguments], capture_output=True, text=True, check=True)
    rows = {line.split(":")[0]: line.split() for line in result.stdout.splitlines() if line.startswith("season ")}
    assert set(rows) == {"season batch 2,000 x 8", "season stream 400 obs"}
    assert all(row[-1] == "none" and float(row[-2]) > 0 and "season_period=168" in row for row in rows.values())


@pytest.mark.requirement("REQ-SEA-006")
def test_season_quality_benchmark_prints_event_figures_with_and_without_the_term():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_season.py"
    result = subprocess.run([sys.executable, str(script), "--seeds", "0", "--parts", "daily"], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert "daily (missed_season, 500 training rows): 3 series, 26,280 test rows" in lines
    rows = {line.split("  ")[0]: line.split()[-4:] for line in lines if line.startswith(("none", "season_period"))}
    assert set(rows) == {"none (recommended_detector())", "season_period=24"}
    assert all(0.0 <= float(row[0]) <= 1.0 and 0.0 <= float(row[1]) <= 1.0 and float(row[2]) >= 0.0 for row in rows.values())


@pytest.mark.requirement("REQ-SEA-006")
def test_season_quality_benchmark_prints_the_cost_per_monitoring_kind_with_and_without_the_term():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_season.py"
    result = subprocess.run([sys.executable, str(script), "--seeds", "0", "--parts", "cost", "--per-kind"], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    kinds = [line.split(":")[0].removeprefix("cost, kind ") for line in lines if line.startswith("cost, kind ")]
    assert "quantized_gauge" in kinds and "missed_season" not in kinds and len(kinds) == 7
    assert all(lines[lines.index(line) + 2].startswith("none") and lines[lines.index(line) + 3].startswith("season_period=24")
               for line in lines if line.startswith("cost, kind "))


@pytest.mark.requirement("REQ-SEA-001")
def test_season_floor_is_the_grid_of_the_deseasoned_residuals_so_integer_actuals_keep_their_quantum():
    hours = np.arange(1000)
    forecast = 20.0 + 0.6 * np.sin(2 * np.pi * hours / PERIOD)  # a season the forecast has: continuous values
    actual = np.round(forecast + 0.4 * np.random.default_rng(8).normal(size=hours.size))  # integer actuals
    true, pred = (pd.DataFrame({"c0": values}) for values in (actual, forecast))
    plain = AdaptiveDetector().fit(true[:500], pred[:500])
    seasonal = AdaptiveDetector(season_period=PERIOD).fit(true[:500], pred[:500])
    assert plain.state_.resolution[0] < 0.01  # the forecast's differences
    # the quantum (each phase's lower median is one of its values, so r - m is a whole number); the pooled MAD is 0
    assert seasonal.state_.resolution[0] == 1.0 and seasonal.state_.scale[0] == 1.0
    assert seasonal.fit_record_["resolution"] == [1.0]
    z = seasonal.score_and_detect(true[500:501] + 1.0, pred[500:501])[0]["anomaly_score"].iloc[0]
    assert z <= 2.0  # a one-unit step off the phase median scores one or two units, not 1 / 0.004 = 250


@pytest.mark.requirement("REQ-SEA-002")
def test_season_deseasoned_training_residual_that_overflows_is_a_typed_error_and_fits_nothing():
    values = np.random.default_rng(9).normal(size=(120, 1))
    values[[0, 24, 48, 72], 0] = [1.7e308, -1.7e308, -1.7e308, -1.7e308]  # phase 0: median -1.7e308; 1.7e308 - median overflows
    detector = AdaptiveDetector(season_period=PERIOD)
    with pytest.raises(InvalidInputError) as refused:
        detector.fit(*_frames(values))
    assert refused.value.reason is Reason.SCORE_OVERFLOW and not hasattr(detector, "state_")


@pytest.mark.requirement("REQ-SEA-004")
def test_season_streaming_snapshot_restores_and_continues_bit_identically():
    values = _seasonal_residuals(700, 3.0, seed=10)[:, 0]
    values[450:470] += 12.0  # flagged rows mid-stream: the phases of the kept rows are no longer consecutive
    detector = AdaptiveResidualDetector(training_rows=200, season_period=PERIOD, window=3, reset_after=None)
    for value in values[:500].tolist():
        detector.learn_one({"load": value})
    snapshot = json.loads(json.dumps(detector.state_dict(), allow_nan=False))
    adaptive = snapshot["state"]["adaptive"]
    assert len(adaptive["phases"]) == len(adaptive["baseline"]) <= 500 - 20  # the flagged rows were not learned
    restored = AdaptiveResidualDetector.from_state_dict(snapshot)
    for value in values[500:].tolist():
        assert _bits([restored.score_one({"load": value})]) == _bits([detector.score_one({"load": value})])
        detector.learn_one({"load": value})
        restored.learn_one({"load": value})
    assert json.dumps(restored.state_dict()) == json.dumps(detector.state_dict())


@pytest.mark.requirement("REQ-SEA-001")
@pytest.mark.requirement("REQ-SEA-003")
def test_season_phases_follow_the_row_position_with_training_rows_and_reset_not_multiples_of_half_the_period():
    # 310 training rows and reset_after = 3 * 24 + 5: a phase offset by twice the training rows (620 = 20 mod 24)
    # or by twice the run (154 = 10 mod 24) shows; the reset test above uses multiples of the period, which hide it.
    values = _seasonal_residuals(700, 4.0, seed=8)
    values[400:, 0] += 40.0  # a permanent level change: one run of flagged rows from row 400
    run = 3 * PERIOD + 5
    detector = AdaptiveDetector(season_period=PERIOD, reset_after=run, refresh_every=5).fit(*_frames(values[:310]))
    phases = detector.state_.phases
    assert phases.ordered().tolist() == [float(row % PERIOD) for row in range(310 - phases.count, 310)]
    _, flags = detector.score_and_detect(*_frames(values[310 : 400 + run], 310))
    assert flags["baseline_reset"].sum() == 1 and flags["baseline_reset"].iloc[-1] == 1
    assert detector.state_.phases.ordered().tolist() == [float(row % PERIOD) for row in range(400, 400 + run)]
