# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The training-glitch probe: rows of a fault flagged after one training glitch, without and with the training screen.

One column ``N(level, 1)`` (one generator, seed 1, drawn in row order), 400 training rows of which row 150 is the
glitch (a -9999 sentinel at level 50, a 0.0 dropout at level 1e5, or none), a constant training-mean forecast, then
5,000 test rows with an 8-sigma level shift on the 100 test rows from ``start``. Each line: rows of the fault
flagged (of 100) and flags before the fault, for ``recommended_detector(screen_risk=None)`` (``off``) and
``recommended_detector(screen_risk=...)`` (``on``; 0.01, the recommendation's, by default), and the training rows the screen took out
(docs/detection_quality.md, "Training screen"; the test ``test_training_screen_flags_a_fault_that_one_training_glitch_hid``
checks three of these starts).

With ``--calibration``, instead: the smallest one-row glitch the screen takes out (one N(0, 1) column, the glitch
at the middle training row, either sign, seeds 0 .. ``--seeds`` - 1; bisection to 0.05 noise units) per training size,
and the trip rate on clean training (the share of ``--series`` series per training size of 100, 300 and 500 rows in
which any row is screened) per noise kind; ``recommended_detector(screen_risk=...)``, a zero forecast.

    python benchmarks/bench_training_screen.py
    python benchmarks/bench_training_screen.py --screen-risk 1e-3 --starts 300 1800
    python benchmarks/bench_training_screen.py --calibration --seeds 5 --series 100
"""

import argparse

import numpy as np
import pandas as pd

from spotanomaly2_safe import recommended_detector
from spotanomaly2_safe_cli.quality.scenarios_confirmation4 import glitch_probe_frames

CASES = {"level 50, -9999 sentinel": (50.0, -9999.0), "level 1e5, 0.0 dropout": (1e5, 0.0), "level 50, no glitch": (50.0, None)}
STARTS = (300, 700, 1000, 1500, 1750, 1800, 2000, 3500)


def probe(level: float, glitch: float | None, start: int, screen_risk: float | None) -> tuple[int, int, list[int] | None]:
    """``(fault rows flagged, flags before the fault, screened training rows or None)`` of one run (module docstring)."""
    detector = recommended_detector(screen_risk=screen_risk)
    _, flags = detector.fit_score_detect(*glitch_probe_frames(level, glitch, start))
    flagged = flags["anomaly_flag"].to_numpy()
    record = detector.fit_record_.get("training_screen")
    return int(flagged[start : start + 100].sum()), int(flagged[:start].sum()), None if record is None else record["rows"]


def _ar1_student_t(rng: np.random.Generator, rows: int, df: float = 4.0) -> np.ndarray:
    """AR(1) noise with coefficient 0.6 on unit-variance Student-t shocks (the monitoring-shaped suites' forecast error)."""
    shocks = rng.standard_t(df, size=rows) * np.sqrt((df - 2) / df)
    error = np.zeros(rows)
    error[0] = shocks[0]
    for row in range(1, rows):
        error[row] = 0.6 * error[row - 1] + 0.8 * shocks[row]
    return error


NOISES = {
    "Gaussian": lambda rng, rows: rng.normal(size=rows),
    "AR(1) Student-t df 4": _ar1_student_t,
    "Poisson(1.5) counts": lambda rng, rows: rng.poisson(1.5, size=rows).astype(np.float64),
    "lognormal(0, 1.5)": lambda rng, rows: rng.lognormal(0.0, 1.5, size=rows),
    "Student-t df 3": lambda rng, rows: rng.standard_t(3.0, size=rows),
    "Student-t df 1.5": lambda rng, rows: rng.standard_t(1.5, size=rows),
}


def screened_rows(values: np.ndarray, screen_risk: float) -> list[int]:
    """The training rows ``recommended_detector(screen_risk=...)`` screens on one column of ``values`` (zero forecast)."""
    frame = pd.DataFrame({"p": values})
    return recommended_detector(screen_risk=screen_risk).fit(frame, frame * 0.0).fit_record_["training_screen"]["rows"]


def smallest_screened_glitch(seed: int, rows: int, sign: float, screen_risk: float) -> float:
    """The smallest glitch (noise units, to 0.05) added to the middle training row of N(0, 1) noise that is screened."""
    noise, row = np.random.default_rng(seed).normal(size=rows), rows // 2
    low, high = 1.0, 200.0
    while high - low > 0.05:
        middle = (low + high) / 2
        glitched = noise.copy()
        glitched[row] += sign * middle
        low, high = (low, middle) if row in screened_rows(glitched, screen_risk) else (middle, high)
    return high


def calibration(seeds: int, series: int, screen_risk: float) -> None:
    """The smallest screened glitch per training size and the trip rate per noise kind (module docstring)."""
    print(f"smallest one-row glitch screened (noise units; N(0, 1), middle training row, both signs, seeds 0-{seeds - 1}), screen_risk={screen_risk}")
    for rows in (100, 400, 1000):
        sizes = [smallest_screened_glitch(seed, rows, sign, screen_risk) for seed in range(seeds) for sign in (1.0, -1.0)]
        print(f"{rows:>6} training rows: {min(sizes):.1f} to {max(sizes):.1f} (median {float(np.median(sizes)):.1f})")
    print(f"trip rate on clean training ({series} series each of 100, 300 and 500 training rows, seeds 0-{series - 1})")
    for name, draw in NOISES.items():
        tripped = sum(bool(screened_rows(draw(np.random.default_rng(seed), rows), screen_risk)) for rows in (100, 300, 500) for seed in range(series))
        print(f"{name:<22} {tripped:>4} of {3 * series} ({100 * tripped / (3 * series):.1f} %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screen-risk", type=float, default=0.01)
    parser.add_argument("--starts", type=int, nargs="+", default=list(STARTS))
    parser.add_argument("--calibration", action="store_true", help="print the smallest screened glitch and the trip rate instead")
    parser.add_argument("--seeds", type=int, default=5, help="seeds of the smallest-glitch search (--calibration)")
    parser.add_argument("--series", type=int, default=100, help="clean series per training size and noise kind (--calibration)")
    arguments = parser.parse_args()
    if arguments.calibration:
        calibration(arguments.seeds, arguments.series, arguments.screen_risk)
        return
    print(f"fault rows flagged of 100 (flags before the fault): off = recommended_detector(screen_risk=None), on = screen_risk={arguments.screen_risk}")
    print(f"{'case':<26}{'start':>6}{'off':>12}{'on':>12}  screened training rows")
    for case, (level, glitch) in CASES.items():
        for start in arguments.starts:
            off, on = probe(level, glitch, start, None), probe(level, glitch, start, arguments.screen_risk)
            print(f"{case:<26}{start:>6}{f'{off[0]} ({off[1]})':>12}{f'{on[0]} ({on[1]})':>12}  {on[2]}")


if __name__ == "__main__":
    main()
