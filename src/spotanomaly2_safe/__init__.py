# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""spotanomaly2-safe: a deterministic, fail-safe, zero-I/O kernel for forecast-residual anomaly scoring.

Read order for a reviewer: errors -> parameters -> contracts -> scoring.base -> scoring.kmeans ->
scoring.scorers -> scoring.detector -> scoring.normalizer -> scoring.pipeline -> streaming.
"""

from spotanomaly2_safe._version import __version__
from spotanomaly2_safe.adaptive import AdaptiveDetector, AdaptiveResidualDetector, recommended_detector
from spotanomaly2_safe.errors import (
    InputTypeError,
    InsufficientDataException,
    InvalidInputError,
    InvalidParameterError,
    NotDefinedError,
    NotFittedError,
    Reason,
    SpotAnomalySafeError,
)
from spotanomaly2_safe.scoring.detector import QuantileAnomalyDetector
from spotanomaly2_safe.scoring.normalizer import ScoreNormalizer
from spotanomaly2_safe.scoring.pipeline import ForecastingAnomalyDetector
from spotanomaly2_safe.scoring.scorers import (
    SCORER_REGISTRY,
    BaseScorer,
    IsolationForestAnomalyScorer,
    IsolationForestScorer,
    KMeansAnomalyScorer,
    KMeansScorer,
    NormAnomalyScorer,
    NormScorer,
    RobustZScorer,
)
from spotanomaly2_safe.streaming import (
    AnomalyDetector,
    AnomalyFilter,
    GaussianResidualDetector,
    PredictiveAnomalyDetector,
    QuantileFilter,
    ResidualDetector,
    RobustResidualDetector,
    ThresholdFilter,
    residuals_from_forecast,
    restore_from_state_dict,
)

__all__ = [
    "AdaptiveDetector",
    "AdaptiveResidualDetector",
    "AnomalyDetector",
    "AnomalyFilter",
    "BaseScorer",
    "ForecastingAnomalyDetector",
    "GaussianResidualDetector",
    "InputTypeError",
    "InsufficientDataException",
    "InvalidInputError",
    "InvalidParameterError",
    "IsolationForestAnomalyScorer",
    "IsolationForestScorer",
    "KMeansAnomalyScorer",
    "KMeansScorer",
    "NormAnomalyScorer",
    "NormScorer",
    "NotDefinedError",
    "NotFittedError",
    "PredictiveAnomalyDetector",
    "QuantileFilter",
    "QuantileAnomalyDetector",
    "Reason",
    "ResidualDetector",
    "RobustResidualDetector",
    "RobustZScorer",
    "SCORER_REGISTRY",
    "ScoreNormalizer",
    "SpotAnomalySafeError",
    "ThresholdFilter",
    "__version__",
    "recommended_detector",
    "residuals_from_forecast",
    "restore_from_state_dict",
]
