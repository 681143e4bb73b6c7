# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The streaming benchmark script runs and prints its ratio (speed is never asserted in tests)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.requirement("REQ-STR-016")
def test_streaming_benchmark_script_prints_the_ratio_against_river():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_streaming.py"), "--observations", "300", "--repeats", "1"],
        capture_output=True, text=True, check=True,
    )
    row = next(line for line in result.stdout.splitlines() if line.startswith("Gaussian + QuantileFilter vs river"))
    ours, river, ratio = (float(value) for value in row[44:].split()[:3])
    assert ours > 0 and river > 0 and ratio > 0
