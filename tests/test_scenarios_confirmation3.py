# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The "confirmation3" suite: how it is generated and that its seeds are new (it had its one run on 2026-11-26).

No detector runs here: these tests check the generated frames only."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spotanomaly2_safe_cli.quality.scenarios import (
    CONFIRMATION3_SEED_OFFSET, SCENARIO_NAMES, SEALED_SUITES, SUITES, make_scenarios, unsealed_suites)
from spotanomaly2_safe_cli.quality.scenarios_confirmation3 import (
    CONFIRMATION3_JITTER_OFFSET, CONFIRMATION3_SEEDS, GENERATED, make_confirmation3_scenarios)
from spotanomaly2_safe_cli.quality.scenarios_monitoring import MONITORING_SCENARIO_NAMES

ROOT = Path(__file__).resolve().parents[1]
# Every seed an earlier suite, benchmark or study drew from (docs/detection_quality.md and the generators).
EARLIER_SEEDS = ({base + offset for base in range(101, 108) for offset in (0, 1000, 2000, 3000, 5000)}
                 | {base + offset for base in range(201, 209) for offset in (4000, 5000)}
                 | set(range(9000, 9207))
                 | {seed + extra for seed in (9101, 9102, 9103, 9111, 9112, 9113, 9121, 9122, 9123, 9131, 9132, 9133, 9141)
                    for extra in (0, 50_000)})


@pytest.fixture(scope="module")
def scenarios():
    return make_confirmation3_scenarios()


@pytest.mark.requirement("REQ-QUA-034")
def test_confirmation3_suite_is_identical_on_every_call_with_both_parts_in_order(scenarios):
    names = [f"noisy_quantized/{g.name}" for g in GENERATED] + [f"clean/twin_{g.name}" for g in GENERATED] + [
        f"clean/sixty_day_{name}" for name in SCENARIO_NAMES] + [f"clean/monitoring_{name}" for name in MONITORING_SCENARIO_NAMES]
    again = make_scenarios("confirmation3")
    assert [s.name for s in scenarios] == names == [s.name for s in again]
    for left, right in zip(scenarios, again):
        for part in range(1, 5):
            pd.testing.assert_frame_equal(left[part], right[part], check_exact=True)
        np.testing.assert_array_equal(left.labels, right.labels)
        assert np.isfinite(left.y_true_test.to_numpy()).all() and left.labels.any()


@pytest.mark.requirement("REQ-QUA-034")
def test_confirmation3_seeds_are_new_and_the_spent_suite_is_no_longer_sealed():
    drawn = set(CONFIRMATION3_SEEDS) | {seed + CONFIRMATION3_JITTER_OFFSET for seed in CONFIRMATION3_SEEDS} | {
        base + CONFIRMATION3_SEED_OFFSET for base in (*range(101, 108), *range(201, 209))}
    assert len(CONFIRMATION3_SEEDS) == len(set(CONFIRMATION3_SEEDS)) == 10 and not drawn & EARLIER_SEEDS
    assert CONFIRMATION3_SEED_OFFSET == SUITES["confirmation3"][0]
    assert "confirmation3" not in SEALED_SUITES and "confirmation3" in unsealed_suites()  # spent: its one run is recorded
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_quality.py"), "--quick", "--suite", "confirmation3",
                             "--run-sealed"], capture_output=True, text=True)
    assert result.returncode == 2 and result.stdout == "" and "'confirmation3' is not sealed" in result.stderr


@pytest.mark.requirement("REQ-QUA-034")
def test_confirmation3_noisy_quantized_residuals_carry_float_noise_and_their_twins_lie_on_the_whole_grid(scenarios):
    """Part a: the quantized column's distinct training residuals come closer than 1e-6 of the quantum (float noise), except
    the decimal series with a constant forecast, whose stored values are the doubles k / 10 or k / 100; the clean twin's residuals are whole numbers; both keep their stepping level (every row-to-row change within a quantum
    in training) and every fault of a plant is in its five continuous columns."""
    noisy, twins = scenarios[:10], scenarios[10:20]
    for spec, scenario, twin in zip(GENERATED, noisy, twins):
        quantum = 1.0 / spec.divisor
        residual = (scenario.y_true_train - scenario.y_pred_train).to_numpy()[:, -1]
        gaps = np.diff(np.unique(residual))
        if spec.jitter or spec.forecast == "persistence":
            assert gaps.min() < 1e-6 * quantum, spec.name
        else:
            stored = scenario.y_true_train.to_numpy()[:, -1]
            assert np.array_equal(stored, np.round(stored * spec.divisor) / spec.divisor) and abs(gaps.min() - quantum) < 1e-9, spec.name
        clean = (twin.y_true_train - twin.y_pred_train).to_numpy()[:, -1]
        stored = twin.y_true_train.to_numpy()[:, -1]
        assert np.array_equal(stored, np.round(stored)) and np.abs(np.diff(stored)).max() == 1.0, spec.name
        if spec.forecast == "persistence":
            assert np.array_equal(clean, np.round(clean)), spec.name
        if spec.kind == "plant":
            test_levels = np.round(twin.y_true_test.to_numpy()[:, -1])
            assert np.abs(np.diff(test_levels)).max() == 1.0, spec.name  # no fault in the quantized column


@pytest.mark.requirement("REQ-QUA-034")
def test_confirmation3_clean_part_keeps_the_generators_anomaly_counts_from_new_seeds(scenarios):
    def windows(labels):
        return int(np.sum(np.diff(np.concatenate([[0], labels])) == 1))
    for fresh, seen in zip(scenarios[20:27], make_scenarios("tuning")):
        assert fresh.y_true_train.shape == seen.y_true_train.shape and windows(fresh.labels) == windows(seen.labels)
        assert not np.array_equal(fresh.y_true_train.to_numpy(), seen.y_true_train.to_numpy())
    for fresh, seen in zip(scenarios[27:], make_scenarios("monitoring")):
        assert fresh.y_true_train.shape == seen.y_true_train.shape and windows(fresh.labels) == windows(seen.labels)
        assert not np.array_equal(fresh.y_true_test.to_numpy(), seen.y_true_test.to_numpy())
    assert all(windows(s.labels) == 6 for s in scenarios[:20])
