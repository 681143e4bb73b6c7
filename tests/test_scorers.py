# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math

import numpy as np
import pytest
from sklearn.ensemble import IsolationForest

from spotanomaly2_safe import (
    SCORER_REGISTRY,
    InvalidInputError,
    InvalidParameterError,
    IsolationForestScorer,
    KMeansScorer,
    NormScorer,
    NotFittedError,
)
from spotanomaly2_safe.errors import Reason

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
