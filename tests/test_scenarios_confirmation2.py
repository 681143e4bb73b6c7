# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The "confirmation2" suite: how it is generated, and that its seeds are new (it had its one run on 2026-11-26)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spotanomaly2_safe_cli.quality.scenarios import (
    CONFIRMATION2_SEED_OFFSET, SCENARIO_NAMES, SEALED_SUITES, SUITES, TEST_ROWS, TRAIN_ROWS, make_scenarios, unsealed_suites)
from spotanomaly2_safe_cli.quality.scenarios_monitoring import MONITORING_SCENARIO_NAMES

ROOT = Path(__file__).resolve().parents[1]


def _window_count(labels: np.ndarray) -> int:
    return int(np.sum(np.diff(np.concatenate([[0], labels])) == 1))


@pytest.mark.requirement("REQ-QUA-032")
def test_confirmation2_suite_is_identical_on_every_call_with_both_parts_in_order():
    first, second = make_scenarios("confirmation2"), make_scenarios("confirmation2")
    assert [s.name for s in first] == [f"sixty_day/{name}" for name in SCENARIO_NAMES] + [f"monitoring/{name}" for name in MONITORING_SCENARIO_NAMES]
    for left, right in zip(first, second):
        for part in range(1, 5):
            pd.testing.assert_frame_equal(left[part], right[part], check_exact=True)
        np.testing.assert_array_equal(left.labels, right.labels)
        assert np.isfinite(left.y_true_test.to_numpy()).all() and left.labels.shape == (len(left.y_true_test),)


@pytest.mark.requirement("REQ-QUA-032")
def test_confirmation2_parts_keep_their_generators_shapes_and_anomaly_counts_from_new_seeds():
    scenarios = make_scenarios("confirmation2")
    for fresh, tuned in zip(scenarios[:7], make_scenarios("tuning")):
        assert fresh.y_true_train.shape == (TRAIN_ROWS, 3) and fresh.labels.shape == (TEST_ROWS,)
        assert _window_count(fresh.labels) == _window_count(tuned.labels)
        assert not np.array_equal(fresh.y_true_train.to_numpy(), tuned.y_true_train.to_numpy())
    for fresh, seen in zip(scenarios[7:], make_scenarios("monitoring")):
        assert fresh.y_true_train.shape == seen.y_true_train.shape and fresh.labels.shape == seen.labels.shape
        assert _window_count(fresh.labels) == _window_count(seen.labels)
        assert not np.array_equal(fresh.y_true_test.to_numpy(), seen.y_true_test.to_numpy())


@pytest.mark.requirement("REQ-QUA-032")
def test_confirmation2_seeds_are_new_and_the_spent_suite_is_no_longer_sealed():
    earlier = {offset for suite, (offset, _) in SUITES.items() if suite != "confirmation2"}
    assert CONFIRMATION2_SEED_OFFSET == SUITES["confirmation2"][0] and all(abs(CONFIRMATION2_SEED_OFFSET - o) >= 1000 for o in earlier)
    assert "confirmation2" not in SEALED_SUITES and "confirmation2" in unsealed_suites()  # spent: its one run is recorded
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_quality.py"), "--quick", "--suite", "confirmation2",
                             "--configuration", "candidate", "--venv010", "/nonexistent"], capture_output=True, text=True, check=True)
    assert "\npart sixty_day: 7 scenarios, 10080 test rows, 39 labelled windows\n" in result.stdout
    assert "\npart monitoring: 8 scenarios, 57800 test rows, 42 labelled windows\n" in result.stdout
    assert "refused: InsufficientDataException" in result.stdout  # the previous recommendation on the 100-row heads
