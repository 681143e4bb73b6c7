# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import copy
import json
import math
import random
import subprocess
import sys
import textwrap
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotanomaly2_safe import (
    GaussianResidualDetector,
    InputTypeError,
    InvalidInputError,
    InvalidParameterError,
    QuantileFilter,
    RobustResidualDetector,
    SpotAnomalySafeError,
    ThresholdFilter,
    restore_from_state_dict,
)
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.streaming.base import SNAPSHOT_FORMAT

# Each factory is source text so that the subprocess builds exactly the same object.
FACTORIES = {
    "gaussian": "GaussianResidualDetector(grace_period=5)",
    "robust": "RobustResidualDetector(window_size=16, grace_period=5)",
    "threshold": "ThresholdFilter(GaussianResidualDetector(grace_period=5), threshold=2.5)",
    "quantile": "QuantileFilter(RobustResidualDetector(window_size=16, grace_period=5), q=0.9, window_size=25)",
}
STREAM = textwrap.dedent("""
    import random
    def stream(n=200, seed=11):
        rng = random.Random(seed)
        for i in range(n):
            spike = 8.0 if i % 37 == 36 else 0.0
            yield {"load": rng.gauss(0.0, 1.0) + spike, "price": rng.gauss(2.0, 0.5)}
""")
namespace = {}
exec(STREAM, namespace)
stream = namespace["stream"]
SPLIT = 90


def _run(model, observations):
    outputs = []
    for x in observations:
        score = model.score_one(x)
        outputs.append((score, model.classify(score) if hasattr(model, "classify") else None))
        model.learn_one(x)
    return outputs


def _build(kind):
    return eval(FACTORIES[kind])  # noqa: S307 - the factories above, nothing from outside


@pytest.fixture(scope="module")
def snapshots_from_another_process():
    """One subprocess learns the first SPLIT observations with every factory and prints the snapshots."""
    builders = ", ".join(f"{kind!r}: {factory}" for kind, factory in FACTORIES.items())
    script = STREAM + textwrap.dedent(f"""
        import json
        from spotanomaly2_safe import *
        models = {{{builders}}}
        for x in list(stream())[:{SPLIT}]:
            for model in models.values():
                model.learn_one(x)
        print(json.dumps({{kind: model.state_dict() for kind, model in models.items()}}, allow_nan=False))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize("kind", list(FACTORIES))
def test_restored_snapshot_from_another_process_continues_the_stream_identically(kind, snapshots_from_another_process):
    observations = list(stream())
    uninterrupted = _build(kind)
    for x in observations[:SPLIT]:
        uninterrupted.learn_one(x)
    restored = restore_from_state_dict(snapshots_from_another_process[kind])
    assert restored.state_dict() == uninterrupted.state_dict()
    expected = _run(uninterrupted, observations[SPLIT:])
    assert _run(restored, observations[SPLIT:]) == expected
    assert any(flag for _, flag in expected) or kind in ("gaussian", "robust")


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize("kind", list(FACTORIES))
def test_restored_snapshot_continues_the_stream_identically_in_process(kind):
    observations = list(stream())
    uninterrupted = _build(kind)
    for x in observations[:SPLIT]:
        uninterrupted.learn_one(x)
    restored = restore_from_state_dict(json.loads(json.dumps(uninterrupted.state_dict(), allow_nan=False)))
    assert _run(restored, observations[SPLIT:]) == _run(uninterrupted, observations[SPLIT:])


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize("kind", list(FACTORIES))
@pytest.mark.parametrize("learned", [0, 3, 60])
def test_state_dict_is_strict_json_and_round_trips(kind, learned):
    model = _build(kind)
    for x in list(stream())[:learned]:
        model.learn_one(x)
    state = model.state_dict()
    text = json.dumps(state, allow_nan=False)
    assert restore_from_state_dict(json.loads(text)).state_dict() == state


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize("kind", ["threshold", "quantile"])
def test_filter_around_a_foreign_detector_cannot_be_snapshot(kind):
    class Foreign:
        def learn_one(self, x):
            pass

        def score_one(self, x):
            return 0.0

    model = ThresholdFilter(Foreign(), threshold=1.0) if kind == "threshold" else QuantileFilter(Foreign(), q=0.5)
    with pytest.raises(InvalidParameterError) as caught:
        model.state_dict()
    assert caught.value.reason is Reason.SNAPSHOT_UNSUPPORTED


def _valid_state(kind):
    model = _build(kind)
    for x in list(stream())[:30]:
        model.learn_one(x)
    return model.state_dict()


def _set(path, value):
    def edit(state):
        target = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return state

    return edit


def _drop(key):
    def edit(state):
        del state[key]
        return state

    return edit


CORRUPTIONS = [
    ("gaussian", _set(("format",), "other/1")),
    ("gaussian", _set(("class",), "KMeansScorer")),
    ("gaussian", _set(("class",), ["GaussianResidualDetector"])),
    ("gaussian", _set(("params",), [])),
    ("gaussian", _drop("state")),
    ("gaussian", _set(("params", "extra"), 1)),
    ("gaussian", _set(("state", "n_learned"), -1)),
    ("gaussian", _set(("state", "n_learned"), 2.0)),
    ("gaussian", _set(("state", "channels"), None)),
    ("gaussian", _set(("state", "channels"), ["load", 3])),
    ("gaussian", _set(("state", "channels"), ["load", "load"])),
    ("gaussian", _set(("state", "n_learned"), 0)),
    ("gaussian", _set(("state", "means"), [0.0])),
    ("gaussian", _set(("state", "means"), [0.0, math.nan])),
    ("gaussian", _set(("state", "means"), [0.0, True])),
    ("gaussian", _set(("state", "sums_of_squares"), [1.0, -1.0])),
    ("robust", _set(("state", "windows"), [[1.0]])),
    ("robust", _set(("state", "windows"), [[1.0] * 16, [1.0] * 15])),
    ("robust", _set(("state", "windows"), "[]")),
    ("robust", _set(("state", "windows"), None)),
    ("quantile", _set(("state", "scores"), [1.0] * 26)),
    ("quantile", _set(("state", "scores"), None)),
    ("quantile", _set(("state", "scores"), [math.inf])),
    ("quantile", _set(("anomaly_detector", "state", "n_learned"), -5)),
    ("threshold", _drop("anomaly_detector")),
]


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize(("kind", "corrupt"), CORRUPTIONS)
def test_malformed_snapshot_raises_invalid_state(kind, corrupt):
    state = corrupt(copy.deepcopy(_valid_state(kind)))
    with pytest.raises((InvalidInputError, InputTypeError)) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason in (Reason.INVALID_STATE, Reason.NOT_A_DICT)


@pytest.mark.requirement("REQ-STR-013")
def test_snapshot_with_bad_parameter_raises_the_constructors_error():
    state = _valid_state("threshold")
    state["params"]["threshold"] = "high"
    with pytest.raises(InvalidParameterError) as caught:
        restore_from_state_dict(state)
    assert "'threshold' parameter of ThresholdFilter" in str(caught.value)


@pytest.mark.requirement("REQ-STR-013")
def test_restoring_something_that_is_not_a_dict_raises_input_type_error():
    with pytest.raises(InputTypeError) as caught:
        restore_from_state_dict("{}")
    assert caught.value.reason is Reason.NOT_A_DICT


@pytest.mark.requirement("REQ-STR-013")
def test_snapshot_of_a_constant_channel_with_zero_sum_of_squares_restores():
    model = GaussianResidualDetector(grace_period=1)
    for _ in range(5):
        model.learn_one({"load": 2.0})
    state = model.state_dict()
    assert state["state"]["sums_of_squares"] == [0.0]
    restored = restore_from_state_dict(state)
    assert restored.score_one({"load": 2.0}) == model.score_one({"load": 2.0}) == 0.0


MESSAGE_CORRUPTIONS = [
    ("gaussian", _set(("format",), "other/1"), "format"),
    # Format 1 (before the zero-spread rule was recorded) is refused, never reinterpreted under today's rule.
    ("robust", _set(("format",), "spotanomaly2_safe.streaming/2"), "['format'] must be 'spotanomaly2_safe.streaming/3'"),
    ("gaussian", _set(("class",), "KMeansScorer"), "class"),
    ("gaussian", _set(("params",), []), "state['params'] must be a dict"),
    ("gaussian", _set(("params", "extra"), 1), "state['params'] must have exactly the keys ['grace_period']; found the unknown key 'extra'"),
    ("gaussian", _set(("state", "n_learned"), -1), "n_learned"),
    ("gaussian", _set(("state", "channels"), ["load", "load"]), "channels"),
    ("gaussian", _set(("state", "means"), [0.0]), "means"),
    ("gaussian", _set(("state", "means"), [0.0, math.nan]), "state['state']['means'] must be a list of finite numbers"),
    ("gaussian", _set(("state", "sums_of_squares"), [1.0]), "sums_of_squares"),
    ("gaussian", _set(("state", "sums_of_squares"), [1.0, -1.0]), "state['state']['sums_of_squares'] must be a list of numbers >= 0"),
    ("robust", _set(("state", "windows"), [[1.0]]), "windows"),
    ("robust", _set(("state", "windows"), [[1.0] * 16, [1.0] * 15]), "state['state']['windows'][1] must be a list of 16 numbers"),
    ("quantile", _set(("state", "scores"), [1.0] * 26), "state['state']['scores'] must be a list of at most 25 numbers"),
]


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize(("kind", "corrupt", "field"), MESSAGE_CORRUPTIONS)
def test_malformed_snapshot_message_names_the_broken_field(kind, corrupt, field):
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(corrupt(copy.deepcopy(_valid_state(kind))))
    assert str(caught.value).startswith("Invalid state_dict: ") and field in str(caught.value)


@pytest.mark.requirement("REQ-STR-013")
@pytest.mark.parametrize("kind", list(FACTORIES))
def test_snapshot_after_exactly_one_learned_observation_restores(kind):
    model = _build(kind)
    model.learn_one(next(stream()))
    assert restore_from_state_dict(model.state_dict()).state_dict() == model.state_dict()


# --- Issue 15, section 1: one declared schema, checked whole; a restored model is indistinguishable ------------------


@pytest.mark.requirement("REQ-SNP-001")
def test_restored_quantile_filter_keeps_its_threshold_and_flags_the_first_anomaly():
    # The example: the restored copy had threshold() == inf and classified 8.0 as normal.
    rng = random.Random(0)
    model = QuantileFilter(GaussianResidualDetector(grace_period=2), q=0.9)
    for _ in range(60):
        model.learn_one({"a": rng.gauss(0.0, 1.0)})
    restored = restore_from_state_dict(json.loads(json.dumps(model.state_dict(), allow_nan=False)))
    assert restored.threshold() == model.threshold() < math.inf
    assert restored.classify(restored.score_one({"a": 8.0})) is model.classify(model.score_one({"a": 8.0})) is True


def _filter_state(outer="quantile"):
    """A learned filter's snapshot, around a Gaussian detector."""
    detector = GaussianResidualDetector(grace_period=5)
    model = QuantileFilter(detector, q=0.9, window_size=25) if outer == "quantile" else ThresholdFilter(detector, threshold=2.5)
    for x in list(stream())[:30]:
        model.learn_one(x)
    return model.state_dict()


UNKNOWN_KEYS = [
    ((), "the unknown key 'extra'"),
    (("params",), "state['params'] must have exactly the keys"),
    (("state",), "state['state'] must have exactly the keys"),
    (("anomaly_detector",), "state['anomaly_detector'] must have exactly the keys"),
    (("anomaly_detector", "params"), "state['anomaly_detector']['params'] must have exactly the keys"),
    (("anomaly_detector", "state"), "state['anomaly_detector']['state'] must have exactly the keys"),
]


@pytest.mark.requirement("REQ-SNP-002")
@pytest.mark.parametrize(("path", "text"), UNKNOWN_KEYS)
def test_unknown_key_at_any_level_is_refused(path, text):
    state = _filter_state()
    target = state
    for key in path:
        target = target[key]
    target["extra"] = 1
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE and text in str(caught.value)


@pytest.mark.requirement("REQ-SNP-002")
@pytest.mark.parametrize(
    "path",
    [("format",), ("params", "q"), ("state", "scores"), ("anomaly_detector", "state", "means"), ("anomaly_detector", "state", "n_learned")],
)
def test_missing_key_at_any_level_is_refused(path):
    state = _filter_state()
    target = state
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-SNP-002")
@pytest.mark.parametrize("outer", ["quantile", "threshold"])
def test_filter_wrapping_a_filter_is_refused(outer):
    state = _filter_state(outer)
    state["anomaly_detector"] = _filter_state("threshold")
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE
    assert "state['anomaly_detector']['class'] must be one of ['AdaptiveResidualDetector', 'GaussianResidualDetector', 'RobustResidualDetector']" in str(caught.value)


@pytest.mark.requirement("REQ-SNP-002")
def test_two_thousand_nested_snapshots_are_refused_without_recursion_error():
    state = _filter_state()
    for _ in range(2_000):
        state = {**_filter_state(), "anomaly_detector": state}
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-SNP-002")
def test_deeply_nested_value_is_refused_with_a_short_message():
    nested = []
    for _ in range(100_000):
        nested = [nested]
    state = _valid_state("gaussian")
    state["state"]["means"] = nested
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE and len(str(caught.value)) < 300


HOSTILE_VALUES = [
    ("gaussian", ("state", "n_learned"), 10**400),
    ("gaussian", ("state", "n_learned"), 2**53 + 1),
    ("gaussian", ("state", "n_learned"), 10**5000),
    ("gaussian", ("state", "means"), [0.0, 10**400]),
    ("gaussian", ("state", "means"), [0.0, 2**53 + 1]),
    ("gaussian", ("state", "means"), [0.0, Fraction(10**400, 3)]),
    ("gaussian", ("state", "means"), [0.0, np.float64(1.0)]),
    ("gaussian", ("state", "sums_of_squares"), [0.0, -math.inf]),
    ("gaussian", ("state", "channels"), ["load", "price", "other"]),
    ("gaussian", ("state", "channels"), []),
    ("gaussian", ("params", "grace_period"), [5]),
    ("gaussian", ("params", "grace_period"), np.int64(5)),
    ("gaussian", ("format",), np.array([SNAPSHOT_FORMAT, SNAPSHOT_FORMAT])),
    ("gaussian", ("class",), np.array(["GaussianResidualDetector"])),
    ("gaussian", ("class",), "ResidualDetector"),
    ("gaussian", ("class",), "AnomalyDetector"),
    ("gaussian", ("class",), "PredictiveAnomalyDetector"),
    ("gaussian", (), None),
    ("robust", ("state", "windows"), [[10**400] * 16, [1.0] * 16]),
    ("robust", ("state", "windows"), [[1.0] * 16, None]),
    ("quantile", ("state", "scores"), [Fraction(10**400, 3)]),
    ("quantile", ("state", "scores"), {"0": 1.0}),
    ("quantile", ("anomaly_detector",), None),
    ("quantile", ("anomaly_detector",), "GaussianResidualDetector"),
]


@pytest.mark.requirement("REQ-SNP-002")
@pytest.mark.parametrize(
    ("kind", "path", "value"), HOSTILE_VALUES, ids=[f"{kind}-{'.'.join(path) or 'state'}-{n}" for n, (kind, path, _) in enumerate(HOSTILE_VALUES)]
)
def test_hostile_value_is_refused_as_invalid_state_never_overflow_or_recursion(kind, path, value):
    state = _valid_state(kind)
    if path:
        _set(path, value)(state)
    else:
        state = {"format": state["format"], "class": state["class"], "params": state["params"], "state": value}
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE and len(str(caught.value)) < 400


@pytest.mark.requirement("REQ-SNP-002")
@pytest.mark.parametrize("value", [10**400, -(10**400), math.inf], ids=["huge", "minus-huge", "inf"])
def test_float_parameter_beyond_float64_raises_the_constructors_error(value):
    state = _valid_state("threshold")
    state["params"]["threshold"] = value
    with pytest.raises(InvalidParameterError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_PARAMETER and "'threshold' parameter of ThresholdFilter" in str(caught.value)


@pytest.mark.requirement("REQ-SNP-002")
def test_robust_windows_whose_statistics_overflow_are_refused_as_invalid_state():
    state = _valid_state("robust")
    state["state"]["windows"][0] = [1.7e308, -1.7e308] * 8
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE
    assert "cannot have been learned" in str(caught.value)


@pytest.mark.requirement("REQ-SNP-002")
@pytest.mark.parametrize("kind", list(FACTORIES))
def test_restore_never_modifies_the_snapshot(kind):
    state = _valid_state(kind)
    before = copy.deepcopy(state)
    restore_from_state_dict(state)
    broken = copy.deepcopy(state)
    broken["state"]["unknown"] = 1
    broken_before = copy.deepcopy(broken)
    with pytest.raises(InvalidInputError):
        restore_from_state_dict(broken)
    assert state == before and broken == broken_before


@pytest.mark.requirement("REQ-SNP-002")
def test_json_integers_stand_for_the_same_floats():
    # A JSON writer may print 2.0 as 2: the same float64, so the same model.
    model = GaussianResidualDetector(grace_period=1)
    for value in [1.0, 3.0]:
        model.learn_one({"load": value})
    state = model.state_dict()
    state["state"]["means"], state["state"]["sums_of_squares"] = [2], [2]
    restored = restore_from_state_dict(state)
    assert restored.state_dict() == model.state_dict()
    assert restored.score_one({"load": 7.0}) == model.score_one({"load": 7.0}) == 5.0


@pytest.mark.requirement("REQ-SNP-002")
def test_subclass_defined_outside_the_library_is_never_restored_from_a_name():
    class MyGaussian(GaussianResidualDetector):
        pass

    model = MyGaussian(grace_period=1)
    model.learn_one({"load": 1.0})
    state = model.state_dict()
    assert state["class"] == "MyGaussian"
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE and "'MyGaussian'" in str(caught.value)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from _paths(value, (*prefix, position))


json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
        st.integers(), st.sampled_from([10**400, -(2**53) - 1, 2**53]), st.text(max_size=5),
    ),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)


@pytest.mark.requirement("REQ-SNP-002")
@given(kind=st.sampled_from(list(FACTORIES)), choice=st.integers(0, 10**6), value=json_values)
def test_any_value_anywhere_in_a_snapshot_gives_a_library_error_or_a_faithful_model(kind, choice, value):
    state = _valid_state(kind)
    paths = [path for path in _paths(state) if path]
    path = paths[choice % len(paths)]
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        restored = restore_from_state_dict(state)
    except SpotAnomalySafeError as error:
        assert error.reason in (Reason.INVALID_STATE, Reason.INVALID_PARAMETER)
    else:
        assert restore_from_state_dict(json.loads(json.dumps(restored.state_dict(), allow_nan=False))).state_dict() == restored.state_dict()
