# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""ForecastingAnomalyDetector.score_one: the batch pipeline scoring one streamed row."""

import math

import numpy as np
import pytest

from spotanomaly2_safe import SCORER_REGISTRY, ForecastingAnomalyDetector, InputTypeError, InvalidInputError, NotFittedError
from spotanomaly2_safe.errors import Reason

from frames import SCORER_CASES, make_frames


@pytest.mark.requirement("REQ-STR-014")
def test_bridge_cases_cover_every_registered_scorer():
    assert sorted(name for name, _ in SCORER_CASES) == sorted(SCORER_REGISTRY)


@pytest.mark.requirement("REQ-STR-014")
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES)
def test_score_one_is_bit_identical_to_batch_scoring_of_the_row(scorer_name, scorer_params):
    data = make_frames(n_columns=3)
    detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params)
    detector.fit(data.y_true_train, data.y_pred_train)
    scores_df, _ = detector.score_and_detect(data.y_true_test, data.y_pred_test)
    residuals = data.y_true_test - data.y_pred_test
    streamed = [detector.score_one(dict(reversed(list(row.items())))) for _, row in residuals.iterrows()]
    assert np.array_equal(np.array(streamed), scores_df["anomaly_score"].to_numpy())
    assert all(type(score) is float for score in streamed)


@pytest.mark.requirement("REQ-STR-014")
@pytest.mark.parametrize(
    ("x", "reason"),
    [
        ({"sensor_0": 0.1}, Reason.COLUMNS_DIFFER_FROM_FIT),
        ({"sensor_0": 0.1, "sensor_1": 0.2, "sensor_9": 0.0}, Reason.COLUMNS_DIFFER_FROM_FIT),
        ({"sensor_0": 0.1, "sensor_1": math.nan}, Reason.MISSING_VALUE),
        ({"sensor_0": 0.1, "sensor_1": False}, Reason.NON_NUMERIC),
    ],
)
def test_score_one_rejects_rows_breaking_the_contract(x, reason):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(InvalidInputError) as caught:
        detector.score_one(x)
    assert caught.value.reason is reason


@pytest.mark.requirement("REQ-STR-014")
def test_score_one_names_the_missing_fitted_column():
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(InvalidInputError, match="missing the key 'sensor_1'"):
        detector.score_one({"sensor_0": 0.1, "wind": 0.2})
    with pytest.raises(InputTypeError):
        detector.score_one([0.1, 0.2])


@pytest.mark.requirement("REQ-STR-014")
def test_score_one_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError) as caught:
        ForecastingAnomalyDetector().score_one({"sensor_0": 0.0})
    assert caught.value.reason is Reason.NOT_FITTED


@pytest.mark.requirement("REQ-STR-014")
def test_score_one_refuses_a_windowed_scorer_it_cannot_give_context():
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer", scorer_params={"window": 3}).fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(InvalidInputError) as caught:
        detector.score_one({"sensor_0": 0.1, "sensor_1": 0.2})
    assert caught.value.reason is Reason.CONTEXT_MISMATCH and "window=3" in str(caught.value)


@pytest.mark.requirement("REQ-STR-014")
@pytest.mark.parametrize("window", [2, 4])
def test_score_one_refuses_every_window_above_one_naming_the_context_rows_needed(window):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer", scorer_params={"window": window}).fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(InvalidInputError) as caught:
        detector.score_one({"sensor_0": 0.1, "sensor_1": 0.2})
    assert caught.value.reason is Reason.CONTEXT_MISMATCH and f"the {window - 1} rows before it" in str(caught.value)
