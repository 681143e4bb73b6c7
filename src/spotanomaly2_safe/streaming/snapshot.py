# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Restore a streaming detector or filter from its ``state_dict()`` (strict JSON).

The snapshot is checked before anything is built: a dict with this library's ``format``, a known
``class``, parameters that pass the class's constructor, and a state consistent with them (channel
names are str, counts are non-negative ints, every number finite, list lengths match). Anything else
raises :class:`InvalidInputError` with ``INVALID_STATE`` (or the constructor's parameter error).

What a snapshot covers: parameters and everything learned. Gaussian: channels, count, means and sums
of squared deviations. Robust: channels, count, and the windows in arrival order (the medians and MADs
are recomputed from them, by the same code). QuantileFilter: its score window; filters also carry
their detector's snapshot (only this library's detectors have one). The restored object gives
outputs identical to the original's on the rest of the stream.

>>> import json
>>> from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector
>>> detector = GaussianResidualDetector(grace_period=1)
>>> detector.learn_one({"load": 1.0}); detector.learn_one({"load": 2.0})
>>> restored = restore_from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
>>> restored.score_one({"load": 4.0}) == detector.score_one({"load": 4.0}) == 5.0
True
"""

import math
from types import MappingProxyType
from typing import Any

from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, Reason
from spotanomaly2_safe.streaming.base import SNAPSHOT_FORMAT
from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector, RobustResidualDetector
from spotanomaly2_safe.streaming.filters import QuantileFilter, ThresholdFilter

__all__ = ["restore_from_state_dict"]

SNAPSHOT_CLASSES = MappingProxyType({
    cls.__name__: cls for cls in (GaussianResidualDetector, RobustResidualDetector, ThresholdFilter, QuantileFilter)
})


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInputError(f"Invalid state_dict: {message}.", reason=Reason.INVALID_STATE)


def _floats(values: Any, length: int, what: str) -> list[float]:
    _require(isinstance(values, list) and len(values) == length, f"{what} must be a list of {length} numbers")
    _require(all(type(value) in (int, float) and math.isfinite(value) for value in values), f"{what} must hold finite numbers")
    return [float(value) for value in values]


def _restore_detector(cls: type, params: dict, state: dict) -> Any:
    detector = cls(**params)
    channels, count = state.get("channels"), state.get("n_learned")
    _require(type(count) is int and count >= 0, f"n_learned must be an int >= 0, got {count!r}")
    _require(
        (channels is None and count == 0)
        or (isinstance(channels, list) and channels and all(isinstance(name, str) for name in channels) and len(set(channels)) == len(channels) and count > 0),
        f"channels must be null before learning, else a list of distinct str; got {channels!r} with n_learned={count}",
    )
    width = 0 if channels is None else len(channels)
    names = None if channels is None else tuple(channels)
    if cls is GaussianResidualDetector:
        means = _floats(state.get("means"), width, "means")
        squares = _floats(state.get("sums_of_squares"), width, "sums_of_squares")
        _require(all(square >= 0 for square in squares), "sums_of_squares must be >= 0")
        detector._load(names, count, means, squares)
        return detector
    windows = state.get("windows")
    _require(isinstance(windows, list) and len(windows) == width, f"windows must be a list of {width} lists")
    length = min(count, detector.window_size)
    for row in zip(*(_floats(window, length, "each window") for window in windows)):
        detector.learn_one(dict(zip(names, row)))
    detector.n_learned = count
    return detector


def _restore_filter(cls: type, params: dict, state: dict, detector_state: Any) -> Any:
    model = cls(restore_from_state_dict(detector_state), **params)
    if cls is QuantileFilter:
        scores = state.get("scores")
        length = len(scores) if isinstance(scores, list) and len(scores) <= model.window_size else -1
        for score in _floats(scores, length, f"scores (at most window_size={model.window_size})"):
            model.scores.update(score)
    return model


def restore_from_state_dict(state: Any) -> Any:
    """The detector or filter that ``state_dict()`` described (checked as the module docstring says)."""
    if not isinstance(state, dict):
        raise InputTypeError(f"state must be a dict from state_dict(); got {type(state).__name__}.", reason=Reason.NOT_A_DICT)
    _require(state.get("format") == SNAPSHOT_FORMAT, f"format must be {SNAPSHOT_FORMAT!r}, got {state.get('format')!r}")
    name = state.get("class")
    _require(isinstance(name, str) and name in SNAPSHOT_CLASSES, f"class must be one of {list(SNAPSHOT_CLASSES)}, got {name!r}")
    cls = SNAPSHOT_CLASSES[name]
    params, inner = state.get("params"), state.get("state")
    _require(isinstance(params, dict) and isinstance(inner, dict), "params and state must be dicts")
    expected = sorted(set(cls.parameter_constraints) - {"anomaly_detector"})
    _require(sorted(params) == expected, f"params of {name} must be exactly {expected}, got {sorted(params)}")
    if cls in (ThresholdFilter, QuantileFilter):
        return _restore_filter(cls, params, inner, state.get("anomaly_detector"))
    return _restore_detector(cls, params, inner)
