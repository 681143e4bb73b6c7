# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Contracts on one streamed observation: a dict mapping channel names to finite real numbers.

Rules, checked in this order (the first broken rule is reported, naming the key):

1. ``x`` is a ``dict`` (:class:`InputTypeError`, ``NOT_A_DICT``) with at least one key (``EMPTY_INPUT``).
2. When the channels are known (learned from the first observation, or the columns seen at fit),
   the keys equal them as a set; order does not matter (``COLUMNS_DIFFER_FROM_FIT``, naming the first
   missing or extra key). When they are not known yet, every key is a ``str`` (``NON_STRING_KEY``),
   so a snapshot of the channels is faithful JSON.
3. Every value is a real number (``numbers.Real``: int, float, numpy ints and floats), never ``bool``
   (``NON_NUMERIC``); an integer lies within ±2**53 so that float64 holds it exactly
   (``INEXACT_INTEGER``); a float is not NaN (``MISSING_VALUE``) nor ±inf (``NON_FINITE``), and any other
   real number (e.g. a ``Fraction``) fits float64 (``NON_FINITE`` when it lies beyond ±1.8e308).

Values come back as floats in the channel order (the known channels, else the order of ``x``).

>>> validate_observation({"load": 1, "price": 2.5}, channels=("price", "load"))
[2.5, 1.0]
>>> validate_observation({"load": float("nan")}, channels=None)
Traceback (most recent call last):
...
spotanomaly2_safe.errors.InvalidInputError: x['load'] is NaN (a missing value); every value must be a finite number.
"""

import math
import numbers
from collections.abc import Hashable, Sequence
from typing import Any

from spotanomaly2_safe.contracts import LARGEST_EXACT_INTEGER
from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, Reason, bounded_repr

__all__ = ["channels_of", "residuals_from_forecast", "validate_observation", "validate_score"]

_INFINITY = math.inf


def _as_float(name: str, key: Hashable, value: Any) -> float:
    where = name if key is None else f"{name}[{key!r}]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidInputError(
            f"{where} is {bounded_repr(value)} of type {type(value).__name__}; expected a real number (int or float, not bool).",
            reason=Reason.NON_NUMERIC,
        )
    if isinstance(value, numbers.Integral):
        if abs(value) > LARGEST_EXACT_INTEGER:
            raise InvalidInputError(
                f"{where} is the integer {bounded_repr(value)}, beyond ±2**53 where float64 is not exact.",
                reason=Reason.INEXACT_INTEGER,
            )
        return float(value)
    try:
        converted = float(value)
    except OverflowError:  # a Fraction (or another Real) beyond float64's range
        raise InvalidInputError(
            f"{where} is {bounded_repr(value)}, beyond the float64 range (±1.8e308); every value must be a finite number.",
            reason=Reason.NON_FINITE,
        ) from None
    if not math.isfinite(converted):
        reason, what = (Reason.MISSING_VALUE, "is NaN (a missing value)") if converted != converted else (Reason.NON_FINITE, f"is {converted}")
        raise InvalidInputError(f"{where} {what}; every value must be a finite number.", reason=reason)
    return converted


def _require_keys(name: str, x: dict, channels: Sequence) -> None:
    missing = [key for key in channels if key not in x]
    extra = [key for key in x if key not in channels]
    what = f"is missing the key {missing[0]!r}" if missing else f"has the unexpected key {extra[0]!r}"
    raise InvalidInputError(
        f"{name} {what}: expected the keys {list(channels)}, found {list(x)}.", reason=Reason.COLUMNS_DIFFER_FROM_FIT
    )


def validate_observation(x: Any, channels: Sequence | None, *, name: str = "x") -> list[float]:
    """Check one observation against the contract above; return its values as floats in channel order.

    ``channels`` are the keys seen before (any hashable labels, compared as a set), or ``None``.
    The common case (known channels, plain finite floats) takes a fast path; every other case,
    including every error, is decided by the full checks.
    """
    if type(x) is dict and channels is not None and len(x) == len(channels):
        values = []
        for key in channels:
            value = x.get(key)  # None for a missing key: not a float, so the full checks name it
            if type(value) is not float or not -_INFINITY < value < _INFINITY:
                return _validate_fully(x, channels, name)
            values.append(value)
        return values
    return _validate_fully(x, channels, name)


def _validate_fully(x: Any, channels: Sequence | None, name: str) -> list[float]:
    if not isinstance(x, dict):
        raise InputTypeError(f"{name} must be a dict mapping channel names to numbers; got {type(x).__name__}.", reason=Reason.NOT_A_DICT)
    if not x:
        raise InvalidInputError(f"{name} is an empty dict; at least one channel is required.", reason=Reason.EMPTY_INPUT)
    if channels is None:
        for key in x:
            if not isinstance(key, str):
                raise InvalidInputError(
                    f"{name} has the key {key!r} of type {type(key).__name__}; channel names must be str.",
                    reason=Reason.NON_STRING_KEY,
                )
        channels = x
    elif len(x) != len(channels) or any(key not in x for key in channels):
        _require_keys(name, x, channels)
    return [_as_float(name, key, x[key]) for key in channels]


def channels_of(x: dict) -> tuple[str, ...]:
    """The channel names of a validated observation, in its order."""
    return tuple(x)


def validate_score(score: Any) -> float:
    """A score handed to ``classify``: a finite real number (not bool, same rules as a value), as a float.

    >>> validate_score(1)
    1.0
    """
    if type(score) is float and -math.inf < score < math.inf:
        return score
    return _as_float("score", None, score)


def residuals_from_forecast(y_true: Any, y_pred: Any) -> dict[str, float]:
    """The observation ``x`` of residuals from one step of actuals and forecasts: ``y_true[k] - y_pred[k]``.

    Both are dicts with the same keys (any order; ``y_pred`` must match ``y_true``) and finite real
    values (the contract above); a difference that overflows float64 raises ``RESIDUAL_OVERFLOW``.
    Keys keep the order of ``y_true``.

    >>> residuals_from_forecast({"load": 10.0, "price": 3}, {"price": 2.5, "load": 12.0})
    {'load': -2.0, 'price': 0.5}
    >>> residuals_from_forecast({"load": 10.0}, {"price": 2.5})
    Traceback (most recent call last):
    ...
    spotanomaly2_safe.errors.InvalidInputError: y_pred is missing the key 'load': expected the keys ['load'], found ['price'].
    """
    actual = validate_observation(y_true, None, name="y_true")
    channels = channels_of(y_true)
    forecast = validate_observation(y_pred, channels, name="y_pred")
    residuals = {}
    for key, true_value, pred_value in zip(channels, actual, forecast):
        residual = true_value - pred_value
        if not math.isfinite(residual):
            raise InvalidInputError(
                f"The residual y_true - y_pred overflows float64 at key {key!r} ({true_value!r} - {pred_value!r}).",
                reason=Reason.RESIDUAL_OVERFLOW,
            )
        residuals[key] = residual
    return residuals
