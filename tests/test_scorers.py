# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import IsolationForest

from spotanomaly2_safe import (
    SCORER_REGISTRY,
    BaseScorer,
    ForecastingAnomalyDetector,
    InvalidInputError,
    InvalidParameterError,
    IsolationForestScorer,
    KMeansScorer,
    NormScorer,
    NotDefinedError,
    NotFittedError,
    RobustZScorer,
)
from spotanomaly2_safe.errors import Reason

from frames import SCORER_CASES, make_frames

RESIDUALS = np.random.default_rng(3).normal(size=(400, 3)) * [1.0, 5.0, 0.2]
PROBES = np.random.default_rng(4).normal(size=(50, 3)) * [3.0, 10.0, 1.0]


@pytest.mark.requirement("REQ-COR-002")
@pytest.mark.parametrize("ord", [1, 2, math.inf])
def test_norm_scorer_equals_numpy_norm(ord):
    scores = NormScorer(ord=ord).fit(RESIDUALS).score(PROBES)
    np.testing.assert_array_equal(scores, np.linalg.norm(PROBES, ord=ord, axis=1))


@pytest.mark.requirement("REQ-COR-004")
@pytest.mark.parametrize("contamination", ["auto", 0.05])
def test_isolation_forest_score_is_minus_sklearn_decision_function(contamination):
    scorer = IsolationForestScorer(n_estimators=30, contamination=contamination, random_state=7).fit(RESIDUALS)
    reference = IsolationForest(n_estimators=30, contamination=contamination, random_state=7).fit(RESIDUALS)
    np.testing.assert_allclose(scorer.score(PROBES), -reference.decision_function(PROBES), rtol=0, atol=1e-12)
    assert scorer.fit_details()["offset"] == reference.offset_


@pytest.mark.requirement("REQ-COR-004")
def test_isolation_forest_contamination_only_shifts_scores():
    low = IsolationForestScorer(contamination=0.01, n_estimators=30).fit(RESIDUALS).score(PROBES)
    high = IsolationForestScorer(contamination=0.3, n_estimators=30).fit(RESIDUALS).score(PROBES)
    shift = high - low
    np.testing.assert_allclose(shift, shift[0], atol=1e-12)
    assert shift[0] != 0


@pytest.mark.requirement("REQ-CON-013")
@pytest.mark.parametrize("scorer_class", list(SCORER_REGISTRY.values()))
def test_scorer_score_before_fit_raises_not_fitted(scorer_class):
    with pytest.raises(NotFittedError) as caught:
        scorer_class().score(PROBES)
    assert caught.value.reason is Reason.NOT_FITTED


@pytest.mark.requirement("REQ-CON-015")
@pytest.mark.parametrize("scorer_class", list(SCORER_REGISTRY.values()))
def test_scorer_rejects_bad_arrays_at_fit_and_score(scorer_class):
    with pytest.raises(InvalidInputError):
        scorer_class().fit(np.full((200, 3), np.nan))
    scorer = scorer_class().fit(RESIDUALS)
    with pytest.raises(InvalidInputError) as caught:
        scorer.score(PROBES[:, :2])
    assert caught.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT


@pytest.mark.requirement("REQ-CON-012")
@pytest.mark.parametrize("scorer_class", list(SCORER_REGISTRY.values()))
def test_scorer_fit_requires_minimum_rows(scorer_class):
    with pytest.raises(InvalidInputError) as caught:
        scorer_class().fit(RESIDUALS[:99])
    assert caught.value.reason is Reason.TOO_FEW_ROWS


@pytest.mark.requirement("REQ-CON-016")
def test_score_overflow_raises_instead_of_returning_inf():
    scorer = NormScorer(ord=2).fit(RESIDUALS)
    huge = np.array([[1.0, 2.0, 3.0], [1e200, 1e200, 0.0]])
    with pytest.raises(InvalidInputError) as caught:
        scorer.score(huge)
    assert caught.value.reason is Reason.SCORE_OVERFLOW
    assert "row position 1" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-006")
@pytest.mark.parametrize("scorer_class", [KMeansScorer, IsolationForestScorer])
def test_component_wise_names_the_release(scorer_class):
    with pytest.raises(InvalidParameterError) as caught:
        scorer_class(component_wise=True)
    assert "planned for release 0.3.0" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-006")
@pytest.mark.parametrize("scorer_class", [KMeansScorer, IsolationForestScorer])
def test_window_one_and_not_component_wise_equal_defaults(scorer_class):
    explicit = scorer_class(window=1, component_wise=False).fit(RESIDUALS).score(PROBES)
    np.testing.assert_array_equal(explicit, scorer_class().fit(RESIDUALS).score(PROBES))


@pytest.mark.requirement("REQ-TRN-003")
def test_scorer_repr_and_params_round_trip():
    scorer = KMeansScorer(n_clusters=4, random_state=1)
    clone = KMeansScorer(**scorer.get_params())
    assert repr(clone) == repr(scorer) and "n_clusters=4" in repr(scorer)


@pytest.mark.requirement("REQ-COR-010")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES)
def test_registered_scorer_alone_gives_the_pipeline_scores(scorer_name, scorer_params):
    data = make_frames()
    scorer_class = SCORER_REGISTRY[scorer_name]
    assert issubclass(scorer_class, BaseScorer)
    train = (data.y_true_train - data.y_pred_train).to_numpy()
    test = (data.y_true_test - data.y_pred_test).to_numpy()
    alone = scorer_class(**scorer_params).fit(train).score(test)
    detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params)
    scores_df, _ = detector.fit_score_detect(*data)
    np.testing.assert_array_equal(alone, scores_df["anomaly_score"].to_numpy())


WINDOWED_CLASSES = [NormScorer, KMeansScorer, IsolationForestScorer, RobustZScorer]


def _small(scorer_class, **params):
    return scorer_class(n_estimators=20, **params) if scorer_class is IsolationForestScorer else scorer_class(**params)


@pytest.mark.requirement("REQ-QUA-004")
@pytest.mark.parametrize("scorer_class", WINDOWED_CLASSES)
@pytest.mark.parametrize("window_agg", ["mean", "max", "median"])
def test_windowed_score_aggregates_per_row_scores_of_the_window(scorer_class, window_agg):
    per_row = _small(scorer_class).fit(RESIDUALS).score(PROBES)
    windowed = _small(scorer_class, window=4, window_agg=window_agg).fit(RESIDUALS)
    scores = windowed.score(PROBES[3:], context=PROBES[:3])
    reduce = {"mean": np.mean, "max": np.max, "median": np.median}[window_agg]
    expected = [reduce(per_row[row - 3 : row + 1]) for row in range(3, len(PROBES))]
    np.testing.assert_allclose(scores, expected, rtol=1e-13)
    assert scores.shape == (len(PROBES) - 3,)


@pytest.mark.requirement("REQ-QUA-004")
@pytest.mark.parametrize(
    ("window", "context", "found"),
    [(3, None, "no context"), (3, PROBES[:1], "a context of 1 rows"), (1, PROBES[:2], "a context of 2 rows")],
)
def test_wrong_number_of_context_rows_is_an_error(window, context, found):
    scorer = RobustZScorer(window=window).fit(RESIDUALS)
    with pytest.raises(InvalidInputError) as caught:
        scorer.score(PROBES, context=context)
    assert caught.value.reason is Reason.CONTEXT_MISMATCH
    assert f"needs exactly {window - 1} context rows" in str(caught.value) and found in str(caught.value)


@pytest.mark.requirement("REQ-QUA-004")
def test_context_is_validated_like_residuals():
    scorer = RobustZScorer(window=2).fit(RESIDUALS)
    with pytest.raises(InvalidInputError) as caught:
        scorer.score(PROBES, context=np.full((1, 3), np.inf))
    assert caught.value.reason is Reason.NON_FINITE
    with pytest.raises(InvalidInputError) as caught:
        scorer.contributions(PROBES, context=PROBES[:1, :2])
    assert caught.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT


@pytest.mark.requirement("REQ-CON-012")
def test_windowed_scorer_needs_window_minus_one_more_training_rows():
    scorer = NormScorer(window=5)
    assert scorer.minimum_training_rows() == (104, "MIN_TRAIN_SIZE + window - 1 with window=5")
    with pytest.raises(InvalidInputError) as caught:
        scorer.fit(RESIDUALS[:103])
    assert caught.value.reason is Reason.TOO_FEW_ROWS
    assert KMeansScorer(n_clusters=150, window=3).minimum_training_rows() == (150, "n_clusters=150")


@pytest.mark.requirement("REQ-CON-016")
def test_overflow_in_context_row_names_the_context_position():
    scorer = NormScorer(window=2).fit(RESIDUALS)
    with pytest.raises(InvalidInputError) as caught:
        scorer.score(PROBES, context=np.array([[1e200, 1e200, 0.0]]))
    assert caught.value.reason is Reason.SCORE_OVERFLOW and "context row position 0" in str(caught.value)


@pytest.mark.requirement("REQ-CON-016")
def test_overflow_of_the_window_mean_is_an_error():
    scorer = NormScorer(ord=1, window=2).fit(RESIDUALS)
    with pytest.raises(InvalidInputError) as caught:
        scorer.score(np.array([[1e308, 0.0, 0.0]]), context=np.array([[1e308, 0.0, 0.0]]))
    assert caught.value.reason is Reason.SCORE_OVERFLOW and "windowed score" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-003")
@pytest.mark.parametrize(("ord", "power"), [(1, 1), (2, 2), (math.inf, 1)])
def test_norm_contributions_are_absolute_residual_powers(ord, power):
    scorer = NormScorer(ord=ord).fit(RESIDUALS)
    contributions = scorer.contributions(PROBES)
    np.testing.assert_array_equal(contributions, np.abs(PROBES) ** power)
    combined = contributions.max(axis=1) if ord == math.inf else contributions.sum(axis=1) ** (1 / ord)
    np.testing.assert_allclose(combined, scorer.score(PROBES), rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-003")
def test_kmeans_contributions_sum_to_squared_distance_to_nearest_centre():
    scorer = KMeansScorer(n_clusters=3).fit(RESIDUALS)
    contributions = scorer.contributions(PROBES)
    scaled = (PROBES - RESIDUALS.mean(axis=0)) / RESIDUALS.std(axis=0)
    distances = ((scaled[:, None, :] - scorer.cluster_centers_[None, :, :]) ** 2).sum(axis=2)
    nearest = scorer.cluster_centers_[distances.argmin(axis=1)]
    np.testing.assert_allclose(contributions, (scaled - nearest) ** 2, rtol=1e-9)
    np.testing.assert_allclose(np.sqrt(contributions.sum(axis=1)), scorer.score(PROBES), rtol=1e-12)


@pytest.mark.requirement("REQ-QUA-003")
def test_isolation_forest_contributions_are_not_defined():
    scorer = IsolationForestScorer(n_estimators=10).fit(RESIDUALS)
    with pytest.raises(NotDefinedError) as caught:
        scorer.contributions(PROBES)
    assert caught.value.reason is Reason.CONTRIBUTIONS_NOT_DEFINED
    assert "does not decompose over columns" in str(caught.value) and isinstance(caught.value, TypeError)


@pytest.mark.requirement("REQ-QUA-003")
def test_windowed_contributions_aggregate_like_the_score():
    scorer = RobustZScorer(window=3, window_agg="max").fit(RESIDUALS)
    contributions = scorer.contributions(PROBES[2:], context=PROBES[:2])
    per_row = RobustZScorer().fit(RESIDUALS).contributions(PROBES)
    expected = np.stack([per_row[row - 2 : row + 1].max(axis=0) for row in range(2, len(PROBES))])
    np.testing.assert_array_equal(contributions, expected)


@pytest.mark.requirement("REQ-QUA-012")
@pytest.mark.parametrize(("window", "inactive"), [(1, ["window_agg"]), (2, [])])
def test_window_agg_is_listed_inactive_only_without_window(window, inactive):
    assert RobustZScorer(window=window).fit(RESIDUALS).fit_details()["inactive_parameters"] == inactive


@pytest.mark.requirement("REQ-COR-004")
@pytest.mark.parametrize("max_samples", [64, 0.5])
def test_isolation_forest_passes_max_samples_to_sklearn(max_samples):
    scorer = IsolationForestScorer(n_estimators=30, max_samples=max_samples, contamination=0.05, random_state=7).fit(RESIDUALS)
    reference = IsolationForest(n_estimators=30, max_samples=max_samples, contamination=0.05, random_state=7).fit(RESIDUALS)
    np.testing.assert_allclose(scorer.score(PROBES), -reference.decision_function(PROBES), rtol=0, atol=1e-12)


@pytest.mark.requirement("REQ-QUA-015")
@pytest.mark.parametrize("scorer_name", sorted(SCORER_REGISTRY))
def test_every_scorer_reacts_to_a_column_constant_in_training_or_refuses_it(scorer_name):
    rng = np.random.default_rng(0)
    y_true_train = pd.DataFrame({"load": rng.normal(size=300), "quantized": np.full(300, 7.0)})
    y_pred_train = pd.DataFrame({"load": np.zeros(300), "quantized": np.full(300, 7.0)})
    test_true = pd.DataFrame({"load": [0.1, 0.1], "quantized": [7.0, 7.0 + 1e6]}, index=[300, 301])
    test_pred = pd.DataFrame({"load": [0.0, 0.0], "quantized": [7.0, 7.0]}, index=[300, 301])
    detector = ForecastingAnomalyDetector(scorer_name)
    reacts = scorer_name in {"NormScorer", "RobustZScorer", "KMeansScorer"}  # the table in spotanomaly2_safe.scoring.base
    if reacts:
        _, flags = detector.fit_score_detect(y_true_train, y_pred_train, test_true, test_pred)
        assert flags["anomaly_flag"].tolist() == [0, 1]
    else:
        with pytest.raises(InvalidInputError) as caught:
            detector.fit(y_true_train, y_pred_train)
        assert caught.value.reason is Reason.CONSTANT_TRAINING_COLUMN and "column 'quantized' are constant" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-015")
def test_standalone_isolation_forest_names_the_constant_column_by_position():
    residuals = np.column_stack([np.random.default_rng(0).normal(size=200), np.zeros(200)])
    with pytest.raises(InvalidInputError) as caught:
        IsolationForestScorer().fit(residuals)
    assert caught.value.reason is Reason.CONSTANT_TRAINING_COLUMN and "column position 1" in str(caught.value)
