# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""One adaptive series on Dask, its partitions chained by their state: spotanomaly2_safe_cli.scaleout.chained.

Run on a real LocalCluster (2 worker processes) and on the synchronous scheduler."""

import json
import re
import subprocess
import sys
from pathlib import Path

import dask
import dask.dataframe as dd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe.adaptive import AdaptiveDetector, recommended_detector
from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe_cli.scaleout.chained import score_chained

from frames import make_frames

# Resets every 10 flagged rows and a 3-row window: a level shift in the test rows exercises flags, protection
# and baseline resets across partition borders.
RESETTING = {"window": 3, "baseline_size": 100, "reference_size": 100, "refresh_every": 5, "reset_after": 10,
             "aggregation": "max", "smoothing": "signed"}


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as connected:
        yield connected


@pytest.fixture(params=["local-cluster", "synchronous"])
def scheduler(request):
    if request.param == "local-cluster":
        yield request.getfixturevalue("client")
    else:
        with dask.config.set(scheduler="synchronous"):
            yield None


def _shifted_frames(n_test: int = 240):
    data = make_frames(n_test=n_test)
    y_true_test = data.y_true_test.copy()
    y_true_test.iloc[100:160, 0] += 30.0  # a level shift of 60 rows in one column
    return data._replace(y_true_test=y_true_test)


def _fitted(parameters, data):
    return AdaptiveDetector(**parameters).fit(data.y_true_train, data.y_pred_train)


def _partitioned(y_true, y_pred, npartitions):
    return dd.from_pandas(y_true, npartitions=npartitions), dd.from_pandas(y_pred, npartitions=npartitions)


def _assert_bit_identical(distributed, in_memory):
    for got, expected in zip(distributed, in_memory):
        # freq is index metadata that concatenating partitions drops; labels, columns, dtypes and values must match
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_freq=False)
        assert got.to_numpy().tobytes() == expected.to_numpy().tobytes()


@pytest.mark.requirement("REQ-SCL-009")
@pytest.mark.requirement("REQ-SEA-003")
@pytest.mark.parametrize("npartitions", [1, 3, 7])
@pytest.mark.parametrize("parameters", [dict(RESETTING), dict(RESETTING, season_period=3), "recommended"], ids=["resetting", "seasonal", "recommended"])
def test_chained_partitions_give_the_in_memory_outputs_and_final_state_bit_for_bit(scheduler, parameters, npartitions):
    data = _shifted_frames()
    detector = recommended_detector().fit(data.y_true_train, data.y_pred_train) if parameters == "recommended" else _fitted(parameters, data)
    before = json.dumps(detector.state_dict(), allow_nan=False)
    scores, flags, state = score_chained(detector, *_partitioned(data.y_true_test, data.y_pred_test, npartitions))
    assert scores.npartitions == npartitions and list(flags.columns) == ["anomaly_flag", "baseline_reset", *(["alarm"] if parameters == "recommended" else [])]
    computed = dask.compute(scores, flags, state)
    assert json.dumps(detector.state_dict(), allow_nan=False) == before  # the caller's detector is not advanced
    in_memory = detector.score_and_detect(data.y_true_test, data.y_pred_test)
    _assert_bit_identical(computed[:2], in_memory)
    assert in_memory[1]["anomaly_flag"].sum() > 0
    if parameters != "recommended":
        assert in_memory[1]["baseline_reset"].sum() > 0  # the resets fall inside the chain, not only in partition 0
    assert len(computed[2]) == 1 and json.loads(computed[2].iloc[0]) == detector.state_dict()


@pytest.mark.requirement("REQ-SCL-009")
def test_a_run_continued_from_the_returned_state_equals_one_run_over_both(scheduler):
    data = _shifted_frames()
    detector = _fitted(RESETTING, data)
    first, second = slice(0, 130), slice(130, None)
    *outputs_1, state = dask.compute(*score_chained(detector, *_partitioned(data.y_true_test.iloc[first], data.y_pred_test.iloc[first], 3)))
    continued = AdaptiveDetector.from_state_dict(json.loads(state.iloc[0]))
    *outputs_2, _ = dask.compute(*score_chained(continued, *_partitioned(data.y_true_test.iloc[second], data.y_pred_test.iloc[second], 4)))
    joined = [pd.concat([one, two]) for one, two in zip(outputs_1, outputs_2)]
    _assert_bit_identical(joined, detector.score_and_detect(data.y_true_test, data.y_pred_test))


@pytest.mark.requirement("REQ-SCL-003")
@pytest.mark.requirement("REQ-SCL-009")
@pytest.mark.parametrize(("break_frame", "reason"), [("nan", Reason.MISSING_VALUE), ("dropped row", Reason.INDEX_MISMATCH)])
def test_kernel_error_in_a_chained_partition_reaches_the_caller_with_its_class_reason_and_partition(scheduler, break_frame, reason):
    data = _shifted_frames()
    detector = _fitted(RESETTING, data)
    y_true, _ = _partitioned(data.y_true_test, data.y_pred_test, 3)
    broken = data.y_pred_test.copy()
    label = broken.index[200]  # in partition 2 of 3
    if break_frame == "nan":
        broken.loc[label, "sensor_1"] = float("nan")
    else:
        broken = broken.drop(index=label)
    y_pred = dd.from_pandas(broken, npartitions=3).repartition(divisions=y_true.divisions)
    with pytest.raises(InvalidInputError) as raised:
        dask.compute(*score_chained(detector, y_true, y_pred))
    assert type(raised.value) is InvalidInputError and raised.value.reason is reason
    assert str(raised.value).startswith("partition 2: ")
    if break_frame == "nan":
        assert f"row label {label!r}" in str(raised.value)


@pytest.mark.requirement("REQ-SCL-003")
def test_an_empty_chained_partition_is_refused_with_its_number_never_skipped(scheduler):
    data = _shifted_frames()
    detector = _fitted(RESETTING, data)
    y_true, y_pred = _partitioned(data.y_true_test, data.y_pred_test, 3)

    def empty_middle(partition, partition_info=None):
        return partition.iloc[:0] if partition_info and partition_info["number"] == 1 else partition

    with pytest.raises(InvalidInputError) as raised:
        dask.compute(*score_chained(detector, y_true.map_partitions(empty_middle), y_pred.map_partitions(empty_middle)))
    assert raised.value.reason is Reason.EMPTY_INPUT and str(raised.value).startswith("partition 1: ")


@pytest.mark.requirement("REQ-SCL-002")
@pytest.mark.requirement("REQ-SCL-009")
def test_chained_scoring_refuses_bad_detectors_and_misaligned_frames_before_computing():
    data = _shifted_frames()
    frames = _partitioned(data.y_true_test, data.y_pred_test, 3)
    with pytest.raises(NotFittedError) as not_fitted:
        score_chained(AdaptiveDetector(), *frames)
    assert not_fitted.value.reason is Reason.NOT_FITTED
    other = ForecastingAnomalyDetector("NormScorer", {}).fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(InvalidParameterError, match="AdaptiveDetector") as wrong_detector:
        score_chained(other, *frames)
    assert wrong_detector.value.reason is Reason.INVALID_PARAMETER
    detector = _fitted(RESETTING, data)
    with pytest.raises(InputTypeError) as pandas_input:
        score_chained(detector, data.y_true_test, frames[1])
    assert pandas_input.value.reason is Reason.NOT_A_DATAFRAME
    with pytest.raises(InvalidInputError, match="divisions") as misaligned:
        score_chained(detector, frames[0], dd.from_pandas(data.y_pred_test, npartitions=4))
    assert misaligned.value.reason is Reason.INDEX_MISMATCH
    renamed = [frame.rename(columns={"sensor_0": "other"}) for frame in frames]
    with pytest.raises(InvalidInputError) as columns:
        score_chained(detector, *renamed)
    assert columns.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT


@pytest.mark.requirement("REQ-SCL-009")
@pytest.mark.requirement("REQ-SCL-010")
def test_adaptive_scaleout_benchmark_prints_rates_and_identical_chained_outputs():
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "bench_scaleout_adaptive.py"), "--rows", "3000", "--columns", "2", "--partitions", "3",
         "--series", "3", "--series-rows", "300"],
        capture_output=True, text=True, check=True,
    )
    lines = result.stdout.splitlines()
    for label in ("in memory, one score_and_detect", "chained, synchronous", "chained, LocalCluster", "many series fitted + scored"):
        row = next(line for line in lines if line.startswith(label))
        assert float(re.search(r" ([\d,.]+) (rows|series)/s", row).group(1).replace(",", "")) > 0
    assert sum(line.endswith("identical: True)") for line in lines) == 2
    assert "3 final states, 0 errors" in result.stdout
