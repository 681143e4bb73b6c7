# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The scorers and the one registry that maps the published scorer names to them.

- ``NormScorer``: ``||r||_ord`` of the residual row ``r`` (``ord`` 1, 2 or inf); nothing is learned.
  Contributions: ``|r_j|**ord`` for ``ord`` 1 and 2 (they sum to ``score**ord``), ``|r_j|`` for inf
  (their maximum is the score).
- ``RobustZScorer``: aggregate of per-column robust z-scores (:mod:`spotanomaly2_safe.scoring.robust`).
- ``KMeansScorer``: distance to the nearest k-means centre (:mod:`spotanomaly2_safe.scoring.kmeans`).
- ``IsolationForestScorer``: ``-decision_function`` of scikit-learn's ``IsolationForest``, i.e.
  ``offset_ - score_samples(r)``; positive means scikit-learn would call the row an outlier at the
  given ``contamination``. ``contamination`` only sets that offset (a constant shift of every score),
  so it never changes the pipeline's flags, which come from ``high_quantile``. Scores may be negative.
  Contributions are not defined (:class:`NotDefinedError`): a path length through random splits
  does not decompose over columns. A training column whose residuals are all equal is refused
  (``CONSTANT_TRAINING_COLUMN``, the column named): no tree ever splits on it, so a deviation in it,
  however large, could never change a score (the other scorers react to it; see
  :mod:`spotanomaly2_safe.scoring.base`).

Every scorer takes ``window`` and ``window_agg`` (:mod:`spotanomaly2_safe.scoring.windows`).

The 0.1.0 class names (``NormAnomalyScorer``, ...) are the same classes under their old names.

>>> import numpy as np
>>> NormScorer(ord=1).fit(np.zeros((100, 2))).score(np.array([[3.0, -4.0]]))
array([7.])
"""

import math
import numbers
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest

from spotanomaly2_safe.constants import DEFAULT_RANDOM_STATE, MIN_TRAIN_SIZE
from spotanomaly2_safe.contracts import plain_value
from spotanomaly2_safe.errors import InvalidInputError, NotDefinedError, Reason
from spotanomaly2_safe.parameters import Interval, Options
from spotanomaly2_safe.scoring.base import COMPONENT_WISE, RANDOM_STATE, WINDOW, WINDOW_AGG, BaseScorer, single_threaded
from spotanomaly2_safe.scoring.kmeans import KMeansScorer
from spotanomaly2_safe.scoring.robust import RobustZScorer

__all__ = [
    "BaseScorer",
    "IsolationForestAnomalyScorer",
    "IsolationForestScorer",
    "KMeansAnomalyScorer",
    "KMeansScorer",
    "NormAnomalyScorer",
    "NormScorer",
    "RobustZScorer",
    "SCORER_REGISTRY",
]


class NormScorer(BaseScorer):
    """Score = ``numpy.linalg.norm(r, ord)`` of each residual row; scale-equivariant, nothing learned."""

    parameter_constraints = {"ord": [Options((1, 2, math.inf))], "window": WINDOW, "window_agg": WINDOW_AGG}

    def __init__(self, ord: int | float = 2, window: int = 1, window_agg: str = "mean") -> None:
        self.ord = ord
        self.window = window
        self.window_agg = window_agg
        self._validate_parameters()

    def _fit_model(self, residuals: np.ndarray) -> None:
        """Nothing to learn: the norm has no parameters fitted from data."""

    def _score_rows(self, residuals: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.linalg.norm(residuals, ord=self.ord, axis=1)

    def _contribution_rows(self, residuals: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.abs(residuals) ** (1 if self.ord == math.inf else self.ord)


class IsolationForestScorer(BaseScorer):
    """Score = ``-IsolationForest.decision_function(r)`` (see the module docstring)."""

    parameter_constraints = {
        "contamination": [Options(("auto",)), Interval(float, 0.0, 0.5, closed="right")],
        "n_estimators": [Interval(int, 1, None)],
        "max_samples": [Options(("auto",)), Interval(int, 1, None), Interval(float, 0.0, 1.0, closed="right")],
        "random_state": RANDOM_STATE,
        "window": WINDOW,
        "window_agg": WINDOW_AGG,
        "component_wise": COMPONENT_WISE,
    }

    def __init__(
        self,
        contamination: float | str = 0.1,
        n_estimators: int = 100,
        max_samples: int | float | str = "auto",
        random_state: int = DEFAULT_RANDOM_STATE,
        window: int = 1,
        component_wise: bool = False,
        window_agg: str = "mean",
    ) -> None:
        self.contamination = contamination
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.random_state = random_state
        self.window = window
        self.window_agg = window_agg
        self.component_wise = component_wise
        self._validate_parameters()

    def _minimum_model_rows(self) -> tuple[int, str]:
        if isinstance(self.max_samples, numbers.Integral) and self.max_samples > MIN_TRAIN_SIZE:
            return self.max_samples, f"max_samples={self.max_samples}"
        return super()._minimum_model_rows()

    def _refuse_training(self, residuals: np.ndarray, columns: Sequence | None) -> None:
        constant = np.flatnonzero(residuals.min(axis=0) == residuals.max(axis=0))
        if constant.size:
            position = int(constant[0])
            where = f"column {plain_value(columns[position])!r}" if columns is not None else f"column position {position}"
            raise InvalidInputError(
                f"IsolationForestScorer cannot be fitted: the training residuals of {where} are constant, so no deviation "
                "in that column could ever change a score. Drop the column, or use RobustZScorer, NormScorer or "
                "KMeansScorer, which react to it.",
                reason=Reason.CONSTANT_TRAINING_COLUMN,
            )

    def _fit_model(self, residuals: np.ndarray) -> None:
        self.isolation_forest_ = IsolationForest(
            n_estimators=self.n_estimators,
            max_samples=self.max_samples,
            contamination=self.contamination,
            random_state=self.random_state,
        )
        with single_threaded():
            self.isolation_forest_.fit(residuals)

    def _score_rows(self, residuals: np.ndarray) -> np.ndarray:
        with single_threaded():
            return -self.isolation_forest_.decision_function(residuals)

    def _contribution_rows(self, residuals: np.ndarray) -> np.ndarray:
        raise NotDefinedError(
            "Per-column contributions are not defined for IsolationForestScorer: its score is an average path "
            "length through random splits on random columns, which does not decompose over columns. Use "
            "RobustZScorer, NormScorer or KMeansScorer to explain scores.",
            reason=Reason.CONTRIBUTIONS_NOT_DEFINED,
        )

    def fit_details(self) -> dict[str, Any]:
        return {
            "offset": float(self.isolation_forest_.offset_),
            "max_samples_fitted": int(self.isolation_forest_.max_samples_),
            **super().fit_details(),
        }


SCORER_REGISTRY: MappingProxyType[str, type[BaseScorer]] = MappingProxyType({
    "KMeansScorer": KMeansScorer,
    "NormScorer": NormScorer,
    "IsolationForestScorer": IsolationForestScorer,
    "RobustZScorer": RobustZScorer,
})

KMeansAnomalyScorer = KMeansScorer
NormAnomalyScorer = NormScorer
IsolationForestAnomalyScorer = IsolationForestScorer
