# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import copy
import json
import math
import subprocess
import sys
import textwrap

import pytest

from spotanomaly2_safe import (
    GaussianResidualDetector,
    InputTypeError,
    InvalidInputError,
    InvalidParameterError,
    QuantileFilter,
    RobustResidualDetector,
    ThresholdFilter,
    restore_from_state_dict,
)
from spotanomaly2_safe.errors import Reason

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
    ("gaussian", _set(("class",), "KMeansScorer"), "class"),
    ("gaussian", _set(("params",), []), "params and state"),
    ("gaussian", _set(("params", "extra"), 1), "params of GaussianResidualDetector"),
    ("gaussian", _set(("state", "n_learned"), -1), "n_learned"),
    ("gaussian", _set(("state", "channels"), ["load", "load"]), "channels"),
    ("gaussian", _set(("state", "means"), [0.0]), "means"),
    ("gaussian", _set(("state", "means"), [0.0, math.nan]), "means must hold finite numbers"),
    ("gaussian", _set(("state", "sums_of_squares"), [1.0]), "sums_of_squares"),
    ("gaussian", _set(("state", "sums_of_squares"), [1.0, -1.0]), "sums_of_squares must be >= 0"),
    ("robust", _set(("state", "windows"), [[1.0]]), "windows"),
    ("robust", _set(("state", "windows"), [[1.0] * 16, [1.0] * 15]), "each window"),
    ("quantile", _set(("state", "scores"), [1.0] * 26), "window_size=25"),
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
