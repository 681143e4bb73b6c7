# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Streaming: River's AnomalyDetector / AnomalyFilter contract for forecast residuals, with no river dependency.

Read order: observations -> schema -> base -> filters -> detectors -> predictive -> snapshot.
"""

from spotanomaly2_safe.streaming.base import AnomalyDetector, AnomalyFilter
from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector, ResidualDetector, RobustResidualDetector
from spotanomaly2_safe.streaming.filters import QuantileFilter, ThresholdFilter
from spotanomaly2_safe.streaming.observations import residuals_from_forecast
from spotanomaly2_safe.streaming.predictive import PredictiveAnomalyDetector
from spotanomaly2_safe.streaming.snapshot import restore_from_state_dict

__all__ = [
    "AnomalyDetector",
    "AnomalyFilter",
    "GaussianResidualDetector",
    "PredictiveAnomalyDetector",
    "QuantileFilter",
    "ResidualDetector",
    "RobustResidualDetector",
    "ThresholdFilter",
    "residuals_from_forecast",
    "restore_from_state_dict",
]
