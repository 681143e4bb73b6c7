# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Determinism and behaviour on the reference scenarios: output hashes recomputed now, and one plot each.

Each scenario of :data:`spotanomaly2_safe_cli.golden.REFERENCE_SCENARIOS` that is selected is fitted and
scored once; its output hash (:func:`~spotanomaly2_safe_cli.golden.output_hash`, the rule the golden test
uses) is compared with the committed golden hash, and its test scores are plotted with the threshold
and the flagged rows. A scenario not selected keeps its golden hash and is shown as not recomputed.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from spotanomaly2_safe_cli.golden import REFERENCE_SCENARIOS, compare_hashes, output_hash, run_scenario
from spotanomaly2_safe_cli.plots import plot_scores

__all__ = ["NOT_RECOMPUTED", "scenario_evidence"]

NOT_RECOMPUTED = "not recomputed"


def scenario_evidence(out: Path, golden: Mapping[str, str], selected: Sequence[str]) -> list[dict]:
    """Recompute and plot the ``selected`` scenarios into ``out``; one row per reference or golden scenario."""
    computed, plotted = {}, {}
    for name in selected:
        detector, scores_df, flags_df, _ = run_scenario(name)
        computed[name] = output_hash(scores_df, flags_df, detector.fit_record_)
        plotted[name] = {
            "plot": f"scenario-{name}.png",
            "threshold": detector.detector.threshold,
            "flagged": int(np.sum(flags_df["anomaly_flag"].to_numpy())),
            "rows": len(flags_df),
            "scorer": detector.scorer_name,
        }
        plot_scores(scores_df, flags_df, detector.detector.threshold, f"{name}: {detector.scorer_name}", out / plotted[name]["plot"])
    compared = {name: (expected, actual, status) for name, expected, actual, status in compare_hashes(golden, computed)}
    rows = []
    for name in sorted(set(compared) | set(REFERENCE_SCENARIOS)):
        expected, actual, status = compared.get(name, ("", "", ""))
        if name in REFERENCE_SCENARIOS and name not in computed:
            status = NOT_RECOMPUTED
        rows.append({"name": name, "golden": expected, "computed": actual, "status": status, **plotted.get(name, {})})
    return rows
