# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""River's contract on our base class: learn_one and score_one are all a detector needs; snapshots need more."""

import random

import pytest

from spotanomaly2_safe import (
    AnomalyDetector,
    InvalidInputError,
    InvalidParameterError,
    QuantileFilter,
    ThresholdFilter,
    restore_from_state_dict,
)
from spotanomaly2_safe.errors import Reason


class RunningMean(AnomalyDetector):
    """A River-style user detector: only learn_one and score_one (distance to the running mean)."""

    def __init__(self):
        self.count, self.mean = 0, 0.0

    def learn_one(self, x):
        self.count += 1
        self.mean += (x["v"] - self.mean) / self.count

    def score_one(self, x):
        return abs(x["v"] - self.mean)


class WithParams(RunningMean):
    def _params(self):
        return {}


class WithBothHooks(WithParams):
    def _state(self):
        return {"count": self.count, "mean": self.mean}


def _stream(n=200, seed=3):
    rng = random.Random(seed)
    return [{"v": rng.gauss(0.0, 1.0) + (9.0 if i % 50 == 49 else 0.0)} for i in range(n)]


@pytest.mark.requirement("REQ-SNP-003")
@pytest.mark.parametrize("wrap", ["quantile", "threshold"])
@pytest.mark.parametrize("protect", [True, False])
def test_river_style_detector_runs_inside_our_filters_with_the_protect_rule(wrap, protect):
    detector = RunningMean()
    model = (
        QuantileFilter(detector, q=0.95, window_size=50, protect_anomaly_detector=protect)
        if wrap == "quantile"
        else ThresholdFilter(detector, threshold=4.0, protect_anomaly_detector=protect)
    )
    flagged = 0
    for x in _stream():
        flagged += model.classify(model.score_one(x))
        model.learn_one(x)
    assert flagged > 0
    # A protected detector skips what was anomalous; an unprotected one learns everything.
    assert (detector.count < 200) if protect else (detector.count == 200)


@pytest.mark.requirement("REQ-SNP-003")
@pytest.mark.parametrize(
    ("cls", "missing"), [(RunningMean, "['_params', '_state']"), (WithParams, "['_state']")], ids=["no-hooks", "no-state"]
)
def test_snapshot_of_a_detector_without_the_hooks_names_the_missing_ones(cls, missing):
    for model in (cls(), QuantileFilter(cls(), q=0.9)):
        with pytest.raises(InvalidParameterError) as caught:
            model.state_dict()
        assert caught.value.reason is Reason.SNAPSHOT_UNSUPPORTED
        assert f"{cls.__name__}.state_dict() needs the snapshot hooks {missing}" in str(caught.value)


@pytest.mark.requirement("REQ-SNP-003")
def test_detector_with_both_hooks_can_be_snapshot_but_only_library_classes_are_restored():
    model = QuantileFilter(WithBothHooks(), q=0.9)
    model.learn_one({"v": 1.0})
    state = model.state_dict()
    assert state["anomaly_detector"] == {
        "format": state["format"], "class": "WithBothHooks", "params": {}, "state": {"count": 1, "mean": 1.0},
    }
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE and "'WithBothHooks'" in str(caught.value)
