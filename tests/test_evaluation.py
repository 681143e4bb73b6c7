# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import average_precision_score, f1_score, precision_score

from spotanomaly2_safe import InvalidInputError
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.evaluation import event_scores, point_scores, runs

BINARY = arrays(np.int64, 60, elements=st.integers(0, 1))


def _brute_force(labels, flags):
    windows = [set(range(a, b)) for a, b in runs(labels)]
    bursts = [set(range(a, b)) for a, b in runs(flags)]
    hit = sum(any(row in window for burst in bursts for row in burst) for window in windows)
    false = sum(not any(burst & window for window in windows) for burst in bursts)
    return hit, false, len(windows), len(bursts)


@pytest.mark.requirement("REQ-QUA-010")
@given(labels=BINARY, flags=BINARY)
def test_event_counts_match_a_brute_force_oracle(labels, flags):
    scores = event_scores(labels, flags)
    hit, false, n_windows, n_bursts = _brute_force(labels, flags)
    assert (scores.n_hit_windows, scores.n_false_bursts, scores.n_windows, scores.n_bursts) == (hit, false, n_windows, n_bursts)
    assert scores.precision == (hit / (hit + false) if hit + false else 0.0)
    assert scores.recall == (hit / n_windows if n_windows else 0.0)


@pytest.mark.requirement("REQ-QUA-010")
def test_flooding_inside_one_window_counts_as_one_detection():
    labels = np.array([0, 1, 1, 1, 1, 1, 0, 0])
    many = event_scores(labels, np.array([0, 1, 0, 1, 0, 1, 0, 1]))
    assert (many.precision, many.recall, many.n_false_bursts) == (0.5, 1.0, 1)


@pytest.mark.requirement("REQ-QUA-010")
def test_no_flags_give_zero_scores():
    assert event_scores(np.array([0, 1]), np.array([0, 0]))[:3] == (0.0, 0.0, 0.0)


@pytest.mark.requirement("REQ-QUA-010")
def test_point_scores_are_sklearn_without_point_adjust():
    labels = np.array([0, 1, 1, 1, 0, 0])
    flags = np.array([0, 1, 0, 0, 0, 1])
    scores = np.array([0.1, 0.9, 0.3, 0.2, 0.4, 0.8])
    result = point_scores(labels, flags, scores)
    assert result.f1 == f1_score(labels, flags) and result.recall == 1 / 3
    assert result.average_precision == average_precision_score(labels, scores)


@pytest.mark.requirement("REQ-QUA-010")
@pytest.mark.parametrize(
    ("labels", "flags", "scores", "reason"),
    [
        (np.array([0, 1]), np.array([0, 1, 0]), None, Reason.LENGTH_MISMATCH),
        (np.array([0, 1]), np.array([0, 1]), np.array([0.1, 0.2, 0.3]), Reason.LENGTH_MISMATCH),
        (np.array([0, 0]), np.array([0, 1]), np.array([0.1, 0.2]), Reason.NO_POSITIVE_LABEL),
    ],
)
def test_inconsistent_inputs_are_rejected(labels, flags, scores, reason):
    with pytest.raises(InvalidInputError) as caught:
        event_scores(labels, flags) if scores is None else point_scores(labels, flags, scores)
    assert caught.value.reason is reason


@pytest.mark.requirement("REQ-QUA-010")
@given(labels=BINARY.filter(lambda labels: labels.any()), flags=BINARY)
def test_point_precision_recall_f1_equal_sklearn_with_zero_for_undefined(labels, flags):
    result = point_scores(labels, flags, np.linspace(0.0, 1.0, labels.size))
    assert result.precision == precision_score(labels, flags, zero_division=0)
    assert result.f1 == f1_score(labels, flags, zero_division=0)


@pytest.mark.requirement("REQ-QUA-010")
def test_point_scores_without_any_flag_have_zero_precision():
    result = point_scores(np.array([0, 1, 1, 0]), np.zeros(4, dtype=int), np.array([0.1, 0.9, 0.4, 0.5]))
    assert (result.precision, result.recall, result.f1) == (0.0, 0.0, 0.0)


@pytest.mark.requirement("REQ-QUA-010")
def test_point_scores_error_names_the_scores_argument():
    with pytest.raises(InvalidInputError) as caught:
        point_scores(np.array([0, 1]), np.array([0, 1]), np.array([0.1, np.nan]))
    assert str(caught.value).startswith("scores has a non-finite value")


@pytest.mark.requirement("REQ-QUA-010")
@given(labels=BINARY, flags=BINARY)
def test_event_f1_is_the_harmonic_mean_of_event_precision_and_recall(labels, flags):
    scores = event_scores(labels, flags)
    total = scores.precision + scores.recall
    assert scores.f1 == pytest.approx(2 * scores.precision * scores.recall / total if total else 0.0, rel=1e-15)
