# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""What another CPU class changes, imitated on this machine, and what computing CPU-independently costs.

1. Cross-class differences: the reference scenarios are recorded here (a temporary golden file), then
   ``spotanomaly2-safe reproduce`` runs in fresh processes with NumPy's SIMD dispatch restricted by
   ``NPY_DISABLE_CPU_FEATURES``: without the AVX-512 targets (an AVX2 machine) and without any dispatch
   target (baseline only, SSE4.2 on x86-64). Each prints its verdict per scenario: the largest ULP
   distance and relative difference (the figures behind ``closeness.RELATIVE_BOUND``).
2. Which NumPy functions differ: ``log``, ``log1p``, ``exp``, ``power``, ... on 100,000 inputs, the
   share of results that differ under the AVX2 imitation and by how many ULPs.
3. The peaks-over-threshold path on many random tails (Student-t squared, exponential, log-normal
   scores): how many generalized Pareto fits (shape, scale), thresholds and log tail probabilities
   differ under the AVX2 imitation.
4. Cost: the tail's empirical log probability with ``scipy.special.xlogy`` (the C library's log, the
   same on every x86-64 CPU class) against ``np.log``, per call and as a share of fitting and scoring
   the recommended configuration. Best of ``--repeats``; times are printed, never asserted.

    python benchmarks/bench_cpu_dispatch.py              # everything
    python benchmarks/bench_cpu_dispatch.py --quick      # fewer inputs and repeats
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.special import xlogy

from timing import best_time

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe.scoring.tail import fit_tail, log_exceedance_probability
from spotanomaly2_safe_cli.demo import make_demo_data
from spotanomaly2_safe_cli.reproduce.golden import RECOMMENDED, compute_outputs
from spotanomaly2_safe_cli.reproduce.records import record_golden
from spotanomaly2_safe_cli.reproduce.machine_class import avx512_dispatch_targets, current_machine_class, numpy_cpu_dispatch

FUNCTIONS = ("log", "log1p", "log10", "exp", "expm1", "power", "sqrt", "sin")
PROBE = """
import json, sys, numpy as np
x = np.random.default_rng(0).uniform(1e-3, 1e3, int(sys.argv[1]))
y = np.random.default_rng(1).uniform(-5, 5, x.size)
results = {name: (np.power(x, y / 10) if name == "power" else getattr(np, name)(y if name in ("exp", "expm1", "sin") else x))
           for name in json.loads(sys.argv[2])}
np.savez(sys.argv[3], **results)
"""


def restrictions() -> dict[str, str]:
    """Name -> NPY_DISABLE_CPU_FEATURES value: imitating an AVX2 machine, and NumPy's baseline only."""
    return {"AVX2 (AVX-512 targets off)": " ".join(avx512_dispatch_targets()),
            "baseline (every dispatch target off)": " ".join(numpy_cpu_dispatch()["dispatched"])}


def run_restricted(command: list[str], disabled: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "NPY_DISABLE_CPU_FEATURES": disabled}
    return subprocess.run(command, env=environment, capture_output=True, text=True)


def cross_class(folder: Path) -> None:
    golden = folder / "golden.json"
    record_golden(golden, current_machine_class(), *compute_outputs(), reason="benchmark: this machine's outputs")
    for name, disabled in restrictions().items():
        print(f"\n{name}: NPY_DISABLE_CPU_FEATURES={disabled!r}")
        result = run_restricted([sys.executable, "-m", "spotanomaly2_safe_cli", "reproduce", "--golden", str(golden)], disabled)
        print(result.stdout.rstrip(), f"\nexit status {result.returncode}")


def ufunc_differences(folder: Path, size: int) -> None:
    print(f"\nNumPy functions on {size:,} float64 inputs, native against the AVX2 imitation:")
    outputs = {}
    for name, disabled in {"native": "", "avx2": restrictions()["AVX2 (AVX-512 targets off)"]}.items():
        path = folder / f"{name}.npz"
        run_restricted([sys.executable, "-c", PROBE, str(size), json.dumps(FUNCTIONS), str(path)], disabled).check_returncode()
        outputs[name] = np.load(path)
    for function in FUNCTIONS:
        native, imitated = outputs["native"][function], outputs["avx2"][function]
        ulps = np.abs(native.view(np.int64) - imitated.view(np.int64))
        print(f"  {function:<6} differ in {np.mean(native != imitated):7.2%} of values, at most {int(ulps.max())} ULP")


TAIL_PROBE = """
import sys, numpy as np
from spotanomaly2_safe.scoring.pot import PeaksOverThresholdDetector
from spotanomaly2_safe.scoring.tail import log_exceedance_probability
rows = []
for seed in range(int(sys.argv[1])):
    rng = np.random.default_rng(seed)
    scores = [rng.standard_t(3, 3000) ** 2, rng.exponential(size=2000), rng.lognormal(size=5000)][seed % 3]
    detector = PeaksOverThresholdDetector(risk=1e-3).fit(scores)
    grid = np.linspace(0.0, scores.max() * 1.5, 2000)
    rows.append([detector.tail.xi, detector.tail.sigma, detector.threshold, *log_exceedance_probability(detector.tail, grid)])
np.save(sys.argv[2], np.array(rows))
"""


def tail_fits(folder: Path, tails: int) -> None:
    results = {}
    for name, disabled in {"native": "", "avx2": restrictions()["AVX2 (AVX-512 targets off)"]}.items():
        run_restricted([sys.executable, "-c", TAIL_PROBE, str(tails), str(folder / f"tails-{name}.npy")], disabled).check_returncode()
        results[name] = np.load(folder / f"tails-{name}.npy")
    fits = np.any(results["native"][:, :3] != results["avx2"][:, :3], axis=1)
    probabilities = results["native"][:, 3:] != results["avx2"][:, 3:]
    print(f"\nPeaks over threshold on {tails} random tails under the AVX2 imitation: {int(fits.sum())} fits or thresholds "
          f"differ, {int(probabilities.sum())} of {probabilities.size:,} log tail probabilities differ")



def cost(size: int, repeats: int) -> None:
    scores = np.random.default_rng(0).exponential(size=size)
    tail = fit_tail(scores, 0.98)
    fractions = np.maximum(tail.n_scores - np.searchsorted(tail.sorted_scores, scores, side="right"), tail.n_exceedances) / tail.n_scores
    numpy_log, c_log = best_time(lambda: np.log(fractions), repeats), best_time(lambda: xlogy(1.0, fractions), repeats)
    whole = best_time(lambda: log_exceedance_probability(tail, scores), repeats)
    print(f"\nCost on {size:,} scores: np.log {numpy_log * 1e3:.3f} ms, xlogy {c_log * 1e3:.3f} ms, "
          f"ratio xlogy / np.log {c_log / numpy_log:.2f}; log_exceedance_probability {whole * 1e3:.3f} ms, "
          f"of which the switch adds {(c_log - numpy_log) / whole:.1%}")
    y_true_train, y_pred_train, y_true_test, y_pred_test = make_demo_data()

    def pipeline() -> None:
        detector = ForecastingAnomalyDetector(**RECOMMENDED).fit(y_true_train, y_pred_train)
        detector.score_and_detect(y_true_test, y_pred_test, y_true_train.iloc[-5:], y_pred_train.iloc[-5:])

    rows = len(y_true_test)
    whole_pipeline = best_time(pipeline, repeats)
    extra = (c_log - numpy_log) / size * (len(y_true_train) + rows)
    print(f"Recommended configuration, demo data: fit + score {whole_pipeline * 1e3:.1f} ms; the CPU-independent log adds "
          f"about {extra * 1e6:.1f} us ({extra / whole_pipeline:.3%} of it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer inputs and repeats (a quick look)")
    arguments = parser.parse_args()
    size, repeats = (10_000, 2) if arguments.quick else (100_000, 7)
    print(f"NumPy dispatch here: {numpy_cpu_dispatch()}")
    with tempfile.TemporaryDirectory() as folder:
        cross_class(Path(folder))
        ufunc_differences(Path(folder), size)
        tail_fits(Path(folder), 30 if arguments.quick else 300)
    cost(size, repeats)


if __name__ == "__main__":
    main()
