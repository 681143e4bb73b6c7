# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``adaptive.spread``: the resolution at 4 significant digits, its exact grid and its unit cases."""

import copy
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotanomaly2_safe import AdaptiveDetector, AdaptiveResidualDetector
from spotanomaly2_safe.adaptive.spread import RESOLUTION_RULES, data_resolution, resolution_grid
from spotanomaly2_safe.errors import InvalidInputError, Reason
from spotanomaly2_safe.streaming.snapshot import restore_from_state_dict

QUANTUM_EXPONENTS = st.integers(-4, 3)  # quanta 1e-4 ... 1e3


def _decimal_exponent(value: float) -> int:
    """The n with 10**n <= value < 10**(n + 1), by exact rational comparison (an oracle independent of ``decimal``)."""
    exact, n = Fraction(value), math.floor(math.log10(value))
    while Fraction(10) ** n > exact:
        n -= 1
    while Fraction(10) ** (n + 1) <= exact:
        n += 1
    return n


@pytest.mark.requirement("REQ-ADA-031")
@given(QUANTUM_EXPONENTS, st.lists(st.integers(-9998, 9998), min_size=1, max_size=40), st.integers(-9998, 9998),
       st.lists(st.floats(-1e-9, 1e-9), min_size=42, max_size=42))
def test_relative_jitter_below_1e_9_leaves_the_resolution_of_a_quantized_column_at_its_quantum(exponent, steps, level, jitter):
    """A column on the grid quantum x integers (at most 4 significant digits of its largest value, one step of one
    quantum among its values) has the quantum as its resolution, with or without relative jitter below 1e-9."""
    quantum = float(f"1e{exponent}")
    multiples = np.array([level, level + 1, *steps], dtype=np.float64)
    clean = (multiples / 10.0**-exponent if exponent < 0 else multiples * quantum)[:, None]
    noisy = clean * (1.0 + np.array(jitter[: len(clean)])[:, None])
    for residuals in (clean, noisy):
        resolution, rules = data_resolution(residuals)
        assert rules == [RESOLUTION_RULES[0]]
        assert resolution[0] == pytest.approx(quantum, rel=1e-12)
    assert data_resolution(noisy)[0][0] == data_resolution(clean)[0][0]


@pytest.mark.requirement("REQ-ADA-031")
@pytest.mark.parametrize("power", range(-307, 308))
def test_resolution_grid_uses_the_exact_decimal_exponent_at_and_beside_every_power_of_ten(power):
    """The float nearest 10**n and its two float neighbours: the grid is 10**(e - 3) for e from exact rational
    comparison, so a float just below a power of ten gets the finer grid (floor(log10(.)) may say otherwise)."""
    nearest = float(f"1e{power}")
    for value in (math.nextafter(nearest, 0.0), nearest, math.nextafter(nearest, math.inf)):
        assert resolution_grid(value) == max(float(f"1e{_decimal_exponent(value) - 3}"), math.ulp(0.0))


@pytest.mark.requirement("REQ-ADA-031")
def test_resolution_grid_of_the_largest_and_smallest_floats_is_finite_and_positive():
    assert resolution_grid(np.finfo(np.float64).max) == 1e305
    assert resolution_grid(math.ulp(0.0)) == math.ulp(0.0)  # 10**-327 underflows: the smallest subnormal instead
    assert data_resolution(np.array([[0.0], [math.ulp(0.0)], [3 * math.ulp(0.0)]]))[0][0] == math.ulp(0.0)


@pytest.mark.requirement("REQ-ADA-031")
@pytest.mark.parametrize(("column", "why"), [
    ([0.0, 0.0, 0.0], "every residual 0"),
    ([-0.0, 0.0, -0.0], "zeros of both signs"),
    ([7.5, 7.5, 7.5], "one value"),
    ([5.0, 5.0 + 1e-12, 5.0 - 1e-12], "values equal at 4 significant digits"),
    ([-1.7e308, 1.7e308, 1.7e308], "the only gap overflows float64"),
])
def test_unit_rule_when_the_rounded_residuals_have_one_value_or_no_finite_gap(column, why):
    resolution, rules = data_resolution(np.array(column)[:, None])
    assert (resolution.tolist(), rules) == ([1.0], [RESOLUTION_RULES[1]]), why


@pytest.mark.requirement("REQ-ADA-031")
def test_resolution_is_the_smallest_gap_of_the_residuals_rounded_to_4_significant_digits_per_column():
    residuals = np.array([[1234.5, 0.10000000000000142, 3.0], [1000.0, 0.09999999999999432, 3.0], [1000.4, 0.0, 3.0 + 4e-4]])
    resolution, rules = data_resolution(residuals)
    # 1234.5 -> grid 1: {1234 (half to even), 1000, 1000} -> 234; 0.1 -> grid 1e-4: {1000, 1000, 0} -> 0.1;
    # 3.0004 -> grid 1e-3: {3000, 3000, 3000} -> unit
    assert resolution.tolist() == [234.0, 0.1, 1.0] and rules == ["smallest_gap_4_digits", "smallest_gap_4_digits", "unit"]


def _fitted_adaptive() -> AdaptiveDetector:
    values = np.random.default_rng(31).normal(size=(150, 2))
    index = pd.date_range("2026-01-01", periods=150, freq="h")
    return AdaptiveDetector().fit(pd.DataFrame(values, index=index, columns=["a", "b"]), pd.DataFrame(0.0, index=index, columns=["a", "b"]))


@pytest.mark.requirement("REQ-ADA-031")
def test_adaptive_state_made_under_the_plain_smallest_gap_is_refused_by_name_never_reinterpreted():
    snapshot = _fitted_adaptive().state_dict()
    assert snapshot["state"]["format"] == "spotanomaly2_safe.adaptive/3"
    snapshot["state"]["format"] = "spotanomaly2_safe.adaptive/2"
    snapshot["state"]["resolution_rules"] = ["smallest_gap", "smallest_gap"]
    with pytest.raises(InvalidInputError) as caught:
        AdaptiveDetector.from_state_dict(snapshot)
    assert caught.value.reason is Reason.INVALID_STATE
    assert "'spotanomaly2_safe.adaptive/2' was made under the resolution rule 'smallest_gap'" in str(caught.value)


@pytest.mark.requirement("REQ-ADA-031")
def test_streaming_adaptive_snapshot_of_the_previous_formats_is_refused_never_reinterpreted():
    detector = AdaptiveResidualDetector(training_rows=100)
    for row in np.random.default_rng(32).normal(size=(120, 1)):
        detector.learn_one({"load": float(row[0])})
    for key, old in ((("format",), "spotanomaly2_safe.streaming/2"), (("state", "adaptive", "format"), "spotanomaly2_safe.adaptive/2")):
        snapshot = copy.deepcopy(detector.state_dict())
        target = snapshot
        for part in key[:-1]:
            target = target[part]
        target[key[-1]] = old
        with pytest.raises(InvalidInputError) as caught:
            restore_from_state_dict(snapshot)
        assert caught.value.reason is Reason.INVALID_STATE and old in str(caught.value), key
    assert type(restore_from_state_dict(detector.state_dict())) is AdaptiveResidualDetector
