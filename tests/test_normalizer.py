# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest

from spotanomaly2_safe import InvalidParameterError, NotFittedError, ScoreNormalizer

TRAIN_SCORES = np.random.default_rng(1).gamma(2.0, size=2000)
PROBES = np.concatenate([np.linspace(-5, 50, 500), [1e3, 1e6, 1e9, 1e12, 1e15]])


@pytest.mark.requirement("REQ-COR-007")
@pytest.mark.parametrize("method", ["rational", "threshold_anchored"])
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
