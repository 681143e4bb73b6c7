# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""RobustZScorer: residuals standardized per column by the training median and MAD, then aggregated.

Fit, per column ``j`` of the training residuals: ``center_j = median``, ``scale_j`` = the first
positive value of (the zero-spread rule, recorded per column in ``fit_details()["scale_rules"]``):

1. ``"mad"``: ``scipy.stats.median_abs_deviation(scale="normal")`` (MAD x 1.4826, sigma for normal data);
2. ``"iqr"``: ``scipy.stats.iqr(scale="normal")`` (IQR / 1.349), when more than half the values tie;
3. ``"mean_absolute_deviation"``: ``mean(|r - center|) * sqrt(pi / 2)`` (sigma for normal data);
4. ``"unit"``: ``1.0`` in residual units, when the column is constant in training.

Score of a row: ``z_j = |r_j - center_j| / scale_j`` (the contributions), aggregated by
``aggregation``: ``"max"`` (default, ``max_j z_j``), ``"mean"`` (``sum_j z_j / d``) or ``"l2"``
(``sqrt(sum_j z_j**2)``). Nothing divides by zero; a z-score that overflows float64 raises
``SCORE_OVERFLOW`` (never inf). Robust to contaminated training data: up to half the rows of a column
can be anomalous before its median or MAD breaks down.

>>> import numpy as np
>>> training = np.column_stack([np.arange(101.0), np.zeros(101)])
>>> scorer = RobustZScorer().fit(training)
>>> scorer.fit_details()["scale_rules"]
['mad', 'unit']
>>> scorer.score(np.array([[50.0, 0.0], [50.0, 3.0]]))
array([0., 3.])
"""

import math
from typing import Any

import numpy as np
from scipy.stats import iqr, median_abs_deviation

from spotanomaly2_safe.parameters import Options
from spotanomaly2_safe.scoring.base import WINDOW, WINDOW_AGG, BaseScorer

__all__ = ["RobustZScorer", "ROBUST_AGGREGATIONS", "SCALE_RULES"]

ROBUST_AGGREGATIONS = ("max", "mean", "l2")
SCALE_RULES = ("mad", "iqr", "mean_absolute_deviation", "unit")


class RobustZScorer(BaseScorer):
    """Aggregate of absolute robust z-scores per column (see the module docstring)."""

    parameter_constraints = {
        "aggregation": [Options(ROBUST_AGGREGATIONS)],
        "window": WINDOW,
        "window_agg": WINDOW_AGG,
    }

    def __init__(self, aggregation: str = "max", window: int = 1, window_agg: str = "mean") -> None:
        self.aggregation = aggregation
        self.window = window
        self.window_agg = window_agg
        self._validate_parameters()

    def _fit_model(self, residuals: np.ndarray) -> None:
        self.center_ = np.median(residuals, axis=0)
        candidates = np.vstack([
            median_abs_deviation(residuals, axis=0, scale="normal"),
            iqr(residuals, axis=0, scale="normal"),
            np.mean(np.abs(residuals - self.center_), axis=0) * math.sqrt(math.pi / 2),
            np.ones(residuals.shape[1]),
        ])
        rule = np.argmax(candidates > 0, axis=0)
        self.scale_ = np.ascontiguousarray(candidates[rule, np.arange(residuals.shape[1])])
        self.scale_rules_ = [SCALE_RULES[index] for index in rule]

    def _contribution_rows(self, residuals: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.abs(residuals - self.center_) / self.scale_

    def _score_rows(self, residuals: np.ndarray) -> np.ndarray:
        z_scores = self._contribution_rows(residuals)
        with np.errstate(over="ignore"):
            if self.aggregation == "max":
                return z_scores.max(axis=1)
            if self.aggregation == "mean":
                return z_scores.sum(axis=1) / z_scores.shape[1]
            return np.linalg.norm(z_scores, ord=2, axis=1)

    def fit_details(self) -> dict[str, Any]:
        return {
            "center": self.center_.tolist(),
            "scale": self.scale_.tolist(),
            "scale_rules": self.scale_rules_,
            **super().fit_details(),
        }
