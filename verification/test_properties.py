# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Properties of the pipeline on generated frames (random shapes, scales, index kinds, column names).

Each test states its property in its name and checks it against an oracle: the input itself, a
reference computation, or the same pipeline run another way.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotanomaly2_safe import ForecastingAnomalyDetector, NormScorer, SpotAnomalySafeError
from spotanomaly2_safe.errors import Reason

from strategies import SCORERS, ForecastFrames, forecast_frames

scorer_names = st.sampled_from(sorted(SCORERS))


def _fitted(frames: ForecastFrames, scorer_name: str, **options) -> ForecastingAnomalyDetector:
    detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=SCORERS[scorer_name], **options)
    return detector.fit(frames.y_true_train, frames.y_pred_train)


@pytest.mark.requirement("REQ-COR-001")
@given(frames=forecast_frames(), scorer_name=scorer_names)
def test_output_index_is_the_test_input_index(frames, scorer_name):
    scores_df, flags_df = _fitted(frames, scorer_name).score_and_detect(frames.y_true_test, frames.y_pred_test)
    pd.testing.assert_index_equal(scores_df.index, frames.y_true_test.index, exact=True)
    pd.testing.assert_index_equal(flags_df.index, frames.y_true_test.index, exact=True)


@pytest.mark.requirement("REQ-COR-011")
@given(frames=forecast_frames(), scorer_name=st.sampled_from(["NormScorer", "KMeansScorer"]))
def test_norm_and_kmeans_scores_are_finite_and_non_negative(frames, scorer_name):
    scores_df, _ = _fitted(frames, scorer_name).score_and_detect(frames.y_true_test, frames.y_pred_test)
    scores = scores_df["anomaly_score"].to_numpy()
    assert np.isfinite(scores).all() and (scores >= 0).all()


@pytest.mark.requirement("REQ-COR-007")
@given(frames=forecast_frames(min_test_rows=2), scorer_name=scorer_names, method=st.sampled_from(["rational", "threshold_anchored"]))
def test_normalized_scores_lie_in_unit_interval_and_never_decrease_with_the_raw_score(frames, scorer_name, method):
    detector = _fitted(frames, scorer_name, normalization=method)
    scores_df, _ = detector.score_and_detect(frames.y_true_test, frames.y_pred_test)
    ordered = scores_df.sort_values("anomaly_score", kind="stable")
    normalized = ordered["anomaly_score_normalized"].to_numpy()
    assert (normalized >= 0).all() and (normalized <= 1).all()
    assert (np.diff(normalized) >= 0).all()


@pytest.mark.requirement("REQ-COR-006")
@given(frames=forecast_frames(), scorer_name=scorer_names, high_quantile=st.floats(0.5, 0.999))
def test_flag_is_exactly_score_above_the_training_quantile(frames, scorer_name, high_quantile):
    detector = _fitted(frames, scorer_name, high_quantile=high_quantile)
    train_scores, _ = detector.score_and_detect(frames.y_true_train, frames.y_pred_train)
    assert detector.detector.threshold == np.quantile(train_scores["anomaly_score"].to_numpy(), high_quantile)
    scores_df, flags_df = detector.score_and_detect(frames.y_true_test, frames.y_pred_test)
    expected = (scores_df["anomaly_score"] > detector.detector.threshold).astype(np.int64)
    pd.testing.assert_series_equal(flags_df["anomaly_flag"], expected, check_names=False)


@pytest.mark.requirement("REQ-COR-002")
@given(frames=forecast_frames(), exponent=st.integers(-20, 20), ord=st.sampled_from([1, 2, np.inf]))
def test_norm_scorer_is_scale_equivariant(frames, exponent, ord):
    residuals = (frames.y_true_test - frames.y_pred_test).to_numpy()
    scorer = NormScorer(ord=ord).fit((frames.y_true_train - frames.y_pred_train).to_numpy())
    factor = 2.0**exponent  # a power of two scales every float exactly, so equality is exact
    np.testing.assert_array_equal(scorer.score(residuals * factor), scorer.score(residuals) * factor)
    np.testing.assert_allclose(scorer.score(residuals * -3.7), scorer.score(residuals) * 3.7, rtol=1e-12)


@pytest.mark.requirement("REQ-COR-009")
@given(frames=forecast_frames(min_test_rows=2), scorer_name=scorer_names, data=st.data())
def test_row_outputs_are_the_same_in_any_batch(frames, scorer_name, data):
    detector = _fitted(frames, scorer_name)
    whole = pd.concat(detector.score_and_detect(frames.y_true_test, frames.y_pred_test), axis=1)
    n_rows = len(frames.y_true_test)
    cuts = sorted(data.draw(st.sets(st.integers(1, n_rows - 1), max_size=4), label="cuts"))
    order = data.draw(st.permutations(range(n_rows)), label="row order")
    pieces = []
    for start, stop in zip([0, *cuts], [*cuts, n_rows]):
        rows = order[start:stop]
        pieces.append(pd.concat(detector.score_and_detect(frames.y_true_test.iloc[rows], frames.y_pred_test.iloc[rows]), axis=1))
    pd.testing.assert_frame_equal(pd.concat(pieces).loc[whole.index], whole, check_exact=True, check_freq=False)


@pytest.mark.requirement("REQ-DET-001")
@given(frames=forecast_frames(), scorer_name=scorer_names)
def test_refitting_on_the_same_data_reproduces_bit_identical_outputs(frames, scorer_name):
    first, second = _fitted(frames, scorer_name), _fitted(frames, scorer_name)
    for left, right in zip(first.score_and_detect(*frames[2:]), second.score_and_detect(*frames[2:])):
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert first.fit_record_ == second.fit_record_


def _corrupt(kind: str, frames: ForecastFrames, row: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    y_true, y_pred = frames.y_true_test.copy(), frames.y_pred_test.copy()
    if kind in ("nan", "inf"):
        y_pred.iloc[row, 0] = np.nan if kind == "nan" else -np.inf
    elif kind == "shifted-index":
        y_pred.index = y_pred.index[np.roll(np.arange(len(y_pred)), row + 1 if (row + 1) % len(y_pred) else 1)]
    elif kind == "duplicated-label":
        labels = y_true.index.tolist()
        labels[row] = labels[row - 1] if row else labels[1]
        y_true.index, y_pred.index = pd.Index(labels), pd.Index(labels)
    elif kind == "extra-column":
        y_true["extra"], y_pred["extra"] = 1.0, 1.0
    elif kind == "text-column":
        y_true[y_true.columns[0]] = y_true.iloc[:, 0].astype(str)
    return y_true, y_pred


@pytest.mark.parametrize(
    ("kind", "reasons"),
    [
        pytest.param("nan", {Reason.MISSING_VALUE}, marks=pytest.mark.requirement("REQ-CON-008")),
        pytest.param("inf", {Reason.NON_FINITE}, marks=pytest.mark.requirement("REQ-CON-009")),
        pytest.param("shifted-index", {Reason.INDEX_MISMATCH}, marks=pytest.mark.requirement("REQ-CON-005")),
        pytest.param("duplicated-label", {Reason.DUPLICATE_INDEX}, marks=pytest.mark.requirement("REQ-CON-003")),
        pytest.param("extra-column", {Reason.COLUMNS_DIFFER_FROM_FIT}, marks=pytest.mark.requirement("REQ-CON-006")),
        pytest.param("text-column", {Reason.NON_NUMERIC}, marks=pytest.mark.requirement("REQ-CON-007")),
    ],
)
@given(frames=forecast_frames(min_test_rows=2), scorer_name=scorer_names, data=st.data())
def test_invalid_test_frames_raise_a_library_error_and_return_nothing(kind, reasons, frames, scorer_name, data):
    detector = _fitted(frames, scorer_name)
    row = data.draw(st.integers(0, len(frames.y_true_test) - 1), label="row")
    y_true, y_pred = _corrupt(kind, frames, row)
    result = None
    with pytest.raises(SpotAnomalySafeError) as caught:
        result = detector.score_and_detect(y_true, y_pred)
    assert result is None and caught.value.reason in reasons
