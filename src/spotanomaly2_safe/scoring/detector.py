# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""QuantileAnomalyDetector: threshold = ``high_quantile`` of the training scores; flag = score > threshold.

The quantile is numpy's default (``method="linear"``, Hyndman & Fan type 7). The comparison is
strict: a score equal to the threshold is not flagged. Flags are int64 0/1.

>>> import numpy as np
>>> detector = QuantileAnomalyDetector(high_quantile=0.9).fit(np.arange(101, dtype=float))
>>> detector.threshold
90.0
>>> detector.detect(np.array([0.0, 90.0, 90.5]))
array([0, 0, 1])
"""

from abc import ABC, abstractmethod

import numpy as np

from spotanomaly2_safe.contracts import validate_array
from spotanomaly2_safe.errors import NotFittedError, Reason
from spotanomaly2_safe.parameters import Interval, validate_parameters

__all__ = ["QuantileAnomalyDetector", "ThresholdDetector"]


class ThresholdDetector(ABC):
    """The shared rule of the threshold detectors: fitted on training scores, flag = score > threshold.

    Subclasses set ``threshold`` in ``_fit`` (called on validated 1-D training scores).
    """

    threshold: float | None = None

    def fit(self, scores: np.ndarray) -> "ThresholdDetector":
        """Set ``threshold`` from a 1-D array of finite training scores; returns ``self``."""
        self._fit(validate_array(scores, name="scores", ndim=1))
        return self

    def detect(self, scores: np.ndarray) -> np.ndarray:
        """Return int64 flags: 1 where ``score > threshold``, else 0."""
        if self.threshold is None:
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        return self._detect(validate_array(scores, name="scores", ndim=1))

    @abstractmethod
    def _fit(self, scores: np.ndarray) -> None:
        """Set ``threshold`` from validated training scores."""

    def _detect(self, scores: np.ndarray) -> np.ndarray:
        return (scores > self.threshold).astype(np.int64)


class QuantileAnomalyDetector(ThresholdDetector):
    """Flags scores above the ``high_quantile`` of the training scores (see the module docstring)."""

    parameter_constraints = {"high_quantile": [Interval(float, 0.0, 1.0, closed="neither")]}

    def __init__(self, high_quantile: float = 0.99) -> None:
        self.high_quantile = high_quantile
        validate_parameters(type(self).__name__, self.parameter_constraints, {"high_quantile": high_quantile})
        self.threshold: float | None = None

    def _fit(self, scores: np.ndarray) -> None:
        self.threshold = float(np.quantile(scores, self.high_quantile))
