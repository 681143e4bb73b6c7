# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import median_abs_deviation

from spotanomaly2_safe import InvalidInputError, RobustZScorer
from spotanomaly2_safe.errors import Reason

TRAINING = np.random.default_rng(5).standard_t(3, size=(500, 3)) * [1.0, 20.0, 0.01] + [0.0, 5.0, -1.0]
PROBES = np.random.default_rng(6).normal(size=(40, 3)) * [3.0, 50.0, 0.05]


def _reference_z(training: np.ndarray, rows: np.ndarray) -> np.ndarray:
    return np.abs(rows - np.median(training, axis=0)) / median_abs_deviation(training, axis=0, scale="normal")


@pytest.mark.requirement("REQ-QUA-001")
@pytest.mark.parametrize(
    ("aggregation", "reduce"),
    [("max", lambda z: z.max(axis=1)), ("mean", lambda z: z.mean(axis=1)), ("l2", lambda z: np.sqrt((z**2).sum(axis=1)))],
)
def test_robust_score_aggregates_median_mad_z_scores(aggregation, reduce):
    scores = RobustZScorer(aggregation=aggregation).fit(TRAINING).score(PROBES)
    np.testing.assert_allclose(scores, reduce(_reference_z(TRAINING, PROBES)), rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-001")
def test_robust_scale_is_mad_times_normal_consistency_constant():
    scorer = RobustZScorer().fit(TRAINING)
    raw_mad = np.median(np.abs(TRAINING - np.median(TRAINING, axis=0)), axis=0)
    np.testing.assert_allclose(scorer.scale_, raw_mad * 1.482602218505602, rtol=1e-12)
    assert scorer.fit_details()["scale_rules"] == ["mad", "mad", "mad"]


@pytest.mark.requirement("REQ-QUA-001")
def test_robust_contributions_are_absolute_z_scores_whose_max_is_the_score():
    scorer = RobustZScorer().fit(TRAINING)
    contributions = scorer.contributions(PROBES)
    np.testing.assert_allclose(contributions, _reference_z(TRAINING, PROBES), rtol=1e-12)
    np.testing.assert_array_equal(contributions.max(axis=1), scorer.score(PROBES))


@pytest.mark.requirement("REQ-QUA-001")
def test_robust_fit_ignores_contaminated_minority_up_to_a_hundred_spreads():
    """A minority of training rows shifted by 100 column spreads leaves the scores nearly unchanged (median and MAD
    hold; the resolution floor, 1e-4 to 1e-3 of the largest training residual, stays below the MAD: see
    test_robust_huge_training_residual_coarsens_the_floor_and_only_lowers_scores for larger shifts)."""
    contaminated = TRAINING.copy()
    contaminated[:40] += 100 * np.array([1.0, 20.0, 0.01])
    clean = RobustZScorer().fit(TRAINING).score(PROBES)
    dirty = RobustZScorer().fit(contaminated).score(PROBES)
    assert np.max(np.abs(dirty - clean) / clean) < 0.25


def _columns_by_rule() -> np.ndarray:
    rows = 200
    mad_column = np.random.default_rng(1).normal(size=rows)
    iqr_column = np.concatenate([np.zeros(110), np.linspace(1.0, 2.0, 90)])  # > half tie at the median, IQR > 0
    mean_column = np.concatenate([np.zeros(190), np.full(10, 4.0)])  # MAD = IQR = 0
    constant_column = np.full(rows, 7.0)
    return np.column_stack([mad_column, iqr_column, mean_column, constant_column])


@pytest.mark.requirement("REQ-QUA-002")
def test_robust_huge_training_residual_coarsens_the_floor_and_only_lowers_scores():
    """The documented limit of the 4-significant-digit resolution: 40 training rows of 500 (8 %, more than the 1 % the
    glitch guard sets aside) shifted by 1e4 make each column's floor the grid of 1e4 (q = 10) or the gap to the shifted
    rows, above its MAD; every score can only fall."""
    contaminated = TRAINING.copy()
    contaminated[:40] += 1e4
    clean = RobustZScorer().fit(TRAINING).score(PROBES)
    scorer = RobustZScorer().fit(contaminated)
    assert scorer.fit_details()["scale_rules"] == ["smallest_gap_4_digits", "mad", "smallest_gap_4_digits"]
    assert scorer.scale_[0] == 10.0 and scorer.scale_[2] == 1e4  # the grid of 1e4; the gap from about -1 to about 1e4
    assert (scorer.score(PROBES) <= clean).all()


@pytest.mark.requirement("REQ-QUA-002")
def test_robust_one_training_glitch_of_1e5_spreads_leaves_every_scale_at_the_mad():
    """One training row shifted by 1e5 column spreads (within the 1 % of rows and the 1e5 percentiles the glitch guard
    sets aside): every column keeps the MAD as its scale (the 4-digit grid of the glitch, q = 100, 1000 and 1, would
    floor every column far above its MAD)."""
    glitched = TRAINING.copy()
    glitched[7] += 1e5 * np.array([1.0, 20.0, 0.01])
    scorer = RobustZScorer().fit(glitched)
    assert scorer.fit_details()["scale_rules"] == ["mad", "mad", "mad"]
    np.testing.assert_allclose(scorer.scale_, median_abs_deviation(glitched, axis=0, scale="normal"), rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-002")
def test_zero_mad_columns_are_scaled_by_the_data_resolution():
    training = _columns_by_rule()
    scorer = RobustZScorer().fit(training)
    details = scorer.fit_details()
    assert details["scale_rules"] == ["mad", "smallest_gap_4_digits", "smallest_gap_4_digits", "unit"]
    assert median_abs_deviation(training[:, 1]) == 0 and median_abs_deviation(training[:, 2]) == 0
    smallest_gap = np.diff(np.unique(np.round(training[:, 1], 3))).min()  # 4 significant digits of its largest value, 2.0
    expected = [median_abs_deviation(training[:, 0], scale="normal"), smallest_gap, 4.0, 1.0]
    np.testing.assert_allclose(scorer.scale_, expected, rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-002")
def test_quantized_one_unit_step_scores_one_not_float_resolution():
    training = np.zeros((200, 1))
    training[::40] = 1.0  # integer-valued with long constant stretches: MAD 0
    scorer = RobustZScorer().fit(training)
    np.testing.assert_array_equal(scorer.score(np.array([[1.0], [2.0], [-3.0]])), [1.0, 2.0, 3.0])


@pytest.mark.requirement("REQ-QUA-002")
@given(arrays(np.float64, (120, 2), elements=st.sampled_from([0.0, 0.0, 0.0, 1e-300, -3.5, 2.0, 1e6])))
def test_zero_spread_columns_never_give_infinite_or_nan_scores(training):
    scorer = RobustZScorer(aggregation="l2").fit(training)
    assert np.all(scorer.scale_ > 0)
    try:
        scores = scorer.score(np.vstack([training, [[5.0, -5.0]]]))
    except InvalidInputError as error:  # a z-score beyond float64 is an error, never inf
        assert error.reason is Reason.SCORE_OVERFLOW
    else:
        assert np.all(np.isfinite(scores)) and np.all(scores >= 0)
