# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The fit record: what a fitted ForecastingAnomalyDetector learned and from what, as strict JSON.

>>> _json_value((1, float("inf")))
[1, 'inf']
"""

import hashlib
from typing import Any

import numpy as np
import pandas as pd
import pandera
import scipy
import sklearn

from spotanomaly2_safe._version import __version__
from spotanomaly2_safe.contracts import plain_value

__all__ = ["build_fit_record", "dependency_versions", "json_value"]


def _json_value(value: Any) -> Any:
    """A label or parameter as strict JSON: tuples as lists; inf, NaN and other objects as strings."""
    value = plain_value(value)
    if isinstance(value, tuple):
        return [_json_value(part) for part in value]
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


json_value = _json_value


def dependency_versions() -> dict[str, Any]:
    """The library and the exact dependency versions, as every fit record states them."""
    return {
        "library": {"name": "spotanomaly2-safe", "version": __version__},
        "dependencies": {
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "pandera": pandera.__version__,
        },
    }


def _normalizer_record(normalizer: Any) -> dict[str, Any] | None:
    if normalizer is None:
        return None
    return {
        "method": normalizer.method,
        "q_low": normalizer.q_low,
        "q_high": normalizer.q_high,
        "spread": normalizer.spread,
        "spread_rule": normalizer.spread_rule,
        "tail": None if normalizer.tail is None else normalizer.tail.details(),
        "inactive_parameters": normalizer.inactive_parameters(),
    }


def build_fit_record(detector: Any, residuals: np.ndarray) -> dict[str, Any]:
    """The fit record of a just-fitted ``ForecastingAnomalyDetector`` trained on ``residuals``."""
    scorer_name = detector.scorer_name if isinstance(detector.scorer_name, str) else type(detector.scorer_name).__name__
    pot = detector.threshold_method == "pot"
    return {
        **dependency_versions(),
        "parameters": {
            "scorer_name": scorer_name,
            "scorer_params": {key: _json_value(value) for key, value in detector.scorer.get_params().items()},
            **{name: _json_value(getattr(detector, name)) for name in detector.parameter_constraints if name not in ("scorer_name", "scorer_params")},
        },
        "inactive_parameters": detector.inactive_parameters(),
        "dropped_scorer_parameters": detector.dropped_scorer_params,
        "columns": [_json_value(column) for column in detector.columns_],
        "n_training_rows": int(residuals.shape[0]),
        "n_training_scores": int(residuals.shape[0] - detector.scorer.window + 1),
        "training_residuals_sha256": hashlib.sha256(residuals.data).hexdigest(),
        "scorer": detector.scorer.fit_details(),
        "threshold_method": detector.threshold_method,
        "threshold": detector.detector.threshold,
        "tail": detector.detector.fit_details() if pot else None,
        "normalizer": _normalizer_record(detector.normalizer),
        "alarms": detector.alarm_settings(),
    }
