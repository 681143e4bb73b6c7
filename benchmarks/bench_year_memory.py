# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Peak memory of the recommended detector on a year (and more) of hourly rows.

Issue 16 asks that the recommended configuration run on long series (a year of hourly rows) with bounded
memory. This script fits ``spotanomaly2_safe.recommended_detector()`` on 500 hourly training rows and scores
1, 2 and 4 years of test rows (1 and 8 columns), and prints the peak Python heap during
``fit_score_detect`` (``tracemalloc``) beside the size of the input frames. Bounded memory shows as a peak
that grows no faster than the input (a constant peak / input ratio), never with the square of the rows.
When the installed kernel has no ``recommended_detector`` the script says so and exits 0.

    python benchmarks/bench_year_memory.py
"""

import tracemalloc

import numpy as np
import pandas as pd

import spotanomaly2_safe

TRAIN_ROWS = 500
YEAR = 365 * 24


def frames(rows: int, columns: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hourly actuals (a daily season plus noise and a slow drift) and their seasonal forecast."""
    rng = np.random.default_rng(seed)
    hours = np.arange(rows)
    forecast = 100.0 + 10.0 * np.sin(2 * np.pi * hours / 24)[:, None] * np.ones(columns)
    actual = forecast + rng.normal(size=(rows, columns)) + np.linspace(0.0, 3.0, rows)[:, None]
    index = pd.date_range("2026-01-01", periods=rows, freq="h", tz="UTC")
    names = [f"c{column}" for column in range(columns)]
    return pd.DataFrame(actual, index=index, columns=names), pd.DataFrame(forecast, index=index, columns=names)


def peak_megabytes(columns: int, test_rows: int) -> tuple[float, float]:
    actual, forecast = frames(TRAIN_ROWS + test_rows, columns, seed=columns)
    train, test = slice(None, TRAIN_ROWS), slice(TRAIN_ROWS, None)
    detector = spotanomaly2_safe.recommended_detector()
    input_bytes = actual.iloc[test].memory_usage(deep=True).sum() * 2
    tracemalloc.start()
    detector.fit_score_detect(actual.iloc[train], forecast.iloc[train], actual.iloc[test], forecast.iloc[test])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6, input_bytes / 1e6


def main() -> None:
    if not hasattr(spotanomaly2_safe, "recommended_detector"):
        print("skipped: this kernel has no spotanomaly2_safe.recommended_detector")
        return
    peak_megabytes(1, 1000)  # warm-up: lazy imports and caches are not the detector's memory
    print(f"{'columns':>7}{'test rows':>11}{'input MB':>10}{'peak MB':>10}{'peak / input':>14}")
    for columns in (1, 8):
        for years in (1, 2, 4):
            peak, size = peak_megabytes(columns, years * YEAR)
            print(f"{columns:>7}{years * YEAR:>11}{size:>10.2f}{peak:>10.2f}{peak / size:>14.1f}")


if __name__ == "__main__":
    main()
