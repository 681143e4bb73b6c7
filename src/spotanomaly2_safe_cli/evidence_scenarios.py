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
from matplotlib.figure import Figure

from spotanomaly2_safe_cli.golden import REFERENCE_SCENARIOS, compare_hashes, output_hash, run_scenario

__all__ = ["NOT_RECOMPUTED", "plot_scores", "scenario_evidence"]

NOT_RECOMPUTED = "not recomputed"


def plot_scores(scores_df: pd.DataFrame, flags_df: pd.DataFrame, threshold: float, title: str, path: Path) -> None:
    """Write a PNG: the anomaly score over the test rows, the threshold line, flagged rows marked."""
    # Figure without pyplot: no global figure registry, no GUI backend; savefig renders with Agg.
    figure = Figure(figsize=(10, 3.2), layout="constrained")
    axes = figure.add_subplot()
    index = scores_df.index
    x = index.tz_convert(None).to_numpy() if isinstance(index, pd.DatetimeIndex) and index.tz is not None else index.to_numpy()
    scores = scores_df["anomaly_score"].to_numpy()
    flagged = flags_df["anomaly_flag"].to_numpy() == 1
    axes.plot(x, scores, linewidth=0.7, color="tab:blue", label="anomaly_score")
    axes.axhline(threshold, color="tab:orange", linestyle="--", linewidth=1, label=f"threshold {threshold:.4g}")
    axes.scatter(x[flagged], scores[flagged], s=14, color="tab:red", zorder=3, label=f"flagged ({int(flagged.sum())} rows)")
    axes.set_title(title)
    axes.set_ylabel("anomaly_score")
    # Outside the axes, so the legend never hides a flagged point.
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    figure.savefig(path, dpi=100)


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
