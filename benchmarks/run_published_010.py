# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Run the published spotanomaly2-safe 0.1.0 defaults on scenario arrays; called by bench_quality.py.

Runs in a separate, benchmark-only virtual environment holding 0.1.0 (never imports this checkout):

    python3 -m venv /tmp/venv010
    /tmp/venv010/bin/pip install numpy==2.4.6 pandas==3.1.1 scipy==1.17.1 scikit-learn==1.9.1
    /tmp/venv010/bin/pip install --ignore-requires-python spotanomaly2-safe==0.1.0

(0.1.0 declares Python >= 3.13 but runs on 3.11; pinning its dependencies first keeps pip from
building a numpy that needs a newer Python.) Usage: ``python run_published_010.py IN.npz OUT.npz``;
IN holds ``<name>/train_true``, ``train_pred``, ``test_true``, ``test_pred`` arrays per scenario,
OUT gets ``<name>/flags`` and ``<name>/scores``: 0.1.0's ``anomaly_flag`` and ``anomaly_score`` for the test rows.
"""

import sys

import numpy as np
import pandas as pd
from spotanomaly2_safe import ForecastingAnomalyDetector

arrays = np.load(sys.argv[1])
names = sorted({key.split("/")[0] for key in arrays.files})
outputs = {}
for name in names:
    frames = [pd.DataFrame(arrays[f"{name}/{part}"]) for part in ("train_true", "train_pred", "test_true", "test_pred")]
    detector = ForecastingAnomalyDetector()  # the defaults: KMeansScorer (n_clusters=3), high_quantile=0.99
    scores_df, flags_df = detector.fit_score_detect(*frames)
    outputs[f"{name}/flags"] = flags_df["anomaly_flag"].to_numpy(dtype=np.int64)
    outputs[f"{name}/scores"] = scores_df["anomaly_score"].to_numpy(dtype=np.float64)
np.savez(sys.argv[2], **outputs)
