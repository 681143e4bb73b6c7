# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math
import random

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from spotanomaly2_safe import (
    GaussianResidualDetector,
    InputTypeError,
    InvalidInputError,
    InvalidParameterError,
    RobustResidualDetector,
    restore_from_state_dict,
)
from spotanomaly2_safe.adaptive.spread import data_resolution
from spotanomaly2_safe.errors import Reason

DETECTOR_FACTORIES = [
    lambda: GaussianResidualDetector(grace_period=3),
    lambda: RobustResidualDetector(window_size=8, grace_period=3),
]
FINITE = st.floats(-1e6, 1e6)


def _trained(factory, n=20, seed=0):
    detector = factory()
    rng = random.Random(seed)
    for _ in range(n):
        detector.learn_one({"load": rng.gauss(0.0, 1.0), "price": rng.gauss(5.0, 2.0)})
    return detector


@pytest.mark.requirement("REQ-STR-008")
@settings(max_examples=100, derandomize=True)
@given(st.lists(FINITE, min_size=1, max_size=60))
def test_gaussian_centre_and_spread_equal_numpy_mean_and_population_std(residuals):
    detector = GaussianResidualDetector(grace_period=1)
    for residual in residuals:
        detector.learn_one({"r": residual})
    np.testing.assert_allclose(detector.means[0], np.mean(residuals), rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(math.sqrt(detector.sums_of_squares[0] / len(residuals)), np.std(residuals), rtol=1e-7, atol=1e-6)


@pytest.mark.requirement("REQ-STR-008")
@settings(max_examples=100, derandomize=True)
@given(st.lists(FINITE, min_size=1, max_size=40), st.integers(2, 12), FINITE)
def test_robust_score_equals_numpy_median_and_scipy_mad_of_the_window(residuals, window_size, probe):
    detector = RobustResidualDetector(window_size=window_size, grace_period=1)
    for residual in residuals:
        detector.learn_one({"r": residual})
    window = np.array(residuals[-window_size:])
    assert detector.windows == [window.tolist()]
    median = np.quantile(window, 0.5)
    mad = scipy.stats.median_abs_deviation(window, scale="normal")
    resolution = data_resolution(window[:, None])[0][0]
    expected = abs(probe - median) / max(float(mad), float(resolution))
    np.testing.assert_allclose(detector.score_one({"r": probe}), expected, rtol=1e-9)


@pytest.mark.requirement("REQ-STR-007")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
@pytest.mark.parametrize("constant", [0.0, 3.5, -1e6])
def test_zero_spread_uses_the_unit_resolution_of_one_distinct_value(factory, constant):
    detector = factory()
    for _ in range(10):
        detector.learn_one({"load": constant, "price": 1.0})
    assert detector.score_one({"load": constant, "price": 1.0}) == 0.0
    near, far = (detector.score_one({"load": constant + offset, "price": 1.0}) for offset in (1e-3, 2.0))
    unit = data_resolution(np.full((10, 1), constant))[0][0]  # the batch path's rule for one distinct value
    assert (near, far) == (abs((constant + 1e-3) - constant) / unit, 2.0 / unit)


@pytest.mark.requirement("REQ-STR-007")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_zero_spread_scores_float_rounding_noise_as_about_zero(factory):
    detector = factory()
    for _ in range(10):
        detector.learn_one({"load": 0.3, "price": 0.0})
    assert detector.score_one({"load": 0.1 + 0.2, "price": 0.0}) < 1e-15


@pytest.mark.requirement("REQ-STR-007")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_score_overflow_raises_typed_error(factory):
    detector = factory()
    for step in range(10):
        detector.learn_one({"load": 1e-150 * (step % 2), "price": 0.0})  # a spread of about 5e-151
    with pytest.raises(InvalidInputError) as caught:
        detector.score_one({"load": 1e300, "price": 0.0})
    assert caught.value.reason is Reason.SCORE_OVERFLOW


@pytest.mark.requirement("REQ-STR-007")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_statistic_overflow_raises_typed_error_and_learns_nothing(factory):
    detector = factory()
    detector.learn_one({"load": -1.7e308, "price": 0.0})
    before = detector.state_dict()
    with pytest.raises(InvalidInputError) as caught:
        detector.learn_one({"load": 1.7e308, "price": 0.0})
    assert caught.value.reason is Reason.STATE_OVERFLOW
    assert "'load'" in str(caught.value)
    assert detector.state_dict() == before


@pytest.mark.requirement("REQ-STR-001")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_grace_period_scores_are_float_zero_then_learned_scores(factory):
    detector = factory()
    scores = []
    for residual in [0.0, 1.0, -1.0, 50.0]:
        scores.append(detector.score_one({"load": residual, "price": 0.0}))
        detector.learn_one({"load": residual, "price": 0.0})
    assert scores[:3] == [0.0, 0.0, 0.0] and all(type(score) is float for score in scores)
    assert scores[3] > 10


@pytest.mark.requirement("REQ-STR-009")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_multichannel_score_is_the_max_of_single_channel_scores(factory):
    detector = _trained(factory)
    load_only, price_only = factory(), factory()
    rng = random.Random(0)
    for _ in range(20):
        load, price = rng.gauss(0.0, 1.0), rng.gauss(5.0, 2.0)
        load_only.learn_one({"load": load})
        price_only.learn_one({"price": price})
    probe = {"load": 2.5, "price": -1.0}
    assert detector.score_one(probe) == max(load_only.score_one({"load": 2.5}), price_only.score_one({"price": -1.0}))


@pytest.mark.requirement("REQ-STR-001")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_score_one_is_read_only(factory):
    detector = _trained(factory)
    before = detector.state_dict()
    for probe in ({"load": 0.0, "price": 0.0}, {"load": 100.0, "price": -3.0}):
        detector.score_one(probe)
    assert detector.state_dict() == before


@pytest.mark.requirement("REQ-STR-001")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_high_score_means_anomalous(factory):
    detector = _trained(factory, n=200)
    assert detector.score_one({"load": 8.0, "price": 5.0}) > 3 * detector.score_one({"load": 0.5, "price": 5.0})


@pytest.mark.requirement("REQ-STR-005")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
def test_channels_are_fixed_by_the_first_learned_observation(factory):
    detector = factory()
    assert detector.score_one({"anything": 1.0}) == 0.0
    detector.learn_one({"load": 1.0, "price": 2.0})
    with pytest.raises(InvalidInputError) as caught:
        detector.learn_one({"load": 1.0})
    assert caught.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT
    with pytest.raises(InvalidInputError):
        detector.score_one({"load": 1.0, "price": 2.0, "wind": 0.0})


REJECTED = [
    ({"load": math.nan, "price": 0.0}, InvalidInputError),
    ({"load": True, "price": 0.0}, InvalidInputError),
    ({"load": 1.0}, InvalidInputError),
    ({"load": 1.0, "price": 0.0, "wind": 0.0}, InvalidInputError),
    ([1.0, 0.0], InputTypeError),
]


@pytest.mark.requirement("REQ-STR-006")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
@pytest.mark.parametrize(("x", "error"), REJECTED)
def test_rejected_observation_changes_no_detector_state(factory, x, error):
    detector = _trained(factory)
    before = detector.state_dict()
    with pytest.raises(error):
        detector.learn_one(x)
    assert detector.state_dict() == before


@pytest.mark.requirement("REQ-STR-012")
@pytest.mark.parametrize(
    ("cls", "name", "value"),
    [
        (GaussianResidualDetector, "grace_period", 0),
        (GaussianResidualDetector, "grace_period", 1.5),
        (GaussianResidualDetector, "grace_period", True),
        (RobustResidualDetector, "grace_period", 0),
        (RobustResidualDetector, "window_size", 1),
        (RobustResidualDetector, "window_size", "10"),
    ],
)
def test_bad_detector_parameter_raises_naming_it(cls, name, value):
    with pytest.raises(InvalidParameterError) as caught:
        cls(**{name: value})
    assert caught.value.reason is Reason.INVALID_PARAMETER
    assert f"The '{name}' parameter of {cls.__name__} must be" in str(caught.value)


@pytest.mark.requirement("REQ-STR-007")
@settings(max_examples=100, derandomize=True)
@given(st.lists(FINITE, min_size=1, max_size=40), FINITE)
def test_gaussian_spread_is_the_std_or_one_when_every_learned_value_is_equal(residuals, probe):
    detector = GaussianResidualDetector(grace_period=1)
    for residual in residuals:
        detector.learn_one({"r": residual})
    square = detector.sums_of_squares[0]
    spread = math.sqrt(square / len(residuals)) if square > 0.0 else 1.0
    assert detector.score_one({"r": probe}) == abs(probe - detector.means[0]) / spread
    if len(set(residuals)) == 1:
        assert square == 0.0 and detector.means[0] == residuals[0]


@pytest.mark.requirement("REQ-STR-007")
def test_gaussian_sum_of_squares_overflow_with_a_finite_mean_raises_and_learns_nothing():
    detector = GaussianResidualDetector(grace_period=1)
    detector.learn_one({"load": 1e200})
    before = detector.state_dict()
    with pytest.raises(InvalidInputError) as caught:
        detector.learn_one({"load": -1e200})  # the mean (0.0) is finite, the squared deviation 2e400 is not
    assert caught.value.reason is Reason.STATE_OVERFLOW
    assert detector.state_dict() == before


def _integer_series_with_constant_stretches(n: int, seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    levels = np.repeat(rng.integers(0, 3, size=n // 50), 50)  # stretches of 50 equal integers
    return levels.astype(float).tolist()


@pytest.mark.requirement("REQ-STR-007")
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_robust_one_unit_step_on_an_integer_series_with_constant_stretches_scores_about_one(seed):
    series = _integer_series_with_constant_stretches(1000, seed)
    detector = RobustResidualDetector(window_size=500, grace_period=30)
    for residual in series:
        detector.learn_one({"count": residual})
    median = float(np.median(detector.windows[0]))
    assert detector.score_one({"count": median + 1.0}) == pytest.approx(1.0, rel=0.35)
    assert detector.score_one({"count": median + 1.0}) <= 1.0
    constant = RobustResidualDetector(window_size=500, grace_period=30)
    for _ in range(500):
        constant.learn_one({"count": 7.0})
    assert constant.score_one({"count": 8.0}) == 1.0 and constant.score_one({"count": 12.0}) == 5.0


@pytest.mark.requirement("REQ-STR-007")
def test_gaussian_one_unit_step_after_a_constant_stretch_scores_one():
    detector = GaussianResidualDetector(grace_period=30)
    for _ in range(1000):
        detector.learn_one({"count": 7.0})
    assert detector.score_one({"count": 8.0}) == 1.0 and detector.score_one({"count": 6.0}) == 1.0


@pytest.mark.requirement("REQ-STR-007")
@settings(max_examples=100, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(5, 60), FINITE)
def test_robust_spread_on_continuous_data_is_the_scaled_mad_unchanged_where_it_exceeds_the_resolution(seed, window_size, probe):
    residuals = np.random.default_rng(seed).normal(size=window_size + 7).tolist()
    detector = RobustResidualDetector(window_size=window_size, grace_period=1)
    for residual in residuals:
        detector.learn_one({"r": residual})
    window = np.array(residuals[-window_size:])
    mad = float(scipy.stats.median_abs_deviation(window, scale="normal"))
    assume(mad >= data_resolution(window[:, None])[0][0])
    np.testing.assert_allclose(detector.score_one({"r": probe}), abs(probe - np.quantile(window, 0.5)) / mad, rtol=1e-12)


@pytest.mark.requirement("REQ-STR-007")
@settings(max_examples=100, derandomize=True)
@given(st.lists(st.integers(-3, 3), min_size=2, max_size=30), st.sampled_from([1.0, 0.1, 0.01, 0.32792]), st.sampled_from([0.0, 1e-15, 1e-9]),
       st.integers(0, 2**32 - 1), FINITE)
def test_robust_spread_of_a_jittered_quantized_window_is_the_batch_rule_of_its_window(levels, quantum, jitter, seed, probe):
    """On quantized windows with relative float jitter (where the middle neighbours can differ by float noise only)
    the streaming spread is max(scaled MAD; data_resolution of the window), exactly the batch rule."""
    base = np.array(levels, dtype=np.float64) * quantum + 32.0
    residuals = (base * (1.0 + np.random.default_rng(seed).uniform(-1.0, 1.0, base.size) * jitter)).tolist()
    detector = RobustResidualDetector(window_size=len(residuals), grace_period=1)
    for residual in residuals:
        detector.learn_one({"r": residual})
    window = np.array(residuals)
    spread = max(float(scipy.stats.median_abs_deviation(window, scale="normal")), float(data_resolution(window[:, None])[0][0]))
    np.testing.assert_allclose(detector.score_one({"r": probe}), abs(probe - np.quantile(window, 0.5)) / spread, rtol=1e-9)


@pytest.mark.requirement("REQ-STR-007")
@pytest.mark.parametrize("factory", DETECTOR_FACTORIES)
@pytest.mark.parametrize("rule", [None, "max(spread; 2**-52 * max(1; |centre|))", 1.0])
def test_snapshot_records_the_spread_rule_and_one_under_another_rule_is_refused(factory, rule):
    state = _trained(factory).state_dict()
    assert state["state"]["spread_rule"] == type(factory()).spread_rule
    if rule is None:
        del state["state"]["spread_rule"]
    else:
        state["state"]["spread_rule"] = rule
    with pytest.raises(InvalidInputError) as caught:
        restore_from_state_dict(state)
    assert caught.value.reason is Reason.INVALID_STATE


@pytest.mark.requirement("REQ-STR-007")
@settings(max_examples=60, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(100, 400), st.sampled_from([0.0, 1.0, 0.01]),
       st.lists(st.floats(-1e9, 1e9), max_size=5), FINITE)
def test_robust_spread_of_a_window_with_glitches_is_the_batch_rule_of_its_window(seed, window_size, quantum, glitches, probe):
    """Windows long enough for the glitch guard (at least 100 values; continuous or quantized bulk; up to 5 glitches of
    any size): the streaming shortcut reads the same grid magnitude, so the spread is max(scaled MAD; data_resolution)."""
    bulk = np.random.default_rng(seed).normal(size=window_size)
    residuals = np.round(bulk / quantum) * quantum if quantum else bulk
    residuals[: len(glitches)] = glitches
    detector = RobustResidualDetector(window_size=window_size, grace_period=1)
    for residual in residuals.tolist():
        detector.learn_one({"r": residual})
    spread = max(float(scipy.stats.median_abs_deviation(residuals, scale="normal")), float(data_resolution(residuals[:, None])[0][0]))
    np.testing.assert_allclose(detector.score_one({"r": probe}), abs(probe - np.quantile(residuals, 0.5)) / spread, rtol=1e-12)
