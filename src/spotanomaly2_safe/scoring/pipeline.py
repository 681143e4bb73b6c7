# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""ForecastingAnomalyDetector: residuals ``y_true - y_pred`` -> scorer -> threshold (+ normalizer).

fit: validate the training frames, fit the scorer on the training residuals, score them (with a
``window > 1``, all rows but the first ``window - 1``, which are their context), set the threshold
and, when ``normalize_scores``, fit the normalizer on them. Nothing is fitted on test data. A failed
fit leaves the detector as it was. Threshold, by ``threshold_method``:

- ``"quantile"`` (default, as 0.1.0): the ``high_quantile`` of the training scores
  (:class:`QuantileAnomalyDetector`);
- ``"pot"``: peaks over threshold, the score whose per-row false-alarm probability under the
  generalized Pareto tail above the ``tail_quantile`` is ``risk`` (:class:`PeaksOverThresholdDetector`);
  the tail (``u``, ``xi``, ``sigma``, ``n_exceedances``) is in ``fit_record_["tail"]``.

score_and_detect: validate the test frames against the fit, then per row: ``anomaly_score``,
``anomaly_score_normalized`` (when normalizing) and ``anomaly_flag`` = ``anomaly_score > threshold``,
indexed exactly like the test input. With ``window > 1`` pass the ``window - 1`` rows just before the
batch as ``context_true`` / ``context_pred`` (validated like the test frames; the same index type and
timezone as the batch, every label strictly earlier than the first batch label, and training rows,
context and batch in strictly increasing label order: :func:`~spotanomaly2_safe.scoring.windows.require_window_labels`);
given its context a row's outputs depend only on its own window (batch independent).
When ``min_duration`` or ``min_gap`` is set, ``flags_df`` gets an ``alarm`` column
(:func:`spotanomaly2_safe.alarms.postprocess_flags` applied to this batch's flags from the quiet state:
not batch independent); ``anomaly_flag`` is unchanged. ``explain`` returns per-column contributions.
Parameters a configuration does not use are listed in ``fit_record_["inactive_parameters"]``.

``scorer_params`` must hold only parameters of the chosen scorer. A shared dict holding the keys of
every registered scorer is accepted with ``drop_foreign_scorer_params=True``: keys of *other*
registered scorers are dropped and listed in ``fit_record_["dropped_scorer_parameters"]``; a key that
no scorer takes is always an error.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> y_true = pd.DataFrame({"load": rng.normal(size=300)})
>>> y_pred = pd.DataFrame({"load": np.zeros(300)})
>>> detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(y_true, y_pred)
>>> scores, flags = detector.score_and_detect(pd.DataFrame({"load": [0.1, 9.0]}), pd.DataFrame({"load": [0.0, 0.0]}))
>>> flags["anomaly_flag"].tolist()
[0, 1]
"""

from typing import Any

import numpy as np
import pandas as pd

from spotanomaly2_safe.alarms import ALARM_PARAMETERS, postprocess_flags
from spotanomaly2_safe.contracts import ForecastResiduals, plain_value, validate_frames
from spotanomaly2_safe.errors import InvalidInputError, InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe.parameters import InstanceOf, Options, did_you_mean, reject_unknown_parameters, validate_parameters
from spotanomaly2_safe.scoring.base import require_context_rows
from spotanomaly2_safe.scoring.detector import QuantileAnomalyDetector
from spotanomaly2_safe.scoring.fit_record import build_fit_record
from spotanomaly2_safe.scoring.normalizer import NORMALIZATION_METHODS, ScoreNormalizer
from spotanomaly2_safe.scoring.pot import RISK, TAIL_QUANTILE, PeaksOverThresholdDetector
from spotanomaly2_safe.scoring.scorers import SCORER_REGISTRY, BaseScorer
from spotanomaly2_safe.scoring.windows import require_increasing_labels, require_window_labels
from spotanomaly2_safe.streaming.observations import validate_observation

__all__ = ["ForecastingAnomalyDetector", "THRESHOLD_METHODS"]

THRESHOLD_METHODS = ("quantile", "pot")


def _scorer_from_name(name: str, params: dict, drop_foreign: bool) -> tuple[BaseScorer, list[str]]:
    scorer_class = SCORER_REGISTRY[name]
    own = set(scorer_class.parameter_constraints)
    every = set().union(*(cls.parameter_constraints for cls in SCORER_REGISTRY.values()))
    reject_unknown_parameters(f"{name} (via scorer_params)", every, params)
    foreign = sorted(set(params) - own)
    if foreign and not drop_foreign:
        raise InvalidParameterError(
            f"scorer_params {foreign} belong to other scorers, not {name} (which takes {sorted(own)}). Remove them, "
            "or pass drop_foreign_scorer_params=True to drop keys of other scorers (they are listed in the fit record).",
            reason=Reason.FOREIGN_PARAMETER,
        )
    return scorer_class(**{key: value for key, value in params.items() if key in own}), foreign


class ForecastingAnomalyDetector:
    """Scores forecast residuals, thresholds and normalizes them (see the module docstring)."""

    parameter_constraints = {
        "scorer_name": [Options(tuple(SCORER_REGISTRY)), InstanceOf(BaseScorer)],
        "scorer_params": [InstanceOf(dict), Options((None,))],
        "high_quantile": QuantileAnomalyDetector.parameter_constraints["high_quantile"],
        "normalize_scores": [InstanceOf(bool)],
        "normalization_quantile": ScoreNormalizer.parameter_constraints["normalization_quantile"],
        "normalization": [Options(NORMALIZATION_METHODS)],
        "drop_foreign_scorer_params": [InstanceOf(bool)],
        "threshold_method": [Options(THRESHOLD_METHODS)],
        "risk": RISK,
        "tail_quantile": TAIL_QUANTILE,
        "min_duration": [*ALARM_PARAMETERS["min_duration"], Options((None,))],
        "min_gap": [*ALARM_PARAMETERS["min_gap"], Options((None,))],
    }

    def __init__(
        self,
        scorer_name: str | BaseScorer = "KMeansScorer",
        scorer_params: dict[str, Any] | None = None,
        high_quantile: float = 0.99,
        normalize_scores: bool = True,
        normalization_quantile: float = 0.99,
        normalization: str = "rational",
        drop_foreign_scorer_params: bool = False,
        threshold_method: str = "quantile",
        risk: float = 1e-4,
        tail_quantile: float = 0.98,
        min_duration: int | None = None,
        min_gap: int | None = None,
    ) -> None:
        if isinstance(scorer_name, str) and scorer_name not in SCORER_REGISTRY:
            raise InvalidParameterError(
                f"Unknown scorer_name {scorer_name!r}; the registered scorers are {sorted(SCORER_REGISTRY)}."
                f"{did_you_mean(scorer_name, SCORER_REGISTRY)}",
                reason=Reason.UNKNOWN_SCORER,
            )
        arguments = dict(locals())
        validate_parameters("ForecastingAnomalyDetector", self.parameter_constraints, {name: arguments[name] for name in self.parameter_constraints})
        self.scorer_name = scorer_name
        self.scorer_params = dict(scorer_params) if scorer_params is not None else {}
        self.high_quantile = high_quantile
        self.normalize_scores = normalize_scores
        self.normalization_quantile = normalization_quantile
        self.normalization = normalization
        self.drop_foreign_scorer_params = drop_foreign_scorer_params
        self.threshold_method = threshold_method
        self.risk = risk
        self.tail_quantile = tail_quantile
        self.min_duration = min_duration
        self.min_gap = min_gap
        self.scorer, self.dropped_scorer_params = self._new_scorer()
        self.detector = self._new_detector()
        self.normalizer = self._new_normalizer()

    def _new_scorer(self) -> tuple[BaseScorer, list[str]]:
        if isinstance(self.scorer_name, BaseScorer):
            if self.scorer_params:
                raise InvalidParameterError(
                    "scorer_params must be empty when scorer_name is a scorer instance; configure the instance instead.",
                    reason=Reason.INVALID_PARAMETER,
                )
            return type(self.scorer_name)(**self.scorer_name.get_params()), []
        return _scorer_from_name(self.scorer_name, self.scorer_params, self.drop_foreign_scorer_params)

    def _new_detector(self) -> QuantileAnomalyDetector | PeaksOverThresholdDetector:
        if self.threshold_method == "pot":
            return PeaksOverThresholdDetector(risk=self.risk, tail_quantile=self.tail_quantile)
        return QuantileAnomalyDetector(high_quantile=self.high_quantile)

    def _new_normalizer(self) -> ScoreNormalizer | None:
        if not self.normalize_scores:
            return None
        return ScoreNormalizer(self.normalization_quantile, self.normalization, self.tail_quantile)

    def inactive_parameters(self) -> list[str]:
        """Constructor parameters that have no effect in this configuration (listed in the fit record)."""
        pot = self.threshold_method == "pot"
        tail_used = pot or (self.normalize_scores and self.normalization == "tail_probability")
        inactive = ["high_quantile"] if pot else ["risk"]
        inactive += [] if tail_used else ["tail_quantile"]
        inactive += [] if self.normalize_scores else ["normalization_quantile", "normalization"]
        return inactive

    def alarm_settings(self) -> dict[str, int] | None:
        """The resolved alarm post-processing (``None`` when neither ``min_duration`` nor ``min_gap`` is set)."""
        if self.min_duration is None and self.min_gap is None:
            return None
        return {"min_duration": 1 if self.min_duration is None else self.min_duration, "min_gap": self.min_gap or 0}

    def fit(self, y_true_train: pd.DataFrame, y_pred_train: pd.DataFrame) -> "ForecastingAnomalyDetector":
        """Fit scorer, threshold and normalizer on the training frames; returns ``self``."""
        scorer, _ = self._new_scorer()
        min_rows, why = scorer.minimum_training_rows()
        train = validate_frames(y_true_train, y_pred_train, min_rows=min_rows, min_rows_reason=why, stage="train")
        require_increasing_labels("y_true_train", train.index, scorer.window)
        scorer._fit(train.residuals, train.columns)
        train_scores = scorer._training_scores(train.residuals, labels=train.index)
        detector, normalizer = self._new_detector(), self._new_normalizer()
        detector._fit(train_scores)
        if normalizer is not None:
            threshold = detector.threshold if self.normalization == "threshold_anchored" else None
            normalizer._fit(train_scores, threshold, getattr(detector, "tail", None))
        self.scorer, self.detector, self.normalizer = scorer, detector, normalizer
        self.columns_ = train.columns
        self.fit_record_ = build_fit_record(self, train.residuals)
        return self

    def _validated_test(self, y_true, y_pred, context_true, context_pred) -> tuple[ForecastResiduals, np.ndarray | None]:
        if not hasattr(self, "fit_record_"):
            raise NotFittedError("This ForecastingAnomalyDetector is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        test = validate_frames(y_true, y_pred, fitted_columns=self.columns_, stage="test")
        if (context_true is None) != (context_pred is None):
            raise InvalidInputError(
                "context_true and context_pred must be passed together (or both left out).", reason=Reason.CONTEXT_MISMATCH
            )
        if context_true is None:
            require_context_rows("ForecastingAnomalyDetector", self.scorer.window, None)
            return test, None
        context = validate_frames(context_true, context_pred, fitted_columns=self.columns_, stage="context")
        require_context_rows("ForecastingAnomalyDetector", self.scorer.window, len(context.index))
        shared = context.index[context.index.isin(test.index)]
        if len(shared):
            raise InvalidInputError(
                f"context row label {plain_value(shared[0])!r} is also a test row label; the context must be the rows "
                "before the batch, not part of it.",
                reason=Reason.DUPLICATE_INDEX,
            )
        require_window_labels(context.index, test.index, self.scorer.window)
        return test, context.residuals

    def score_and_detect(
        self,
        y_true_test: pd.DataFrame,
        y_pred_test: pd.DataFrame,
        context_true: pd.DataFrame | None = None,
        context_pred: pd.DataFrame | None = None,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return ``(scores_df, flags_df)`` for the test frames, indexed like ``y_true_test``."""
        test, context = self._validated_test(y_true_test, y_pred_test, context_true, context_pred)
        scores = self.scorer._score(test.residuals, labels=test.index, context=context)
        scores_df = pd.DataFrame({"anomaly_score": scores}, index=test.index)
        if self.normalizer is not None:
            scores_df["anomaly_score_normalized"] = self.normalizer._transform(scores)
        flags = self.detector._detect(scores)
        flags_df = pd.DataFrame({"anomaly_flag": flags}, index=test.index)
        settings = self.alarm_settings()
        if settings is not None:
            flags_df["alarm"] = postprocess_flags(flags, **settings)
        return scores_df, flags_df

    def explain(
        self,
        y_true: pd.DataFrame,
        y_pred: pd.DataFrame,
        context_true: pd.DataFrame | None = None,
        context_pred: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Per-column contributions to each row's score (the scorer's documented formula), indexed like ``y_true``.

        Raises :class:`NotDefinedError` for a scorer without contributions (IsolationForestScorer).
        """
        test, context = self._validated_test(y_true, y_pred, context_true, context_pred)
        contributions = self.scorer._contributions(test.residuals, labels=test.index, context=context)
        return pd.DataFrame(contributions, index=test.index, columns=y_true.columns)

    def score_one(self, x: dict) -> float:
        """The ``anomaly_score`` of one row given as a dict: fitted column -> residual ``y_true - y_pred``.

        Bit-identical to what ``score_and_detect`` gives that row. ``x`` follows the streaming contract
        (:mod:`spotanomaly2_safe.streaming.observations`): its keys equal the fitted columns (any order).
        A row alone has no window: with ``window > 1`` this raises ``CONTEXT_MISMATCH`` (use
        ``score_and_detect`` with ``context_true`` / ``context_pred``).

        >>> zeros = pd.DataFrame({"load": [0.0] * 100})
        >>> ForecastingAnomalyDetector(scorer_name="NormScorer").fit(zeros, zeros).score_one({"load": -3.0})
        3.0
        """
        if not hasattr(self, "fit_record_"):
            raise NotFittedError("This ForecastingAnomalyDetector is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        if self.scorer.window > 1:
            raise InvalidInputError(
                f"score_one scores one row alone, but the scorer has window={self.scorer.window}: a row's score needs "
                f"the {self.scorer.window - 1} rows before it. Use score_and_detect with context_true/context_pred.",
                reason=Reason.CONTEXT_MISMATCH,
            )
        row = np.array([validate_observation(x, self.columns_)], dtype=np.float64)
        return float(self.scorer._score(row)[0])

    def fit_score_detect(
        self,
        y_true_train: pd.DataFrame,
        y_pred_train: pd.DataFrame,
        y_true_test: pd.DataFrame,
        y_pred_test: pd.DataFrame,
        context_true: pd.DataFrame | None = None,
        context_pred: pd.DataFrame | None = None,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``fit`` on the training frames, then ``score_and_detect`` the test frames (with their context)."""
        return self.fit(y_true_train, y_pred_train).score_and_detect(y_true_test, y_pred_test, context_true, context_pred)
