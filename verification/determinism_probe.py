# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Print the SHA-256 of every scorer's outputs on fixed data, as JSON: run in fresh processes and compared."""

import hashlib
import json

import numpy as np
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector

SCORERS = {
    "NormScorer": {"ord": 2},
    "KMeansScorer": {"n_clusters": 5, "n_init": 2},
    "KMeansScorer-auto": {"auto_select_k": True, "k_max": 6},
    "IsolationForestScorer": {"n_estimators": 50},
    "RobustZScorer-pot": {"aggregation": "l2", "window": 6},
}
SETTINGS = {"RobustZScorer-pot": {"threshold_method": "pot", "risk": 1e-3, "normalization": "tail_probability", "min_gap": 48}}


def output_hashes(n_train: int = 5000, n_test: int = 2000, n_columns: int = 6) -> dict[str, str]:
    rng = np.random.default_rng(12345)
    columns = [f"c{i}" for i in range(n_columns)]
    actual = pd.DataFrame(rng.standard_t(4, size=(n_train + n_test, n_columns)), columns=columns)
    forecast = pd.DataFrame(rng.normal(scale=0.1, size=actual.shape), columns=columns)
    hashes = {}
    for key, params in SCORERS.items():
        detector = ForecastingAnomalyDetector(scorer_name=key.split("-")[0], scorer_params=params, **SETTINGS.get(key, {}))
        context = params.get("window", 1) - 1
        contexts = (actual.iloc[n_train - context : n_train], forecast.iloc[n_train - context : n_train]) if context else (None, None)
        scores_df, flags_df = detector.fit_score_detect(
            actual.iloc[:n_train], forecast.iloc[:n_train], actual.iloc[n_train:], forecast.iloc[n_train:], *contexts
        )
        digest = hashlib.sha256(np.ascontiguousarray(scores_df.to_numpy()).tobytes())
        digest.update(np.ascontiguousarray(flags_df.to_numpy()).tobytes())
        digest.update(json.dumps(detector.fit_record_, sort_keys=True).encode())
        hashes[key] = digest.hexdigest()
    return hashes


if __name__ == "__main__":
    print(json.dumps(output_hashes(), sort_keys=True))
