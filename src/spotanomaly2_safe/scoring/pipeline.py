# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""ForecastingAnomalyDetector: residuals ``y_true - y_pred`` -> scorer -> threshold (+ normalizer).

fit: validate the training frames, fit the scorer on the training residuals, score them, set the
threshold (``high_quantile`` of those scores) and, when ``normalize_scores``, fit the normalizer on
them. Nothing is fitted on test data. A failed fit leaves the detector as it was.
score_and_detect: validate the test frames against the fit, then per row (batch independent):
``anomaly_score``, ``anomaly_score_normalized`` (when normalizing) and ``anomaly_flag`` =
``anomaly_score > threshold``, indexed exactly like the test input.

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

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import pandera
import scipy
import sklearn

from spotanomaly2_safe._version import __version__
from spotanomaly2_safe.contracts import plain_value, validate_frames
from spotanomaly2_safe.errors import InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe.parameters import InstanceOf, Options, did_you_mean, reject_unknown_parameters, validate_parameters
from spotanomaly2_safe.scoring.detector import QuantileAnomalyDetector
from spotanomaly2_safe.scoring.normalizer import NORMALIZATION_METHODS, ScoreNormalizer
from spotanomaly2_safe.scoring.scorers import SCORER_REGISTRY, BaseScorer
from spotanomaly2_safe.streaming.observations import validate_observation

__all__ = ["ForecastingAnomalyDetector"]


def _json_value(value: Any) -> Any:
    """A label or parameter as strict JSON: tuples as lists; inf, NaN and other objects as strings."""
    value = plain_value(value)
    if isinstance(value, tuple):
        return [_json_value(part) for part in value]
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


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
    ) -> None:
        if isinstance(scorer_name, str) and scorer_name not in SCORER_REGISTRY:
            raise InvalidParameterError(
                f"Unknown scorer_name {scorer_name!r}; the registered scorers are {sorted(SCORER_REGISTRY)}."
                f"{did_you_mean(scorer_name, SCORER_REGISTRY)}",
                reason=Reason.UNKNOWN_SCORER,
            )
        validate_parameters(
            "ForecastingAnomalyDetector",
            self.parameter_constraints,
            {
                "scorer_name": scorer_name,
                "scorer_params": scorer_params,
                "high_quantile": high_quantile,
                "normalize_scores": normalize_scores,
                "normalization_quantile": normalization_quantile,
                "normalization": normalization,
                "drop_foreign_scorer_params": drop_foreign_scorer_params,
            },
        )
        self.scorer_name = scorer_name
        self.scorer_params = dict(scorer_params) if scorer_params is not None else {}
        self.high_quantile = high_quantile
        self.normalize_scores = normalize_scores
        self.normalization_quantile = normalization_quantile
        self.normalization = normalization
        self.drop_foreign_scorer_params = drop_foreign_scorer_params
        self.scorer, self.dropped_scorer_params = self._new_scorer()
        self.detector = QuantileAnomalyDetector(high_quantile=high_quantile)
        self.normalizer = ScoreNormalizer(normalization_quantile, normalization) if normalize_scores else None

    def _new_scorer(self) -> tuple[BaseScorer, list[str]]:
        if isinstance(self.scorer_name, BaseScorer):
            if self.scorer_params:
                raise InvalidParameterError(
                    "scorer_params must be empty when scorer_name is a scorer instance; configure the instance instead.",
                    reason=Reason.INVALID_PARAMETER,
                )
            return type(self.scorer_name)(**self.scorer_name.get_params()), []
        return _scorer_from_name(self.scorer_name, self.scorer_params, self.drop_foreign_scorer_params)

    def fit(self, y_true_train: pd.DataFrame, y_pred_train: pd.DataFrame) -> "ForecastingAnomalyDetector":
        """Fit scorer, threshold and normalizer on the training frames; returns ``self``."""
        scorer, _ = self._new_scorer()
        min_rows, why = scorer.minimum_training_rows()
        train = validate_frames(y_true_train, y_pred_train, min_rows=min_rows, min_rows_reason=why, stage="train")
        scorer._fit(train.residuals)
        train_scores = scorer._score(train.residuals, labels=train.index)
        detector = QuantileAnomalyDetector(high_quantile=self.high_quantile)
        detector._fit(train_scores)
        normalizer = None
        if self.normalize_scores:
            normalizer = ScoreNormalizer(self.normalization_quantile, self.normalization)
            normalizer._fit(train_scores, detector.threshold if self.normalization == "threshold_anchored" else None)
        self.scorer, self.detector, self.normalizer = scorer, detector, normalizer
        self.columns_ = train.columns
        self.fit_record_ = self._fit_record(train.residuals)
        return self

    def score_and_detect(self, y_true_test: pd.DataFrame, y_pred_test: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Return ``(scores_df, flags_df)`` for the test frames, indexed like ``y_true_test``."""
        if not hasattr(self, "fit_record_"):
            raise NotFittedError("This ForecastingAnomalyDetector is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        test = validate_frames(y_true_test, y_pred_test, fitted_columns=self.columns_, stage="test")
        scores = self.scorer._score(test.residuals, labels=test.index)
        scores_df = pd.DataFrame({"anomaly_score": scores}, index=test.index)
        if self.normalizer is not None:
            scores_df["anomaly_score_normalized"] = self.normalizer._transform(scores)
        flags_df = pd.DataFrame({"anomaly_flag": self.detector._detect(scores)}, index=test.index)
        return scores_df, flags_df

    def score_one(self, x: dict) -> float:
        """The ``anomaly_score`` of one row given as a dict: fitted column -> residual ``y_true - y_pred``.

        Bit-identical to what ``score_and_detect`` gives that row. ``x`` follows the streaming contract
        (:mod:`spotanomaly2_safe.streaming.observations`): its keys equal the fitted columns (any order).

        >>> zeros = pd.DataFrame({"load": [0.0] * 100})
        >>> ForecastingAnomalyDetector(scorer_name="NormScorer").fit(zeros, zeros).score_one({"load": -3.0})
        3.0
        """
        if not hasattr(self, "fit_record_"):
            raise NotFittedError("This ForecastingAnomalyDetector is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        row = np.array([validate_observation(x, self.columns_)], dtype=np.float64)
        return float(self.scorer._score(row)[0])

    def fit_score_detect(
        self,
        y_true_train: pd.DataFrame,
        y_pred_train: pd.DataFrame,
        y_true_test: pd.DataFrame,
        y_pred_test: pd.DataFrame,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``fit`` on the training frames, then ``score_and_detect`` the test frames."""
        return self.fit(y_true_train, y_pred_train).score_and_detect(y_true_test, y_pred_test)

    def _fit_record(self, residuals: np.ndarray) -> dict[str, Any]:
        scorer_name = self.scorer_name if isinstance(self.scorer_name, str) else type(self.scorer_name).__name__
        normalizer = self.normalizer
        return {
            "library": {"name": "spotanomaly2-safe", "version": __version__},
            "dependencies": {
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "scipy": scipy.__version__,
                "scikit-learn": sklearn.__version__,
                "pandera": pandera.__version__,
            },
            "parameters": {
                "scorer_name": scorer_name,
                "scorer_params": {key: _json_value(value) for key, value in self.scorer.get_params().items()},
                "high_quantile": self.high_quantile,
                "normalize_scores": self.normalize_scores,
                "normalization_quantile": self.normalization_quantile,
                "normalization": self.normalization,
                "drop_foreign_scorer_params": self.drop_foreign_scorer_params,
            },
            "dropped_scorer_parameters": self.dropped_scorer_params,
            "columns": [_json_value(column) for column in self.columns_],
            "n_training_rows": int(residuals.shape[0]),
            "training_residuals_sha256": hashlib.sha256(residuals.data).hexdigest(),
            "scorer": self.scorer.fit_details(),
            "threshold": self.detector.threshold,
            "normalizer": None
            if normalizer is None
            else {
                "method": normalizer.method,
                "q_low": normalizer.q_low,
                "q_high": normalizer.q_high,
                "spread": normalizer.spread,
                "spread_rule": normalizer.spread_rule,
            },
        }
