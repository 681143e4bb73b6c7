# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``spotanomaly2_safe_cli.quality.evaluation``: the figures the benchmark prints, the evidence report states and the model card quotes."""

import re
from pathlib import Path

import numpy as np
import pytest

from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe.evaluation import event_scores
from spotanomaly2_safe_cli.quality import evaluation as quality
from spotanomaly2_safe_cli.quality.evaluation import RECOMMENDED, TARGETS, quality_row, suite_quality
from spotanomaly2_safe_cli.quality.scenarios import make_scenarios, unsealed_suites

ROOT = Path(__file__).resolve().parents[1]
# The model card's table row that quotes the recommended configuration on each suite.
MODEL_CARD_ROWS = {"tuning": "recommended: RobustZScorer l2, window 6 mean, POT risk 1e-3, min_gap 48",
                   "held_out": "held-out suite: recommended", "operations": "operations suite: recommended",
                   "confirmation": "confirmation suite: recommended"}


@pytest.fixture(scope="module")
def measured():
    return {suite: suite_quality(suite) for suite in unsealed_suites()}


@pytest.mark.requirement("REQ-QUA-013")
@pytest.mark.parametrize("suite", unsealed_suites())
def test_model_card_quotes_the_recomputed_figures_of_the_recommended_configuration(measured, suite):
    text = (ROOT / "MODEL_CARD.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(f"| {MODEL_CARD_ROWS[suite]} |"))
    quoted = [cell.strip() for cell in line.strip("|").split("|")][1:]
    row = measured[suite]
    assert quoted == [f"{row['event_f1']:.3f}", f"{row['recall']:.3f}", f"{row['precision']:.3f}", f"{row['false_bursts_per_10k']:.1f}"]


@pytest.mark.requirement("REQ-QUA-013")
@pytest.mark.parametrize("suite", unsealed_suites())
def test_readme_quotes_the_recomputed_event_f1_recall_and_false_alarm_rate(measured, suite):
    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    row = measured[suite]
    sentence = re.search(rf"event F1 {row['event_f1']:.3f} against [0-9.]+.{{0,40}}?recall (only )?{row['recall']:.3f} and "
                         rf"{row['false_bursts_per_10k']:.1f} false-alarm burst", text)
    assert sentence is not None, row


@pytest.mark.requirement("REQ-QUA-013")
def test_suite_figures_are_the_sums_over_the_scenarios_and_targets_follow_them(measured):
    """Recount the operations suite by hand from per-scenario event scores; the targets flags must agree."""
    row = measured["operations"]
    scenarios = make_scenarios("operations")
    events = []
    for scenario in scenarios:
        flags, _ = quality.flags_and_scores(scenario, RECOMMENDED.scorer_name, RECOMMENDED.scorer_params, RECOMMENDED.threshold)
        events.append(event_scores(scenario.labels, postprocess_flags(flags, **RECOMMENDED.alarms)))
    assert row["windows"] == sum(e.n_windows for e in events) and row["hit_windows"] == sum(e.n_hit_windows for e in events)
    assert row["false_bursts"] == sum(e.n_false_bursts for e in events) and row["rows"] == 7 * 8760
    assert row["recall"] == row["hit_windows"] / row["windows"]
    assert row["false_bursts_per_10k"] == pytest.approx(row["false_bursts"] / row["rows"] * 10_000)
    for suite_row in measured.values():
        assert suite_row["targets_met"] == {"recall": suite_row["recall"] >= TARGETS["recall"],
                                            "false_bursts_per_10k": suite_row["false_bursts_per_10k"] <= TARGETS["false_bursts_per_10k"]}


@pytest.mark.requirement("REQ-QUA-013")
def test_quality_row_with_no_flags_has_zero_precision_recall_and_f1():
    scenarios = make_scenarios("tuning")[:2]
    silent = [np.zeros(s.labels.size, dtype=bool) for s in scenarios]
    row = quality_row(scenarios, silent, [np.zeros(s.labels.size) for s in scenarios])
    assert (row["event_f1"], row["recall"], row["precision"], row["false_bursts"], row["hit_windows"]) == (0.0, 0.0, 0.0, 0, 0)


@pytest.mark.requirement("REQ-QUA-013")
def test_model_card_quotes_the_recomputed_figures_of_the_0_1_0_defaults_run_by_this_library():
    defaults = quality.Configuration("KMeansScorer", {"n_clusters": 3}, {"threshold_method": "quantile", "high_quantile": 0.99},
                                     {"min_duration": 1, "min_gap": 0})
    row = suite_quality("tuning", defaults)
    text = (ROOT / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert (f"| this library, same defaults | {row['event_f1']:.3f} | {row['recall']:.3f} | {row['precision']:.3f} | "
            f"{row['false_bursts_per_10k']:.1f} |") in text.splitlines()
