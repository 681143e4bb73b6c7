# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math
import pickle

import numpy as np
import pandas as pd
import pytest

import spotanomaly2_safe
from spotanomaly2_safe import (
    ForecastingAnomalyDetector,
    KMeansScorer,
    NormScorer,
    PredictiveAnomalyDetector,
    QuantileAnomalyDetector,
    ScoreNormalizer,
    ThresholdFilter,
    errors,
    residuals_from_forecast,
    restore_from_state_dict,
)
from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.evaluation import event_scores, point_scores
from spotanomaly2_safe.scoring.pot import PeaksOverThresholdDetector

CONCRETE = {
    errors.InvalidInputError: ValueError,
    errors.InputTypeError: TypeError,
    errors.InsufficientDataException: ValueError,
    errors.InvalidParameterError: ValueError,
    errors.NotFittedError: ValueError,
}


@pytest.mark.requirement("REQ-ERR-001")
@pytest.mark.parametrize("error_class", list(CONCRETE))
def test_error_derives_from_library_base_and_builtin(error_class):
    error = error_class("message", reason=errors.Reason.EMPTY_INPUT)
    assert isinstance(error, spotanomaly2_safe.SpotAnomalySafeError)
    assert isinstance(error, CONCRETE[error_class])
    assert error.reason is errors.Reason.EMPTY_INPUT
    assert str(error) == "message"


@pytest.mark.requirement("REQ-ERR-001")
@pytest.mark.parametrize("error_class", [*CONCRETE, errors.NotDefinedError])
def test_error_survives_pickling_with_class_message_and_reason(error_class):
    copy = pickle.loads(pickle.dumps(error_class("row label 7: message", reason=errors.Reason.NON_FINITE)))
    assert type(copy) is error_class and str(copy) == "row label 7: message" and copy.reason is errors.Reason.NON_FINITE


@pytest.mark.requirement("REQ-ERR-001")
def test_error_reason_is_required():
    with pytest.raises(TypeError):
        errors.InvalidInputError("message")


@pytest.mark.requirement("REQ-ERR-001")
def test_errors_exported_at_top_level():
    for name in errors.__all__:
        assert getattr(spotanomaly2_safe, name) is getattr(errors, name)


@pytest.mark.requirement("REQ-TRN-003")
def test_exceptions_module_keeps_published_path():
    from spotanomaly2_safe.exceptions import InsufficientDataException, SpotAnomalySafeError

    assert InsufficientDataException is errors.InsufficientDataException
    assert issubclass(InsufficientDataException, SpotAnomalySafeError)
    assert issubclass(InsufficientDataException, ValueError)


def _raises(call):
    """The library error ``call`` raises (the test fails if it raises none)."""
    with pytest.raises(spotanomaly2_safe.SpotAnomalySafeError) as caught:
        call()
    return caught.value


def _fitted(model, scores=None):
    return model.fit(np.linspace(0.0, 10.0, 500) if scores is None else scores)


def _case(requirement, call, reason, *fragments, case_id):
    return pytest.param(call, reason, fragments, marks=pytest.mark.requirement(requirement), id=case_id)


class _Regressor:
    def learn_one(self, x, y):
        pass

    def predict_one(self, x):
        return 0.0


class _Foreign:
    def learn_one(self, x):
        pass

    def score_one(self, x):
        return 0.0


def _frames():
    index = pd.date_range("2026-01-01", periods=160, freq="h")
    actual = pd.DataFrame({"load": np.sin(np.arange(160.0))}, index=index)
    return actual.iloc[:120], actual.iloc[:120] * 0.9, actual.iloc[120:], actual.iloc[120:] * 0.9


def _windowed_pipeline():
    return ForecastingAnomalyDetector("RobustZScorer", {"window": 3}).fit(*_frames()[:2])


BAD_SCORES = np.array([1.0, np.nan])
# Each error says what was wrong and where: the object or argument named in the fragments.
MESSAGE_CASES = [
    _case("REQ-CON-013", lambda: QuantileAnomalyDetector().detect(BAD_SCORES), Reason.NOT_FITTED, "QuantileAnomalyDetector", "fit", case_id="detector-not-fitted"),
    _case("REQ-CON-013", lambda: ScoreNormalizer().transform(BAD_SCORES), Reason.NOT_FITTED, "ScoreNormalizer", "fit", case_id="normalizer-not-fitted"),
    _case("REQ-CON-013", lambda: PeaksOverThresholdDetector().detect(BAD_SCORES), Reason.NOT_FITTED, "PeaksOverThresholdDetector", "fit", case_id="pot-not-fitted"),
    _case("REQ-CON-013", lambda: NormScorer().score(np.ones((2, 1))), Reason.NOT_FITTED, "NormScorer", "fit", case_id="scorer-not-fitted"),
    _case("REQ-CON-013", lambda: ForecastingAnomalyDetector().score_one({"load": 1.0}), Reason.NOT_FITTED, "ForecastingAnomalyDetector", "fit", case_id="pipeline-score-one-not-fitted"),
    _case("REQ-CON-015", lambda: ScoreNormalizer().fit(BAD_SCORES), Reason.NON_FINITE, "scores", case_id="normalizer-fit-scores"),
    _case("REQ-CON-015", lambda: _fitted(ScoreNormalizer()).transform(BAD_SCORES), Reason.NON_FINITE, "scores", "(nan) at position (1,)", case_id="normalizer-transform-scores"),
    _case("REQ-CON-015", lambda: PeaksOverThresholdDetector().fit(BAD_SCORES), Reason.NON_FINITE, "scores", case_id="pot-fit-scores"),
    _case("REQ-CON-015", lambda: NormScorer().fit(np.array([[1.0], [np.inf]])), Reason.TOO_FEW_ROWS, "residuals has 2 rows", "100", case_id="scorer-fit-residuals"),
    _case("REQ-CON-015", lambda: _fitted(NormScorer(), np.ones((200, 1))).score(np.array([[np.inf]])), Reason.NON_FINITE, "residuals", case_id="scorer-score-residuals"),
    _case("REQ-CON-015", lambda: _fitted(NormScorer(), np.ones((200, 1))).contributions(np.ones((1, 2))), Reason.COLUMNS_DIFFER_FROM_FIT, "residuals has 2 columns", "saw 1", case_id="scorer-contributions-residuals"),
    _case("REQ-PAR-005", lambda: ForecastingAnomalyDetector(scorer_name=NormScorer(), scorer_params={"ord": 1}), Reason.INVALID_PARAMETER, "scorer_params must be empty", case_id="scorer-instance-with-params"),
    _case("REQ-COR-007", lambda: ScoreNormalizer().fit(np.ones(10), threshold=1.0), Reason.INVALID_PARAMETER, "threshold_anchored", "threshold=1.0", case_id="normalizer-threshold"),
    _case("REQ-QUA-004", lambda: _fitted(NormScorer(), np.ones((200, 1))).score(np.ones((1, 1)), np.ones((1, 1))), Reason.CONTEXT_MISMATCH, "NormScorer with window=1", "pass no context", "a context of 1 rows", case_id="context-given-without-window"),
    _case("REQ-QUA-004", lambda: _fitted(NormScorer(window=3), np.ones((200, 1))).score(np.ones((1, 1))), Reason.CONTEXT_MISMATCH, "exactly 2 context rows", "batch); got no context", case_id="context-missing"),
    _case("REQ-QUA-004", lambda: _windowed_pipeline().score_and_detect(*_frames()[2:], _frames()[0].iloc[-2:], None), Reason.CONTEXT_MISMATCH, "context_true and context_pred", case_id="pipeline-context-pair"),
    _case("REQ-QUA-004", lambda: _windowed_pipeline().score_and_detect(*_frames()[2:]), Reason.CONTEXT_MISMATCH, "ForecastingAnomalyDetector with window=3", case_id="pipeline-context-missing"),
    _case("REQ-CON-015", lambda: QuantileAnomalyDetector().fit(np.array(["a"])), Reason.NON_NUMERIC, "scores", "<U1", case_id="array-dtype"),
    _case("REQ-CON-015", lambda: QuantileAnomalyDetector().fit(np.ones((2, 2))), Reason.EMPTY_INPUT, "scores", "1-D", "(2, 2)", case_id="array-shape"),
    _case("REQ-CON-015", lambda: QuantileAnomalyDetector().fit([1.0]), Reason.NOT_AN_ARRAY, "scores", "list", case_id="array-type"),
    _case("REQ-QUA-009", lambda: postprocess_flags([0, 1]), Reason.NOT_AN_ARRAY, "flags", "list", case_id="alarms-flags-type"),
    _case("REQ-QUA-009", lambda: postprocess_flags(np.array([[0, 1]])), Reason.EMPTY_INPUT, "flags", "(1, 2)", case_id="alarms-flags-shape"),
    _case("REQ-QUA-009", lambda: postprocess_flags(np.array([0.0, 1.0])), Reason.NOT_BINARY, "flags", "float64", case_id="alarms-flags-dtype"),
    _case("REQ-QUA-009", lambda: postprocess_flags(np.array([0, 2])), Reason.NOT_BINARY, "flags", "2", "position 1", case_id="alarms-flags-value"),
    _case("REQ-QUA-009", lambda: postprocess_flags(np.array([0, 1]), min_duration=0), Reason.INVALID_PARAMETER, "min_duration", "postprocess_flags", case_id="alarms-parameter"),
    _case("REQ-QUA-010", lambda: event_scores(np.array([0, 2]), np.array([0, 1])), Reason.NOT_BINARY, "labels", case_id="evaluation-labels"),
    _case("REQ-QUA-010", lambda: event_scores(np.array([0, 1]), np.array([0, 2])), Reason.NOT_BINARY, "flags", case_id="evaluation-flags"),
    _case("REQ-QUA-010", lambda: event_scores(np.array([0, 1]), np.array([0, 1, 0])), Reason.LENGTH_MISMATCH, "2", "3", case_id="evaluation-lengths"),
    _case("REQ-QUA-010", lambda: point_scores(np.array([0, 1]), np.array([0, 1]), np.array([0.5])), Reason.LENGTH_MISMATCH, "scores", "labels", case_id="evaluation-score-length"),
    _case("REQ-QUA-010", lambda: point_scores(np.array([0, 0]), np.array([0, 1]), np.array([0.5, 0.1])), Reason.NO_POSITIVE_LABEL, "labels", case_id="evaluation-no-positive"),
    _case("REQ-STR-010", lambda: residuals_from_forecast({"load": math.nan}, {"load": 1.0}), Reason.MISSING_VALUE, "y_true", "load", case_id="forecast-y-true"),
    _case("REQ-STR-010", lambda: residuals_from_forecast({"load": 1e308}, {"load": -1e308}), Reason.RESIDUAL_OVERFLOW, "load", "1e+308", case_id="forecast-overflow"),
    _case("REQ-STR-013", lambda: restore_from_state_dict("{}"), Reason.NOT_A_DICT, "state", "str", case_id="snapshot-not-a-dict"),
    _case("REQ-STR-013", lambda: PredictiveAnomalyDetector(_Regressor()).state_dict(), Reason.SNAPSHOT_UNSUPPORTED, "PredictiveAnomalyDetector", "_Regressor", case_id="predictive-snapshot"),
    _case("REQ-STR-013", lambda: ThresholdFilter(_Foreign(), threshold=1.0).state_dict(), Reason.SNAPSHOT_UNSUPPORTED, "ThresholdFilter", "_Foreign", case_id="filter-snapshot"),
    _case("REQ-PAR-007", lambda: KMeansScorer(auto_select_k=True, k_min=2, k_max=3, elbow_method="kneedle"), Reason.INVALID_PARAMETER, "3 candidate k values", "k_min=2", case_id="kmeans-range"),
    _case("REQ-PAR-007", lambda: KMeansScorer(auto_select_k=True, k_min=3, k_max=3, elbow_method="silhouette"), Reason.INVALID_PARAMETER, "2 candidate k values (k >= 2)", case_id="kmeans-silhouette-range"),
]


@pytest.mark.parametrize(("call", "reason", "fragments"), MESSAGE_CASES)
def test_error_message_names_what_was_wrong_and_where(call, reason, fragments):
    error = _raises(call)
    assert error.reason is reason
    for fragment in fragments:
        assert fragment in str(error)
