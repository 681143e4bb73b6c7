# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Scoring a partitioned dataset on a real Dask LocalCluster (2 worker processes): spotanomaly2_safe_cli.scaleout."""

import os
import signal
import time

import dask
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe_cli.scaleout import score_partitioned

from frames import SCORER_CASES, make_frames


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as connected:
        yield connected


def _detector(scorer_name, scorer_params, data, **options):
    return ForecastingAnomalyDetector(scorer_name, scorer_params, **options).fit(data.y_true_train, data.y_pred_train)


def _context(detector, data):
    rows = detector.scorer.window - 1
    if rows == 0:
        return None, None
    return data.y_true_train.iloc[-rows:], data.y_pred_train.iloc[-rows:]


def _partitioned(data, npartitions):
    return dd.from_pandas(data.y_true_test, npartitions=npartitions), dd.from_pandas(data.y_pred_test, npartitions=npartitions)


def _assert_bit_identical(distributed, in_memory):
    for got, expected in zip(distributed, in_memory):
        # freq is index metadata that concatenating partitions drops; labels, columns, dtypes and values must match
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_freq=False)
        assert got.to_numpy().tobytes() == expected.to_numpy().tobytes()


WINDOWED = [("RobustZScorer", {"aggregation": "l2", "window": 6}), ("KMeansScorer", {"n_clusters": 3, "window": 40, "window_agg": "median"})]


@pytest.mark.requirement("REQ-SCL-001")
@pytest.mark.parametrize("npartitions", [1, 3, 7])
@pytest.mark.parametrize(("scorer_name", "scorer_params"), SCORER_CASES + WINDOWED, ids=lambda value: str(value))
def test_partitioned_scores_and_flags_are_bit_identical_to_in_memory(client, scorer_name, scorer_params, npartitions):
    data = make_frames(n_test=200)
    detector = _detector(scorer_name, scorer_params, data)
    context = _context(detector, data)
    in_memory = detector.score_and_detect(data.y_true_test, data.y_pred_test, *context)
    scores, flags = score_partitioned(detector, *_partitioned(data, npartitions), *context)
    assert scores.npartitions == npartitions
    _assert_bit_identical(dask.compute(scores, flags), in_memory)


@pytest.mark.requirement("REQ-SCL-002")
def test_partitions_that_do_not_line_up_raise_index_mismatch_before_computing(client):
    data = make_frames(n_test=200)
    detector = _detector("NormScorer", {}, data)
    y_true, _ = _partitioned(data, 3)
    cases = {
        "different npartitions": dd.from_pandas(data.y_pred_test, npartitions=4),
        "different divisions": dd.from_pandas(data.y_pred_test, npartitions=3).repartition(divisions=[*y_true.divisions[:1], data.y_pred_test.index[10], *y_true.divisions[2:]]),
        "unknown divisions": dd.from_pandas(data.y_pred_test, npartitions=3).clear_divisions(),
    }
    for case, y_pred in cases.items():
        with pytest.raises(InvalidInputError, match="divisions") as raised:
            score_partitioned(detector, y_true, y_pred)
        assert raised.value.reason is Reason.INDEX_MISMATCH, case


@pytest.mark.requirement("REQ-SCL-002")
def test_frames_other_than_aligned_dask_frames_raise_before_computing(client):
    data = make_frames()
    detector = _detector("NormScorer", {}, data)
    y_true, y_pred = _partitioned(data, 2)
    with pytest.raises(InputTypeError) as raised:
        score_partitioned(detector, data.y_true_test, y_pred)
    assert raised.value.reason is Reason.NOT_A_DATAFRAME
    cases = [(y_true, y_pred[y_pred.columns[::-1]], Reason.COLUMN_MISMATCH), (y_true[["sensor_0"]], y_pred[["sensor_0"]], Reason.COLUMNS_DIFFER_FROM_FIT)]
    for true, pred, reason in cases:
        with pytest.raises(InvalidInputError) as raised:
            score_partitioned(detector, true, pred)
        assert raised.value.reason is reason
    with pytest.raises(NotFittedError):
        score_partitioned(ForecastingAnomalyDetector("NormScorer"), y_true, y_pred)


@pytest.mark.requirement("REQ-SCL-003")
@pytest.mark.parametrize(("break_frame", "reason"), [("nan", Reason.MISSING_VALUE), ("dropped row", Reason.INDEX_MISMATCH)])
def test_kernel_error_inside_a_task_reaches_the_caller_with_its_class_reason_and_partition(client, break_frame, reason):
    data = make_frames(n_test=200)
    detector = _detector("NormScorer", {}, data)
    y_true, y_pred = _partitioned(data, 3)
    broken = data.y_pred_test.copy()
    label = broken.index[150]  # in partition 2 of 3
    if break_frame == "nan":
        broken.loc[label, "sensor_1"] = float("nan")
    else:
        broken = broken.drop(index=label)
    y_pred = dd.from_pandas(broken, npartitions=3).repartition(divisions=y_true.divisions)
    scores, flags = score_partitioned(detector, y_true, y_pred)
    with pytest.raises(InvalidInputError) as raised:
        dask.compute(scores, flags)
    assert type(raised.value) is InvalidInputError and raised.value.reason is reason
    assert str(raised.value).startswith("partition 2: ")
    if break_frame == "nan":
        assert f"row label {label!r}" in str(raised.value)


@pytest.mark.requirement("REQ-SCL-004")
def test_detector_with_alarm_settings_is_refused_before_computing(client):
    data = make_frames()
    detector = _detector("NormScorer", {}, data, min_gap=4)
    with pytest.raises(InvalidParameterError, match="postprocess_flags") as raised:
        score_partitioned(detector, *_partitioned(data, 2))
    assert raised.value.reason is Reason.INVALID_PARAMETER


@pytest.mark.requirement("REQ-SCL-004")
@pytest.mark.parametrize("context_rows", [None, 3])
def test_windowed_scoring_needs_exactly_the_callers_context_for_the_first_partition(client, context_rows):
    data = make_frames()
    detector = _detector("RobustZScorer", {"window": 6}, data)
    context = (None, None) if context_rows is None else (data.y_true_train.iloc[-context_rows:], data.y_pred_train.iloc[-context_rows:])
    with pytest.raises(InvalidInputError) as raised:
        score_partitioned(detector, *_partitioned(data, 2), *context)
    assert raised.value.reason is Reason.CONTEXT_MISMATCH


def _after_a_pause(frame: pd.DataFrame) -> pd.DataFrame:
    time.sleep(0.3)  # keeps the tasks running long enough for the test to kill a worker mid-run
    return frame


@pytest.mark.requirement("REQ-SCL-005")
def test_worker_killed_mid_run_gives_the_complete_identical_result(client):
    data = make_frames(n_test=400)
    detector = _detector("KMeansScorer", {"n_clusters": 3, "window": 4}, data)
    context = _context(detector, data)
    y_true, y_pred = _partitioned(data, 16)
    slow_true = y_true.map_partitions(_after_a_pause, meta=y_true._meta)
    scores, flags = score_partitioned(detector, slow_true, y_pred, *context)
    futures = client.compute([scores, flags])
    while not any(client.processing().values()):
        time.sleep(0.05)
    busy = next(address for address, tasks in client.processing().items() if tasks)
    os.kill(client.run(os.getpid, workers=[busy])[busy], signal.SIGKILL)
    result = client.gather(futures)
    assert len(client.nthreads()) >= 1
    _assert_bit_identical(result, detector.score_and_detect(data.y_true_test, data.y_pred_test, *context))


@pytest.mark.requirement("REQ-SCL-003")
def test_an_empty_partition_is_refused_with_its_number_never_skipped(client):
    """A partition with no rows (e.g. left by a filter) is an error naming it, as an empty batch is in memory."""
    data = make_frames(n_test=200)
    detector = _detector("NormScorer", {}, data)
    y_true, y_pred = _partitioned(data, 3)

    def empty_middle(partition, partition_info=None):
        return partition.iloc[:0] if partition_info and partition_info["number"] == 1 else partition  # None: dask infers meta

    scores, flags = score_partitioned(detector, y_true.map_partitions(empty_middle), y_pred.map_partitions(empty_middle))
    with pytest.raises(InvalidInputError) as raised:
        dask.compute(scores, flags)
    assert raised.value.reason is Reason.EMPTY_INPUT and str(raised.value).startswith("partition 1: ")
