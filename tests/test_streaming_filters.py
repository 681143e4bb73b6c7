# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotanomaly2_safe import (
    AnomalyDetector,
    AnomalyFilter,
    GaussianResidualDetector,
    InvalidInputError,
    InvalidParameterError,
    QuantileFilter,
    ThresholdFilter,
)
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.streaming.filters import SlidingQuantile, linear_quantile


class ScriptedDetector:
    """Scores an observation as its 'score' entry; records what it learns."""

    def __init__(self):
        self.learned = []

    def score_one(self, x):
        return x["score"]

    def learn_one(self, x):
        self.learned.append(x["score"])


class ScriptedSubclass(ScriptedDetector, AnomalyDetector):
    """The same, as a user's subclass of this library's AnomalyDetector (learned through the base class's rule)."""

    def _params(self):
        return {}

    def _state(self):
        return {"learned": self.learned}


def _quantile_filter(protect, detector=ScriptedDetector, **params):
    return QuantileFilter(detector(), q=0.5, window_size=params.pop("window_size", 10), protect_anomaly_detector=protect)


FILTER_FACTORIES = {
    "threshold": lambda protect, detector=ScriptedDetector: ThresholdFilter(detector(), threshold=5.0, protect_anomaly_detector=protect),
    "quantile": lambda protect, detector=ScriptedDetector: _quantile_filter(protect, detector),
}


def _warm(model):
    """Learn the scores 3, 2, 1: no filter classifies them anomalous."""
    for score in (3.0, 2.0, 1.0):
        model.learn_one({"score": score})
    return model


@pytest.mark.requirement("REQ-STR-003")
@pytest.mark.parametrize("threshold", [2.5, -1.0, 0.0])
def test_threshold_filter_equality_is_anomalous(threshold):
    model = ThresholdFilter(ScriptedDetector(), threshold=threshold)
    assert model.classify(threshold) is True
    assert model.classify(math.nextafter(threshold, math.inf)) is True
    assert model.classify(math.nextafter(threshold, -math.inf)) is False


@pytest.mark.requirement("REQ-STR-004")
def test_quantile_filter_equality_is_normal():
    model = _warm(_quantile_filter(True))
    assert model.threshold() == 2.0
    assert model.classify(2.0) is False
    assert model.classify(math.nextafter(2.0, math.inf)) is True
    assert model.classify(math.nextafter(2.0, -math.inf)) is False


@pytest.mark.requirement("REQ-STR-004")
def test_quantile_filter_classifies_nothing_before_the_first_score():
    model = _quantile_filter(True)
    assert model.threshold() == math.inf
    assert model.classify(1e300) is False


@pytest.mark.requirement("REQ-STR-004")
def test_quantile_filter_treats_a_zero_quantile_as_a_threshold_not_as_missing():
    model = _quantile_filter(True)
    for _ in range(5):
        model.learn_one({"score": 0.0})
    assert model.threshold() == 0.0 and type(model.threshold()) is float
    assert model.classify(0.0) is False
    assert model.classify(5e-324) is True


@pytest.mark.requirement("REQ-STR-004")
@settings(max_examples=200, derandomize=True)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=80), st.integers(1, 15), st.floats(0.0, 1.0))
def test_quantile_threshold_equals_numpy_quantile_of_the_last_window_size_scores(scores, window_size, q):
    model = QuantileFilter(ScriptedDetector(), q=q, window_size=window_size, protect_anomaly_detector=False)
    for score in scores:
        model.learn_one({"score": score})
    assert model.threshold() == np.quantile(scores[-window_size:], q)


@pytest.mark.requirement("REQ-STR-004")
@settings(max_examples=200, derandomize=True)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=50), st.floats(0.0, 1.0))
def test_linear_quantile_is_bit_identical_to_numpy(values, q):
    ordered = sorted(values)
    assert linear_quantile(ordered, q) == np.quantile(ordered, q)


@pytest.mark.requirement("REQ-STR-004")
def test_sliding_quantile_keeps_the_last_values_in_arrival_order():
    window = SlidingQuantile(q=1.0, window_size=3, values=[4.0, 1.0, 3.0, 2.0])
    assert window.values() == [1.0, 3.0, 2.0]
    assert window.get() == 3.0
    assert SlidingQuantile(q=0.5, window_size=3).get() is None


@pytest.mark.requirement("REQ-STR-002")
@pytest.mark.parametrize("kind", list(FILTER_FACTORIES))
@pytest.mark.parametrize("protect", [True, False])
@pytest.mark.parametrize("detector", [ScriptedDetector, ScriptedSubclass])
def test_filter_learns_normal_observations_whatever_the_protection(kind, protect, detector):
    model = _warm(FILTER_FACTORIES[kind](protect, detector))
    model.learn_one({"score": 1.5})
    assert model.anomaly_detector.learned == [3.0, 2.0, 1.0, 1.5]


@pytest.mark.requirement("REQ-STR-002")
@pytest.mark.parametrize("kind", list(FILTER_FACTORIES))
@pytest.mark.parametrize("protect", [True, False])
@pytest.mark.parametrize("detector", [ScriptedDetector, ScriptedSubclass])
def test_filter_learns_anomalies_only_without_protection(kind, protect, detector):
    model = _warm(FILTER_FACTORIES[kind](protect, detector))
    assert model.classify(100.0) is True
    model.learn_one({"score": 100.0})
    assert model.anomaly_detector.learned == [3.0, 2.0, 1.0] + ([] if protect else [100.0])


@pytest.mark.requirement("REQ-STR-002")
@pytest.mark.parametrize("protect", [True, False])
def test_quantile_filter_learns_every_score_whatever_the_classification(protect):
    model = _warm(_quantile_filter(protect))
    model.learn_one({"score": 100.0})
    assert model.scores.values() == [3.0, 2.0, 1.0, 100.0]


@pytest.mark.requirement("REQ-STR-002")
def test_filter_score_one_delegates_to_the_detector():
    model = ThresholdFilter(ScriptedDetector(), threshold=1.0)
    assert model.score_one({"score": 7.25}) == 7.25
    assert model.anomaly_detector.learned == []


@pytest.mark.requirement("REQ-STR-003")
@pytest.mark.parametrize("kind", list(FILTER_FACTORIES))
@pytest.mark.parametrize(("score", "reason"), [(math.nan, Reason.MISSING_VALUE), (math.inf, Reason.NON_FINITE), (True, Reason.NON_NUMERIC), ("1", Reason.NON_NUMERIC)])
def test_filter_rejects_an_invalid_score_in_classify_and_learn(kind, score, reason):
    model = _warm(FILTER_FACTORIES[kind](True))
    with pytest.raises(InvalidInputError) as caught:
        model.classify(score)
    assert caught.value.reason is reason
    before_learned, before_state = list(model.anomaly_detector.learned), model._state()
    with pytest.raises(InvalidInputError):
        model.learn_one({"score": score})
    assert model.anomaly_detector.learned == before_learned and model._state() == before_state


@pytest.mark.requirement("REQ-STR-006")
@pytest.mark.parametrize("kind", ["threshold", "quantile"])
@pytest.mark.parametrize("x", [{"load": math.nan}, {"wind": 1.0}, {"load": "high"}, "load"])
def test_rejected_observation_changes_no_filter_state(kind, x):
    detector = GaussianResidualDetector(grace_period=2)
    model = ThresholdFilter(detector, threshold=3.0) if kind == "threshold" else QuantileFilter(detector, q=0.9)
    for residual in (0.0, 1.0, -1.0, 0.5):
        model.learn_one({"load": residual})
    before = model.state_dict()
    with pytest.raises((InvalidInputError, TypeError)):
        model.learn_one(x)
    assert model.state_dict() == before


@pytest.mark.requirement("REQ-STR-012")
@pytest.mark.parametrize(
    ("cls", "params", "name"),
    [
        (ThresholdFilter, {"threshold": math.nan}, "threshold"),
        (ThresholdFilter, {"threshold": math.inf}, "threshold"),
        (ThresholdFilter, {"threshold": "1"}, "threshold"),
        (ThresholdFilter, {"threshold": True}, "threshold"),
        (ThresholdFilter, {"threshold": 1.0, "protect_anomaly_detector": 1}, "protect_anomaly_detector"),
        (QuantileFilter, {"q": 1.5}, "q"),
        (QuantileFilter, {"q": -0.1}, "q"),
        (QuantileFilter, {"q": None}, "q"),
        (QuantileFilter, {"q": 0.9, "window_size": 0}, "window_size"),
        (QuantileFilter, {"q": 0.9, "window_size": 2.0}, "window_size"),
        (QuantileFilter, {"q": 0.9, "protect_anomaly_detector": "yes"}, "protect_anomaly_detector"),
    ],
)
def test_bad_filter_parameter_raises_naming_it(cls, params, name):
    with pytest.raises(InvalidParameterError) as caught:
        cls(GaussianResidualDetector(), **params)
    assert caught.value.reason is Reason.INVALID_PARAMETER
    assert f"The '{name}' parameter of {cls.__name__} must be" in str(caught.value)


@pytest.mark.requirement("REQ-STR-012")
@pytest.mark.parametrize("detector", [object(), None, GaussianResidualDetector])
def test_filter_rejects_a_detector_without_learn_one_and_score_one(detector):
    with pytest.raises(InvalidParameterError) as caught:
        ThresholdFilter(detector, threshold=1.0)
    assert "an object with the methods ['learn_one', 'score_one']" in str(caught.value)


@pytest.mark.requirement("REQ-STR-002")
def test_anomaly_filter_is_abstract():
    with pytest.raises(TypeError):
        AnomalyFilter(ScriptedDetector())


@pytest.mark.requirement("REQ-STR-002")
@pytest.mark.parametrize("kind", ["threshold", "quantile"])
def test_filter_protects_its_detector_by_default(kind):
    model = ThresholdFilter(ScriptedDetector(), threshold=5.0) if kind == "threshold" else QuantileFilter(ScriptedDetector(), q=0.5, window_size=10)
    model = _warm(model)
    assert model.protect_anomaly_detector is True
    model.learn_one({"score": 100.0})
    assert model.anomaly_detector.learned == [3.0, 2.0, 1.0]


@pytest.mark.requirement("REQ-STR-004")
def test_linear_quantile_halfway_between_two_values_is_bit_identical_to_numpy():
    # Halfway (gamma = 0.5), low + d/2 and high - d/2 differ in the last bit for these values; numpy takes the latter.
    ordered = [1.049001171530397, 6.40422650443282]
    assert linear_quantile(ordered, 0.5) == np.quantile(ordered, 0.5)


@pytest.mark.requirement("REQ-STR-001")
@pytest.mark.parametrize("kind", list(FILTER_FACTORIES))
def test_filter_score_one_passes_keyword_arguments_to_the_detector(kind):
    model = _warm(FILTER_FACTORIES[kind](True))
    assert model.score_one(x={"score": 7.5}) == model.anomaly_detector.score_one(x={"score": 7.5}) == 7.5


@pytest.mark.requirement("REQ-STR-002")
@pytest.mark.parametrize("kind", list(FILTER_FACTORIES))
@pytest.mark.parametrize("detector", [ScriptedDetector, ScriptedSubclass])
def test_filter_learn_one_passes_keyword_arguments_to_the_detector(kind, detector):
    # river's compose.Pipeline calls learn_one(x=...); the observation must reach both score_one and learn_one.
    model = _warm(FILTER_FACTORIES[kind](True, detector))
    model.learn_one(x={"score": 1.5})
    assert model.anomaly_detector.learned == [3.0, 2.0, 1.0, 1.5]
