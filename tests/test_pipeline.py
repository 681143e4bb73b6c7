# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import importlib
import inspect
import json

import numpy as np
import pandas as pd
import pytest

import spotanomaly2_safe
from spotanomaly2_safe import (
    ForecastingAnomalyDetector,
    InvalidInputError,
    InvalidParameterError,
    KMeansScorer,
    NormScorer,
    NotFittedError,
)
from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.scoring.pot import PeaksOverThresholdDetector
from spotanomaly2_safe.scoring.tail import fit_tail

from frames import SCORER_CASES, Frames, make_frames

# The default YAML of the spotanomaly2 2.2.0 wrapper: one dict with the keys of every scorer.
SHARED_SCORER_PARAMS = {
    "ord": 2, "window": 1, "n_clusters": 3, "auto_select_k": False, "k_min": 1, "k_max": 10,
    "elbow_method": "second_derivative", "n_init": 1, "max_iter": 300, "component_wise": False,
    "contamination": 0.1, "n_estimators": 100, "max_samples": "auto", "random_state": 42,
}


def _outputs(detector: ForecastingAnomalyDetector, y_true: pd.DataFrame, y_pred: pd.DataFrame) -> pd.DataFrame:
    scores_df, flags_df = detector.score_and_detect(y_true, y_pred)
    return scores_df.join(flags_df)


@pytest.mark.requirement("REQ-COR-001")
def test_published_usage_runs_verbatim():
    data = make_frames()
    train_true_df, train_pred_df, test_true_df, test_pred_df = data
    detector = ForecastingAnomalyDetector(
        scorer_name="KMeansScorer",
        scorer_params={"n_clusters": 3},
        high_quantile=0.99,
        normalize_scores=True,
        normalization_quantile=0.99,
    )
    scores_df, flags_df = detector.fit_score_detect(
        y_true_train=train_true_df, y_pred_train=train_pred_df,
        y_true_test=test_true_df, y_pred_test=test_pred_df,
    )
    assert list(scores_df.columns) == ["anomaly_score", "anomaly_score_normalized"]
    assert list(flags_df.columns) == ["anomaly_flag"]
    pd.testing.assert_index_equal(scores_df.index, test_true_df.index, exact=True)
    pd.testing.assert_index_equal(flags_df.index, test_true_df.index, exact=True)
    assert flags_df["anomaly_flag"].dtype == np.int64
    assert set(flags_df["anomaly_flag"].unique()) <= {0, 1}
    assert scores_df.dtypes.tolist() == [np.float64, np.float64]


@pytest.mark.requirement("REQ-COR-001")
def test_without_normalization_only_raw_score_is_returned():
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer", normalize_scores=False)
    scores_df, _ = detector.fit_score_detect(*data)
    assert list(scores_df.columns) == ["anomaly_score"]
    assert detector.normalizer is None and detector.fit_record_["normalizer"] is None


@pytest.mark.requirement("REQ-COR-001")
def test_injected_spike_is_flagged_and_scored_highest():
    data = make_frames()
    spiked = data.y_true_test.copy()
    spiked.iat[10, 0] += 50.0
    detector = ForecastingAnomalyDetector(scorer_name="KMeansScorer").fit(data.y_true_train, data.y_pred_train)
    scores_df, flags_df = detector.score_and_detect(spiked, data.y_pred_test)
    assert flags_df["anomaly_flag"].iloc[10] == 1
    assert scores_df["anomaly_score"].idxmax() == spiked.index[10]


@pytest.mark.requirement("REQ-COR-006")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES)
def test_flag_equals_score_above_training_quantile(scorer_name, scorer_params):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params, high_quantile=0.9)
    scores_df, flags_df = detector.fit_score_detect(*data)
    train_scores = detector.scorer.score(data.y_true_train.to_numpy() - data.y_pred_train.to_numpy())
    assert detector.detector.threshold == float(np.quantile(train_scores, 0.9))
    expected = (scores_df["anomaly_score"] > detector.detector.threshold).astype(np.int64)
    pd.testing.assert_series_equal(flags_df["anomaly_flag"], expected, check_names=False)


@pytest.mark.requirement("REQ-COR-007")
def test_normalizer_is_fitted_on_training_scores_only():
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(data.y_true_train, data.y_pred_train)
    bounds = (detector.normalizer.q_low, detector.normalizer.q_high)
    detector.score_and_detect(data.y_true_test * 100, data.y_pred_test)
    assert (detector.normalizer.q_low, detector.normalizer.q_high) == bounds


@pytest.mark.requirement("REQ-COR-007")
def test_threshold_anchored_normalization_reaches_one_at_the_alarm_threshold():
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer", normalization="threshold_anchored", high_quantile=0.9)
    scores_df, flags_df = detector.fit_score_detect(*data)
    flagged = flags_df["anomaly_flag"] == 1
    assert flagged.any() and (~flagged).any()
    assert (scores_df.loc[flagged, "anomaly_score_normalized"] == 1.0).all()
    assert (scores_df.loc[~flagged, "anomaly_score_normalized"] < 1.0).all()
    wrapper_rescaling = (scores_df["anomaly_score"] - detector.normalizer.q_low) / (detector.detector.threshold - detector.normalizer.q_low)
    np.testing.assert_allclose(scores_df["anomaly_score_normalized"], wrapper_rescaling.clip(0.0, 1.0))


@pytest.mark.requirement("REQ-COR-009")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES)
def test_row_outputs_do_not_depend_on_batch(scorer_name, scorer_params):
    data = make_frames(n_test=40)
    detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params)
    detector.fit(data.y_true_train, data.y_pred_train)
    whole = _outputs(detector, data.y_true_test, data.y_pred_test)
    one_by_one = pd.concat(_outputs(detector, data.y_true_test.iloc[[i]], data.y_pred_test.iloc[[i]]) for i in range(40))
    shuffled = np.random.default_rng(0).permutation(40)
    mixed = _outputs(detector, data.y_true_test.iloc[shuffled], data.y_pred_test.iloc[shuffled]).loc[whole.index]
    pd.testing.assert_frame_equal(whole, one_by_one, check_exact=True)
    pd.testing.assert_frame_equal(whole, mixed, check_exact=True, check_freq=False)


@pytest.mark.requirement("REQ-DET-001")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES)
def test_refit_gives_bit_identical_outputs_and_record(scorer_name, scorer_params):
    data = make_frames()
    first = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params)
    second = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params)
    outputs = [pd.concat(detector.fit_score_detect(*data), axis=1) for detector in (first, second, first)]
    pd.testing.assert_frame_equal(outputs[0], outputs[1], check_exact=True)
    pd.testing.assert_frame_equal(outputs[0], outputs[2], check_exact=True)
    assert first.fit_record_ == second.fit_record_


@pytest.mark.requirement("REQ-DET-003")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES)
def test_global_random_state_neither_used_nor_changed(scorer_name, scorer_params):
    data = make_frames()
    np.random.seed(1)
    before = np.random.get_state()[1].copy()
    first = pd.concat(ForecastingAnomalyDetector(scorer_name, scorer_params).fit_score_detect(*data), axis=1)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    np.random.seed(2)
    second = pd.concat(ForecastingAnomalyDetector(scorer_name, scorer_params).fit_score_detect(*data), axis=1)
    pd.testing.assert_frame_equal(first, second, check_exact=True)


@pytest.mark.requirement("REQ-DET-003")
def test_random_state_default_is_fixed_and_used():
    assert KMeansScorer().random_state == 42
    data = make_frames()
    default = ForecastingAnomalyDetector("IsolationForestScorer", {"n_estimators": 20}).fit_score_detect(*data)[0]
    other = ForecastingAnomalyDetector("IsolationForestScorer", {"n_estimators": 20, "random_state": 7}).fit_score_detect(*data)[0]
    assert not default.equals(other)


@pytest.mark.requirement("REQ-PAR-001")
def test_unknown_scorer_name_suggests_registered_name():
    with pytest.raises(InvalidParameterError) as caught:
        ForecastingAnomalyDetector(scorer_name="KMeanScorer")
    assert caught.value.reason is Reason.UNKNOWN_SCORER
    assert "Did you mean 'KMeansScorer'?" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-002")
def test_misspelled_scorer_parameter_is_an_error():
    with pytest.raises(InvalidParameterError) as caught:
        ForecastingAnomalyDetector(scorer_name="KMeansScorer", scorer_params={"n_cluster": 3})
    assert caught.value.reason is Reason.UNKNOWN_PARAMETER
    assert "Did you mean 'n_clusters'?" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-002")
def test_unknown_key_is_an_error_even_when_dropping_foreign_keys():
    with pytest.raises(InvalidParameterError) as caught:
        ForecastingAnomalyDetector("NormScorer", {**SHARED_SCORER_PARAMS, "k": 3}, drop_foreign_scorer_params=True)
    assert caught.value.reason is Reason.UNKNOWN_PARAMETER


@pytest.mark.requirement("REQ-PAR-003")
def test_foreign_scorer_parameter_is_an_error_by_default():
    with pytest.raises(InvalidParameterError) as caught:
        ForecastingAnomalyDetector(scorer_name="NormScorer", scorer_params={"n_clusters": 3})
    assert caught.value.reason is Reason.FOREIGN_PARAMETER
    assert "drop_foreign_scorer_params=True" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-003")
@pytest.mark.parametrize("scorer_name", ["NormScorer", "KMeansScorer", "IsolationForestScorer"])
def test_shared_dict_is_accepted_with_opt_in_and_drops_are_recorded(scorer_name):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name, SHARED_SCORER_PARAMS, drop_foreign_scorer_params=True)
    detector.fit(data.y_true_train, data.y_pred_train)
    own = set(type(detector.scorer).parameter_constraints)
    assert detector.fit_record_["dropped_scorer_parameters"] == sorted(set(SHARED_SCORER_PARAMS) - own)
    defaults = {name: parameter.default for name, parameter in inspect.signature(type(detector.scorer)).parameters.items()}
    expected = {key: SHARED_SCORER_PARAMS.get(key, defaults[key]) for key in own}
    assert detector.fit_record_["parameters"]["scorer_params"] == expected
    assert detector.scorer_params == SHARED_SCORER_PARAMS


@pytest.mark.requirement("REQ-PAR-005")
def test_scorer_instance_is_copied_not_mutated():
    data = make_frames()
    instance = KMeansScorer(n_clusters=2, random_state=3)
    detector = ForecastingAnomalyDetector(scorer_name=instance).fit(data.y_true_train, data.y_pred_train)
    assert not hasattr(instance, "n_features_in_")
    assert detector.scorer is not instance and detector.scorer.get_params() == instance.get_params()
    assert detector.fit_record_["parameters"]["scorer_name"] == "KMeansScorer"


@pytest.mark.requirement("REQ-PAR-005")
def test_scorer_instance_with_scorer_params_is_an_error():
    with pytest.raises(InvalidParameterError):
        ForecastingAnomalyDetector(scorer_name=NormScorer(), scorer_params={"ord": 1})


@pytest.mark.requirement("REQ-CON-013")
def test_score_before_fit_raises_not_fitted():
    data = make_frames()
    with pytest.raises(NotFittedError) as caught:
        ForecastingAnomalyDetector().score_and_detect(data.y_true_test, data.y_pred_test)
    assert isinstance(caught.value, ValueError) and caught.value.reason is Reason.NOT_FITTED


@pytest.mark.requirement("REQ-CON-016")
def test_pipeline_score_overflow_names_row_label():
    data = make_frames()
    detector = ForecastingAnomalyDetector("NormScorer").fit(data.y_true_train, data.y_pred_train)
    huge = data.y_true_test.copy()
    huge.iloc[4] = 1e200
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.score_and_detect(huge, data.y_pred_test)
    assert caught.value.reason is Reason.SCORE_OVERFLOW
    assert repr(huge.index[4]) in str(caught.value)


@pytest.mark.requirement("REQ-ROB-002")
def test_failed_fit_leaves_fitted_state_unchanged():
    data = make_frames()
    detector = ForecastingAnomalyDetector("KMeansScorer").fit(data.y_true_train, data.y_pred_train)
    state = (detector.scorer, detector.detector, detector.normalizer, json.dumps(detector.fit_record_))
    before = _outputs(detector, data.y_true_test, data.y_pred_test)
    collapsed = data.y_true_train * 0 + 1.0
    with pytest.warns(Warning), pytest.raises(spotanomaly2_safe.InsufficientDataException):
        detector.fit(collapsed, collapsed)
    assert (detector.scorer, detector.detector, detector.normalizer, json.dumps(detector.fit_record_)) == state
    pd.testing.assert_frame_equal(_outputs(detector, data.y_true_test, data.y_pred_test), before, check_exact=True)


@pytest.mark.requirement("REQ-TRN-001")
@pytest.mark.parametrize(
    ("scorer_name", "scorer_params"),
    SCORER_CASES
    + [("NormScorer", {"ord": float("inf")})]
    + [("KMeansScorer", {"auto_select_k": True, "k_max": 5, "elbow_method": method}) for method in ("second_derivative", "kneedle", "silhouette")],
)
def test_fit_record_is_strict_json_with_required_facts(scorer_name, scorer_params):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name, scorer_params).fit(data.y_true_train, data.y_pred_train)
    record = json.loads(json.dumps(detector.fit_record_, allow_nan=False))
    assert record["library"] == {"name": "spotanomaly2-safe", "version": spotanomaly2_safe.__version__}
    assert set(record["dependencies"]) == {"numpy", "pandas", "scipy", "scikit-learn", "pandera"}
    assert record["columns"] == ["sensor_0", "sensor_1"]
    assert record["n_training_rows"] == 300
    assert record["threshold"] == detector.detector.threshold
    assert record["normalizer"]["q_low"] == detector.normalizer.q_low
    residuals = np.ascontiguousarray(data.y_true_train.to_numpy() - data.y_pred_train.to_numpy())
    import hashlib

    assert record["training_residuals_sha256"] == hashlib.sha256(residuals.tobytes()).hexdigest()
    assert record["parameters"]["high_quantile"] == 0.99


@pytest.mark.requirement("REQ-TRN-001")
def test_fit_record_writes_unusual_labels_as_json():
    data = make_frames()
    columns = pd.MultiIndex.from_tuples([("site", 1), ("site", pd.Timestamp("2026-01-01"))])
    true, pred = (frame.set_axis(columns, axis=1) for frame in data[:2])
    record = ForecastingAnomalyDetector("NormScorer").fit(true, pred).fit_record_
    assert json.loads(json.dumps(record["columns"], allow_nan=False)) == [["site", 1], ["site", "2026-01-01 00:00:00"]]


@pytest.mark.requirement("REQ-TRN-003")
def test_published_names_paths_defaults_and_attributes_are_kept():
    for name in ["ForecastingAnomalyDetector", "KMeansAnomalyScorer", "NormAnomalyScorer", "IsolationForestAnomalyScorer",
                 "QuantileAnomalyDetector", "ScoreNormalizer", "SpotAnomalySafeError", "InsufficientDataException", "__version__"]:
        assert hasattr(spotanomaly2_safe, name)
    for module in ["scoring.pipeline", "scoring.scorers", "scoring.normalizer", "scoring.detector", "exceptions", "constants"]:
        importlib.import_module(f"spotanomaly2_safe.{module}")
    from spotanomaly2_safe.constants import MIN_TRAIN_SIZE
    from spotanomaly2_safe.scoring.pipeline import (
        ForecastingAnomalyDetector as FromPath,
    )

    assert MIN_TRAIN_SIZE == 100 and FromPath is ForecastingAnomalyDetector
    detector = FromPath()
    assert (detector.scorer_name, detector.scorer_params, detector.high_quantile) == ("KMeansScorer", {}, 0.99)
    data = make_frames()
    detector.fit(data.y_true_train, data.y_pred_train)
    assert isinstance(detector.detector.threshold, float) and isinstance(detector.normalizer.q_low, float)


@pytest.mark.requirement("REQ-TRN-003")
def test_isolation_forest_keeps_explicit_high_quantile():
    detector = ForecastingAnomalyDetector(scorer_name="IsolationForestScorer", high_quantile=0.99)
    assert detector.high_quantile == 0.99 and detector.detector.high_quantile == 0.99


WINDOWED_CASES = [
    ("RobustZScorer", {"window": 4, "window_agg": "mean"}),
    ("NormScorer", {"window": 3, "window_agg": "median"}),
    ("KMeansScorer", {"n_clusters": 3, "window": 2, "window_agg": "max"}),
    ("IsolationForestScorer", {"n_estimators": 20, "window": 3}),
]


def _windowed_outputs(detector, true, pred, start, stop, window):
    context = (true.iloc[start - window + 1 : start], pred.iloc[start - window + 1 : start]) if window > 1 else (None, None)
    return _outputs_with_context(detector, true.iloc[start:stop], pred.iloc[start:stop], *context)


def _outputs_with_context(detector, true, pred, context_true, context_pred):
    scores_df, flags_df = detector.score_and_detect(true, pred, context_true, context_pred)
    return scores_df.join(flags_df)


@pytest.mark.requirement("REQ-QUA-005")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), WINDOWED_CASES + [("RobustZScorer", {})])
def test_windowed_row_outputs_do_not_depend_on_batch_given_context(scorer_name, scorer_params):
    data = make_frames(n_test=40)
    window = scorer_params.get("window", 1)
    detector = ForecastingAnomalyDetector(scorer_name, scorer_params).fit(data.y_true_train, data.y_pred_train)
    true, pred = pd.concat([data.y_true_train, data.y_true_test]), pd.concat([data.y_pred_train, data.y_pred_test])
    first = len(data.y_true_train)
    whole = _windowed_outputs(detector, true, pred, first, first + 40, window)
    one_by_one = pd.concat(_windowed_outputs(detector, true, pred, row, row + 1, window) for row in range(first, first + 40))
    halves = pd.concat(_windowed_outputs(detector, true, pred, start, start + 20, window) for start in (first, first + 20))
    pd.testing.assert_frame_equal(whole, one_by_one, check_exact=True)
    pd.testing.assert_frame_equal(whole, halves, check_exact=True)


@pytest.mark.requirement("REQ-QUA-004")
def test_windowed_pipeline_without_context_is_an_error():
    data = make_frames()
    detector = ForecastingAnomalyDetector("RobustZScorer", {"window": 3}).fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.score_and_detect(data.y_true_test, data.y_pred_test)
    assert caught.value.reason is Reason.CONTEXT_MISMATCH
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.score_and_detect(data.y_true_test, data.y_pred_test, data.y_true_train.iloc[-2:], None)
    assert caught.value.reason is Reason.CONTEXT_MISMATCH
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.score_and_detect(data.y_true_test, data.y_pred_test, data.y_true_test.iloc[:2], data.y_pred_test.iloc[:2])
    assert caught.value.reason is Reason.DUPLICATE_INDEX


@pytest.mark.requirement("REQ-QUA-004")
def test_windowed_training_scores_use_the_first_rows_as_context():
    data = make_frames()
    detector = ForecastingAnomalyDetector("NormScorer", {"window": 5}, high_quantile=0.9).fit(data.y_true_train, data.y_pred_train)
    per_row = np.linalg.norm(data.y_true_train.to_numpy() - data.y_pred_train.to_numpy(), axis=1)
    windowed = np.array([per_row[row - 4 : row + 1].mean() for row in range(4, len(per_row))])
    assert detector.detector.threshold == pytest.approx(float(np.quantile(windowed, 0.9)), rel=1e-12)
    assert detector.fit_record_["n_training_scores"] == len(per_row) - 4


@pytest.mark.requirement("REQ-QUA-006")
def test_pot_threshold_and_tail_are_in_the_fit_record():
    data = make_frames(n_train=2000)
    detector = ForecastingAnomalyDetector("RobustZScorer", threshold_method="pot", risk=1e-4).fit(data.y_true_train, data.y_pred_train)
    record = json.loads(json.dumps(detector.fit_record_, allow_nan=False))
    assert set(record["tail"]) == {"u", "xi", "sigma", "n_exceedances", "n_scores"}
    assert record["threshold"] == detector.detector.threshold and record["threshold_method"] == "pot"
    assert record["tail"]["n_exceedances"] >= 20 and record["threshold"] > record["tail"]["u"]
    assert record["inactive_parameters"] == ["high_quantile"]


@pytest.mark.requirement("REQ-QUA-007")
def test_pot_with_too_few_training_rows_raises_insufficient_data():
    data = make_frames(n_train=300)
    with pytest.raises(spotanomaly2_safe.InsufficientDataException) as caught:
        ForecastingAnomalyDetector("RobustZScorer", threshold_method="pot").fit(data.y_true_train, data.y_pred_train)
    assert caught.value.reason is Reason.TAIL_TOO_SMALL


@pytest.mark.requirement("REQ-QUA-008")
def test_pot_with_tail_probability_normalization_shares_the_tail():
    data = make_frames(n_train=2000)
    detector = ForecastingAnomalyDetector("RobustZScorer", threshold_method="pot", risk=1e-3, normalization="tail_probability")
    scores_df, flags_df = detector.fit_score_detect(*data)
    assert detector.normalizer.tail is detector.detector.tail
    at_threshold = detector.normalizer.transform(np.array([detector.detector.threshold]))[0]
    assert at_threshold == pytest.approx(3 / 4, rel=1e-9)  # -log10(1e-3) = 3 -> 3 / (1 + 3)
    flagged = flags_df["anomaly_flag"] == 1
    assert (scores_df.loc[flagged, "anomaly_score_normalized"] > at_threshold).all()
    assert detector.fit_record_["normalizer"]["tail"] == detector.fit_record_["tail"]


@pytest.mark.requirement("REQ-QUA-012")
@pytest.mark.parametrize(
    ("settings", "inactive"),
    [
        ({}, ["risk", "tail_quantile"]),
        ({"normalization": "tail_probability"}, ["risk"]),
        ({"normalize_scores": False}, ["risk", "tail_quantile", "normalization_quantile", "normalization"]),
    ],
)
def test_unused_pipeline_parameters_are_listed_inactive(settings, inactive):
    data = make_frames(n_train=2000)
    detector = ForecastingAnomalyDetector("NormScorer", **settings).fit(data.y_true_train, data.y_pred_train)
    assert detector.fit_record_["inactive_parameters"] == inactive


@pytest.mark.requirement("REQ-QUA-009")
@pytest.mark.parametrize(("min_duration", "min_gap", "resolved"), [(None, None, None), (2, None, (2, 0)), (None, 5, (1, 5))])
def test_alarm_column_only_when_post_processing_is_configured(min_duration, min_gap, resolved):
    data = make_frames()
    plain = ForecastingAnomalyDetector("NormScorer", high_quantile=0.8)
    detector = ForecastingAnomalyDetector("NormScorer", high_quantile=0.8, min_duration=min_duration, min_gap=min_gap)
    _, plain_flags = plain.fit_score_detect(*data)
    _, flags_df = detector.fit_score_detect(*data)
    pd.testing.assert_series_equal(flags_df["anomaly_flag"], plain_flags["anomaly_flag"])
    if resolved is None:
        assert list(flags_df.columns) == ["anomaly_flag"] and detector.fit_record_["alarms"] is None
    else:
        expected = postprocess_flags(plain_flags["anomaly_flag"].to_numpy(), *resolved)
        np.testing.assert_array_equal(flags_df["alarm"].to_numpy(), expected)
        assert detector.fit_record_["alarms"] == {"min_duration": resolved[0], "min_gap": resolved[1]}


@pytest.mark.requirement("REQ-QUA-003")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), [("RobustZScorer", {}), ("NormScorer", {"ord": 1}), ("KMeansScorer", {})])
def test_explain_returns_contributions_indexed_like_input(scorer_name, scorer_params):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name, scorer_params).fit(data.y_true_train, data.y_pred_train)
    explained = detector.explain(data.y_true_test, data.y_pred_test)
    pd.testing.assert_index_equal(explained.index, data.y_true_test.index, exact=True)
    assert list(explained.columns) == list(data.y_true_test.columns) and (explained.to_numpy() >= 0).all()
    residuals = data.y_true_test.to_numpy() - data.y_pred_test.to_numpy()
    np.testing.assert_array_equal(explained.to_numpy(), detector.scorer.contributions(residuals))


@pytest.mark.requirement("REQ-QUA-003")
def test_explain_names_the_column_that_drove_a_spike():
    data = make_frames()
    spiked = data.y_true_test.copy()
    spiked.iat[7, 1] += 40.0
    detector = ForecastingAnomalyDetector("RobustZScorer").fit(data.y_true_train, data.y_pred_train)
    assert detector.explain(spiked, data.y_pred_test).iloc[7].idxmax() == "sensor_1"


@pytest.mark.requirement("REQ-QUA-003")
def test_explain_with_isolation_forest_raises_not_defined():
    data = make_frames()
    detector = ForecastingAnomalyDetector("IsolationForestScorer", {"n_estimators": 10}).fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(spotanomaly2_safe.NotDefinedError) as caught:
        detector.explain(data.y_true_test, data.y_pred_test)
    assert caught.value.reason is Reason.CONTRIBUTIONS_NOT_DEFINED


@pytest.mark.requirement("REQ-CON-013")
def test_explain_before_fit_raises_not_fitted():
    data = make_frames()
    with pytest.raises(NotFittedError):
        ForecastingAnomalyDetector("RobustZScorer").explain(data.y_true_test, data.y_pred_test)


@pytest.mark.requirement("REQ-QUA-005")
@pytest.mark.parametrize("window_agg", ["mean", "max", "median"])
def test_windowed_explain_given_context_aggregates_the_per_row_contributions(window_agg):
    data = make_frames(n_test=12)
    windowed = ForecastingAnomalyDetector("RobustZScorer", {"window": 3, "window_agg": window_agg})
    per_row = ForecastingAnomalyDetector("RobustZScorer")
    for detector in (windowed, per_row):
        detector.fit(data.y_true_train, data.y_pred_train)
    true, pred = pd.concat([data.y_true_train.iloc[-2:], data.y_true_test]), pd.concat([data.y_pred_train.iloc[-2:], data.y_pred_test])
    expected = getattr(per_row.explain(true, pred).rolling(3), window_agg)().iloc[2:]
    explained = windowed.explain(data.y_true_test, data.y_pred_test, true.iloc[:2], pred.iloc[:2])
    pd.testing.assert_frame_equal(explained, expected, check_exact=False, rtol=1e-12, atol=0)
    one_by_one = pd.concat(windowed.explain(true.iloc[row + 2 : row + 3], pred.iloc[row + 2 : row + 3], true.iloc[row:row + 2], pred.iloc[row:row + 2]) for row in range(12))
    pd.testing.assert_frame_equal(explained, one_by_one, check_exact=True)


@pytest.mark.requirement("REQ-CON-016")
@pytest.mark.parametrize("window", [1, 3])
def test_explain_contribution_overflow_names_row_label(window):
    data = make_frames()
    detector = ForecastingAnomalyDetector("NormScorer", {"window": window}).fit(data.y_true_train, data.y_pred_train)
    huge = data.y_true_test.copy()
    huge.iloc[4, 0] = 1e200
    context = (data.y_true_train.iloc[-2:], data.y_pred_train.iloc[-2:]) if window > 1 else (None, None)
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.explain(huge, data.y_pred_test, *context)
    assert caught.value.reason is Reason.SCORE_OVERFLOW
    assert repr(huge.index[4]) in str(caught.value)


@pytest.mark.requirement("REQ-QUA-004")
def test_fit_score_detect_passes_the_context_on_like_score_and_detect():
    data = make_frames()
    context = (data.y_true_train.iloc[-2:], data.y_pred_train.iloc[-2:])
    params = {"window": 3, "window_agg": "max"}
    combined = ForecastingAnomalyDetector("RobustZScorer", params).fit_score_detect(*data, *context)
    separate = ForecastingAnomalyDetector("RobustZScorer", params).fit(data.y_true_train, data.y_pred_train)
    for got, expected in zip(combined, separate.score_and_detect(data.y_true_test, data.y_pred_test, *context)):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.requirement("REQ-CON-006")
def test_context_columns_must_equal_fit_columns():
    data = make_frames()
    detector = ForecastingAnomalyDetector("RobustZScorer", {"window": 3}).fit(data.y_true_train, data.y_pred_train)
    swapped = [column for column in reversed(data.y_true_train.columns)]
    context = (data.y_true_train.iloc[-2:][swapped], data.y_pred_train.iloc[-2:][swapped])
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.score_and_detect(data.y_true_test, data.y_pred_test, *context)
    assert caught.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT
    assert "y_true_context must match the columns seen at fit" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-006")
@pytest.mark.parametrize(("settings", "fitted"), [
    ({"threshold_method": "pot", "risk": 1e-3}, lambda scores: PeaksOverThresholdDetector(risk=1e-3, tail_quantile=0.95).fit(scores).tail),
    ({"normalization": "tail_probability"}, lambda scores: fit_tail(scores, 0.95)),
], ids=["pot-threshold", "tail-probability-normalization"])
def test_pipeline_tail_is_fitted_above_its_tail_quantile(settings, fitted):
    data = make_frames(n_train=2000)
    detector = ForecastingAnomalyDetector("NormScorer", tail_quantile=0.95, **settings).fit(data.y_true_train, data.y_pred_train)
    train_scores = detector.scorer.score(data.y_true_train.to_numpy() - data.y_pred_train.to_numpy())
    tail = detector.detector.tail if "threshold_method" in settings else detector.normalizer.tail
    assert tail.details() == fitted(train_scores).details()


@pytest.mark.requirement("REQ-CON-016")
def test_training_score_overflow_names_the_training_row_label():
    data = make_frames()
    huge = data.y_true_train.copy()
    huge.iloc[150] = 1e200
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        ForecastingAnomalyDetector("NormScorer", {"window": 3}).fit(huge, data.y_pred_train)
    assert caught.value.reason is Reason.SCORE_OVERFLOW
    assert repr(huge.index[150]) in str(caught.value)


@pytest.mark.requirement("REQ-CON-016")
@pytest.mark.parametrize(("rows", "columns", "named"), [([0], [0, 1], 0), ([5, 6], [0], 6)], ids=["first-batch-row", "window-aggregate"])
def test_windowed_score_overflow_names_the_batch_row_label(rows, columns, named):
    # first-batch-row: the L1 score 1.5e308 + 1.5e308 overflows on the first row after the context.
    # window-aggregate: each row's score (1.5e308) is finite; their window sum overflows where they meet.
    data = make_frames()
    detector = ForecastingAnomalyDetector("NormScorer", {"ord": 1, "window": 2, "window_agg": "mean"}).fit(data.y_true_train, data.y_pred_train)
    true, pred = data.y_true_test.copy(), data.y_pred_test.copy()
    true.iloc[rows, :], pred.iloc[rows, :] = 0.0, 0.0
    true.iloc[rows, columns] = 1.5e308
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.score_and_detect(true, pred, data.y_true_train.iloc[-1:], data.y_pred_train.iloc[-1:])
    assert caught.value.reason is Reason.SCORE_OVERFLOW
    assert repr(true.index[named]) in str(caught.value)


@pytest.mark.requirement("REQ-CON-016")
def test_windowed_contribution_overflow_names_the_batch_row_label():
    # Each row's L1 contribution (1.5e308) is finite; their window sum overflows where the two rows meet.
    data = make_frames()
    detector = ForecastingAnomalyDetector("NormScorer", {"ord": 1, "window": 2, "window_agg": "mean"}).fit(data.y_true_train, data.y_pred_train)
    true, pred = data.y_true_test.copy(), data.y_pred_test.copy()
    true.iloc[[5, 6], :], pred.iloc[[5, 6], :] = 0.0, 0.0
    true.iloc[[5, 6], 0] = 1.5e308
    with pytest.raises(spotanomaly2_safe.InvalidInputError) as caught:
        detector.explain(true, pred, data.y_true_train.iloc[-1:], data.y_pred_train.iloc[-1:])
    assert caught.value.reason is Reason.SCORE_OVERFLOW
    assert repr(true.index[6]) in str(caught.value)


# The context is the rows just before the batch (REQ-QUA-014).
def _windowed(window: int = 3) -> tuple[ForecastingAnomalyDetector, Frames]:
    data = make_frames()
    return ForecastingAnomalyDetector("RobustZScorer", {"window": window}).fit(*data[:2]), data


def _context_of(data: Frames, rows: slice) -> tuple[pd.DataFrame, pd.DataFrame]:
    return data.y_true_train.iloc[rows], data.y_pred_train.iloc[rows]


def _shifted(frames, offset) -> tuple[pd.DataFrame, pd.DataFrame]:
    return tuple(frame.set_axis(frame.index + offset, axis=0) for frame in frames)


CONTEXT_CASES = {
    # name: (context, batch) from (data); expected reason; text
    "after-the-batch": (lambda data: (_shifted(_context_of(data, slice(-2, None)), pd.Timedelta(days=30)), data[2:]),
                        Reason.CONTEXT_MISMATCH, "is not strictly earlier than the first batch row label"),
    "not-just-before": (lambda data: (_context_of(data, slice(-2, None)), _shifted(data[2:], pd.Timedelta(days=-30))),
                        Reason.CONTEXT_MISMATCH, "is not strictly earlier than the first batch row label"),
    "tz-aware-context-naive-batch": (lambda data: (_context_of(data, slice(-2, None)), tuple(f.tz_localize(None) for f in data[2:])),
                                     Reason.CONTEXT_MISMATCH, "the same index type and timezone"),
    "other-timezone": (lambda data: (tuple(f.tz_convert("Europe/Berlin") for f in _context_of(data, slice(-2, None))), data[2:]),
                       Reason.CONTEXT_MISMATCH, "the same index type and timezone"),
    "integer-context-datetime-batch": (lambda data: (tuple(f.reset_index(drop=True) for f in _context_of(data, slice(-2, None))), data[2:]),
                                       Reason.CONTEXT_MISMATCH, "the same index type and timezone"),
    "context-out-of-order": (lambda data: (tuple(f.iloc[::-1] for f in _context_of(data, slice(-2, None))), data[2:]),
                             Reason.UNORDERED_INDEX, "context row labels must strictly increase for window=3"),
    "batch-out-of-order": (lambda data: (_context_of(data, slice(-2, None)), tuple(f.iloc[[0, 2, 1, *range(3, 60)]] for f in data[2:])),
                           Reason.UNORDERED_INDEX, "batch row labels must strictly increase for window=3"),
}


@pytest.mark.requirement("REQ-QUA-014")
@pytest.mark.parametrize("case", CONTEXT_CASES, ids=list(CONTEXT_CASES))
def test_context_that_is_not_the_rows_just_before_the_batch_is_refused(case):
    detector, data = _windowed()
    make, reason, text = CONTEXT_CASES[case]
    context, batch = make(data)
    with pytest.raises(InvalidInputError) as caught:
        detector.score_and_detect(*batch, *context)
    assert caught.value.reason is reason and text in str(caught.value)


@pytest.mark.requirement("REQ-QUA-014")
def test_the_rows_just_before_the_batch_are_accepted_as_context():
    detector, data = _windowed()
    scores, _ = detector.score_and_detect(*data[2:], *_context_of(data, slice(-2, None)))
    assert len(scores) == len(data.y_true_test)


@pytest.mark.requirement("REQ-QUA-014")
def test_unordered_training_rows_are_refused_for_a_window_and_accepted_without():
    data = make_frames()
    shuffled = tuple(frame.iloc[np.random.default_rng(0).permutation(len(frame))] for frame in data[:2])
    with pytest.raises(InvalidInputError) as caught:
        ForecastingAnomalyDetector("RobustZScorer", {"window": 2}).fit(*shuffled)
    assert caught.value.reason is Reason.UNORDERED_INDEX and "y_true_train row labels must strictly increase" in str(caught.value)
    ForecastingAnomalyDetector("RobustZScorer").fit(*shuffled)  # window 1: rows are scored independently


@pytest.mark.requirement("REQ-QUA-014")
def test_labels_that_cannot_be_compared_are_unordered():
    labels = pd.Index(["a", 1, "b"], dtype=object)
    frames = [pd.DataFrame({"load": np.arange(110.0)}, index=pd.Index([f"r{i:03d}" for i in range(110)])) for _ in range(2)]
    detector = ForecastingAnomalyDetector("NormScorer", {"window": 2}).fit(*frames)
    batch = [pd.DataFrame({"load": [1.0, 2.0, 3.0]}, index=labels)] * 2
    context = [pd.DataFrame({"load": [0.0]}, index=pd.Index(["0"], dtype=object))] * 2
    with pytest.raises(InvalidInputError) as caught:
        detector.score_and_detect(*batch, *context)
    assert caught.value.reason is Reason.UNORDERED_INDEX and "found 1 after 'a'" in str(caught.value)
