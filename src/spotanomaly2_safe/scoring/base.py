# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The scorer interface: residual matrix (rows x columns) -> one score per row, higher = more anomalous.

A scorer validates its parameters when constructed and its arrays when ``fit``, ``score`` or
``contributions`` is called; the pipeline validates DataFrames itself and calls the unchecked
``_fit`` / ``_score`` / ``_contributions``.

Windows (:mod:`spotanomaly2_safe.scoring.windows`): with ``window = W > 1`` a row's score aggregates
the per-row scores of the ``W`` rows ending at it. Context rule: ``score(residuals, context)`` takes
the ``W - 1`` residual rows that precede the batch as ``context`` (exactly that many; ``None`` when
``W = 1``), and returns one score per row of ``residuals`` only. Anything else raises
:class:`InvalidInputError` (``CONTEXT_MISMATCH``). Given its context each row's score depends only on
its own window and the fitted state (batch independence); ``W = 1`` is today's per-row score, bit for bit.
Training rows are scored with the first ``W - 1`` training rows as their context, so a windowed
scorer needs ``MIN_TRAIN_SIZE + W - 1`` training rows.

Constant training columns, one rule for every scorer: a scorer either reacts to a deviation in a
column whose training residuals were constant (a jump of 1e6 there is flagged) or refuses such
training data at fit with :class:`InvalidInputError` (``CONSTANT_TRAINING_COLUMN``) naming the column.

==========================  ======================================================================
scorer                      a column constant in training
==========================  ======================================================================
``NormScorer``              reacts: the norm includes every residual, whatever training saw
``RobustZScorer``           reacts: its zero-spread rule (IQR, mean absolute deviation, then 1.0)
``KMeansScorer``            reacts: scikit-learn's ``StandardScaler`` uses scale 1 for a zero-variance
                            column, so a deviation there adds its full size to the distance
``IsolationForestScorer``   refuses: a tree never splits on a constant column, so no deviation in it
                            could ever change a score
==========================  ======================================================================

Contributions: ``contributions(residuals, context)`` returns one non-negative value per row and column
saying how much that column drove the row's score (each scorer documents its formula), aggregated over
windows like the score. A scorer where that is not defined raises :class:`NotDefinedError`.
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
from spotanomaly2_safe.scoring.windows import WINDOW_AGGREGATIONS, aggregate_windows

__all__ = ["BaseScorer", "RANDOM_STATE", "WINDOW", "WINDOW_AGG", "COMPONENT_WISE", "require_context_rows", "single_threaded"]

RANDOM_STATE = (Interval(int, 0, 2**32 - 1),)
WINDOW = (Interval(int, 1, None),)
WINDOW_AGG = (Options(WINDOW_AGGREGATIONS),)
COMPONENT_WISE = (Options((False,), note="component-wise scoring is planned for release 0.3.0"),)


def require_context_rows(owner: str, window: int, n_rows: int | None) -> None:
    """Raise ``CONTEXT_MISMATCH`` unless ``n_rows`` context rows (``None``: no context) is exactly ``window - 1``."""
    needed = window - 1
    if (n_rows is None and needed == 0) or n_rows == needed:
        return
    found = "no context" if n_rows is None else f"a context of {n_rows} rows"
    raise InvalidInputError(
        f"{owner} with window={window} needs exactly {needed} context rows (the residual rows just before the "
        f"batch{'; pass no context' if needed == 0 else ''}); got {found}.",
        reason=Reason.CONTEXT_MISMATCH,
    )


def single_threaded() -> threadpool_limits:
    """Run BLAS/OpenMP on one thread: scikit-learn's KMeans gives last-bit differences between thread counts."""
    return threadpool_limits(limits=1)


class BaseScorer(ABC):
    """Base of all scorers. Subclasses set ``parameter_constraints`` (with ``window`` and ``window_agg``)
    and implement ``_fit_model`` and ``_score_rows`` (and ``_contribution_rows`` where defined)."""

    parameter_constraints: ClassVar[dict[str, Sequence]] = {}
    window: int = 1
    window_agg: str = "mean"

    def _validate_parameters(self) -> None:
        validate_parameters(type(self).__name__, self.parameter_constraints, self.get_params())

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, by name."""
        return {name: getattr(self, name) for name in self.parameter_constraints}

    def _minimum_model_rows(self) -> tuple[int, str]:
        return MIN_TRAIN_SIZE, "MIN_TRAIN_SIZE"

    def minimum_training_rows(self) -> tuple[int, str]:
        """The fewest training rows this scorer accepts, and why."""
        rows, why = self._minimum_model_rows()
        windowed = MIN_TRAIN_SIZE + self.window - 1
        if windowed > rows:
            return windowed, f"MIN_TRAIN_SIZE + window - 1 with window={self.window}"
        return rows, why

    def inactive_parameters(self) -> list[str]:
        """Parameters that have no effect in the configured mode (listed in the fit record)."""
        return ["window_agg"] if self.window == 1 else []

    def fit_details(self) -> dict[str, Any]:
        """JSON-serializable facts learned at fit (for the fit record)."""
        return {"inactive_parameters": self.inactive_parameters()}

    def fit(self, residuals: np.ndarray) -> "BaseScorer":
        """Fit on a 2-D array of training residuals; returns ``self``."""
        min_rows, _ = self.minimum_training_rows()
        self._fit(validate_array(residuals, name="residuals", ndim=2, min_rows=min_rows))
        return self

    def score(self, residuals: np.ndarray, context: np.ndarray | None = None) -> np.ndarray:
        """Score a 2-D array of residuals with the columns seen at fit; one float64 per row.

        ``context``: the ``window - 1`` residual rows before ``residuals`` (``None`` when ``window = 1``).
        """
        residuals, context = self._checked(residuals, context)
        return self._score(residuals, context=context)

    def contributions(self, residuals: np.ndarray, context: np.ndarray | None = None) -> np.ndarray:
        """Per-row, per-column contributions (rows x columns, non-negative); context as in ``score``."""
        residuals, context = self._checked(residuals, context)
        return self._contributions(residuals, context=context)

    def _checked(self, residuals: np.ndarray, context: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        residuals = validate_array(residuals, name="residuals", ndim=2, n_columns=self.n_features_in_)
        if context is not None:
            context = validate_array(context, name="context", ndim=2, n_columns=self.n_features_in_)
        require_context_rows(type(self).__name__, self.window, None if context is None else context.shape[0])
        return residuals, context

    def _fit(self, residuals: np.ndarray, columns: Sequence | None = None) -> None:
        """Fit on validated residuals; ``columns`` (the frame's column names, if any) only name columns in errors."""
        self._refuse_training(residuals, columns)
        self._fit_model(residuals)
        self.n_features_in_ = residuals.shape[1]

    def _training_scores(self, residuals: np.ndarray, labels: Sequence | None = None) -> np.ndarray:
        """Scores of the training rows that have a full window (all rows but the first ``window - 1``)."""
        split = self.window - 1
        context = residuals[:split] if split else None
        return self._score(residuals[split:], labels=None if labels is None else labels[split:], context=context)

    def _score(self, residuals: np.ndarray, labels: Sequence | None = None, context: np.ndarray | None = None) -> np.ndarray:
        rows = residuals if context is None else np.concatenate([context, residuals])
        per_row = self._require_finite(self._score_rows(rows), labels, rows.shape[0] - residuals.shape[0], "score")
        return self._require_finite(aggregate_windows(per_row, self.window, self.window_agg), labels, 0, "windowed score")

    def _contributions(self, residuals: np.ndarray, labels: Sequence | None = None, context: np.ndarray | None = None) -> np.ndarray:
        rows = residuals if context is None else np.concatenate([context, residuals])
        per_row = self._require_finite(self._contribution_rows(rows), labels, rows.shape[0] - residuals.shape[0], "contribution")
        return self._require_finite(aggregate_windows(per_row, self.window, self.window_agg), labels, 0, "windowed contribution")

    def _require_finite(self, values: np.ndarray, labels: Sequence | None, n_context: int, what: str) -> np.ndarray:
        finite = np.isfinite(values)
        if not finite.all():
            row = int(np.argwhere(~finite)[0][0])
            if row < n_context:
                where = f"context row position {row}"
            else:
                where = f"row label {plain_value(labels[row - n_context])!r}" if labels is not None else f"row position {row - n_context}"
            raise InvalidInputError(
                f"{type(self).__name__} {what} overflows float64 at {where}; residuals this large "
                "cannot be scored (rescale the data).",
                reason=Reason.SCORE_OVERFLOW,
            )
        return values

    def _refuse_training(self, residuals: np.ndarray, columns: Sequence | None) -> None:
        """Raise when this scorer cannot learn from these training residuals (by default it always can)."""

    @abstractmethod
    def _fit_model(self, residuals: np.ndarray) -> None:
        """Learn from validated training residuals."""

    @abstractmethod
    def _score_rows(self, residuals: np.ndarray) -> np.ndarray:
        """Score validated residuals, one value per row (the ``window = 1`` score)."""

    @abstractmethod
    def _contribution_rows(self, residuals: np.ndarray) -> np.ndarray:
        """Per-row, per-column contributions of validated residuals, or :class:`NotDefinedError` saying why not."""

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.get_params().items())
        return f"{type(self).__name__}({arguments})"
