# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""A restored model is indistinguishable from the original on every later call (hypothesis stateful test).

The machine keeps an original model and a twin restored from a strict-JSON snapshot, feeds both the same
calls (learn, score, evaluate, classify, including inputs that raise) and restarts the twin from its own snapshot
at random points. Every call must give both the same result or the same error; their snapshots and
thresholds must stay equal.
"""

import json
import math
import random

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from spotanomaly2_safe import (
    AdaptiveResidualDetector,
    GaussianResidualDetector,
    QuantileFilter,
    RobustResidualDetector,
    SpotAnomalySafeError,
    ThresholdFilter,
    restore_from_state_dict,
)
from spotanomaly2_safe.adaptive.state import AGGREGATIONS, SMOOTHINGS
from spotanomaly2_safe.streaming.snapshot import snapshot_classes

DETECTORS = {
    GaussianResidualDetector: st.builds(GaussianResidualDetector, grace_period=st.integers(1, 4)),
    RobustResidualDetector: st.builds(RobustResidualDetector, window_size=st.integers(2, 6), grace_period=st.integers(1, 4)),
    AdaptiveResidualDetector: st.builds(
        AdaptiveResidualDetector,
        training_rows=st.integers(100, 102),
        window=st.integers(1, 3),
        baseline_size=st.integers(10, 30),
        reference_size=st.integers(50, 60),
        refresh_every=st.integers(1, 5),
        risk=st.sampled_from([1e-3, 0.009]),
        reset_after=st.one_of(st.none(), st.integers(10, 12)),
        aggregation=st.sampled_from(AGGREGATIONS),
        smoothing=st.sampled_from(SMOOTHINGS),
    ),
}
any_detector = st.one_of(*DETECTORS.values())
FILTERS = {
    ThresholdFilter: st.builds(
        ThresholdFilter, any_detector, threshold=st.floats(0.0, 4.0), protect_anomaly_detector=st.booleans()
    ),
    QuantileFilter: st.builds(
        QuantileFilter, any_detector, q=st.floats(0.0, 1.0), window_size=st.integers(1, 6), protect_anomaly_detector=st.booleans()
    ),
}
MODELS = {**DETECTORS, **FILTERS}

# Few distinct values (ties, zero spreads), a wide range, and values that are refused or overflow the statistics.
values = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0, 2.5]),
    st.floats(-10.0, 10.0),
    st.integers(-3, 3),
    st.sampled_from([1e300, -1e300, 1.7e308, math.nan, math.inf, True, "x"]),
)
observations = st.one_of(
    st.fixed_dictionaries({"a": values}),
    st.fixed_dictionaries({"a": values, "b": values}),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3),
)
scores = st.one_of(st.floats(0.0, 10.0), st.sampled_from([0.0, math.nan, -math.inf, 1e308]))


def outcome(call, *args):
    """What a call gives: ('value', result) or ('error', class, reason, message)."""
    try:
        return ("value", call(*args))
    except SpotAnomalySafeError as error:
        return ("error", type(error), error.reason, str(error))


def restored(model):
    return restore_from_state_dict(json.loads(json.dumps(model.state_dict(), allow_nan=False)))


class RestoredTwin(RuleBasedStateMachine):
    # A warm-up of 98 to 130 rows takes an AdaptiveResidualDetector (100 to 102 training rows) past its training.
    @initialize(model=st.one_of(*MODELS.values()), warm_up=st.one_of(st.integers(0, 12), st.integers(98, 130)), seed=st.integers(0, 3))
    def build(self, model, warm_up, seed):
        rng = random.Random(seed)
        for _ in range(warm_up):
            model.learn_one({"a": rng.gauss(0.0, 1.0), "b": rng.choice([0.0, 1.0])})
        self.original, self.twin = model, restored(model)

    @rule(x=observations)
    def learn(self, x):
        assert outcome(self.twin.learn_one, x) == outcome(self.original.learn_one, x)

    @rule(x=observations)
    def score(self, x):
        assert outcome(self.twin.score_one, x) == outcome(self.original.score_one, x)

    @rule(x=observations)
    def evaluate(self, x):
        if hasattr(self.original, "evaluate_one"):
            assert outcome(self.twin.evaluate_one, x) == outcome(self.original.evaluate_one, x)

    @rule(x=observations)
    def classify_the_score(self, x):
        if hasattr(self.original, "classify"):
            expected = outcome(lambda: self.original.classify(self.original.score_one(x)))
            assert outcome(lambda: self.twin.classify(self.twin.score_one(x))) == expected

    @rule(score=scores)
    def classify(self, score):
        if hasattr(self.original, "classify"):
            assert outcome(self.twin.classify, score) == outcome(self.original.classify, score)

    @rule()
    def restart(self):
        self.twin = restored(self.twin)

    @invariant()
    def same_snapshot_and_threshold(self):
        if hasattr(self, "original"):
            assert self.twin.state_dict() == self.original.state_dict()
            if hasattr(self.original, "threshold") and callable(self.original.threshold):
                assert self.twin.threshold() == self.original.threshold()


TestRestoredTwin = pytest.mark.requirement("REQ-SNP-001")(RestoredTwin.TestCase)
TestRestoredTwin.settings = settings(stateful_step_count=40)


@pytest.mark.requirement("REQ-SNP-001")
def test_stateful_machine_covers_every_restorable_class():
    assert set(snapshot_classes().values()) == set(MODELS)
