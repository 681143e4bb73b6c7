# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import genpareto

from spotanomaly2_safe import InvalidParameterError, NotFittedError, ScoreNormalizer
from spotanomaly2_safe.scoring.normalizer import RATIONAL_LOG_START
from spotanomaly2_safe.scoring.tail import fit_tail, log_exceedance_probability

TRAIN_SCORES = np.random.default_rng(1).gamma(2.0, size=2000)
PROBES = np.concatenate([np.linspace(-5, 50, 500), [1e3, 1e6, 1e9, 1e12, 1e15]])


@pytest.mark.requirement("REQ-COR-007")
@pytest.mark.parametrize("method", ["rational", "threshold_anchored", "tail_probability"])
def test_normalized_scores_are_monotone_and_in_unit_interval(method):
    threshold = float(np.quantile(TRAIN_SCORES, 0.99)) if method == "threshold_anchored" else None
    normalized = ScoreNormalizer(0.99, method).fit(TRAIN_SCORES, threshold).transform(PROBES)
    assert normalized.min() >= 0.0 and normalized.max() <= 1.0
    assert np.all(np.diff(normalized) >= 0)


@pytest.mark.requirement("REQ-COR-007")
def test_rational_keeps_order_of_extreme_scores_without_ties():
    normalizer = ScoreNormalizer(0.99).fit(TRAIN_SCORES)
    tail = normalizer.transform(np.array([20.0, 100.0, 1e3, 1e6, 1e9, 1e12]))
    assert np.all(np.diff(tail) > 0) and tail.max() < 1.0


@pytest.mark.requirement("REQ-COR-007")
def test_rational_maps_q_low_to_zero_and_one_spread_above_to_half():
    normalizer = ScoreNormalizer(0.99).fit(TRAIN_SCORES)
    assert normalizer.q_low == float(np.quantile(TRAIN_SCORES, 1.0 - 0.99))
    assert normalizer.q_high == float(np.quantile(TRAIN_SCORES, 0.99))
    result = normalizer.transform(np.array([normalizer.q_low - 1.0, normalizer.q_low, normalizer.q_high]))
    np.testing.assert_allclose(result, [0.0, 0.0, 0.5])


@pytest.mark.requirement("REQ-COR-007")
def test_threshold_anchored_reaches_one_exactly_at_threshold():
    threshold = float(np.quantile(TRAIN_SCORES, 0.95))
    normalizer = ScoreNormalizer(0.99, "threshold_anchored").fit(TRAIN_SCORES, threshold)
    below = np.nextafter(threshold, -np.inf)
    result = normalizer.transform(np.array([normalizer.q_low, below, threshold, threshold * 10]))
    assert result[0] == 0.0 and result[1] < 1.0
    np.testing.assert_array_equal(result[2:], [1.0, 1.0])


@pytest.mark.requirement("REQ-COR-007")
@pytest.mark.parametrize(("method", "threshold"), [("rational", 1.0), ("threshold_anchored", None)])
def test_threshold_is_required_exactly_by_anchored_method(method, threshold):
    with pytest.raises(InvalidParameterError):
        ScoreNormalizer(0.99, method).fit(TRAIN_SCORES, threshold)


@pytest.mark.requirement("REQ-COR-008")
@pytest.mark.parametrize(
    ("scores", "rule", "spread"),
    [
        (np.concatenate([np.zeros(999), [4.0]]), "full_range", 4.0),
        (np.full(500, 3.0), "unit", 1.0),
        (np.linspace(0.0, 1.0, 101), "quantile_range", 0.98),
    ],
)
def test_zero_spread_rule_falls_back_in_documented_order(scores, rule, spread):
    normalizer = ScoreNormalizer(0.99).fit(scores)
    assert normalizer.spread_rule == rule
    assert normalizer.spread == pytest.approx(spread)
    assert np.all(np.isfinite(normalizer.transform(np.array([-1.0, 3.0, 1e300]))))


@pytest.mark.requirement("REQ-COR-008")
def test_anchored_threshold_below_q_low_falls_back_to_full_range():
    normalizer = ScoreNormalizer(0.99, "threshold_anchored").fit(np.linspace(0.0, 10.0, 101), threshold=0.0)
    assert normalizer.spread_rule == "full_range" and normalizer.spread == 10.0


@pytest.mark.requirement("REQ-CON-013")
def test_transform_before_fit_raises_not_fitted():
    normalizer = ScoreNormalizer()
    assert not normalizer.is_fitted
    with pytest.raises(NotFittedError):
        normalizer.transform(TRAIN_SCORES)


@pytest.mark.requirement("REQ-QUA-008")
def test_tail_probability_is_minus_log10_of_the_exceedance_probability_over_one_plus_it():
    normalizer = ScoreNormalizer(method="tail_probability", tail_quantile=0.95).fit(TRAIN_SCORES)
    tail = normalizer.tail
    probes = np.array([tail.u + 0.5, tail.u + 3.0])
    probability = tail.n_exceedances / tail.n_scores * genpareto.sf(probes - tail.u, tail.xi, scale=tail.sigma)
    surprise = -np.log10(probability)
    np.testing.assert_allclose(normalizer.transform(probes), surprise / (1 + surprise), rtol=1e-12)
    assert normalizer.transform(np.array([TRAIN_SCORES.min() - 1.0]))[0] == 0.0
    assert normalizer.inactive_parameters() == ["normalization_quantile"]


@pytest.mark.requirement("REQ-QUA-008")
def test_tail_probability_keeps_order_where_one_minus_p_rounds_to_one():
    normalizer = ScoreNormalizer(method="tail_probability").fit(TRAIN_SCORES)
    extreme = np.array([1e6, 1e9, 1e12, 1e15])
    probability = np.exp(log_exceedance_probability(normalizer.tail, extreme))
    assert np.all(1.0 - probability == 1.0)  # the naive 1 - P ties all of them at 1.0
    normalized = normalizer.transform(extreme)
    assert np.all(np.diff(normalized) > 0) and normalized.max() < 1.0


@pytest.mark.requirement("REQ-QUA-008")
@given(
    xi=st.floats(-0.9, 0.9, allow_subnormal=False),
    low=st.floats(0.0, 1e5),
    relative_gap=st.floats(1e-6, 1e3),
)
def test_tail_probability_has_no_ties_above_u(xi, low, relative_gap):
    """Oracle: for any fitted shape, two scores above u whose gap is at least 1e-6 of the tail scale map
    to strictly increasing normalized scores, also past a finite end point (xi < 0)."""
    tail = fit_tail(TRAIN_SCORES, 0.98)._replace(xi=xi)
    normalizer = ScoreNormalizer(method="tail_probability").fit(TRAIN_SCORES)
    normalizer._fit(TRAIN_SCORES, None, tail)
    first = tail.u + tail.sigma * (1e-3 + low)
    second = first + tail.sigma * relative_gap * max(1.0, low) * 1e-3
    lower, higher = normalizer.transform(np.array([first, second]))
    assert lower < higher < 1.0


@pytest.mark.requirement("REQ-QUA-008")
def test_tail_probability_of_a_certain_exceedance_is_positive_zero_not_negative_zero():
    normalizer = ScoreNormalizer(method="tail_probability", tail_quantile=0.95).fit(TRAIN_SCORES)
    normalized = normalizer.transform(np.array([TRAIN_SCORES.min() - 1.0]))
    assert normalized[0] == 0.0 and not np.signbit(normalized[0])


# The rational map beyond float64's reach of 1 - 1 / (1 + u) (REQ-COR-012).
UNIT_STEP = ScoreNormalizer(0.99).fit(np.arange(101.0))  # q_low 1, q_high 99
NEGATIVE_LOW = ScoreNormalizer(0.99).fit(np.linspace(-0.3, 0.2, 1000))  # IsolationForest-like scores
FINITE = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.requirement("REQ-COR-012")
def test_rational_keeps_extreme_scores_distinct_and_below_one():
    extremes = np.array([1e15, 1e16, 1e17, 1e30, 1e300, np.finfo(np.float64).max])
    normalized = UNIT_STEP.transform(extremes)
    assert np.all(np.diff(normalized) > 0) and normalized.max() < 1.0  # 1e17 and 1e30 no longer both 1.0


@pytest.mark.requirement("REQ-COR-012")
def test_rational_is_continuous_where_the_log_continuation_starts():
    start = UNIT_STEP.q_low + RATIONAL_LOG_START * UNIT_STEP.spread
    below, at, above = UNIT_STEP.transform(np.array([np.nextafter(start, 0), start, np.nextafter(start, np.inf)]))
    assert below <= at <= above and above - below < 1e-15


@pytest.mark.requirement("REQ-COR-012")
@given(normalizer=st.sampled_from([UNIT_STEP, NEGATIVE_LOW]), scores=st.lists(FINITE, min_size=2, max_size=2))
def test_rational_larger_score_never_maps_to_a_smaller_value(normalizer, scores):
    lower, higher = sorted(scores)
    normalized = normalizer.transform(np.array([lower, higher]))
    assert normalized[0] <= normalized[1] and normalized[1] < 1.0


@pytest.mark.requirement("REQ-COR-012")
@given(excess=st.floats(min_value=98.0, max_value=1e300), factor=st.floats(min_value=1.001, max_value=1e8))
def test_rational_scores_above_q_high_a_factor_1_001_apart_stay_distinct(excess, factor):
    larger = excess * factor
    if not math.isfinite(larger):
        larger = np.finfo(np.float64).max
    normalized = UNIT_STEP.transform(np.array([UNIT_STEP.q_low + excess, UNIT_STEP.q_low + larger]))
    assert normalized[0] < normalized[1] < 1.0
