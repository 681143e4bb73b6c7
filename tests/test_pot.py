# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math

import numpy as np
import pytest

from spotanomaly2_safe import InsufficientDataException, InvalidParameterError, NotFittedError
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.scoring.pot import PeaksOverThresholdDetector

SCORES = np.random.default_rng(12).pareto(4.0, size=5000)


@pytest.mark.requirement("REQ-QUA-006")
@pytest.mark.parametrize("risk", [1e-3, 1e-4, 1e-6])
def test_threshold_follows_siffer_formula(risk):
    detector = PeaksOverThresholdDetector(risk=risk, tail_quantile=0.98).fit(SCORES)
    tail = detector.tail
    ratio = risk * tail.n_scores / tail.n_exceedances
    expected = tail.u + tail.sigma / tail.xi * (ratio ** (-tail.xi) - 1)
    assert detector.threshold == pytest.approx(expected, rel=1e-12)
    assert detector.fit_details() == tail.details()


@pytest.mark.requirement("REQ-QUA-006")
def test_threshold_with_zero_shape_is_exponential_formula(monkeypatch):
    monkeypatch.setattr("spotanomaly2_safe.scoring.tail.genpareto.fit", lambda data, floc: (0.0, 0.0, 2.0))
    detector = PeaksOverThresholdDetector(risk=1e-4).fit(SCORES)
    tail = detector.tail
    assert detector.threshold == pytest.approx(tail.u - 2.0 * math.log(1e-4 * tail.n_scores / tail.n_exceedances), rel=1e-12)


@pytest.mark.requirement("REQ-QUA-006")
def test_smaller_risk_gives_higher_threshold_and_flags_are_strict():
    loose = PeaksOverThresholdDetector(risk=1e-3).fit(SCORES)
    strict = PeaksOverThresholdDetector(risk=1e-5).fit(SCORES)
    assert strict.threshold > loose.threshold
    probes = np.array([loose.threshold, np.nextafter(loose.threshold, np.inf)])
    np.testing.assert_array_equal(loose.detect(probes), [0, 1])


@pytest.mark.requirement("REQ-QUA-007")
def test_risk_not_below_tail_share_is_an_error():
    with pytest.raises(InvalidParameterError) as caught:
        PeaksOverThresholdDetector(risk=0.05, tail_quantile=0.98).fit(SCORES)
    assert caught.value.reason is Reason.RISK_NOT_IN_TAIL
    assert "N_u / n = 100 / 5000 = 0.02" in str(caught.value)


@pytest.mark.requirement("REQ-QUA-007")
def test_short_training_scores_raise_insufficient_data():
    with pytest.raises(InsufficientDataException) as caught:
        PeaksOverThresholdDetector().fit(SCORES[:900])
    assert caught.value.reason is Reason.TAIL_TOO_SMALL


@pytest.mark.requirement("REQ-CON-013")
def test_detect_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        PeaksOverThresholdDetector().detect(SCORES)


@pytest.mark.requirement("REQ-CON-015")
def test_detector_rejects_non_finite_scores():
    with pytest.raises(Exception) as caught:
        PeaksOverThresholdDetector().fit(np.array([1.0, np.nan]))
    assert caught.value.reason is Reason.NON_FINITE


@pytest.mark.requirement("REQ-QUA-007")
def test_risk_equal_to_tail_share_is_an_error():
    with pytest.raises(InvalidParameterError) as caught:
        PeaksOverThresholdDetector(risk=100 / 5000, tail_quantile=0.98).fit(SCORES)
    assert caught.value.reason is Reason.RISK_NOT_IN_TAIL
