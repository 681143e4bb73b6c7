# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Detection quality of a configuration on a scenario suite.

The benchmark script (``benchmarks/bench_quality.py``) prints these figures, the evidence report
restates them, and the quoted figures in the model card are checked against them.

Each scenario's detector is fitted on its training frames and scores its test frames. A windowed
scorer gets the last ``window - 1`` training rows as context. The raw flags are post-processed with
:func:`spotanomaly2_safe.alarms.postprocess_flags`, which is what the pipeline's ``alarm`` column
holds. Counts are summed over the scenarios (a micro-average):

- event precision = hit windows / (hit windows + false-alarm bursts);
- event recall = hit windows / windows;
- their F1;
- false-alarm bursts per 10,000 test rows.

Point F1 and average precision are means over the scenarios. There is no point-adjust.

Two kinds of configuration run: a :class:`Configuration` (a scorer of ``ForecastingAnomalyDetector``, a
threshold and alarm post-processing; ``RECOMMENDED`` is the previous recommendation) and an
:class:`AdaptiveConfiguration` (``spotanomaly2_safe.recommended_detector(**overrides)`` fitted on the
training frames, its ``anomaly_flag`` and ``anomaly_score`` on the test rows that follow them, the flags
post-processed; ``ADAPTIVE_RECOMMENDED`` is the recommended detector with ``min_gap=48``, as measured
for issue 16). A suite in ``SEALED_SUITES`` runs only when the caller passes ``run_sealed=True``: it is
run once, by the coordinator, and is spent after.

:func:`skab_quality` runs an adaptive configuration on SKAB under :mod:`spotanomaly2_safe_cli.quality.skab`'s
protocol with the constant-mean forecast. SKAB counts rows, so its flags are the detector's
``anomaly_flag`` as they are (``alarms`` is not applied), as in ``benchmarks/bench_skab.py``.

>>> row = suite_quality("tuning")
>>> row["windows"], row["rows"]
(39, 10080)
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from spotanomaly2_safe import ForecastingAnomalyDetector, SpotAnomalySafeError, recommended_detector
from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe.evaluation import event_scores, point_scores
from spotanomaly2_safe_cli.quality.scenarios import SEALED_SUITES, Scenario, make_scenarios
from spotanomaly2_safe_cli.quality.skab import SPLITS, TRAIN_ROWS, ForecastFrames, evaluate, load_runs, targets_met

__all__ = ["ADAPTIVE_RECOMMENDED", "AdaptiveConfiguration", "CONFIGURATIONS", "Configuration", "RECOMMENDED", "SCREEN_CANDIDATE", "SKAB_FORECAST", "SPIKE_CANDIDATE",
           "SealedSuiteError", "TARGETS", "adaptive_flags_and_scores", "describe", "flags_and_scores", "quality_row",
           "skab_quality", "suite_quality"]


class Configuration(NamedTuple):
    scorer_name: str
    scorer_params: Mapping[str, Any]
    threshold: Mapping[str, Any]
    alarms: Mapping[str, int]


class AdaptiveConfiguration(NamedTuple):
    """``recommended_detector(**overrides)``, its flags post-processed by ``alarms`` (module docstring)."""

    overrides: Mapping[str, Any]
    alarms: Mapping[str, int]


class SealedSuiteError(ValueError):
    """A detector was asked to run on a suite of ``SEALED_SUITES`` without ``run_sealed=True``."""


# The previous recommendation (issue 4), kept as the comparison row.
RECOMMENDED = Configuration("RobustZScorer", {"aggregation": "l2", "window": 6, "window_agg": "mean"},
                            {"threshold_method": "pot", "risk": 1e-3}, {"min_duration": 1, "min_gap": 48})
# The recommended configuration (issue 16): the adaptive method with its recommended parameters.
ADAPTIVE_RECOMMENDED = AdaptiveConfiguration({}, {"min_duration": 1, "min_gap": 48})
# The candidate of the one-row spike scale (docs/detection_quality.md, "One-row spike scale"), confirmed on "confirmation2".
SPIKE_CANDIDATE = AdaptiveConfiguration({"spike_risk": 2e-4}, {"min_duration": 1, "min_gap": 48})
# The candidate of the training screen (docs/detection_quality.md, "Training screen"), confirmed on "confirmation4"; the
# recommendation since (so it equals ADAPTIVE_RECOMMENDED now).
SCREEN_CANDIDATE = AdaptiveConfiguration({"screen_risk": 0.01}, {"min_duration": 1, "min_gap": 48})
# Names used by benchmarks/bench_quality.py --configuration.
CONFIGURATIONS = {"adaptive": ADAPTIVE_RECOMMENDED, "previous": RECOMMENDED, "candidate": SPIKE_CANDIDATE, "screen": SCREEN_CANDIDATE}
SKAB_FORECAST = "constant_mean"
# Issue 4's targets other than the F1 ratio to 0.1.0, which needs the published package (benchmark only).
TARGETS = {"recall": 0.6, "false_bursts_per_10k": 5.0}


def flags_and_scores(scenario: Scenario, scorer_name: str, scorer_params: Mapping[str, Any],
                     threshold: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Raw flags and scores of ``scenario``'s test rows under a detector fitted on its training rows."""
    detector = ForecastingAnomalyDetector(scorer_name, dict(scorer_params), normalize_scores=False, **threshold)
    detector.fit(scenario.y_true_train, scenario.y_pred_train)
    context = scorer_params.get("window", 1) - 1
    contexts = (scenario.y_true_train.iloc[-context:], scenario.y_pred_train.iloc[-context:]) if context else (None, None)
    scores_df, flags_df = detector.score_and_detect(scenario.y_true_test, scenario.y_pred_test, *contexts)
    return flags_df["anomaly_flag"].to_numpy(), scores_df["anomaly_score"].to_numpy()


def adaptive_flags_and_scores(scenario: Scenario, overrides: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Raw ``anomaly_flag`` and ``anomaly_score`` of ``scenario``'s test rows under ``recommended_detector(**overrides)``."""
    scores_df, flags_df = recommended_detector(**overrides).fit_score_detect(
        scenario.y_true_train, scenario.y_pred_train, scenario.y_true_test, scenario.y_pred_test)
    return flags_df["anomaly_flag"].to_numpy(), scores_df["anomaly_score"].to_numpy()


def describe(configuration: Configuration | AdaptiveConfiguration) -> str:
    """One line naming ``configuration``'s detector, parameters and alarm post-processing."""
    if isinstance(configuration, AdaptiveConfiguration):
        arguments = ", ".join(f"{key}={value!r}" for key, value in configuration.overrides.items())
        detector = f"recommended_detector({arguments}): AdaptiveDetector {recommended_detector(**configuration.overrides).get_params()}"
    else:
        detector = f"{configuration.scorer_name} {dict(configuration.scorer_params)}, {dict(configuration.threshold)}"
    return f"{detector}, alarm post-processing {dict(configuration.alarms)}"


def quality_row(scenarios: Sequence[Scenario], flags_per_scenario: Sequence[np.ndarray],
                scores_per_scenario: Sequence[np.ndarray]) -> dict:
    """Event and point figures over ``scenarios`` (module docstring) for post-processed flags and raw scores."""
    events = [event_scores(s.labels, flags) for s, flags in zip(scenarios, flags_per_scenario, strict=True)]
    points = [point_scores(s.labels, flags, scores)
              for s, flags, scores in zip(scenarios, flags_per_scenario, scores_per_scenario, strict=True)]
    hits, false_bursts = sum(e.n_hit_windows for e in events), sum(e.n_false_bursts for e in events)
    windows, rows = sum(e.n_windows for e in events), sum(s.labels.size for s in scenarios)
    precision = hits / (hits + false_bursts) if hits + false_bursts else 0.0
    recall = hits / windows
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "windows": windows, "hit_windows": hits, "false_bursts": false_bursts, "rows": rows,
        "event_f1": f1, "recall": recall, "precision": precision, "false_bursts_per_10k": false_bursts / rows * 10_000,
        "point_f1": float(np.mean([p.f1 for p in points])),
        "average_precision": float(np.mean([p.average_precision for p in points])),
    }


def suite_quality(suite: str, configuration: Configuration | AdaptiveConfiguration = RECOMMENDED, *, run_sealed: bool = False) -> dict:
    """``quality_row`` of ``configuration`` on the scenario suite ``suite``, and whether each of ``TARGETS`` is met.

    Raises ``SealedSuiteError`` for a suite of ``SEALED_SUITES`` unless ``run_sealed`` is true. When the
    configuration refuses a scenario of the suite (a library error, e.g. too few training rows for its tail
    fit), the row is ``{"suite", "refused"}`` with the error instead of figures: no scenario is left out.
    """
    if suite in SEALED_SUITES and not run_sealed:
        raise SealedSuiteError(f"the {suite!r} suite is sealed: no detector runs on it until its one recorded run "
                               "(run_sealed=True; benchmarks/bench_quality.py --run-sealed)")
    scenarios = make_scenarios(suite)
    try:
        if isinstance(configuration, AdaptiveConfiguration):
            raw = [adaptive_flags_and_scores(s, configuration.overrides) for s in scenarios]
        else:
            raw = [flags_and_scores(s, configuration.scorer_name, configuration.scorer_params, configuration.threshold) for s in scenarios]
    except SpotAnomalySafeError as error:  # e.g. a training head too short for the configuration: stated, never skipped
        return {"suite": suite, "refused": f"{type(error).__name__} ({error.reason.value}): {error}"}
    row = quality_row(scenarios, [postprocess_flags(flags, **configuration.alarms) for flags, _ in raw], [scores for _, scores in raw])
    met = {"recall": row["recall"] >= TARGETS["recall"],
           "false_bursts_per_10k": row["false_bursts_per_10k"] <= TARGETS["false_bursts_per_10k"]}
    return {"suite": suite, **row, "targets_met": met}


def skab_quality(root: Path, configuration: AdaptiveConfiguration = ADAPTIVE_RECOMMENDED) -> dict:
    """Pooled SKAB figures of ``configuration`` over all runs and each of ``SPLITS`` (module docstring), with targets met.

    Raises :class:`spotanomaly2_safe_cli.quality.skab.SkabDataMissing` when ``root`` holds no SKAB runs.
    """
    runs = load_runs(root)

    def detect(frames: ForecastFrames) -> np.ndarray:
        _, flags_df = recommended_detector(**configuration.overrides).fit_score_detect(
            frames.y_true_train, frames.y_pred_train, frames.y_true_test, frames.y_pred_test)
        return flags_df["anomaly_flag"].to_numpy()

    metrics = evaluate(runs, detect, SKAB_FORECAST)
    return {"forecast": SKAB_FORECAST, "runs": len(runs), "test_rows": sum(run.labels.size - TRAIN_ROWS for run in runs),
            "metrics": metrics, "targets_met": {key: targets_met(value) for key, value in metrics.items()},
            "splits": dict(SPLITS)}
