# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Parameter rules as data: each class holds a ``parameter_constraints`` table of these.

A value is valid when at least one constraint of its parameter accepts it; otherwise one
message template, built from the table, names the parameter, the owner, the allowed values
and the value found (after scikit-learn's ``_parameter_constraints``):

>>> constraints = {"high_quantile": [Interval(float, 0.0, 1.0, closed="neither")]}
>>> validate_parameters("ForecastingAnomalyDetector", constraints, {"high_quantile": 1.5})
Traceback (most recent call last):
...
spotanomaly2_safe.errors.InvalidParameterError: The 'high_quantile' parameter of ForecastingAnomalyDetector must be a float in the range (0.0, 1.0). Got 1.5 instead.
"""

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from spotanomaly2_safe.errors import InvalidParameterError, Reason, bounded_repr

__all__ = ["Interval", "Options", "InstanceOf", "did_you_mean", "validate_parameters", "reject_unknown_parameters"]

_BRACKETS = MappingProxyType({"both": "[]", "left": "[)", "right": "(]", "neither": "()"})


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _fits_float(value: Any) -> bool:
    """A real number float64 holds as a non-NaN value (an int or Fraction beyond ±1.8e308 does not)."""
    try:
        return not math.isnan(value)
    except OverflowError:
        return False


@dataclass(frozen=True)
class Interval:
    """Numbers of ``kind`` (int or float) between ``low`` and ``high``; ``None`` means unbounded.

    A float interval also accepts ints and other real numbers that fit float64; NaN is in no interval;
    bool is not a number here. An int interval compares ints of any size exactly.
    """

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"

    def accepts(self, value: Any) -> bool:
        if not (_is_integer(value) if self.kind is int else _is_real(value) and _fits_float(value)):
            return False
        low_ok = self.low is None or value > self.low or (value == self.low and self.closed in ("both", "left"))
        high_ok = self.high is None or value < self.high or (value == self.high and self.closed in ("both", "right"))
        return low_ok and high_ok

    def describe(self) -> str:
        left, right = _BRACKETS[self.closed]
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"{'an int' if self.kind is int else 'a float'} in the range {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values, compared by type as well as value (``True`` is not ``1``).

    ``note`` is appended to the message, e.g. the release that will accept more values.
    """

    values: tuple
    note: str = ""

    def accepts(self, value: Any) -> bool:
        return any(type(value) is type(option) and value == option for option in self.values)

    def describe(self) -> str:
        note = f" ({self.note})" if self.note else ""
        return f"one of {{{', '.join(repr(option) for option in self.values)}}}{note}"


@dataclass(frozen=True)
class InstanceOf:
    """An instance of ``kind`` (a class or a tuple of classes)."""

    kind: type | tuple

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.kind)

    def describe(self) -> str:
        names = self.kind if isinstance(self.kind, tuple) else (self.kind,)
        return f"an instance of {' or '.join(repr(name.__name__) for name in names)}"


def validate_parameters(owner: str, constraints: Mapping[str, list], values: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidParameterError` for the first value no constraint of its parameter accepts."""
    for name, value in values.items():
        allowed = constraints[name]
        if not any(constraint.accepts(value) for constraint in allowed):
            expected = " or ".join(constraint.describe() for constraint in allowed)
            raise InvalidParameterError(
                f"The '{name}' parameter of {owner} must be {expected}. Got {bounded_repr(value)} instead.",
                reason=Reason.INVALID_PARAMETER,
            )


def did_you_mean(name: Any, known: Iterable[str]) -> str:
    """A hint naming the known name closest to ``name`` (difflib), or an empty string when none is close."""
    close = difflib.get_close_matches(str(name), sorted(known), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def reject_unknown_parameters(owner: str, known: Iterable[str], given: Iterable[str]) -> None:
    """Raise :class:`InvalidParameterError` for a name not in ``known``, suggesting the closest known name."""
    known = sorted(known)
    for name in given:
        if name not in known:
            raise InvalidParameterError(
                f"{owner} got an unknown parameter {name!r}; it takes {known}.{did_you_mean(name, known)}",
                reason=Reason.UNKNOWN_PARAMETER,
            )
