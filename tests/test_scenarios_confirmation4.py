# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The "confirmation4" suite (the training screen): how it is generated, that its seeds are new and that it is sealed.

No detector runs here: these tests check the generated frames only."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spotanomaly2_safe_cli.quality import evaluation
from spotanomaly2_safe_cli.quality.scenarios import CONFIRMATION4_SEED_OFFSET, SEALED_SUITES, SUITES, make_scenarios, unsealed_suites
from spotanomaly2_safe_cli.quality.scenarios_confirmation3 import CONFIRMATION3_JITTER_OFFSET, CONFIRMATION3_SEEDS
from spotanomaly2_safe_cli.quality.scenarios_confirmation4 import (
    CONFIRMATION4_GLITCH_OFFSET, CONFIRMATION4_SEEDS, GLITCH_KINDS, SERIES, TEST_ROWS, make_confirmation4_scenarios)
from test_scenarios_confirmation3 import EARLIER_SEEDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scenarios():
    return make_confirmation4_scenarios()


def _window_starts(labels: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.diff(np.concatenate([[0], labels])) == 1)


@pytest.mark.requirement("REQ-QUA-052")
def test_confirmation4_suite_is_identical_on_every_call_with_both_parts_in_order(scenarios):
    names = [f"glitch/{series.name}" for series in SERIES] + [f"clean/{series.name}" for series in SERIES]
    again = make_scenarios("confirmation4")
    assert [s.name for s in scenarios] == names == [s.name for s in again]
    for left, right in zip(scenarios, again):
        for part in range(1, 5):
            pd.testing.assert_frame_equal(left[part], right[part], check_exact=True)
        np.testing.assert_array_equal(left.labels, right.labels)


@pytest.mark.requirement("REQ-QUA-052")
def test_confirmation4_seeds_are_new_and_the_spent_suite_is_no_longer_sealed():
    drawn = set(CONFIRMATION4_SEEDS) | {seed + CONFIRMATION4_GLITCH_OFFSET for seed in CONFIRMATION4_SEEDS}
    used = EARLIER_SEEDS | {base + 6000 for base in (*range(101, 108), *range(201, 209))} | set(CONFIRMATION3_SEEDS) | {
        seed + CONFIRMATION3_JITTER_OFFSET for seed in CONFIRMATION3_SEEDS}
    assert len(CONFIRMATION4_SEEDS) == len(set(CONFIRMATION4_SEEDS)) == 16 and not drawn & used
    assert CONFIRMATION4_SEED_OFFSET == SUITES["confirmation4"][0] == 7000
    assert "confirmation4" not in SEALED_SUITES and "confirmation4" in unsealed_suites()  # spent: its one run is recorded
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_quality.py"), "--quick", "--suite", "confirmation4",
                             "--configuration", "screen", "--run-sealed"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == "" and "'confirmation4' is not sealed" in result.stderr


@pytest.mark.requirement("REQ-QUA-052")
def test_bench_quality_screen_configuration_prints_both_parts_for_the_recommendation_and_the_screen_candidate():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_quality.py"), "--quick", "--suite", "confirmation4",
                             "--configuration", "screen", "--venv010", "/nonexistent"], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    for part in ("glitch", "clean"):
        start = lines.index(next(line for line in lines if line.startswith(f"part {part}: 16 scenarios, 48000 test rows, 68 labelled windows")))
        labels = [line[:58].strip() for line in lines[start + 1 : start + 4]]
        assert labels[1:] == ["adaptive: recommended_detector() | gap 48 +", "candidate: recommended(screen_risk=0.01) | gap 48 c"]
    assert f"c candidate: {evaluation.describe(evaluation.SCREEN_CANDIDATE)}" in lines


@pytest.mark.requirement("REQ-QUA-052")
def test_confirmation4_glitch_part_differs_from_its_clean_twin_only_by_the_stated_training_glitch(scenarios):
    glitches, clean = scenarios[:16], scenarios[16:]
    assert {series.glitch for series in SERIES} == set(GLITCH_KINDS)
    for series, glitch, twin in zip(SERIES, glitches, clean):
        for part in (2, 3, 4):
            pd.testing.assert_frame_equal(glitch[part], twin[part], check_exact=True)
        np.testing.assert_array_equal(glitch.labels, twin.labels)
        rows = glitch.y_true_train.shape[0]
        assert rows in range(100, 601) and glitch.labels.size == TEST_ROWS and len(_window_starts(glitch.labels)) in (4, 5)
        changed = glitch.y_true_train.to_numpy() != twin.y_true_train.to_numpy()
        changed_rows, changed_columns = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
        assert len(changed_columns) == 1 and rows // 4 <= changed_rows.min() and changed_rows.max() < rows - 10 + 60, series.name
        values = glitch.y_true_train.to_numpy()[changed_rows, changed_columns[0]]
        if series.glitch == "sentinel":
            assert values.tolist() == [-9999.0], series.name
        elif series.glitch == "dropout":
            assert len(values) in (1, 2, 3) and not values.any(), series.name
        elif series.glitch == "burst":
            noise = series.arguments["noise"][changed_columns[0]]
            jumps = np.abs(values - twin.y_true_train.to_numpy()[changed_rows, changed_columns[0]]) / noise
            assert len(values) in range(2, 6) and (jumps >= 29.0).all() and (jumps <= 3001.0).all(), series.name
        else:
            start = changed_rows.min()
            assert (values == glitch.y_true_train.to_numpy()[start - 1, changed_columns[0]]).all() and len(values) <= 60, series.name
