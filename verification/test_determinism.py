# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Bit-identical outputs in fresh processes with 1 or 2 BLAS/OpenMP threads and different hash seeds."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spotanomaly2_safe_cli.reproduce.golden import REFERENCE_SCENARIOS

PROBE = Path(__file__).with_name("determinism_probe.py")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _run_probe(threads: int, hash_seed: str) -> dict[str, str]:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed, **{name: str(threads) for name in THREAD_VARIABLES}}
    result = subprocess.run([sys.executable, str(PROBE)], env=environment, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


@pytest.mark.requirement("REQ-DET-002")
def test_outputs_identical_across_processes_threads_and_hash_seeds():
    runs = {(threads, seed): _run_probe(threads, seed) for threads, seed in [(1, "0"), (2, "123"), (2, "0"), (1, "987")]}
    reference = runs[(1, "0")]
    assert set(reference) == set(REFERENCE_SCENARIOS)
    for key, hashes in runs.items():
        assert hashes == reference, f"threads={key[0]} PYTHONHASHSEED={key[1]} differs"
