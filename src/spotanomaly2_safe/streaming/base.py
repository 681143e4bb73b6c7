# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""River's anomaly interface, natively: ``AnomalyDetector`` (learn_one, score_one) and ``AnomalyFilter``.

The one rule of a detector: a high score means anomalous. ``score_one`` is read-only; only
``learn_one`` changes state, and a rejected observation changes nothing. A filter wraps a detector
(ours or river's: anything with ``learn_one`` and ``score_one``) and adds ``classify``.

Snapshots: ``state_dict()`` returns strict JSON (``{"format", "class", "params", "state"}``, a
filter adds its detector's snapshot); :func:`spotanomaly2_safe.streaming.snapshot.restore_from_state_dict`
checks it against the schema its class declares and rebuilds the object, which then gives identical
outputs on every later call.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

from spotanomaly2_safe.errors import InvalidParameterError, Reason
from spotanomaly2_safe.parameters import InstanceOf, validate_parameters
from spotanomaly2_safe.streaming.observations import validate_score

__all__ = ["AnomalyDetector", "AnomalyFilter", "HasMethods", "SNAPSHOT_FORMAT", "SNAPSHOT_HOOKS"]

# Format 2: snapshots record the zero-spread rule (spread_rule) and the adaptive detector's n_learned;
# a format-1 snapshot was made under the float-resolution spread floor and is refused, never reinterpreted.
# Format 3: the resolution is the smallest gap at 4 significant digits (adaptive.spread, "smallest_gap_4_digits");
# a format-2 snapshot was made under the plain smallest gap and is refused, never reinterpreted.
SNAPSHOT_FORMAT = "spotanomaly2_safe.streaming/3"
SNAPSHOT_HOOKS = ("_params", "_state")


@dataclass(frozen=True)
class HasMethods:
    """Any object (not a class) with these callable methods (a parameter constraint, like scikit-learn's)."""

    methods: tuple

    def accepts(self, value: Any) -> bool:
        return not isinstance(value, type) and all(callable(getattr(value, method, None)) for method in self.methods)

    def describe(self) -> str:
        return f"an object with the methods {list(self.methods)}"


class AnomalyDetector(ABC):
    """An online anomaly detector: ``score_one(x)`` (high = anomalous, read-only) and ``learn_one(x)``.

    River's contract: a subclass that defines only ``learn_one`` and ``score_one`` works everywhere a
    detector does (in either filter, too). Snapshots need more, declared by the subclass:

    - ``_params()`` and ``_state()``, the JSON parts of :meth:`state_dict` (without them ``state_dict``
      raises ``SNAPSHOT_UNSUPPORTED`` naming the missing ones);
    - to be restorable by :func:`~spotanomaly2_safe.streaming.snapshot.restore_from_state_dict`, this
      library's classes also declare ``state_schema`` (the fields of ``_state()``, see
      :mod:`~spotanomaly2_safe.streaming.schema`) and ``_load_state(state)``, which adopts a checked state.

    >>> class DistanceToLast(AnomalyDetector):
    ...     last = 0.0
    ...     def learn_one(self, x):
    ...         self.last = x["v"]
    ...     def score_one(self, x):
    ...         return abs(x["v"] - self.last)
    >>> detector = DistanceToLast()
    >>> detector.learn_one({"v": 1.0})
    >>> detector.score_one({"v": 3.5})
    2.5
    >>> detector.state_dict()
    Traceback (most recent call last):
    ...
    spotanomaly2_safe.errors.InvalidParameterError: DistanceToLast.state_dict() needs the snapshot hooks ['_params', '_state'], ...
    """

    parameter_constraints: ClassVar[dict[str, Sequence]] = {}
    state_schema: ClassVar[Mapping[str, Any] | None] = None
    _supervised = False  # read by river's compose.Pipeline

    @abstractmethod
    def learn_one(self, x: dict) -> None:
        """Update the model with the observation ``x``; a rejected ``x`` changes nothing."""

    @abstractmethod
    def score_one(self, x: dict) -> float:
        """The anomaly score of ``x``, a finite float: high = anomalous. Changes no state."""

    def _params(self) -> dict[str, Any]:
        """The constructor parameters as JSON (a snapshot hook: subclasses that can be snapshot define it)."""
        raise self._snapshot_unsupported()

    def _state(self) -> dict[str, Any]:
        """What was learned, as JSON (a snapshot hook: subclasses that can be snapshot define it)."""
        raise self._snapshot_unsupported()

    def _snapshot_unsupported(self) -> InvalidParameterError:
        name = type(self).__name__
        missing = [hook for hook in SNAPSHOT_HOOKS if getattr(type(self), hook) is getattr(AnomalyDetector, hook)]
        return InvalidParameterError(
            f"{name}.state_dict() needs the snapshot hooks {missing}, which {name} does not define: a detector "
            "with only learn_one and score_one runs (also inside a filter) but cannot be snapshot.",
            reason=Reason.SNAPSHOT_UNSUPPORTED,
        )

    def _score_and_learner(self, *args: Any, **kwargs: Any) -> tuple[float, Callable[[], None]]:
        """The score of an observation and a function that learns it (what ``learn_one`` does).

        A filter's ``learn_one`` uses this; detectors override it to check the observation once.
        """
        return self.score_one(*args, **kwargs), lambda: self.learn_one(*args, **kwargs)

    def state_dict(self) -> dict[str, Any]:
        """A strict-JSON snapshot: restore it with ``restore_from_state_dict``."""
        return {"format": SNAPSHOT_FORMAT, "class": type(self).__name__, "params": self._params(), "state": self._state()}


def snapshot_of(detector: Any, owner: str) -> dict[str, Any]:
    """The wrapped detector's ``state_dict``, or a typed error when it is not one of ours."""
    if not isinstance(detector, AnomalyDetector):
        raise InvalidParameterError(
            f"{owner}.state_dict() cannot snapshot its anomaly_detector of type {type(detector).__name__}: only this "
            "library's detectors have a faithful state_dict. Snapshot that detector by its own means.",
            reason=Reason.SNAPSHOT_UNSUPPORTED,
        )
    return detector.state_dict()


class AnomalyFilter(ABC):
    """Wraps an anomaly detector and classifies its scores; learning protects the detector from anomalies.

    - ``score_one(*args, **kwargs)`` returns the wrapped detector's score (arguments as that detector
      takes them: ``x``, or ``x, y`` for a supervised one such as river's ``GaussianScorer``;
      positional or by keyword, as river's ``compose.Pipeline`` passes them). ``learn_one`` passes
      the same arguments to the detector's ``score_one`` and ``learn_one``.
    - ``classify(score)`` checks the score is a finite real number (a typed error otherwise: a NaN
      is never silently "normal") and applies the subclass rule ``_classify``.
    - ``learn_one(*args)`` scores, classifies, updates the detector unless
      ``protect_anomaly_detector`` is true and the observation is anomalous (river's documented rule;
      river 0.26's base class never learns when protection is off), then lets the filter learn the score.
    """

    parameter_constraints: ClassVar[dict[str, Sequence]] = {
        "anomaly_detector": [HasMethods(("learn_one", "score_one"))],
        "protect_anomaly_detector": [InstanceOf(bool)],
    }

    def __init__(self, anomaly_detector: Any, protect_anomaly_detector: bool = True, **params: Any) -> None:
        validate_parameters(
            type(self).__name__,
            self.parameter_constraints,
            {"anomaly_detector": anomaly_detector, "protect_anomaly_detector": protect_anomaly_detector, **params},
        )
        self.anomaly_detector = anomaly_detector
        self.protect_anomaly_detector = protect_anomaly_detector

    @property
    def _supervised(self) -> bool:
        return bool(getattr(self.anomaly_detector, "_supervised", False))

    def score_one(self, *args: Any, **kwargs: Any) -> float:
        """The wrapped detector's score (read-only)."""
        return self.anomaly_detector.score_one(*args, **kwargs)

    def classify(self, score: float) -> bool:
        """``True`` when ``score`` is anomalous under the subclass rule; the score must be finite."""
        return self._classify(validate_score(score))

    def detector_learns(self, anomalous: bool) -> bool:
        """The protect rule, written once: the detector learns unless protected and ``anomalous``."""
        return not (self.protect_anomaly_detector and anomalous)

    def learn_one(self, *args: Any, **kwargs: Any) -> None:
        """Score, classify, update the detector per :meth:`detector_learns`, then learn the score."""
        detector = self.anomaly_detector
        if isinstance(detector, AnomalyDetector):
            score, learn = detector._score_and_learner(*args, **kwargs)
        else:  # a foreign (e.g. river) detector
            score, learn = detector.score_one(*args, **kwargs), lambda: detector.learn_one(*args, **kwargs)
        score = validate_score(score)
        if self.detector_learns(self._classify(score)):
            learn()
        self._learn_score(score)

    def _learn_score(self, score: float) -> None:
        """Learn from a validated score (nothing by default)."""

    @abstractmethod
    def _classify(self, score: float) -> bool:
        """The rule on a validated finite score."""

    @abstractmethod
    def _params(self) -> dict[str, Any]:
        """The constructor parameters other than the detector, as JSON."""

    state_schema: ClassVar[Mapping[str, Any]] = MappingProxyType({})  # subclasses that learn declare more

    def _state(self) -> dict[str, Any]:
        return {}

    def _load_state(self, state: dict[str, Any]) -> None:
        """Adopt a state checked against ``state_schema`` (nothing to adopt by default)."""

    def state_dict(self) -> dict[str, Any]:
        """A strict-JSON snapshot of the filter and its detector (which must be one of ours)."""
        return {
            "format": SNAPSHOT_FORMAT,
            "class": type(self).__name__,
            "params": {"protect_anomaly_detector": self.protect_anomaly_detector, **self._params()},
            "state": self._state(),
            "anomaly_detector": snapshot_of(self.anomaly_detector, type(self).__name__),
        }
