# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Many series fitted and scored on a real Dask LocalCluster (2 worker processes): spotanomaly2_safe_cli.scaleout.series."""

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe.adaptive import AdaptiveDetector, recommended_detector
from spotanomaly2_safe.errors import InvalidInputError, InvalidParameterError, Reason
from spotanomaly2_safe_cli.scaleout.series import ERROR_COLUMNS, fit_score_series

from frames import make_frames

PARAMETERS = {"scorer_name": "RobustZScorer", "scorer_params": {"window": 4}, "min_gap": 2}
ADAPTIVE = {"window": 3, "baseline_size": 100, "reset_after": 10}  # overrides of the recommended parameters


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as connected:
        yield connected


def _series(n_series=6, broken=None):
    """Per series key, its four frames (make_frames with the key's seed), broken ones per ``broken``: key -> how."""
    series = {}
    for number in range(n_series):
        data = list(make_frames(n_train=150, n_test=50, seed=number))
        data[2] = data[2].copy()
        data[2].iloc[10:25, 0] += 25.0 * (number % 2)  # a 15-row level shift in every other series: flags and a reset
        how = (broken or {}).get(f"meter-{number}")
        if how == "too short":
            data[0], data[1] = data[0].iloc[:60], data[1].iloc[:60]
        elif how == "nan":
            data[3] = data[3].copy()
            data[3].iloc[7, 0] = np.nan
        elif how == "no test rows":
            data[2], data[3] = data[2].iloc[:0], data[3].iloc[:0]
        series[f"meter-{number}"] = data
    return series


def _long(series, npartitions):
    return [dd.from_pandas(pd.concat([frames[role].assign(meter=key) for key, frames in series.items()]), npartitions=npartitions, sort=False) for role in range(4)]


@pytest.mark.requirement("REQ-SCL-006")
def test_every_series_gets_exactly_its_in_memory_scores_flags_alarms_and_fit_record(client):
    series = _series()
    results = fit_score_series(*_long(series, 3), series_column="meter", detector_parameters=PARAMETERS, npartitions=2)
    assert results.errors.empty and sorted(results.fit_records) == sorted(series)
    for key, data in series.items():
        detector = ForecastingAnomalyDetector(**PARAMETERS).fit(data[0], data[1])
        expected = detector.score_and_detect(data[2], data[3], data[0].iloc[-3:], data[1].iloc[-3:])
        for got, wanted in zip((results.scores, results.flags), expected):
            mine = got[got["meter"] == key]
            assert list(mine.columns) == ["meter", *wanted.columns]
            pd.testing.assert_frame_equal(mine.drop(columns="meter"), wanted, check_exact=True, check_freq=False)
        assert results.fit_records[key] == detector.fit_record_


@pytest.mark.requirement("REQ-SCL-006")
def test_bad_series_are_reported_in_the_error_table_and_do_not_affect_the_others(client):
    broken = {"meter-1": "too short", "meter-3": "nan", "meter-4": "no test rows"}
    series = _series(broken=broken)
    results = fit_score_series(*_long(series, 2), series_column="meter", detector_parameters=PARAMETERS)
    assert list(results.errors.columns) == list(ERROR_COLUMNS)
    table = results.errors.set_index("series")
    assert table.loc["meter-1", "error"] == "InsufficientDataException" and table.loc["meter-1", "reason"] == "too_few_rows"
    assert table.loc["meter-3", "error"] == "InvalidInputError" and table.loc["meter-3", "reason"] == "missing_value"
    assert table.loc["meter-4", "reason"] == "empty_input"
    assert all(message.startswith(f"series {key!r}: ") for key, message in table["message"].items())
    good = sorted(set(series) - set(broken))
    assert sorted(results.fit_records) == good and sorted(results.scores["meter"].unique()) == good == sorted(results.flags["meter"].unique())
    alone = fit_score_series(*_long({key: series[key] for key in good}, 2), series_column="meter", detector_parameters=PARAMETERS)
    pd.testing.assert_frame_equal(results.scores, alone.scores, check_exact=True)


@pytest.mark.requirement("REQ-SCL-006")
def test_invalid_parameters_or_frames_raise_before_computing(client):
    frames = _long(_series(n_series=2), 1)
    with pytest.raises(InvalidParameterError) as raised:
        fit_score_series(*frames, series_column="meter", detector_parameters={"scorer_name": "NormScorer", "scorer_params": {"n_clusters": 3}})
    assert raised.value.reason is Reason.FOREIGN_PARAMETER
    with pytest.raises(InvalidInputError) as raised:
        fit_score_series(*frames, series_column="site")
    assert raised.value.reason is Reason.COLUMN_MISMATCH
    with pytest.raises(InvalidInputError) as raised:
        fit_score_series(*frames[:3], frames[3].rename(columns={"sensor_0": "other"}), series_column="meter")
    assert raised.value.reason is Reason.COLUMN_MISMATCH


@pytest.mark.requirement("REQ-SCL-010")
def test_every_adaptive_series_gets_its_in_memory_outputs_fit_record_and_final_state(client):
    series = _series()
    results = fit_score_series(*_long(series, 3), series_column="meter", detector_parameters=ADAPTIVE, npartitions=2, detector="adaptive")
    assert results.errors.empty and sorted(results.fit_records) == sorted(results.states) == sorted(series)
    resets = 0
    for key, data in series.items():
        detector = recommended_detector(**ADAPTIVE).fit(data[0], data[1])
        expected = detector.score_and_detect(data[2], data[3])
        for got, wanted in zip((results.scores, results.flags), expected):
            mine = got[got["meter"] == key]
            assert list(mine.columns) == ["meter", *wanted.columns]
            pd.testing.assert_frame_equal(mine.drop(columns="meter"), wanted, check_exact=True, check_freq=False)
        assert results.fit_records[key] == detector.fit_record_ and results.states[key] == detector.state_dict()
        resets += int(expected[1]["baseline_reset"].sum())
    assert resets > 0
    # the returned state continues the series: the next rows score as if they had followed in one batch
    key, data = "meter-1", series["meter-1"]
    step = data[2].index[1] - data[2].index[0]
    after = pd.date_range(data[2].index[-1] + step, periods=5, freq=step)  # rows after the test rows (a batch must follow)
    following = [frame.iloc[:5].set_axis(after) for frame in (data[2], data[3])]
    continued = AdaptiveDetector.from_state_dict(results.states[key]).score_and_detect(*following)
    assert continued[0].equals(detector_after(data).score_and_detect(*following)[0])


def detector_after(data):
    """The in-memory detector of one series after its training and test rows."""
    detector = recommended_detector(**ADAPTIVE).fit(data[0], data[1])
    detector.score_and_detect(data[2], data[3])
    return detector


@pytest.mark.requirement("REQ-SCL-010")
def test_bad_adaptive_series_are_reported_in_the_error_table_and_do_not_affect_the_others(client):
    broken = {"meter-1": "too short", "meter-3": "nan", "meter-4": "no test rows"}
    series = _series(broken=broken)
    results = fit_score_series(*_long(series, 2), series_column="meter", detector_parameters=ADAPTIVE, detector="adaptive")
    table = results.errors.set_index("series")
    assert table.loc["meter-1", "reason"] == "too_few_rows" and table.loc["meter-3", "reason"] == "missing_value"
    assert table.loc["meter-4", "reason"] == "empty_input"
    assert all(message.startswith(f"series {key!r}: ") for key, message in table["message"].items())
    good = sorted(set(series) - set(broken))
    assert sorted(results.fit_records) == sorted(results.states) == good == sorted(results.scores["meter"].unique())


@pytest.mark.requirement("REQ-SCL-010")
def test_unknown_detector_or_adaptive_parameter_raises_before_computing(client):
    frames = _long(_series(n_series=2), 1)
    with pytest.raises(InvalidParameterError) as unknown_detector:
        fit_score_series(*frames, series_column="meter", detector="isolation")
    assert unknown_detector.value.reason is Reason.INVALID_PARAMETER
    with pytest.raises(InvalidParameterError) as unknown_parameter:
        fit_score_series(*frames, series_column="meter", detector="adaptive", detector_parameters={"scorer_name": "NormScorer"})
    assert unknown_parameter.value.reason is Reason.UNKNOWN_PARAMETER
    with pytest.raises(InvalidParameterError) as bad_value:
        fit_score_series(*frames, series_column="meter", detector="adaptive", detector_parameters={"risk": 0.5})
    assert bad_value.value.reason is Reason.INVALID_PARAMETER
    forecasting = fit_score_series(*frames, series_column="meter", detector_parameters=PARAMETERS)
    assert forecasting.states == {} and sorted(forecasting.fit_records) == ["meter-0", "meter-1"]


@pytest.mark.requirement("REQ-SCL-010")
def test_adaptive_series_whose_state_cannot_be_json_is_an_error_never_a_series_without_state():
    data = make_frames(n_train=150, n_test=20)
    frames = [frame.rename(columns={"sensor_0": 0.5}).assign(meter="m") for frame in data]
    results = fit_score_series(*frames, series_column="meter", detector="adaptive")
    assert results.states == {} and results.fit_records == {} and results.scores.empty
    assert results.errors.set_index("series").loc["m", "reason"] == Reason.SNAPSHOT_UNSUPPORTED.value
