# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""State schemas: what a snapshot's ``state`` may hold, declared per class, checked by these shared fields.

A snapshot-capable class declares ``state_schema``, a mapping from each key of its ``_state()`` to one
of the fields below, and ``_load_state(state)``, which adopts a state that passed them. The fields are
checked in declaration order, each seeing the constructor parameters and the fields already checked
(``context``), so that a length can depend on them. The state must have exactly the declared keys.

- :class:`Count`: an int (not bool) in [0, 2**53]: no count a stream can reach is larger, and every
  one converts to float64 exactly (a larger int, e.g. ``10**400``, would overflow in the statistics).
- :class:`Channels`: ``None`` before anything is learned (``n_learned == 0``), else a non-empty list of
  distinct str.
- :class:`Numbers`: a list of finite numbers of a given length (or at most a given length), optionally
  bounded below, as JSON writes them: a float, or an int within ±2**53 (a JSON writer may print
  ``1.0`` as ``1``; both are the same float64). A bool, NaN, ±inf or any other type is refused.
- :class:`ListOf`: a list of a given length of one field (e.g. one window per channel).
- :class:`Literal`: exactly one str (e.g. the name of the rule the state was learned under, so that a
  snapshot made under another rule is refused rather than restored into different scores).

Any other value raises :class:`InvalidInputError` with ``INVALID_STATE``, naming the field and what
was found (cut to a readable length, so that a hostile snapshot cannot make the message itself fail).

>>> schema = {"n_learned": Count(), "channels": Channels(), "means": Numbers(length=per_channel)}
>>> check_state(schema, {"n_learned": 2, "channels": ["load"], "means": [1]}, {}, where="state['state']")
{'n_learned': 2, 'channels': ['load'], 'means': [1.0]}
>>> check_state(schema, {"n_learned": 10**400, "channels": ["load"], "means": [1.0]}, {}, where="state['state']")
Traceback (most recent call last):
...
spotanomaly2_safe.errors.InvalidInputError: Invalid state_dict: state['state']['n_learned'] must be an int in [0, 2**53]; got 100000000000000000...000000000000000000000.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from spotanomaly2_safe.contracts import LARGEST_EXACT_INTEGER
from spotanomaly2_safe.errors import InvalidInputError, Reason, bounded_repr

__all__ = ["Channels", "Count", "ListOf", "Literal", "Numbers", "check_keys", "check_state", "invalid_state", "per_channel"]

Length = Callable[[Mapping[str, Any]], int]


def invalid_state(message: str) -> InvalidInputError:
    """The one error of a snapshot that breaks its schema."""
    return InvalidInputError(f"Invalid state_dict: {message}.", reason=Reason.INVALID_STATE)


def _require(condition: bool, where: str, expected: str, value: Any) -> None:
    if not condition:
        raise invalid_state(f"{where} must be {expected}; got {bounded_repr(value)}")


def check_keys(value: Any, expected: Any, where: str) -> dict:
    """``value`` is a dict with exactly the keys ``expected`` (any iterable of str); returns it."""
    _require(isinstance(value, dict), where, "a dict", value)
    keys = set(expected)
    unknown = [key for key in value if key not in keys]
    missing = sorted(key for key in keys if key not in value)
    if unknown or missing:
        found = f"the unknown key {bounded_repr(unknown[0])}" if unknown else f"no key {missing[0]!r}"
        raise invalid_state(f"{where} must have exactly the keys {sorted(keys)}; found {found}")
    return value


def per_channel(context: Mapping[str, Any]) -> int:
    """One entry per channel (none before learning)."""
    return len(context["channels"] or ())


@dataclass(frozen=True)
class Count:
    """An int (not bool) in [0, 2**53]."""

    def check(self, value: Any, where: str, context: Mapping[str, Any]) -> int:
        _require(type(value) is int and 0 <= value <= LARGEST_EXACT_INTEGER, where, "an int in [0, 2**53]", value)
        return value


@dataclass(frozen=True)
class Channels:
    """``None`` when the count field is 0, else a non-empty list of distinct str."""

    count: str = "n_learned"

    def check(self, value: Any, where: str, context: Mapping[str, Any]) -> list[str] | None:
        if context[self.count] == 0:
            _require(value is None, where, f"null while {self.count} is 0", value)
            return None
        is_names = isinstance(value, list) and bool(value) and all(isinstance(name, str) for name in value)
        _require(is_names and len(set(value)) == len(value), where, f"a non-empty list of distinct str once {self.count} > 0", value)
        return list(value)


def _is_number(value: Any) -> bool:
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is int and -LARGEST_EXACT_INTEGER <= value <= LARGEST_EXACT_INTEGER


@dataclass(frozen=True)
class Numbers:
    """A list of finite numbers (float, or int within ±2**53), ``length`` long or at most ``max_length``."""

    length: Length | None = None
    max_length: Length | None = None
    minimum: float | None = None

    def check(self, value: Any, where: str, context: Mapping[str, Any]) -> list[float]:
        _require(isinstance(value, list), where, "a list of numbers", value)
        if self.length is not None:
            _require(len(value) == self.length(context), where, f"a list of {self.length(context)} numbers", value)
        if self.max_length is not None:
            _require(len(value) <= self.max_length(context), where, f"a list of at most {self.max_length(context)} numbers", value)
        _require(all(_is_number(item) for item in value), where, "a list of finite numbers (float, or int within ±2**53)", value)
        numbers = [float(item) for item in value]
        if self.minimum is not None:
            _require(all(item >= self.minimum for item in numbers), where, f"a list of numbers >= {self.minimum}", value)
        return numbers


@dataclass(frozen=True)
class ListOf:
    """A list of ``length`` items, each checked by ``item``."""

    item: Any
    length: Length

    def check(self, value: Any, where: str, context: Mapping[str, Any]) -> list:
        _require(isinstance(value, list) and len(value) == self.length(context), where, f"a list of {self.length(context)} items", value)
        return [self.item.check(entry, f"{where}[{position}]", context) for position, entry in enumerate(value)]


@dataclass(frozen=True)
class Literal:
    """Exactly the str ``value``."""

    value: str

    def check(self, value: Any, where: str, context: Mapping[str, Any]) -> str:
        _require(type(value) is str and value == self.value, where, repr(self.value), value)
        return value


def check_state(schema: Mapping[str, Any], state: Any, params: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """The state checked against ``schema`` (exact keys, each field in declaration order), values converted."""
    check_keys(state, schema, where)
    context: dict[str, Any] = {"params": params}
    for key, field in schema.items():
        context[key] = field.check(state[key], f"{where}[{key!r}]", context)
    return {key: context[key] for key in schema}
