# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Restore a streaming detector or filter from its ``state_dict()`` (strict JSON).

The whole snapshot is checked against the schema its class declares before anything is built:

1. a dict with exactly the keys ``format``, ``class``, ``params``, ``state`` (a filter also
   ``anomaly_detector``), ``format`` this library's, and ``class`` one of this library's concrete
   detectors or filters that declare a ``state_schema`` (a filter's ``anomaly_detector`` must be a
   detector's snapshot: a filter never wraps a filter, so snapshots nest at most two deep);
2. ``params``: exactly the class's constructor parameters, JSON scalars, each accepted by its
   ``parameter_constraints`` (a bad value raises the constructor's :class:`InvalidParameterError`);
3. ``state``: the class's ``state_schema`` (see :mod:`~spotanomaly2_safe.streaming.schema`): exact
   keys, counts in [0, 2**53], channel names, finite numbers, list lengths consistent with the
   counts and parameters.

Anything else raises :class:`InvalidInputError` with ``INVALID_STATE`` (:class:`InputTypeError` with
``NOT_A_DICT`` when ``state`` is not a dict at all), and nothing is built or returned; the snapshot is
never modified. Then the object is constructed from ``params`` and adopts the state
(``_load_state``); should that fail (a robust window whose statistics overflow, which learning could
never have produced), the error is ``INVALID_STATE`` too.

What a snapshot covers: parameters and everything learned. Gaussian: its spread rule, channels, count,
means and sums of squared deviations. Robust: its spread rule, channels, count, and the windows in
arrival order (the medians, MADs and resolutions are recomputed from them, by the same code).
QuantileFilter: its score window (its threshold is recomputed from it, by the same code).
``AdaptiveResidualDetector`` (:mod:`spotanomaly2_safe.adaptive.streaming`): count, channels, the
training rows kept so far and the adaptive state, checked by the adaptive method's own state check
(the batch driver's) as one field of its schema. The restored object gives outputs identical to the original's
on every later call.

>>> import json
>>> from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector
>>> detector = GaussianResidualDetector(grace_period=1)
>>> detector.learn_one({"load": 1.0}); detector.learn_one({"load": 2.0})
>>> restored = restore_from_state_dict(json.loads(json.dumps(detector.state_dict(), allow_nan=False)))
>>> restored.score_one({"load": 4.0}) == detector.score_one({"load": 4.0}) == 5.0
True
"""

import inspect
from typing import Any, NamedTuple

from spotanomaly2_safe.errors import InputTypeError, Reason, SpotAnomalySafeError, bounded_repr
from spotanomaly2_safe.parameters import validate_parameters
from spotanomaly2_safe.streaming.base import SNAPSHOT_FORMAT, AnomalyDetector, AnomalyFilter
from spotanomaly2_safe.streaming.schema import check_keys, check_state, invalid_state

__all__ = ["restore_from_state_dict", "snapshot_classes"]

PACKAGE = __name__.split(".")[0]
SNAPSHOT_KEYS = ("format", "class", "params", "state")
JSON_SCALARS = (bool, int, float, str, type(None))


def snapshot_classes(base: type = object) -> dict[str, type]:
    """This library's concrete detectors and filters that declare a ``state_schema``, by name (subclasses of ``base``).

    Found by walking the subclasses of the two interfaces, so that a new class plugs in by declaring
    its schema; a class defined outside this package is never restored from a name in a snapshot.
    """
    found, pending = {}, [AnomalyDetector, AnomalyFilter]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        restorable = cls.state_schema is not None and not inspect.isabstract(cls) and issubclass(cls, base)
        if restorable and cls.__module__.startswith(f"{PACKAGE}."):
            found[cls.__name__] = cls
    return found


class _Checked(NamedTuple):
    cls: type
    params: dict[str, Any]
    state: dict[str, Any]
    anomaly_detector: "_Checked | None"


def _check_params(cls: type, params: Any, where: str) -> dict[str, Any]:
    names = [name for name in cls.parameter_constraints if name != "anomaly_detector"]
    check_keys(params, names, where)
    for name, value in params.items():
        if type(value) not in JSON_SCALARS:
            raise invalid_state(f"{where}[{name!r}] must be a JSON scalar (bool, int, float, str or null); got {bounded_repr(value)}")
    validate_parameters(cls.__name__, cls.parameter_constraints, params)
    return dict(params)


def _check(snapshot: Any, base: type, where: str) -> _Checked:
    """The whole snapshot checked against its class's schema (module docstring), nothing built."""
    if not isinstance(snapshot, dict):
        raise invalid_state(f"{where} must be a dict from state_dict(); got {bounded_repr(snapshot)}")
    if not (type(snapshot.get("format")) is str and snapshot["format"] == SNAPSHOT_FORMAT):
        raise invalid_state(f"{where}['format'] must be {SNAPSHOT_FORMAT!r}; got {bounded_repr(snapshot.get('format'))}")
    classes, name = snapshot_classes(base), snapshot.get("class")
    if not (isinstance(name, str) and name in classes):
        raise invalid_state(f"{where}['class'] must be one of {sorted(classes)}; got {bounded_repr(name)}")
    cls = classes[name]
    is_filter = issubclass(cls, AnomalyFilter)
    check_keys(snapshot, SNAPSHOT_KEYS + (("anomaly_detector",) if is_filter else ()), where)
    params = _check_params(cls, snapshot["params"], f"{where}['params']")
    state = check_state(cls.state_schema, snapshot["state"], params, where=f"{where}['state']")
    inner = _check(snapshot["anomaly_detector"], AnomalyDetector, f"{where}['anomaly_detector']") if is_filter else None
    return _Checked(cls, params, state, inner)


def _build(checked: _Checked) -> Any:
    wrapped = () if checked.anomaly_detector is None else (_build(checked.anomaly_detector),)
    model = checked.cls(*wrapped, **checked.params)
    try:
        model._load_state(checked.state)
    except SpotAnomalySafeError as error:
        raise invalid_state(f"the state of {checked.cls.__name__} cannot have been learned ({error})") from None
    return model


def restore_from_state_dict(state: Any, expected: type = object) -> Any:
    """The detector or filter that ``state_dict()`` described (checked as the module docstring says).

    ``expected``: the snapshot's class must be it or a subclass of it (a class's own ``from_state_dict``
    passes itself, so that it restores by this one mechanism and refuses another class's snapshot).
    """
    if not isinstance(state, dict):
        raise InputTypeError(f"state must be a dict from state_dict(); got {type(state).__name__}.", reason=Reason.NOT_A_DICT)
    return _build(_check(state, expected, "state"))
