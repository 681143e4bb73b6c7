# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``spotanomaly2_safe_cli.quality.evaluation``: the figures the benchmark prints, the evidence report states and the model card quotes."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spotanomaly2_safe import recommended_detector
from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe.evaluation import event_scores
from spotanomaly2_safe_cli.quality import evaluation as quality
from spotanomaly2_safe_cli.quality.evaluation import ADAPTIVE_RECOMMENDED, RECOMMENDED, TARGETS, quality_row, skab_quality, suite_quality
from spotanomaly2_safe_cli.quality.scenarios import SEALED_SUITES, make_scenarios, unsealed_suites
from spotanomaly2_safe_cli.quality.skab import evaluate, load_runs, targets_met

ROOT = Path(__file__).resolve().parents[1]
# The model card's table row that quotes the recommended configuration on each suite.
MODEL_CARD_ROWS = {"tuning": "recommended: RobustZScorer l2, window 6 mean, POT risk 1e-3, min_gap 48",
                   "held_out": "held-out suite: recommended", "operations": "operations suite: recommended",
                   "confirmation": "confirmation suite: recommended"}


@pytest.fixture(scope="module")
def measured():
    return {suite: suite_quality(suite) for suite in unsealed_suites()}


@pytest.mark.requirement("REQ-QUA-013")
@pytest.mark.parametrize("suite", MODEL_CARD_ROWS)
def test_model_card_quotes_the_recomputed_figures_of_the_recommended_configuration(measured, suite):
    text = (ROOT / "MODEL_CARD.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(f"| {MODEL_CARD_ROWS[suite]} |"))
    quoted = [cell.strip() for cell in line.strip("|").split("|")][1:]
    row = measured[suite]
    assert quoted == [f"{row['event_f1']:.3f}", f"{row['recall']:.3f}", f"{row['precision']:.3f}", f"{row['false_bursts_per_10k']:.1f}"]


@pytest.mark.requirement("REQ-QUA-013")
@pytest.mark.parametrize("suite", MODEL_CARD_ROWS)
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
    for suite_row in (row for row in measured.values() if "refused" not in row):
        assert suite_row["targets_met"] == {"recall": suite_row["recall"] >= TARGETS["recall"],
                                            "false_bursts_per_10k": suite_row["false_bursts_per_10k"] <= TARGETS["false_bursts_per_10k"]}


@pytest.mark.requirement("REQ-QUA-013")
def test_a_configuration_that_refuses_a_scenario_gives_a_refused_row_not_figures(measured):
    # The previous recommendation's tail fit needs about 1,000 training rows; the monitoring suite has 100-row heads.
    assert set(measured["monitoring"]) == {"suite", "refused"}
    assert measured["monitoring"]["refused"].startswith("InsufficientDataException (too_few_rows): y_train") or \
        measured["monitoring"]["refused"].startswith("InsufficientDataException (too_few_rows): y_true_train has 100 rows")
    assert "refused" not in suite_quality("monitoring", ADAPTIVE_RECOMMENDED)


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


# The model card's adaptive-method table: suite -> the start of its row (adaptive and previous columns).
MODEL_CARD_ADAPTIVE_ROWS = {"tuning": "tuning (60 test days)", "held_out": "held-out (60 test days)",
                            "operations": "operations (a year)", "confirmation": "confirmation (a year)",
                            "monitoring": "monitoring (sealed until its one run; 100- to 600-row heads)",
                            "confirmation2": "confirmation2 (run once for the one-row scale; 60-day part and monitoring-shaped part)",
                            "confirmation3": "confirmation3 (run once for the resolution rule; noisy-quantized part and clean part)",
                            "confirmation4": "confirmation4 (run once for the training screen; training-glitch part and clean part)"}


def _red(met: bool) -> str:
    return "" if met else "🔴 "


def _triple(row: dict) -> str:
    """The card's cell: event F1 / recall / false bursts per 10,000 rows, each missed target marked red ("refused")."""
    if "refused" in row:
        return "🔴 refused"
    met = row["targets_met"]
    return (f"{row['event_f1']:.3f} / {_red(met['recall'])}{row['recall']:.3f} / "
            f"{_red(met['false_bursts_per_10k'])}{row['false_bursts_per_10k']:.1f}")


@pytest.mark.requirement("REQ-QUA-013")
@pytest.mark.parametrize("suite", unsealed_suites())
def test_model_card_quotes_the_recomputed_figures_of_the_adaptive_and_the_previous_recommendation(measured, suite):
    text = (ROOT / "MODEL_CARD.md").read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(f"| {MODEL_CARD_ADAPTIVE_ROWS[suite]} |"))
    quoted = [cell.strip() for cell in line.strip("|").split("|")][1:]
    assert quoted == [_triple(suite_quality(suite, ADAPTIVE_RECOMMENDED)), _triple(measured[suite])]


@pytest.mark.requirement("REQ-QUA-013")
def test_model_card_quotes_the_recomputed_skab_figures_of_the_recommended_configuration():
    """Recomputed where the SKAB data are (CI: ../shared/data/skab beside the project). The suite must pass without
    them (a skip would fail traceability), so elsewhere the card's row must equal the chosen row that the tuning
    table of docs/detection_quality.md recorded with the data (the two documents cannot drift apart)."""
    folder = ROOT.parent / "shared" / "data" / "skab"
    text = (ROOT / "MODEL_CARD.md").read_text(encoding="utf-8")
    card = next(line for line in text.splitlines() if line.startswith("| SKAB, all 34 runs (parameters chosen here) |"))
    if (folder / "data").is_dir():
        result = skab_quality(folder)
        metrics, red = result["metrics"]["all"], {key: _red(met) for key, met in result["targets_met"]["all"].items()}
        assert card == (f"| SKAB, all 34 runs (parameters chosen here) | {red['f1']}{metrics.f1:.3f} | {red['far']}{metrics.far:.2f} | "
                        f"{red['mar']}{metrics.mar:.2f} |")
        return
    docs = (ROOT / "docs" / "detection_quality.md").read_text(encoding="utf-8")
    chosen = next(line for line in docs.splitlines() if "(chosen)**" in line).split("|")[2].strip().strip("*")
    assert [cell.strip().removeprefix("🔴 ") for cell in card.strip("|").split("|")[1:]] == chosen.split(" / ")


@pytest.mark.requirement("REQ-QUA-030")
def test_adaptive_configuration_figures_are_those_of_recommended_detector_with_post_processed_flags():
    scenarios = make_scenarios("held_out")
    flags, scores = [], []
    for scenario in scenarios:
        scores_df, flags_df = recommended_detector().fit_score_detect(scenario.y_true_train, scenario.y_pred_train,
                                                                     scenario.y_true_test, scenario.y_pred_test)
        flags.append(postprocess_flags(flags_df["anomaly_flag"].to_numpy(), min_duration=1, min_gap=48))
        scores.append(scores_df["anomaly_score"].to_numpy())
    row = suite_quality("held_out", ADAPTIVE_RECOMMENDED)
    assert {key: row[key] for key in quality_row(scenarios, flags, scores)} == quality_row(scenarios, flags, scores)
    assert ADAPTIVE_RECOMMENDED.alarms == {"min_duration": 1, "min_gap": 48} and quality.CONFIGURATIONS["previous"] == RECOMMENDED


@pytest.mark.requirement("REQ-QUA-030")
def test_adaptive_configuration_overrides_reach_the_detector_and_its_description():
    stricter = quality.AdaptiveConfiguration({"risk": 1e-4}, ADAPTIVE_RECOMMENDED.alarms)
    assert "recommended_detector(risk=0.0001)" in quality.describe(stricter) and "'risk': 0.0001" in quality.describe(stricter)
    assert suite_quality("tuning", stricter)["hit_windows"] <= suite_quality("tuning", ADAPTIVE_RECOMMENDED)["hit_windows"]


@pytest.mark.requirement("REQ-QUA-030")
def test_skab_quality_pools_the_adaptive_flags_over_all_runs_and_each_split(tmp_path):
    from test_evidence import write_skab
    root = write_skab(tmp_path / "skab")
    result = skab_quality(root)
    runs = load_runs(root)

    def detect(frames):
        return recommended_detector().fit_score_detect(*frames[:4])[1]["anomaly_flag"].to_numpy()

    assert result["metrics"] == evaluate(runs, detect, "constant_mean") and (result["runs"], result["test_rows"]) == (4, 640)
    assert result["targets_met"] == {key: targets_met(value) for key, value in result["metrics"].items()}


@pytest.mark.requirement("REQ-QUA-031")
@pytest.mark.parametrize("configuration", [RECOMMENDED, ADAPTIVE_RECOMMENDED])
def test_a_sealed_suite_is_refused_without_run_sealed_and_runs_with_it(configuration, monkeypatch):
    monkeypatch.setattr(quality, "SEALED_SUITES", frozenset({"tuning"}))  # a stand-in: the real sealed suite never runs here
    with pytest.raises(quality.SealedSuiteError, match="'tuning' suite is sealed"):
        suite_quality("tuning", configuration)
    assert suite_quality("tuning", configuration, run_sealed=True)["rows"] == 10080


@pytest.mark.requirement("REQ-QUA-031")
@pytest.mark.parametrize(("arguments", "message"), [
    (["--run-sealed"], "needs the sealed suite named explicitly"),
    (["--suite", "tuning", "--run-sealed"], "only for a sealed suite"),
])
def test_quality_benchmark_refuses_sealed_suites_unless_named_with_run_sealed(arguments, message):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_quality.py"), "--quick", *arguments],
                            capture_output=True, text=True)
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""
