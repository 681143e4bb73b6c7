# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""ScoreNormalizer: a monotone map of raw scores into [0, 1], fitted on training scores only.

Fit stores ``q_low`` and ``q_high``, the ``1 - normalization_quantile`` and ``normalization_quantile``
quantiles of the training scores, and a positive ``spread``. Transform, per score ``s``:

- ``method="rational"`` (default): ``u = max(s - q_low, 0) / spread``, normalized ``= 1 - 1 / (1 + u)``.
  ``q_low`` maps to 0, ``q_low + spread`` to 0.5; it approaches 1 without clipping, so extreme scores
  keep their order (no tie at 1.0 short of float64 rounding). ``spread = q_high - q_low``.
- ``method="threshold_anchored"``: ``(s - q_low) / spread`` clipped to [0, 1] with
  ``spread = threshold - q_low``, so 1.0 means "at or above the alarm threshold" (the rescaling the
  ``spotanomaly2`` wrapper applies by hand). Clipping ties every score at or above the threshold.

Zero-spread rule: when that spread is not positive (constant or very concentrated training scores),
``spread = max(train) - min(train)``; when that is zero too, ``spread = 1.0`` (in score units). The
rule used is recorded as ``spread_rule``.

>>> import numpy as np
>>> normalizer = ScoreNormalizer(normalization_quantile=0.9).fit(np.linspace(0.0, 10.0, 101))
>>> normalizer.q_low, normalizer.q_high
(1.0, 9.0)
>>> normalizer.transform(np.array([0.0, 1.0, 9.0, 1e6]))
array([0.  , 0.  , 0.5 , 0.99999...])
"""

import numpy as np

from spotanomaly2_safe.contracts import validate_array
from spotanomaly2_safe.errors import InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe.parameters import Interval, Options, validate_parameters

__all__ = ["ScoreNormalizer", "NORMALIZATION_METHODS"]

NORMALIZATION_METHODS = ("rational", "threshold_anchored")


class ScoreNormalizer:
    """Monotone map of raw scores into [0, 1] (see the module docstring)."""

    parameter_constraints = {
        "normalization_quantile": [Interval(float, 0.5, 1.0, closed="neither")],
        "method": [Options(NORMALIZATION_METHODS)],
    }

    def __init__(self, normalization_quantile: float = 0.99, method: str = "rational") -> None:
        self.normalization_quantile = normalization_quantile
        self.method = method
        validate_parameters(type(self).__name__, self.parameter_constraints, {"normalization_quantile": normalization_quantile, "method": method})
        self.q_low: float | None = None
        self.q_high: float | None = None
        self.spread: float | None = None
        self.spread_rule: str | None = None

    @property
    def is_fitted(self) -> bool:
        """Whether ``fit`` has run (kept from 0.1.0)."""
        return self.spread is not None

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

    def _fit(self, scores: np.ndarray, threshold: float | None) -> None:
        self.q_low = float(np.quantile(scores, 1.0 - self.normalization_quantile))
        self.q_high = float(np.quantile(scores, self.normalization_quantile))
        if self.method == "rational":
            primary = ("quantile_range", self.q_high - self.q_low)
        else:
            primary = ("threshold", threshold - self.q_low)
        candidates = [primary, ("full_range", float(scores.max() - scores.min())), ("unit", 1.0)]
        self.spread_rule, self.spread = next((rule, value) for rule, value in candidates if value > 0)

    def _transform(self, scores: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            scaled = (scores - self.q_low) / self.spread
        if self.method == "threshold_anchored":
            return np.clip(scaled, 0.0, 1.0)
        return 1.0 - 1.0 / (1.0 + np.maximum(scaled, 0.0))
