# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Online residual detectors on dicts: ``x`` maps channel names to forecast residuals.

Per channel, a centre ``c`` and a spread ``s > 0`` are learned; the channel score is the standardized
distance ``|r - c| / s``. The row score is the **max** over channels. The spread is never 0 (river's
``GaussianScorer`` scores every point as maximally anomalous when its variance is 0), and on a
quantized series (integer-valued, long constant stretches) it is never the float64 resolution either
(a one-unit step would then score about 1e15 and outrank every real anomaly): the zero-spread rule is
the data's own resolution, by the rule of :func:`spotanomaly2_safe.adaptive.spread.data_resolution`
(the batch path's, ``"smallest_gap_4_digits"``): the smallest gap between the distinct values rounded to 4
significant digits of the grid's magnitude (``grid_magnitude``: the largest |value|, with a glitch more than
1,000 times the 99th percentile of |value - median| from the median set aside unless that percentile is at
float-noise scale), so float noise on a quantized value is not taken for its grid and one glitch does not coarsen
it; or 1.0 when they round to one value only.
A score that overflows float64 raises ``SCORE_OVERFLOW``; learning a residual that overflows the
running statistics raises ``STATE_OVERFLOW``; either way nothing changes. Each snapshot records the
rule (``spread_rule``); a snapshot made under another rule is refused.

- ``GaussianResidualDetector``: ``c`` = running mean, ``s`` = running population standard deviation
  ``sqrt(M2 / n)`` over all learned residuals (Welford's update); when ``M2 == 0`` (every learned
  value equal: one distinct value) ``s = 1.0``, the resolution rule's value for one distinct value.
  Its state (``n``, mean, ``M2``) cannot tell the smallest gap of values it no longer holds, so
  once two values differ the spread is the standard deviation, however small.
- ``RobustResidualDetector``: over the last ``window_size`` residuals, ``c`` = median and
  ``s = max(MAD / Phi^-1(3/4), resolution)`` (MAD by scipy's ``median_abs_deviation(scale="normal")``;
  medians are numpy's ``quantile(..., 0.5)``), with ``resolution`` = ``data_resolution`` of the same
  window (its grid follows the window's grid magnitude, ``grid_magnitude``). The window, not all learned values: every statistic of the detector then forgets the past
  at the same rate (a change of the data's grid is followed), memory stays bounded (the smallest gap
  of all values ever learned needs all of them), and a snapshot (the windows) restores it exactly.
  Where ``MAD / Phi^-1(3/4) >= resolution`` (continuous data) the spread is the scaled MAD unchanged.

Both score 0.0 while fewer than ``grace_period`` observations are learned. The channels are fixed by
the first learned observation; later ones must have the same keys (see ``observations``).

>>> detector = GaussianResidualDetector(grace_period=2)
>>> for residual in [1.0, 3.0]:
...     detector.learn_one({"load": residual})
>>> detector.score_one({"load": 5.0}), detector.score_one({"load": 2.0})
(3.0, 0.0)

On an integer series with a constant window a one-unit step scores 1.0, not 1e15:

>>> detector = RobustResidualDetector(window_size=50, grace_period=1)
>>> for residual in [4.0] * 50:
...     detector.learn_one({"count": residual})
>>> detector.score_one({"count": 5.0}), detector.score_one({"count": 7.0})
(1.0, 3.0)
"""

import math
from abc import abstractmethod
from bisect import bisect_left, insort
from collections.abc import Callable
from statistics import NormalDist
from types import MappingProxyType
from typing import Any

import numpy as np

from spotanomaly2_safe.adaptive.spread import data_resolution, grid_magnitude, resolution_grid
from spotanomaly2_safe.errors import InvalidInputError, Reason
from spotanomaly2_safe.parameters import Interval, validate_parameters
from spotanomaly2_safe.streaming.base import AnomalyDetector
from spotanomaly2_safe.streaming.filters import linear_quantile
from spotanomaly2_safe.streaming.observations import channels_of, validate_observation
from spotanomaly2_safe.streaming.schema import Channels, Count, ListOf, Literal, Numbers, per_channel

__all__ = ["GAUSSIAN_SPREAD_RULE", "ROBUST_SPREAD_RULE", "GaussianResidualDetector", "ResidualDetector", "RobustResidualDetector"]

MAD_TO_SIGMA = 1.0 / NormalDist().inv_cdf(0.75)
GRACE_PERIOD = Interval(int, 1, None)
GAUSSIAN_SPREAD_RULE = "std; 1.0 while M2 == 0"
ROBUST_SPREAD_RULE = "max(MAD / Phi^-1(3/4); data_resolution of the window (smallest_gap_4_digits))"
ONE_VALUE_SPREAD = 1.0  # data_resolution's value for one distinct value (rule "unit")


def _gaussian_spread(square: float, count: int) -> float:
    """The Gaussian spread: ``sqrt(M2 / n)``, or 1.0 when ``M2 == 0`` (module docstring)."""
    return math.sqrt(square / count) if square > 0.0 else ONE_VALUE_SPREAD


def _exceeds_a_gap(ordered: list[float], spread: float) -> bool:
    """Whether two neighbours in the sorted window differ, on the window's resolution grid (``data_resolution``'s:
    the same ``grid_magnitude``), by a positive gap <= ``spread`` (then the smallest such gap, the resolution, is
    <= ``spread`` too, and ``max(spread, resolution)`` is ``spread``). ``round`` of a float is ``numpy.rint``'s
    rounding half to even."""
    middle = len(ordered) // 2
    magnitude = grid_magnitude(ordered) if middle else 0.0
    if magnitude == 0.0:
        return False
    grid = resolution_grid(magnitude)
    gap = (round(ordered[middle] / grid) - round(ordered[middle - 1] / grid)) * grid
    return 0.0 < gap <= spread


def _floored_at_resolution(ordered: list[list[float]], spreads: list[float]) -> list[float]:
    """``max(spread, data_resolution(window))`` per channel; the resolution is computed only where it can matter."""
    needed = [channel for channel, spread in enumerate(spreads) if not _exceeds_a_gap(ordered[channel], spread)]
    if not needed:
        return spreads
    resolutions = data_resolution(np.array([ordered[channel] for channel in needed], dtype=np.float64).T)[0]  # one window length
    floored = list(spreads)
    for channel, resolution in zip(needed, resolutions.tolist()):
        floored[channel] = max(spreads[channel], resolution)
    return floored


class ResidualDetector(AnomalyDetector):
    """Shared rules of the residual detectors: contract, grace period, max over channels, atomic learning.

    Subclasses implement ``_plan(values, channels)``: the new state with, per channel, the centre and
    the spread (or a typed error), without changing ``self``; and ``_commit(state)``, which cannot
    fail. Centres and spreads are computed once per learned observation, so scoring is a subtraction
    and a division per channel. A subclass names its zero-spread rule in ``spread_rule``, recorded in
    every snapshot.
    """

    def __init__(self, **params: Any) -> None:
        validate_parameters(type(self).__name__, self.parameter_constraints, params)
        for name, value in params.items():
            setattr(self, name, value)
        self.channels: tuple[str, ...] | None = None
        self.n_learned = 0
        self._centres: list[float] = []
        self._divisors: list[float] = []

    def score_one(self, x: dict) -> float:
        """Max over channels of ``|r - centre| / spread``; 0.0 during the grace period. Read-only."""
        return self._score_values(validate_observation(x, self.channels), x)

    def learn_one(self, x: dict) -> None:
        """Learn ``x`` atomically: validate and compute the new state first, then commit it."""
        self._commit_learn(self._plan_learn(x))

    def _score_and_learner(self, x: dict) -> tuple[float, Callable[[], None]]:
        values = validate_observation(x, self.channels)  # checked once for both
        return self._score_values(values, x), lambda: self._commit_learn(self._plan_values(values, x))

    def _score_values(self, values: list[float], x: dict) -> float:
        if self.n_learned < self.grace_period:
            return 0.0
        score = 0.0
        for value, centre, divisor in zip(values, self._centres, self._divisors):
            distance = abs(value - centre) / divisor
            if distance > score:
                score = distance
        if score == math.inf:
            raise InvalidInputError(
                f"{type(self).__name__} score overflows float64 for x={x!r}; residuals this large cannot be scored.",
                reason=Reason.SCORE_OVERFLOW,
            )
        return score

    def _plan_learn(self, x: dict) -> tuple:
        """The state after learning ``x`` (checked), without changing ``self``."""
        return self._plan_values(validate_observation(x, self.channels), x)

    def _plan_values(self, values: list[float], x: dict) -> tuple:
        channels = self.channels or channels_of(x)
        return channels, self._plan(values, channels)

    def _commit_learn(self, plan: tuple) -> None:
        self.channels, (state, self._centres, self._divisors) = plan
        self.n_learned += 1
        self._commit(state)

    def _overflow(self, channel: str) -> InvalidInputError:
        return InvalidInputError(
            f"Learning this residual overflows the running statistics of channel {channel!r}; nothing was learned.",
            reason=Reason.STATE_OVERFLOW,
        )

    @abstractmethod
    def _plan(self, values: list[float], channels: tuple[str, ...]) -> tuple[Any, list[float], list[float]]:
        """``(state, centres, spreads)`` after learning ``values``, without changing ``self``."""

    @abstractmethod
    def _commit(self, state: Any) -> None:
        """Adopt a planned state."""

    def _params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.parameter_constraints}

    spread_rule: str

    @staticmethod
    def base_state_schema(spread_rule: str) -> dict[str, Any]:
        """The fields every residual detector's state starts with: its spread rule, count and channels."""
        return {"spread_rule": Literal(spread_rule), "n_learned": Count(), "channels": Channels()}

    def _base_state(self) -> dict[str, Any]:
        return {"spread_rule": self.spread_rule, "channels": None if self.channels is None else list(self.channels), "n_learned": self.n_learned}


class GaussianResidualDetector(ResidualDetector):
    """Score = max over channels of ``|r - mean| / std`` (mean and std by Welford's update; 1.0 for std while ``M2 == 0``).

    >>> detector = GaussianResidualDetector(grace_period=1)
    >>> detector.learn_one({"load": 2.0})
    >>> detector.score_one({"load": 2.0}), detector.score_one({"load": 2.5})
    (0.0, 0.5)
    """

    parameter_constraints = {"grace_period": [GRACE_PERIOD]}
    spread_rule = GAUSSIAN_SPREAD_RULE
    state_schema = MappingProxyType({
        **ResidualDetector.base_state_schema(GAUSSIAN_SPREAD_RULE),
        "means": Numbers(length=per_channel),
        "sums_of_squares": Numbers(length=per_channel, minimum=0.0),
    })

    def __init__(self, grace_period: int = 30) -> None:
        super().__init__(grace_period=grace_period)
        self.means: list[float] = []
        self.sums_of_squares: list[float] = []

    def _plan(self, values: list[float], channels: tuple[str, ...]) -> tuple:
        count = self.n_learned + 1
        zeros = [0.0] * len(values)
        new_means, new_squares, divisors = [], [], []
        for value, mean, square in zip(values, self.means or zeros, self.sums_of_squares or zeros):
            delta = value - mean
            mean += delta / count
            square += delta * (value - mean)
            if not 0.0 <= square < math.inf:  # also false when the mean overflowed (square is then -inf or NaN)
                raise self._overflow(channels[len(new_means)])
            new_means.append(mean)
            new_squares.append(square)
            divisors.append(_gaussian_spread(square, count))
        return (new_means, new_squares), new_means, divisors

    def _commit(self, state: tuple[list[float], list[float]]) -> None:
        self.means, self.sums_of_squares = state

    def _load_state(self, state: dict[str, Any]) -> None:
        """Adopt a state checked against ``state_schema``; centres and spreads by the same code as learning."""
        channels, count, means, squares = (state[key] for key in ("channels", "n_learned", "means", "sums_of_squares"))
        self.channels = None if channels is None else tuple(channels)
        self.n_learned, self.means, self.sums_of_squares = count, means, squares
        self._centres = list(means)
        self._divisors = [_gaussian_spread(square, count) for square in squares]

    def _state(self) -> dict[str, Any]:
        return {**self._base_state(), "means": list(self.means), "sums_of_squares": list(self.sums_of_squares)}


class RobustResidualDetector(ResidualDetector):
    """Score = max over channels of ``|r - median| / max(MAD / Phi^-1(3/4), resolution)`` over a sliding window.

    >>> detector = RobustResidualDetector(window_size=5, grace_period=3)
    >>> for residual in [1.0, 2.0, 3.0, 100.0]:
    ...     detector.learn_one({"load": residual})
    >>> round(detector.score_one({"load": 2.5}), 6), detector.score_one({"load": 50.0}) > 30
    (0.0, True)
    """

    parameter_constraints = {"window_size": [Interval(int, 2, None)], "grace_period": [GRACE_PERIOD]}
    spread_rule = ROBUST_SPREAD_RULE
    state_schema = MappingProxyType({
        **ResidualDetector.base_state_schema(ROBUST_SPREAD_RULE),
        "windows": ListOf(Numbers(length=lambda context: min(context["n_learned"], context["params"]["window_size"])), length=per_channel),
    })

    def __init__(self, window_size: int = 100, grace_period: int = 30) -> None:
        super().__init__(window_size=window_size, grace_period=grace_period)
        self.windows: list[list[float]] = []
        self._sorted: list[list[float]] = []

    def _plan(self, values: list[float], channels: tuple[str, ...]) -> tuple:
        windows = self.windows or [[] for _ in values]
        plan = []
        for channel, (value, window, ordered) in enumerate(zip(values, windows, self._sorted or [[] for _ in values])):
            window, ordered = window[-(self.window_size - 1):] + [value], list(ordered)
            if len(window) <= len(ordered):
                del ordered[bisect_left(ordered, windows[channel][0])]
            insort(ordered, value)
            centre = linear_quantile(ordered, 0.5)
            spread = MAD_TO_SIGMA * linear_quantile(sorted(abs(item - centre) for item in ordered), 0.5)
            if not math.isfinite(spread):
                raise self._overflow(channels[channel])
            plan.append((window, ordered, centre, spread))
        windows, ordered, centres, spreads = (list(part) for part in zip(*plan))
        return (windows, ordered), centres, _floored_at_resolution(ordered, spreads)

    def _commit(self, state: tuple) -> None:
        self.windows, self._sorted = state

    def _state(self) -> dict[str, Any]:
        return {**self._base_state(), "windows": [list(window) for window in self.windows]}

    def _load_state(self, state: dict[str, Any]) -> None:
        """Adopt a state checked against ``state_schema`` by learning its windows in arrival order (the
        medians and MADs come from the same code as learning), then its count."""
        for row in zip(*state["windows"]):
            self.learn_one(dict(zip(state["channels"], row)))
        self.n_learned = state["n_learned"]
