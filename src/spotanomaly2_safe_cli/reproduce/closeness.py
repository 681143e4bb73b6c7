# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""How close a reference scenario's outputs come to its recorded reference outputs.

A scenario's verdict:

- ``identical``: every output value, the index and the fit record are bit for bit the recorded ones;
- ``within bound``: the index and every non-float fact are equal, every score, normalized score and
  fit-record float is within :data:`RELATIVE_BOUND` of the recorded one (relative difference
  ``|a - b| / max(|a|, |b|)``), and the flags are identical except rows whose recorded score lies within
  that bound of the recorded threshold, ``|s - t| <= RELATIVE_BOUND * (|s| + |t|)`` (both may move by
  the bound), listed by label (an ``alarm`` may differ only when a flag did);
- ``differs``: anything else, with the rows, columns and fit-record entries that differ and by how much.

:data:`RELATIVE_BOUND` is measured, not guessed: running the reference scenarios with NumPy restricted
to AVX2 (and to SSE4.2) dispatch on an AVX-512 machine (``benchmarks/bench_cpu_dispatch.py``) gave at
most 2.6e-13 (IsolationForest scores, through scikit-learn's ``np.log`` path lengths and ``2 **``
scores: up to 2048 ULPs where the offset cancels most of the score) and identical flags and fit
records; the bound is that maximum rounded up to the next power of ten.

>>> import numpy as np
>>> int(ulp_distance(np.array([1.0]), np.array([np.nextafter(1.0, 2.0)]))[0])
1
>>> bool(relative_difference(np.array([2.0]), np.array([2.0 + 1e-12]))[0] <= RELATIVE_BOUND)
True
"""

import json
import math
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "DIFFERS",
    "IDENTICAL",
    "RELATIVE_BOUND",
    "VERDICTS",
    "WITHIN_BOUND",
    "ScenarioOutputs",
    "ScenarioVerdict",
    "compare_outputs",
    "relative_difference",
    "ulp_distance",
]

IDENTICAL, WITHIN_BOUND, DIFFERS = "identical", "within bound", "differs"
VERDICTS = (IDENTICAL, WITHIN_BOUND, DIFFERS)  # best first
RELATIVE_BOUND = 1e-12
FLAG_COLUMNS = ("anomaly_flag", "alarm")
MAX_LISTED = 20  # rows listed per scenario; the count is always given


class ScenarioOutputs(NamedTuple):
    """One scenario's outputs: row labels (as text), output columns by name, the version-free fit record."""

    labels: np.ndarray
    columns: dict[str, np.ndarray]
    fit_record: dict[str, Any]


class ScenarioVerdict(NamedTuple):
    """A scenario's verdict with the largest differences and what differs (empty lists when nothing does)."""

    verdict: str
    max_ulp: int
    max_relative: float
    flags_identical: bool
    near_threshold_rows: list[str]
    differences: list[str]

    def summary(self) -> str:
        """One line: the verdict and its figures."""
        figures = f"max {self.max_ulp} ULP, max relative difference {self.max_relative:.3g}, flags {'identical' if self.flags_identical else 'differ'}"
        near = f"; flags differ only near the threshold at {', '.join(self.near_threshold_rows)}" if self.near_threshold_rows else ""
        found = f"; {'; '.join(self.differences)}" if self.differences else ""
        return f"{self.verdict} ({figures}{near}{found})"


def ulp_distance(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Number of float64 values between each pair (0 when equal, also for 0.0 and -0.0)."""
    def ordered(values: np.ndarray) -> np.ndarray:
        bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
        return np.where(bits < 0, np.int64(-(2**63)) - bits, bits)  # monotone in the float's value

    with np.errstate(over="ignore"):
        return np.abs(ordered(first) - ordered(second))


def relative_difference(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """``|a - b| / max(|a|, |b|)``, 0 where ``a == b``."""
    first, second = np.asarray(first, dtype=np.float64), np.asarray(second, dtype=np.float64)
    scale = np.maximum(np.abs(first), np.abs(second))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(first == second, 0.0, np.abs(first - second) / scale)


def _fit_record_floats(reference: Any, computed: Any, path: str, found: list[str], relative: list[float]) -> None:
    """Walk both records; a float pair goes to ``relative``, any other mismatch to ``found``."""
    if isinstance(reference, float) and isinstance(computed, float):
        relative.append(float(relative_difference(reference, computed)))
        if relative[-1] > RELATIVE_BOUND:
            found.append(f"fit record {path}: {reference!r} -> {computed!r}")
    elif isinstance(reference, dict) and isinstance(computed, dict) and reference.keys() == computed.keys():
        for key in reference:
            _fit_record_floats(reference[key], computed[key], f"{path}.{key}", found, relative)
    elif isinstance(reference, list) and isinstance(computed, list) and len(reference) == len(computed):
        for position, (first, second) in enumerate(zip(reference, computed)):
            _fit_record_floats(first, second, f"{path}[{position}]", found, relative)
    elif reference != computed or type(reference) is not type(computed):
        found.append(f"fit record {path}: {json.dumps(reference)[:80]} -> {json.dumps(computed)[:80]}")


def _listed(labels: np.ndarray, rows: np.ndarray, amounts: np.ndarray | None = None) -> str:
    """``N row(s): label, ...``, with each row's relative difference when ``amounts`` are given."""
    shown = ", ".join(str(labels[row]) + ("" if amounts is None else f" ({amounts[row]:.2g})") for row in rows[:MAX_LISTED])
    return f"{rows.size} row(s): {shown}{', ...' if rows.size > MAX_LISTED else ''}"


def _flag_differences(reference: ScenarioOutputs, computed: ScenarioOutputs, found: list[str]) -> tuple[bool, list[str]]:
    """Whether flags are identical, and the near-threshold rows where they are not; other flips go to ``found``."""
    flipped = np.zeros(reference.labels.size, dtype=bool)
    for column in FLAG_COLUMNS:
        if column in reference.columns:
            flipped |= reference.columns[column] != computed.columns[column]
    if not flipped.any():
        return True, []
    scores, threshold = reference.columns["anomaly_score"], reference.fit_record["threshold"]
    near = np.abs(scores - threshold) <= RELATIVE_BOUND * (np.abs(scores) + abs(threshold))
    flag_flips = reference.columns["anomaly_flag"] != computed.columns["anomaly_flag"]
    explained = flag_flips & near
    # An alarm depends on the flags before it: it may change only when some flag changed near the threshold.
    unexplained = (flag_flips & ~near) | (flipped & ~flag_flips & ~explained.any())
    if unexplained.any():
        found.append(f"flags differ away from the threshold at {_listed(reference.labels, np.flatnonzero(unexplained))}")
    return False, [str(label) for label in reference.labels[explained]]


def compare_outputs(reference: ScenarioOutputs, computed: ScenarioOutputs) -> ScenarioVerdict:
    """The verdict of ``computed`` against the recorded ``reference`` (module docstring)."""
    if not np.array_equal(reference.labels, computed.labels) or reference.columns.keys() != computed.columns.keys():
        found = [f"row labels or output columns differ ({reference.labels.size} recorded rows, {computed.labels.size} now; "
                 f"columns {sorted(reference.columns)} recorded, {sorted(computed.columns)} now)"]
        return ScenarioVerdict(DIFFERS, 0, math.inf, False, [], found)
    found: list[str] = []
    max_ulp, relative = 0, [0.0]
    for name, values in reference.columns.items():
        if name in FLAG_COLUMNS:
            continue
        distance, difference = ulp_distance(values, computed.columns[name]), relative_difference(values, computed.columns[name])
        max_ulp, relative = max(max_ulp, int(distance.max())), [*relative, float(difference.max())]
        beyond = np.flatnonzero(difference > RELATIVE_BOUND)
        if beyond.size:
            found.append(f"{name} beyond the bound (max relative difference {difference.max():.3g}) at "
                         f"{_listed(reference.labels, beyond, difference)}")
    _fit_record_floats(reference.fit_record, computed.fit_record, "", found, relative)
    flags_identical, near_rows = _flag_differences(reference, computed, found)
    values_equal = max_ulp == 0 and max(relative) == 0.0 and flags_identical and reference.fit_record == computed.fit_record
    verdict = DIFFERS if found else IDENTICAL if values_equal else WITHIN_BOUND
    return ScenarioVerdict(verdict, max_ulp, max(relative), flags_identical, near_rows, found)
