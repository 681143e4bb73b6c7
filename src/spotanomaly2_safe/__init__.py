# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""spotanomaly2-safe: a deterministic, fail-safe, zero-I/O kernel for forecast-residual anomaly scoring.

Read order for a reviewer: errors -> parameters -> contracts -> scoring.base -> scoring.kmeans ->
scoring.scorers -> scoring.detector -> scoring.normalizer -> scoring.pipeline.
"""

from spotanomaly2_safe._version import __version__
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

__all__ = [
    "BaseScorer",
    "ForecastingAnomalyDetector",
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
    "QuantileAnomalyDetector",
    "Reason",
    "RobustZScorer",
    "SCORER_REGISTRY",
    "ScoreNormalizer",
    "SpotAnomalySafeError",
    "__version__",
]
