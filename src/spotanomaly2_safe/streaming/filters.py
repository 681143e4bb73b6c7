# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The two anomaly filters and the exact sliding-window quantile behind ``QuantileFilter``.

- ``ThresholdFilter``: anomalous when ``score >= threshold`` (river's comparison; equality is anomalous).
- ``QuantileFilter``: anomalous when ``score > quantile``, the ``q``-quantile of the last
  ``window_size`` scores learned (equality is normal, as in the batch pipeline's ``score > threshold``,
  so a constant stream of scores never raises alarms). Before any score is learned the threshold is
  ``math.inf``: nothing is anomalous during that warm-up. The rule keys on the window being empty,
  never on the quantile's value (river's ``quantile or math.inf`` treats a quantile of 0.0 as missing).

The quantile is exact over a bounded window, not an approximation (river uses P² over all history):
the window is kept sorted (``bisect``), so an update costs O(log n) comparisons plus one list move,
and the value is numpy's default ``method="linear"`` quantile of the window, bit for bit.

River's score-classify-learn loop:

>>> import random
>>> from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector
>>> rng = random.Random(7)
>>> model = QuantileFilter(GaussianResidualDetector(), q=0.99)
>>> for _ in range(500):
...     x = {"load": rng.gauss(0.0, 1.0)}
...     is_anomaly = model.classify(model.score_one(x))
...     model.learn_one(x)
>>> model.classify(model.score_one({"load": 6.0})), model.classify(model.score_one({"load": 0.1}))
(True, False)
"""

import math
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable
from types import MappingProxyType
from typing import Any

from spotanomaly2_safe.parameters import Interval
from spotanomaly2_safe.streaming.base import AnomalyFilter
from spotanomaly2_safe.streaming.schema import Numbers

__all__ = ["QuantileFilter", "SlidingQuantile", "ThresholdFilter", "linear_quantile"]

FINITE_FLOAT = Interval(float, -math.inf, math.inf, closed="neither")


class ThresholdFilter(AnomalyFilter):
    """Anomalous when ``score >= threshold`` (a finite float).

    >>> from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector
    >>> model = ThresholdFilter(GaussianResidualDetector(), threshold=3.0)
    >>> model.classify(3.0), model.classify(2.999)
    (True, False)
    """

    parameter_constraints = {**AnomalyFilter.parameter_constraints, "threshold": [FINITE_FLOAT]}

    def __init__(self, anomaly_detector: Any, threshold: float, protect_anomaly_detector: bool = True) -> None:
        super().__init__(anomaly_detector, protect_anomaly_detector, threshold=threshold)
        self.threshold = float(threshold)

    def _classify(self, score: float) -> bool:
        return score >= self.threshold

    def _params(self) -> dict[str, Any]:
        return {"threshold": self.threshold}


def _interpolation_point(count: int, q: float) -> tuple[int, float]:
    position = (count - 1) * q
    lower = math.floor(position)
    return lower, position - lower


def _interpolate(ordered: list[float], lower: int, gamma: float) -> float:
    if lower >= len(ordered) - 1:
        return ordered[-1]
    low, high = ordered[lower], ordered[lower + 1]
    difference = high - low
    return high - difference * (1 - gamma) if gamma >= 0.5 else low + difference * gamma


def linear_quantile(ordered: list[float], q: float) -> float:
    """The ``q``-quantile of the sorted non-empty list ``ordered``, exactly as ``numpy.quantile(ordered, q)``.

    With ``n`` values: ``h = (n - 1) * q``, ``i = floor(h)``, ``g = h - i``; the quantile is
    ``ordered[n-1]`` when ``i >= n - 1``, else numpy's ``_lerp`` of ``a = ordered[i]`` and
    ``b = ordered[i+1]``: ``a + (b - a) * g`` when ``g < 0.5``, ``b - (b - a) * (1 - g)`` otherwise.

    >>> linear_quantile([1.0, 2.0, 4.0, 8.0], 0.5)
    3.0
    """
    return _interpolate(ordered, *_interpolation_point(len(ordered), q))


class SlidingQuantile:
    """The exact ``q``-quantile (:func:`linear_quantile`) of the last ``window_size`` values.

    ``get`` returns ``None`` while empty (computed once per update). Values are assumed finite (the filter
    checks them).

    >>> window = SlidingQuantile(q=0.5, window_size=3)
    >>> for value in [5.0, 1.0, 3.0, 10.0]:
    ...     window.update(value)
    >>> window.values(), window.get()
    ([1.0, 3.0, 10.0], 3.0)
    """

    def __init__(self, q: float, window_size: int, values: Iterable[float] = ()) -> None:
        self.q = q
        self.window_size = window_size
        self._arrivals: deque[float] = deque()
        self._sorted: list[float] = []
        self._quantile: float | None = None
        for value in values:
            self.update(value)

    def update(self, value: float) -> None:
        """Add ``value``; drop the oldest value when the window is full."""
        ordered = self._sorted
        if len(ordered) == self.window_size:
            del ordered[bisect_left(ordered, self._arrivals.popleft())]
        else:  # the window grows: move the interpolation point (fixed once the window is full)
            self._point = _interpolation_point(len(ordered) + 1, self.q)
        self._arrivals.append(value)
        insort(ordered, value)
        self._quantile = _interpolate(ordered, *self._point)

    def get(self) -> float | None:
        """The quantile of the window, or ``None`` when it is empty."""
        return self._quantile

    def values(self) -> list[float]:
        """The window in arrival order (oldest first)."""
        return list(self._arrivals)


class QuantileFilter(AnomalyFilter):
    """Anomalous when ``score > threshold()``: the ``q``-quantile of the last ``window_size`` learned scores.

    ``learn_one`` adds the score (computed before the detector learns) to the window whatever the
    classification, as river's ``QuantileFilter`` does.

    >>> from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector
    >>> model = QuantileFilter(GaussianResidualDetector(grace_period=10), q=0.5, window_size=10)
    >>> model.threshold()
    inf
    >>> for value in [1.0, 2.0, 4.0]:
    ...     model.learn_one({"load": value})
    >>> model.threshold(), model.classify(0.0), model.classify(0.1)
    (0.0, False, True)
    """

    parameter_constraints = {
        **AnomalyFilter.parameter_constraints,
        "q": [Interval(float, 0.0, 1.0, closed="both")],
        "window_size": [Interval(int, 1, None)],
    }
    state_schema = MappingProxyType({"scores": Numbers(max_length=lambda context: context["params"]["window_size"])})

    def __init__(self, anomaly_detector: Any, q: float, window_size: int = 1000, protect_anomaly_detector: bool = True) -> None:
        super().__init__(anomaly_detector, protect_anomaly_detector, q=q, window_size=window_size)
        self.q = float(q)
        self.window_size = window_size
        self.scores = SlidingQuantile(self.q, window_size)
        self._threshold = math.inf  # until the first score is learned: nothing is anomalous

    def threshold(self) -> float:
        """The current quantile of learned scores; ``math.inf`` before any score is learned."""
        return self._threshold

    def _classify(self, score: float) -> bool:
        return score > self._threshold

    def _learn_score(self, score: float) -> None:
        self.scores.update(score)
        self._threshold = self.scores.get()

    def _params(self) -> dict[str, Any]:
        return {"q": self.q, "window_size": self.window_size}

    def _state(self) -> dict[str, Any]:
        return {"scores": self.scores.values()}

    def _load_state(self, state: dict[str, Any]) -> None:
        """Adopt a checked score window: each score is learned as ``learn_one`` learns it, threshold included."""
        for score in state["scores"]:
            self._learn_score(score)
