# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``spotanomaly2_safe_cli.quality.skab`` and ``benchmarks/bench_skab.py`` on small SKAB-shaped files (never the real data)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import f1_score

from spotanomaly2_safe_cli.quality.skab import (
    TARGETS,
    TRAIN_ROWS,
    SkabDataMissing,
    evaluate,
    forecast_frames,
    load_runs,
    pooled_metrics,
    targets_met,
)

ROOT = Path(__file__).resolve().parents[1]
SENSORS = ["Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure", "Temperature", "Thermocouple", "Voltage",
           "Volume Flow RateRMS"]


def write_run(path: Path, rows: int, fault: tuple[int, int], seed: int) -> pd.DataFrame:
    """A SKAB-shaped CSV: ';'-separated, datetime index at 1 s, 8 sensors, anomaly and changepoint labels."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, len(SENSORS))) + np.arange(len(SENSORS))
    values[fault[0]:fault[1], 2] += 8.0
    frame = pd.DataFrame(values, columns=SENSORS, index=pd.date_range("2020-03-09 10:14:33", periods=rows, freq="s", name="datetime"))
    frame["anomaly"] = 0.0
    frame.iloc[fault[0]:fault[1], frame.columns.get_loc("anomaly")] = 1.0
    frame["changepoint"] = 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, sep=";")
    return frame


@pytest.fixture
def skab_folder(tmp_path: Path) -> Path:
    """One run per group (valve2 has two, named so that text order differs from numeric order), 460-480 rows each."""
    root = tmp_path / "skab"
    write_run(root / "data" / "valve1" / "0.csv", 460, (420, 440), seed=1)
    write_run(root / "data" / "valve2" / "10.csv", 470, (430, 450), seed=2)
    write_run(root / "data" / "valve2" / "2.csv", 465, (425, 445), seed=3)
    write_run(root / "data" / "other" / "1.csv", 480, (440, 470), seed=4)
    return root


@pytest.mark.requirement("REQ-QUA-020")
def test_load_runs_reads_every_group_in_numeric_order_without_the_label_columns(skab_folder):
    runs = load_runs(skab_folder)
    assert [(run.group, run.name) for run in runs] == [("valve1", "0"), ("valve2", "2"), ("valve2", "10"), ("other", "1")]
    assert list(runs[0].sensors.columns) == SENSORS and runs[0].labels.sum() == 20
    assert isinstance(runs[0].sensors.index, pd.DatetimeIndex)
    assert [run.name for run in load_runs(skab_folder / "data")] == ["0", "2", "10", "1"]


@pytest.mark.requirement("REQ-QUA-020")
def test_load_runs_names_the_missing_group_folder(skab_folder):
    for path in (skab_folder / "data" / "other").iterdir():
        path.unlink()
    with pytest.raises(SkabDataMissing, match=r"no SKAB runs in .*other"):
        load_runs(skab_folder)


@pytest.mark.requirement("REQ-QUA-020")
def test_constant_mean_forecast_is_the_training_mean_and_the_first_400_rows_train(skab_folder):
    run = load_runs(skab_folder)[0]
    frames = forecast_frames(run, "constant_mean")
    assert frames.y_true_train.shape == (TRAIN_ROWS, 8) and frames.y_true_test.shape == (60, 8)
    pd.testing.assert_frame_equal(frames.y_true_train, run.sensors.iloc[:TRAIN_ROWS])
    expected = run.sensors.iloc[:TRAIN_ROWS].to_numpy().mean(axis=0)
    np.testing.assert_allclose(frames.y_pred_test.to_numpy(), np.tile(expected, (60, 1)), rtol=1e-12)
    np.testing.assert_allclose(frames.y_pred_train.to_numpy(), np.tile(expected, (TRAIN_ROWS, 1)), rtol=1e-12)
    np.testing.assert_array_equal(frames.test_labels, run.labels[TRAIN_ROWS:])


@pytest.mark.requirement("REQ-QUA-020")
def test_persistence_forecast_is_the_previous_row_and_training_starts_at_the_second_row(skab_folder):
    run = load_runs(skab_folder)[0]
    frames = forecast_frames(run, "persistence")
    assert frames.y_true_train.shape[0] == TRAIN_ROWS - 1 and frames.y_true_train.index[0] == run.sensors.index[1]
    np.testing.assert_array_equal(frames.y_pred_train.to_numpy(), run.sensors.to_numpy()[: TRAIN_ROWS - 1])
    np.testing.assert_array_equal(frames.y_pred_test.to_numpy(), run.sensors.to_numpy()[TRAIN_ROWS - 1: -1])
    assert frames.y_true_test.index[0] == run.sensors.index[TRAIN_ROWS]


@pytest.mark.requirement("REQ-QUA-020")
def test_an_unknown_forecast_is_refused_with_the_choices(skab_folder):
    with pytest.raises(ValueError, match="unknown forecast 'naive'; choose one of constant_mean, persistence"):
        forecast_frames(load_runs(skab_folder)[0], "naive")


@pytest.mark.requirement("REQ-QUA-021")
@given(pairs=st.lists(st.integers(1, 30).flatmap(lambda n: st.tuples(arrays(np.int64, n, elements=st.integers(0, 1)),
                                                                     arrays(np.int64, n, elements=st.integers(0, 1)))),
                      min_size=1, max_size=4))
def test_pooled_f1_equals_scikit_learn_f1_of_the_concatenated_rows(pairs):
    labels, flags = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    metrics = pooled_metrics(labels, flags)
    truth, flagged = np.concatenate(labels), np.concatenate(flags)
    assert metrics.f1 == pytest.approx(f1_score(truth, flagged, zero_division=0.0))
    assert metrics.tp + metrics.fp + metrics.fn + metrics.tn == truth.size
    negatives, positives = int(np.sum(truth == 0)), int(np.sum(truth == 1))
    assert metrics.far == pytest.approx(100 * np.sum(flagged[truth == 0]) / negatives if negatives else 0.0)
    assert metrics.mar == pytest.approx(100 * np.sum(flagged[truth == 1] == 0) / positives if positives else 0.0)


@pytest.mark.requirement("REQ-QUA-021")
def test_pooled_metrics_refuses_flags_of_another_length():
    with pytest.raises(ValueError, match="labels have 3 rows and flags 2"):
        pooled_metrics([np.array([0, 1, 1])], [np.array([0, 1])])


@pytest.mark.requirement("REQ-QUA-021")
def test_evaluate_pools_all_runs_and_each_split_separately(skab_folder):
    runs = load_runs(skab_folder)
    # Flags exactly the labelled rows of the valve runs and nothing in the other run (the only one with 80 test rows).
    results = evaluate(runs, lambda frames: frames.test_labels if frames.y_true_test.shape[0] != 80 else np.zeros(80, int),
                       "constant_mean")
    assert results["valve"].f1 == 1.0 and results["valve"].far == 0.0 and results["valve"].mar == 0.0
    assert results["other"].f1 == 0.0 and results["other"].mar == 100.0
    assert results["all"].tp == 60 and results["all"].fn == 30 and results["all"].fp == 0


@pytest.mark.requirement("REQ-QUA-021")
def test_evaluate_refuses_a_detector_returning_the_wrong_number_of_flags(skab_folder):
    with pytest.raises(ValueError, match="run valve1/0: 1 flags for 60 test rows"):
        evaluate(load_runs(skab_folder), lambda frames: np.zeros(1, int), "constant_mean")


@pytest.mark.requirement("REQ-QUA-021")
@pytest.mark.parametrize(("f1", "far", "mar", "expected"), [
    (TARGETS["f1"], TARGETS["far"], TARGETS["mar"], {"f1": True, "far": True, "mar": True}),
    (0.8199, 12.01, 25.01, {"f1": False, "far": False, "mar": False}),
])
def test_targets_are_met_at_their_bounds_and_missed_beyond(f1, far, mar, expected):
    metrics = pooled_metrics([np.array([1])], [np.array([1])])._replace(f1=f1, far=far, mar=mar)
    assert targets_met(metrics) == expected


@pytest.mark.requirement("REQ-QUA-022")
def test_skab_benchmark_prints_every_configuration_the_published_rows_targets_and_split_figures(skab_folder):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_skab.py"), "--data", str(skab_folder)],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    assert out.count("forecast: constant_mean") == 1 and out.count("forecast: persistence") == 1
    for label in ("RobustZScorer max, quantile 0.99", "RobustZScorer l2, quantile 0.99", "KMeansScorer k=3, quantile 0.99 (0.1.0 defaults)",
                  "IsolationForestScorer, quantile 0.99", "NormScorer, quantile 0.99", "recommended"):
        assert out.count(f"\n{label} ") == 2, label
    for published in ("published: Conv-AE", "published: MSET", "published: T-squared+Q (PCA)"):
        assert out.count(published) == 2
    row = next(line for line in out.splitlines() if line.startswith("RobustZScorer l2, quantile 0.99"))
    f1, far, mar = (float(value) for value in row[52:].split()[:3])
    assert 0.0 <= f1 <= 1.0 and 0.0 <= far <= 100.0 and 0.0 <= mar <= 100.0 and ("met" in row or "MISSED" in row)
    assert out.count("chosen on valve  ->") == 2 and out.count("chosen on other  ->") == 2
    assert "4 labelled runs, 275 test rows" in out


@pytest.mark.requirement("REQ-QUA-022")
def test_skab_benchmark_without_the_data_exits_2_with_one_line(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_skab.py"), "--data", str(tmp_path / "absent")],
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("bench_skab.py: no SKAB runs in ")


DOMINATION_SCRIPT = ROOT / "benchmarks" / "bench_column_domination.py"


def _domination_check_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if "check (" in line]


@pytest.mark.requirement("REQ-QUA-033")
def test_column_domination_study_attributes_skab_rows_per_half_and_its_prototype_equals_the_kernel(skab_folder):
    result = subprocess.run([sys.executable, str(DOMINATION_SCRIPT), "--data", str(skab_folder), "--part", "attribution"],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    assert "check (SKAB): prototype of the kernel rule vs recommended_detector(screen_risk=None): 0 of 275 rows differ" in out
    assert "half valve (valve1+valve2)" in out and "half other (other)" in out
    for sensor in SENSORS:  # one attribution row per half and one floor row
        assert sum(line.strip().startswith(sensor) for line in out.splitlines()) == 3, sensor
    assert "SKAB parts skipped" not in out


@pytest.mark.requirement("REQ-QUA-033")
def test_column_domination_study_without_skab_runs_the_stress_and_candidate_parts_with_zero_differing_rows(tmp_path):
    result = subprocess.run([sys.executable, str(DOMINATION_SCRIPT), "--data", str(tmp_path / "absent"), "--quick"],
                            capture_output=True, text=True, check=True)
    out = result.stdout
    assert out.startswith("SKAB parts skipped: no SKAB runs in ")
    assert "1. SKAB attribution" not in out and "SKAB all" not in out
    checks = _domination_check_lines(out)
    assert len(checks) == 2 and all(": 0 of " in line or line.endswith(": 0 rows differ") for line in checks)
    assert "check (stress): prototype of the kernel rule vs recommended_detector(screen_risk=None): 0 of 128000 rows differ" in out
    # Per kind: a stress row per jitter (4), a candidate row per candidate (3) and, for the plants, a setpoint-share row per jitter (4).
    for kind, expected in (("plant_persistence", 11), ("plant_mean", 11), ("counter", 7), ("counter_odd_quantum", 7)):
        assert sum(line.split()[:1] == [kind] for line in out.splitlines()) == expected, kind
    assert out.count("  candidate: resolution ") == 3
