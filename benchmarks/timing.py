# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Timing shared by the benchmark scripts (each run as ``python benchmarks/bench_*.py``, so this folder is on sys.path)."""

import time
from collections.abc import Callable


def best_time(job: Callable[[], object], repeats: int) -> float:
    """The best of ``repeats`` wall-clock timings of ``job()``, in seconds (the least disturbed run on a shared machine)."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        job()
        timings.append(time.perf_counter() - start)
    return min(timings)
