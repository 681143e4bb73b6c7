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

    python benchmarks/bench_training_screen.py
    python benchmarks/bench_training_screen.py --screen-risk 1e-3 --starts 300 1800
"""

import argparse

import numpy as np
import pandas as pd

from spotanomaly2_safe import recommended_detector

CASES = {"level 50, -9999 sentinel": (50.0, -9999.0), "level 1e5, 0.0 dropout": (1e5, 0.0), "level 50, no glitch": (50.0, None)}
STARTS = (300, 700, 1000, 1500, 1750, 1800, 2000, 3500)


def probe(level: float, glitch: float | None, start: int, screen_risk: float | None) -> tuple[int, int, list[int] | None]:
    """``(fault rows flagged, flags before the fault, screened training rows or None)`` of one run (module docstring)."""
    rng = np.random.default_rng(1)
    values = level + rng.normal(size=5400)
    if glitch is not None:
        values[150] = glitch
    values[400 + start : 400 + start + 100] += 8.0
    actual = pd.DataFrame({"p": values})
    forecast = pd.DataFrame({"p": np.full(len(values), values[:400].mean())})
    detector = recommended_detector(screen_risk=screen_risk)
    _, flags = detector.fit_score_detect(actual.iloc[:400], forecast.iloc[:400], actual.iloc[400:], forecast.iloc[400:])
    flagged = flags["anomaly_flag"].to_numpy()
    record = detector.fit_record_.get("training_screen")
    return int(flagged[start : start + 100].sum()), int(flagged[:start].sum()), None if record is None else record["rows"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screen-risk", type=float, default=0.01)
    parser.add_argument("--starts", type=int, nargs="+", default=list(STARTS))
    arguments = parser.parse_args()
    print(f"fault rows flagged of 100 (flags before the fault): off = recommended_detector(screen_risk=None), on = screen_risk={arguments.screen_risk}")
    print(f"{'case':<26}{'start':>6}{'off':>12}{'on':>12}  screened training rows")
    for case, (level, glitch) in CASES.items():
        for start in arguments.starts:
            off, on = probe(level, glitch, start, None), probe(level, glitch, start, arguments.screen_risk)
            print(f"{case:<26}{start:>6}{f'{off[0]} ({off[1]})':>12}{f'{on[0]} ({on[1]})':>12}  {on[2]}")


if __name__ == "__main__":
    main()
