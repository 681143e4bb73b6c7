# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import FitError, genpareto

from spotanomaly2_safe import InsufficientDataException, InvalidInputError
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.scoring.tail import MIN_EXCEEDANCES, TAIL_FLOOR, Tail, fit_tail, log_exceedance_probability

SCORES = np.random.default_rng(11).exponential(size=4000)


@pytest.mark.requirement("REQ-QUA-006")
def test_tail_is_scipy_genpareto_fit_over_the_tail_quantile():
    tail = fit_tail(SCORES, 0.98)
    u = np.quantile(SCORES, 0.98)
    exceedances = SCORES[SCORES > u] - u
    xi, loc, sigma = genpareto.fit(exceedances, floc=0)
    assert (tail.u, tail.xi, tail.sigma, tail.n_exceedances, tail.n_scores) == (u, xi, sigma, exceedances.size, SCORES.size)
    assert loc == 0 and tail.details() == {"u": u, "xi": xi, "sigma": sigma, "n_exceedances": 80, "n_scores": 4000}


@pytest.mark.requirement("REQ-QUA-007")
def test_too_few_exceedances_raise_with_the_counts():
    with pytest.raises(InsufficientDataException) as caught:
        fit_tail(SCORES[:500], 0.98)
    assert caught.value.reason is Reason.TAIL_TOO_SMALL
    assert "found 10 of 500 training scores" in str(caught.value)
    assert f"MIN_EXCEEDANCES={MIN_EXCEEDANCES}" in str(caught.value) and "1000 or more training rows" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-007")
def test_degenerate_tail_raises_fit_failed():
    scores = np.concatenate([np.zeros(900), np.full(100, 3.0)])
    with pytest.raises(InvalidInputError) as caught:
        fit_tail(scores, 0.8)
    assert caught.value.reason is Reason.TAIL_FIT_FAILED and "all 100 exceedances equal 3.0" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-007")
def test_scipy_fit_error_raises_fit_failed(monkeypatch):
    def failing_fit(data, floc):
        raise FitError("optimizer did not converge")

    monkeypatch.setattr("spotanomaly2_safe.scoring.tail.genpareto.fit", failing_fit)
    with pytest.raises(InvalidInputError) as caught:
        fit_tail(SCORES, 0.98)
    assert caught.value.reason is Reason.TAIL_FIT_FAILED and "did not converge" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-007")
def test_non_finite_fit_parameters_raise_fit_failed(monkeypatch):
    monkeypatch.setattr("spotanomaly2_safe.scoring.tail.genpareto.fit", lambda data, floc: (np.nan, 0.0, 1.0))
    with pytest.raises(InvalidInputError) as caught:
        fit_tail(SCORES, 0.98)
    assert caught.value.reason is Reason.TAIL_FIT_FAILED and "xi=nan" in str(caught.value)


def _tail(xi: float) -> Tail:
    sorted_scores = np.concatenate([np.linspace(0.0, 2.0, 1960), np.linspace(2.01, 3.0, 40)])
    return Tail(u=2.0, xi=xi, sigma=0.5, n_exceedances=40, n_scores=2000, sorted_scores=sorted_scores)


@pytest.mark.requirement("REQ-QUA-008")
@pytest.mark.parametrize("xi", [-0.5, 0.0, 0.3])
def test_log_probability_in_the_tail_is_genpareto_logsf(xi):
    tail = _tail(xi)
    scores = np.array([2.1, 2.5, 2.9])
    expected = math.log(40 / 2000) + genpareto.logsf(scores - 2.0, xi, scale=0.5)
    np.testing.assert_allclose(log_exceedance_probability(tail, scores), expected, rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-008")
def test_log_probability_at_or_below_u_is_empirical_survival():
    tail = _tail(0.1)
    scores = np.array([-1.0, 1.0, 2.0])
    expected = np.log([1.0, np.count_nonzero(tail.sorted_scores > 1.0) / 2000, 40 / 2000])
    np.testing.assert_allclose(log_exceedance_probability(tail, scores), expected, rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-008")
def test_log_probability_continues_linearly_past_the_finite_end_point():
    tail = _tail(-0.5)  # end point at u + sigma / 0.5 = 3.0
    z_cap = genpareto.isf(TAIL_FLOOR, -0.5, scale=0.5)
    beyond = np.array([3.0, 4.0, 1e6])
    at_cap = math.log(40 / 2000) + math.log(TAIL_FLOOR)
    expected = at_cap - (beyond - 2.0 - z_cap) * -math.log(TAIL_FLOOR) / z_cap
    np.testing.assert_allclose(log_exceedance_probability(tail, beyond), expected, rtol=1e-9)


@pytest.mark.requirement("REQ-QUA-008")
@given(
    xi=st.floats(-0.9, 1.0, allow_subnormal=False),
    low=st.floats(2.0, 1e4),
    gap=st.floats(1e-3, 1e4),
)
def test_log_probability_strictly_decreases_above_u(xi, low, gap):
    tail = _tail(xi)
    lower, higher = log_exceedance_probability(tail, np.array([low + 1e-3, low + 1e-3 + gap]))
    assert higher < lower and np.isfinite(higher)


@pytest.mark.requirement("REQ-QUA-008")
def test_subnormal_fitted_shape_is_the_exponential_tail(monkeypatch):
    monkeypatch.setattr("spotanomaly2_safe.scoring.tail.genpareto.fit", lambda data, floc: (5e-324, 0.0, 1.0))
    assert fit_tail(SCORES, 0.98).xi == 0.0


@pytest.mark.requirement("REQ-QUA-007")
def test_exactly_min_exceedances_are_enough_for_a_tail_fit():
    tail = fit_tail(SCORES[:1000], 0.98)
    assert tail.n_exceedances == MIN_EXCEEDANCES
