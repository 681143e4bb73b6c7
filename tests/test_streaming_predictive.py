# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math
import random

import pytest
from river import linear_model, optim, preprocessing

from spotanomaly2_safe import (
    GaussianResidualDetector,
    InvalidInputError,
    InvalidParameterError,
    PredictiveAnomalyDetector,
    RobustResidualDetector,
    ThresholdFilter,
)
from spotanomaly2_safe.errors import Reason


class FailingRegressor:
    """Predicts 0.0; learning always fails."""

    def predict_one(self, x):
        return 0.0

    def learn_one(self, x, y):
        raise RuntimeError("regressor failure")


class ConstantRegressor:
    def __init__(self, prediction):
        self.prediction = prediction

    def predict_one(self, x):
        return self.prediction

    def learn_one(self, x, y):
        pass


def _river_regressor():
    return preprocessing.StandardScaler() | linear_model.LinearRegression(optimizer=optim.SGD(0.01))


def _stream(n=300, seed=1):
    rng = random.Random(seed)
    for _ in range(n):
        x = {"temperature": rng.uniform(0.0, 30.0)}
        yield x, 2.0 * x["temperature"] + 5.0 + rng.gauss(0.0, 0.5)


def _trained():
    detector = PredictiveAnomalyDetector(_river_regressor(), GaussianResidualDetector(grace_period=20))
    for x, y in _stream():
        detector.learn_one(x, y)
    return detector


@pytest.mark.requirement("REQ-STR-011")
def test_predictive_score_is_the_residual_detectors_score_of_its_own_forecast_residual():
    detector = _trained()
    x, y = {"temperature": 10.0}, 40.0
    residual = y - detector.regressor.predict_one(x)
    assert detector.score_one(x, y) == detector.residual_detector.score_one({"residual": residual})


@pytest.mark.requirement("REQ-STR-011")
def test_predictive_detector_flags_a_broken_relation_higher():
    detector = _trained()
    assert detector.score_one({"temperature": 10.0}, 25.0) < 1.0 < 10.0 < detector.score_one({"temperature": 10.0}, 150.0)


@pytest.mark.requirement("REQ-STR-011")
def test_predictive_score_one_is_read_only():
    detector = _trained()
    residual_state = detector.residual_detector.state_dict()
    weights = dict(detector.regressor["LinearRegression"].weights)
    scaler_means = dict(detector.regressor["StandardScaler"].means)
    for _ in range(5):
        detector.score_one({"temperature": 12.0}, 99.0)
    assert detector.residual_detector.state_dict() == residual_state
    assert dict(detector.regressor["LinearRegression"].weights) == weights
    assert dict(detector.regressor["StandardScaler"].means) == scaler_means


@pytest.mark.requirement("REQ-STR-011")
def test_predictive_learn_leaves_residual_detector_unchanged_when_regressor_fails():
    detector = PredictiveAnomalyDetector(FailingRegressor(), RobustResidualDetector(window_size=4, grace_period=1))
    before = detector.residual_detector.state_dict()
    with pytest.raises(RuntimeError, match="regressor failure"):
        detector.learn_one({}, 3.0)
    assert detector.residual_detector.state_dict() == before


@pytest.mark.requirement("REQ-STR-011")
@pytest.mark.parametrize(
    ("regressor", "y", "reason"),
    [
        (ConstantRegressor(0.0), math.nan, Reason.MISSING_VALUE),
        (ConstantRegressor(0.0), "3", Reason.NON_NUMERIC),
        (ConstantRegressor(math.inf), 1.0, Reason.NON_FINITE),
        (ConstantRegressor(None), 1.0, Reason.NON_NUMERIC),
        (ConstantRegressor(-1e308), 1e308, Reason.RESIDUAL_OVERFLOW),
    ],
)
def test_predictive_rejects_invalid_target_or_prediction_and_learns_nothing(regressor, y, reason):
    detector = PredictiveAnomalyDetector(regressor)
    for method in (detector.score_one, detector.learn_one):
        with pytest.raises(InvalidInputError) as caught:
            method({}, y)
        assert caught.value.reason is reason
    assert detector.residual_detector.n_learned == 0


@pytest.mark.requirement("REQ-STR-011")
def test_predictive_state_dict_raises_snapshot_unsupported():
    with pytest.raises(InvalidParameterError) as caught:
        _trained().state_dict()
    assert caught.value.reason is Reason.SNAPSHOT_UNSUPPORTED


@pytest.mark.requirement("REQ-STR-011")
def test_predictive_default_residual_detector_is_gaussian_on_channel_residual():
    detector = PredictiveAnomalyDetector(ConstantRegressor(1.0))
    detector.learn_one(None, 3.0)
    assert isinstance(detector.residual_detector, GaussianResidualDetector)
    assert detector.residual_detector.channels == ("residual",)
    assert detector.residual_detector.means == [2.0]


@pytest.mark.requirement("REQ-STR-012")
@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"regressor": object()}, "regressor"),
        ({"regressor": ConstantRegressor(0.0), "residual_detector": object()}, "residual_detector"),
        ({"regressor": ConstantRegressor(0.0), "channel": 1}, "channel"),
    ],
)
def test_bad_predictive_parameter_raises_naming_it(params, name):
    with pytest.raises(InvalidParameterError) as caught:
        PredictiveAnomalyDetector(**params)
    assert f"The '{name}' parameter of PredictiveAnomalyDetector must be" in str(caught.value)


@pytest.mark.requirement("REQ-STR-002")
@pytest.mark.parametrize(("y", "learns"), [(0.0, True), (1e6, False)])
def test_filter_around_predictive_detector_protects_it_from_anomalies(y, learns):
    detector = PredictiveAnomalyDetector(ConstantRegressor(0.0), GaussianResidualDetector(grace_period=3))
    model = ThresholdFilter(detector, threshold=100.0)
    for value in (0.5, -0.5, 0.25):
        model.learn_one({"temperature": 1.0}, value)
    before = detector.residual_detector.state_dict()
    model.learn_one({"temperature": 1.0}, y)
    assert (detector.residual_detector.state_dict() != before) is learns
    assert detector.residual_detector.n_learned == 3 + learns
