# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Plots of scores, threshold and flags (matplotlib, from the ``plot`` or ``evidence`` extra)."""

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["plot_scores"]


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
    figure.savefig(path, dpi=100, format="png")  # explicit: an atomic write passes a temporary name
