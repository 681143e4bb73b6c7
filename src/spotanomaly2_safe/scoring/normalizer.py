# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""ScoreNormalizer: a monotone map of raw scores into [0, 1], fitted on training scores only.

Fit stores ``q_low`` and ``q_high``, the ``1 - normalization_quantile`` and ``normalization_quantile``
quantiles of the training scores, and a positive ``spread``. Transform, per score ``s``:

- ``method="rational"`` (default): ``u = max(s - q_low, 0) / spread``, normalized ``= 1 - 1 / (1 + u)``
  for ``u <= B = 2**20``. ``q_low`` maps to 0, ``q_low + spread`` to 0.5. ``spread = q_high - q_low``.
  Beyond ``B`` that formula rounds to exactly 1.0 from ``u`` about 1e16 on, tying extreme rows, so it
  continues on the log scale: ``1 - (1 / (1 + B)) / (1 + ln(u / B))``, with ``ln(u)`` computed from
  logarithms so that it stays finite for every finite score. The map is monotone (a larger score never
  gets a smaller value), every value is below 1, and two scores at or above ``q_high`` whose excesses
  ``s - q_low`` differ by a factor of at least 1.001 always get distinct values, up to the largest float64.
- ``method="threshold_anchored"``: ``(s - q_low) / spread`` clipped to [0, 1] with
  ``spread = threshold - q_low``, so 1.0 means "at or above the alarm threshold" (the rescaling the
  ``spotanomaly2`` wrapper applies by hand). Clipping ties every score at or above the threshold.
- ``method="tail_probability"``: a calibrated score. ``P = P(S > s)``, the exceedance probability of
  ``s`` under the generalized Pareto tail of the training scores above their ``tail_quantile``
  (:mod:`spotanomaly2_safe.scoring.tail`, computed on the log scale with ``genpareto.logsf``), then
  ``L = -log10(P)`` and normalized ``= L / (1 + L)``: ``P = 0.1`` maps to 0.5, ``1e-4`` to 0.8, ``1e-9``
  to 0.9. It is the same function of ``P`` for every column, scorer and system, strictly increasing
  in the score above ``u`` (also past a fitted tail's finite end point, where the log probability is
  continued linearly) and never clipped, so extreme rows keep their order. Below ``u`` it follows the
  empirical survival of the training scores (a step function). ``normalization_quantile`` still sets
  the recorded ``q_low``/``q_high`` but not the transform; with the other methods ``tail_quantile`` is
  unused. The unused one is listed in ``inactive_parameters``.

Zero-spread rule: when that spread is not positive (constant or very concentrated training scores),
``spread = max(train) - min(train)``; when that is zero too, ``spread = 1.0`` (in score units). The
rule used is recorded as ``spread_rule``.

>>> import numpy as np
>>> normalizer = ScoreNormalizer(normalization_quantile=0.9).fit(np.linspace(0.0, 10.0, 101))
>>> normalizer.q_low, normalizer.q_high
(1.0, 9.0)
>>> normalizer.transform(np.array([0.0, 1.0, 9.0, 1e6]))
array([0.  , 0.  , 0.5 , 0.99999...])
>>> normalizer.transform(np.array([1e17, 1e30, 1e300])) < 1.0
array([ True,  True,  True])
"""

import math

import numpy as np

from spotanomaly2_safe.contracts import validate_array
from spotanomaly2_safe.errors import InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe.parameters import Interval, Options, validate_parameters
from spotanomaly2_safe.scoring.pot import TAIL_QUANTILE
from spotanomaly2_safe.scoring.tail import Tail, fit_tail, log_exceedance_probability

__all__ = ["ScoreNormalizer", "NORMALIZATION_METHODS", "RATIONAL_LOG_START"]

NORMALIZATION_METHODS = ("rational", "threshold_anchored", "tail_probability")
RATIONAL_LOG_START = 2.0**20  # B: the "rational" map continues on the log scale beyond u = B


class ScoreNormalizer:
    """Monotone map of raw scores into [0, 1] (see the module docstring)."""

    parameter_constraints = {
        "normalization_quantile": [Interval(float, 0.5, 1.0, closed="neither")],
        "method": [Options(NORMALIZATION_METHODS)],
        "tail_quantile": TAIL_QUANTILE,
    }

    def __init__(self, normalization_quantile: float = 0.99, method: str = "rational", tail_quantile: float = 0.98) -> None:
        self.normalization_quantile = normalization_quantile
        self.method = method
        self.tail_quantile = tail_quantile
        validate_parameters(
            type(self).__name__,
            self.parameter_constraints,
            {"normalization_quantile": normalization_quantile, "method": method, "tail_quantile": tail_quantile},
        )
        self.q_low: float | None = None
        self.q_high: float | None = None
        self.spread: float | None = None
        self.spread_rule: str | None = None
        self.tail: Tail | None = None

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has run (kept from 0.1.0)."""
        return self.q_low is not None

    def inactive_parameters(self) -> list[str]:
        """The parameter the configured method does not use (listed in the fit record)."""
        return ["normalization_quantile"] if self.method == "tail_probability" else ["tail_quantile"]

    def fit(self, scores: np.ndarray, threshold: float | None = None) -> "ScoreNormalizer":
        """Fit on 1-D training scores; ``threshold`` is required (and only used) by ``"threshold_anchored"``."""
        if (threshold is None) == (self.method == "threshold_anchored"):
            raise InvalidParameterError(
                f"ScoreNormalizer(method={self.method!r}).fit takes a threshold only with method='threshold_anchored'; "
                f"got threshold={threshold!r}.",
                reason=Reason.INVALID_PARAMETER,
            )
        self._fit(validate_array(scores, name="scores", ndim=1), threshold)
        return self

    def transform(self, scores: np.ndarray) -> np.ndarray:
        """Map 1-D scores into [0, 1] with the fitted bounds."""
        if not self.is_fitted:
            raise NotFittedError("This ScoreNormalizer is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        return self._transform(validate_array(scores, name="scores", ndim=1))

    def _fit(self, scores: np.ndarray, threshold: float | None, tail: Tail | None = None) -> None:
        q_low = float(np.quantile(scores, 1.0 - self.normalization_quantile))
        q_high = float(np.quantile(scores, self.normalization_quantile))
        if self.method == "tail_probability":
            self.tail = fit_tail(scores, self.tail_quantile) if tail is None else tail
            self.q_low, self.q_high = q_low, q_high
            return
        self.q_low, self.q_high = q_low, q_high
        if self.method == "rational":
            primary = ("quantile_range", q_high - q_low)
        else:
            primary = ("threshold", threshold - q_low)
        candidates = [primary, ("full_range", float(scores.max() - scores.min())), ("unit", 1.0)]
        self.spread_rule, self.spread = next((rule, value) for rule, value in candidates if value > 0)

    def _transform(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "tail_probability":
            surprise = log_exceedance_probability(self.tail, scores) / -math.log(10.0) + 0.0  # -log10(P); + 0.0 turns -0.0 into 0.0
            return surprise / (1.0 + surprise)
        with np.errstate(over="ignore"):
            scaled = (scores - self.q_low) / self.spread
        if self.method == "threshold_anchored":
            return np.clip(scaled, 0.0, 1.0)
        return self._rational(scores, np.maximum(scaled, 0.0))

    def _rational(self, scores: np.ndarray, scaled: np.ndarray) -> np.ndarray:
        normalized = 1.0 - 1.0 / (1.0 + scaled)
        extreme = scaled > RATIONAL_LOG_START  # also where scaled overflowed to inf
        if extreme.any():
            # ln(u / B) from logarithms: halving first keeps s - q_low finite for any finite s and q_low.
            excess = np.log(scores[extreme] / 2.0 - self.q_low / 2.0) + math.log(2.0)
            log_ratio = np.maximum(excess - math.log(self.spread) - math.log(RATIONAL_LOG_START), 0.0)
            normalized[extreme] = 1.0 - (1.0 / (1.0 + RATIONAL_LOG_START)) / (1.0 + log_ratio)
        return normalized
