# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""AdaptiveResidualDetector's snapshot: restored by the one declared-schema mechanism, alone or inside a filter."""

import copy
import json

import numpy as np
import pandas as pd
import pytest

from spotanomaly2_safe import (
    AdaptiveDetector,
    AdaptiveResidualDetector,
    GaussianResidualDetector,
    InputTypeError,
    InvalidInputError,
    InvalidParameterError,
    QuantileFilter,
    ThresholdFilter,
    restore_from_state_dict,
)
from spotanomaly2_safe.errors import Reason

NOISE = np.random.default_rng(17).normal(size=(400, 2)) * [1.0, 3.0]
NOISE[250:262, 0] += 9.0  # a fault the detector flags and does not learn


def _rows(values: np.ndarray) -> list[dict]:
    return [{"load": float(load), "price": float(price)} for load, price in values]


def _json(snapshot: dict) -> dict:
    return json.loads(json.dumps(snapshot, allow_nan=False))


def _learned(model, rows: list[dict]):
    for x in rows:
        model.learn_one(x)
    return model


def _outputs(model, rows: list[dict]) -> list:
    """What a model gives on each later row, learning it: score, classification or outputs, then the snapshot."""
    outputs = []
    for x in rows:
        score = model.score_one(x)
        verdict = model.classify(score) if hasattr(model, "classify") else model.evaluate_one(x)
        model.learn_one(x)
        outputs.append((score, verdict))
    return [outputs, model.state_dict()]


MODELS = {
    "detector": lambda: AdaptiveResidualDetector(training_rows=100, window=3, reset_after=10, refresh_every=7),
    "quantile": lambda: QuantileFilter(AdaptiveResidualDetector(training_rows=100), q=0.95, window_size=50),
    "threshold": lambda: ThresholdFilter(AdaptiveResidualDetector(training_rows=120, aggregation="max"), threshold=3.0, protect_anomaly_detector=False),
}


@pytest.mark.requirement("REQ-SNP-005")
@pytest.mark.parametrize("kind", sorted(MODELS))
@pytest.mark.parametrize("cut", [0, 60, 100, 240, 255])
def test_adaptive_detector_restored_alone_or_in_a_filter_continues_identically(kind, cut):
    rows = _rows(NOISE)
    original = _learned(MODELS[kind](), rows[:cut])
    restored = restore_from_state_dict(_json(original.state_dict()))
    assert type(restored) is type(original)
    assert _outputs(restored, rows[cut:]) == _outputs(original, rows[cut:])


@pytest.mark.requirement("REQ-SNP-005")
def test_adaptive_from_state_dict_is_the_same_restore_for_this_class_only():
    detector = _learned(AdaptiveResidualDetector(training_rows=100), _rows(NOISE[:150]))
    snapshot = _json(detector.state_dict())
    assert AdaptiveResidualDetector.from_state_dict(snapshot).state_dict() == restore_from_state_dict(snapshot).state_dict()
    other = _json(_learned(GaussianResidualDetector(), _rows(NOISE[:5])).state_dict())
    with pytest.raises(InvalidInputError) as caught:
        AdaptiveResidualDetector.from_state_dict(other)
    assert caught.value.reason is Reason.INVALID_STATE
    assert "must be one of ['AdaptiveResidualDetector']" in str(caught.value)
    with pytest.raises(InputTypeError) as caught:
        AdaptiveResidualDetector.from_state_dict([snapshot])
    assert caught.value.reason is Reason.NOT_A_DICT


def _set(path: tuple, value):
    def edit(snapshot):
        target = snapshot
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _drop(path: tuple):
    def edit(snapshot):
        target = snapshot
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return edit


TRAINED = [
    _set(("state", "extra"), 1),
    _drop(("state", "n_learned")),
    _set(("state", "n_learned"), 10**400),
    _set(("state", "n_learned"), 149),  # rows_seen disagrees
    _set(("state", "n_learned"), 99),  # still training: adaptive must be null
    _set(("state", "training"), [[0.0, 0.0]]),
    _set(("state", "channels"), ["load"]),
    _set(("state", "adaptive"), None),
    _set(("state", "adaptive", "extra"), 1),
    _drop(("state", "adaptive", "u")),
    _set(("state", "adaptive", "u"), 10**400),
    _set(("state", "adaptive", "threshold"), True),
    _set(("state", "adaptive", "rows_seen"), 10**400),
    _set(("state", "adaptive", "baseline"), [[10**400, 0.0]]),
    _set(("state", "adaptive", "scale"), [0.0, 1.0]),
    _set(("params", "window"), 0),
]
TRAINING = [
    _set(("state", "n_learned"), 41),
    _set(("state", "training"), [[0.0, "1"]] * 40),
    _set(("state", "training"), [[0.0, 10**400]] * 40),
    _set(("state", "adaptive"), {}),
    _set(("state", "n_learned"), 0),
]


def _refused(snapshot: dict, restore=restore_from_state_dict) -> None:
    before = copy.deepcopy(snapshot)
    with pytest.raises((InvalidInputError, InvalidParameterError)) as caught:
        restore(snapshot)
    assert caught.value.reason in (Reason.INVALID_STATE, Reason.INVALID_PARAMETER)
    assert snapshot == before  # the snapshot is never modified


@pytest.mark.requirement("REQ-SNP-005")
@pytest.mark.parametrize("corrupt", TRAINED)
def test_adaptive_snapshot_breaking_its_schema_is_refused_before_anything_is_built(corrupt):
    snapshot = _json(_learned(AdaptiveResidualDetector(training_rows=100), _rows(NOISE[:150])).state_dict())
    corrupt(snapshot)
    _refused(snapshot)
    _refused(snapshot, AdaptiveResidualDetector.from_state_dict)
    wrapped = _json(QuantileFilter(AdaptiveResidualDetector(training_rows=100), q=0.9).state_dict())
    wrapped["anomaly_detector"] = snapshot
    _refused(wrapped)


@pytest.mark.requirement("REQ-SNP-005")
@pytest.mark.parametrize("corrupt", TRAINING)
def test_adaptive_snapshot_during_training_breaking_its_schema_is_refused(corrupt):
    snapshot = _json(_learned(AdaptiveResidualDetector(training_rows=100), _rows(NOISE[:40])).state_dict())
    corrupt(snapshot)
    _refused(snapshot)


@pytest.mark.requirement("REQ-ADA-009")
@pytest.mark.parametrize(
    "corrupt",
    [_set(("state", "extra"), 1), _set(("state", "u"), 10**400), _set(("state", "rows_seen"), 2**53 + 1), _set(("state", "history"), [])],
)
def test_adaptive_batch_state_with_unknown_keys_or_numbers_beyond_float64_is_invalid_state(corrupt):
    frame = pd.DataFrame(NOISE[:200], columns=["load", "price"])
    snapshot = _json(AdaptiveDetector(window=2).fit(frame, frame * 0.0).state_dict())
    corrupt(snapshot)
    with pytest.raises(InvalidInputError) as caught:
        AdaptiveDetector.from_state_dict(snapshot)
    assert caught.value.reason is Reason.INVALID_STATE
