# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The scorer interface: residual matrix (rows x columns) -> one score per row, higher = more anomalous.

A scorer validates its parameters when constructed and its arrays when ``fit`` or ``score`` is
called; the pipeline validates DataFrames itself and calls the unchecked ``_fit`` / ``_score``.
Each row's score depends only on that row and the fitted state (batch independence).
"""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from threadpoolctl import threadpool_limits

from spotanomaly2_safe.constants import MIN_TRAIN_SIZE
from spotanomaly2_safe.contracts import plain_value, validate_array
from spotanomaly2_safe.errors import InvalidInputError, NotFittedError, Reason
from spotanomaly2_safe.parameters import Interval, Options, validate_parameters

__all__ = ["BaseScorer", "RANDOM_STATE", "WINDOW", "COMPONENT_WISE", "single_threaded"]

RANDOM_STATE = (Interval(int, 0, 2**32 - 1),)
WINDOW = (Options((1,), note="windowed scoring, window > 1, is planned for release 0.3.0"),)
COMPONENT_WISE = (Options((False,), note="component-wise scoring is planned for release 0.3.0"),)


def single_threaded() -> threadpool_limits:
    """Run BLAS/OpenMP on one thread: scikit-learn's KMeans gives last-bit differences between thread counts."""
    return threadpool_limits(limits=1)


class BaseScorer(ABC):
    """Base of all scorers. Subclasses set ``parameter_constraints`` and implement ``_fit`` and ``_score``."""

    parameter_constraints: ClassVar[dict[str, Sequence]] = {}

    def _validate_parameters(self) -> None:
        validate_parameters(type(self).__name__, self.parameter_constraints, self.get_params())

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, by name."""
        return {name: getattr(self, name) for name in self.parameter_constraints}

    def minimum_training_rows(self) -> tuple[int, str]:
        """The fewest training rows this scorer accepts, and why."""
        return MIN_TRAIN_SIZE, "MIN_TRAIN_SIZE"

    def fit_details(self) -> dict[str, Any]:
        """JSON-serializable facts learned at fit (for the fit record)."""
        return {}

    def fit(self, residuals: np.ndarray) -> "BaseScorer":
        """Fit on a 2-D array of training residuals; returns ``self``."""
        min_rows, _ = self.minimum_training_rows()
        self._fit(validate_array(residuals, name="residuals", ndim=2, min_rows=min_rows))
        return self

    def score(self, residuals: np.ndarray) -> np.ndarray:
        """Score a 2-D array of residuals with the columns seen at fit; one float64 per row."""
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        return self._score(validate_array(residuals, name="residuals", ndim=2, n_columns=self.n_features_in_))

    def _fit(self, residuals: np.ndarray) -> None:
        self._fit_model(residuals)
        self.n_features_in_ = residuals.shape[1]

    def _score(self, residuals: np.ndarray, labels: Sequence | None = None) -> np.ndarray:
        scores = self._score_rows(residuals)
        finite = np.isfinite(scores)
        if not finite.all():
            row = int(np.flatnonzero(~finite)[0])
            where = f"row label {plain_value(labels[row])!r}" if labels is not None else f"row position {row}"
            raise InvalidInputError(
                f"{type(self).__name__} score overflows float64 at {where}; residuals this large "
                "cannot be scored (rescale the data).",
                reason=Reason.SCORE_OVERFLOW,
            )
        return scores

    @abstractmethod
    def _fit_model(self, residuals: np.ndarray) -> None:
        """Learn from validated training residuals."""

    @abstractmethod
    def _score_rows(self, residuals: np.ndarray) -> np.ndarray:
        """Score validated residuals, one value per row."""

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({arguments})"
