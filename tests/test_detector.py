# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest

from spotanomaly2_safe import InvalidInputError, NotFittedError, QuantileAnomalyDetector
from spotanomaly2_safe.errors import Reason

TRAIN_SCORES = np.random.default_rng(0).exponential(size=1000)


@pytest.mark.requirement("REQ-COR-006")
@pytest.mark.parametrize("high_quantile", [0.5, 0.9, 0.99, 0.999])
def test_threshold_is_numpy_linear_quantile(high_quantile):
    detector = QuantileAnomalyDetector(high_quantile=high_quantile).fit(TRAIN_SCORES)
    assert detector.threshold == float(np.quantile(TRAIN_SCORES, high_quantile, method="linear"))


@pytest.mark.requirement("REQ-COR-006")
def test_flag_is_strictly_greater_than_threshold():
    detector = QuantileAnomalyDetector(high_quantile=0.9).fit(TRAIN_SCORES)
    at, above, below = detector.threshold, np.nextafter(detector.threshold, np.inf), np.nextafter(detector.threshold, -np.inf)
    flags = detector.detect(np.array([below, at, above]))
    np.testing.assert_array_equal(flags, [0, 0, 1])
    assert flags.dtype == np.int64


@pytest.mark.requirement("REQ-CON-013")
def test_detect_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        QuantileAnomalyDetector().detect(TRAIN_SCORES)


@pytest.mark.requirement("REQ-CON-015")
def test_detector_rejects_non_finite_scores():
    with pytest.raises(InvalidInputError) as caught:
        QuantileAnomalyDetector().fit(np.array([1.0, np.inf]))
    assert caught.value.reason is Reason.NON_FINITE
    with pytest.raises(InvalidInputError):
        QuantileAnomalyDetector().fit(TRAIN_SCORES).detect(np.ones((2, 2)))


@pytest.mark.requirement("REQ-CON-013")
def test_detect_before_fit_gives_the_not_fitted_reason_and_says_to_fit():
    with pytest.raises(NotFittedError) as caught:
        QuantileAnomalyDetector().detect(TRAIN_SCORES)
    assert caught.value.reason is Reason.NOT_FITTED
    assert "QuantileAnomalyDetector" in str(caught.value) and "fit" in str(caught.value)


@pytest.mark.requirement("REQ-CON-015")
@pytest.mark.parametrize("stage", ["fit", "detect"])
def test_detector_array_error_names_the_scores_argument(stage):
    bad = np.array([1.0, np.inf])
    with pytest.raises(InvalidInputError) as caught:
        QuantileAnomalyDetector().fit(bad) if stage == "fit" else QuantileAnomalyDetector().fit(TRAIN_SCORES).detect(bad)
    assert str(caught.value).startswith("scores has a non-finite value")


@pytest.mark.requirement("REQ-CON-015")
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.int32, np.uint8])
def test_detector_accepts_every_real_numeric_array_dtype_exactly(dtype):
    scores = np.arange(100).astype(dtype)
    detector = QuantileAnomalyDetector(high_quantile=0.5).fit(scores)
    assert detector.threshold == float(np.quantile(scores.astype(np.float64), 0.5))
