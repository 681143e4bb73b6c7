# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Scoring a partitioned Dask dataset with one fitted detector, bit-identical to one in-memory call.

``score_partitioned(detector, y_true, y_pred, context_true, context_pred)`` returns lazy Dask
DataFrames ``(scores, flags)`` with the columns, dtypes and row labels of
``detector.score_and_detect(y_true.compute(), y_pred.compute(), context_true, context_pred)``, and the
same values bit for bit, for any number of partitions and workers. Each partition is scored by the
kernel's public ``score_and_detect``; nothing here re-implements a rule of the kernel.

Rules, all checked before anything is computed (errors are the kernel's typed errors):

- ``y_true`` and ``y_pred`` are Dask DataFrames (``NOT_A_DATAFRAME``) with the same columns in the same
  order (``COLUMN_MISMATCH``), equal to those seen at fit (``COLUMNS_DIFFER_FROM_FIT``);
- their partitions line up: both have known divisions and the same divisions (``INDEX_MISMATCH``;
  set a sorted index, e.g. ``read_parquet(..., index=..., calculate_divisions=True)``, and partition
  both alike). Rows inside a partition are then checked by the kernel as in memory;
- windows (``window = W > 1``): partition 0 gets the caller's ``context_true``/``context_pred``
  (exactly ``W - 1`` rows, ``CONTEXT_MISMATCH`` otherwise, as in memory); partition ``k`` gets the last
  ``W - 1`` rows before it, taken from the partitions before it (several, when they are smaller
  than ``W - 1`` rows; Dask's ``map_overlap`` refuses partitions smaller than the overlap), so every
  border row has exactly the window it has on one machine;
- alarms (``min_duration``/``min_gap``) depend on all earlier flags of the whole dataset, so a
  detector with alarm settings is refused (``InvalidParameterError``, ``INVALID_PARAMETER``) rather
  than giving alarms that differ from one machine's at partition borders. Score without them and
  apply :func:`spotanomaly2_safe.alarms.postprocess_flags` to the collected ``anomaly_flag`` column.

Errors found while computing (NaN, inf, a row missing from one side, an empty partition) are raised by
the kernel inside the task and reach the caller as the same class with the same ``reason``; the message
starts with ``partition k:`` and names the row label. Dask never returns part of a result.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import dask
import dask.dataframe as dd
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector, SpotAnomalySafeError
from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe.scoring.base import require_context_rows

__all__ = ["score_partitioned", "output_meta", "require_aligned", "require_scoreable", "in_partition"]


def output_meta(detector: ForecastingAnomalyDetector, index: pd.Index) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Empty ``(scores, flags)`` frames with the columns and dtypes ``score_and_detect`` returns (Dask's ``meta``)."""
    scores = pd.DataFrame({"anomaly_score": pd.Series(dtype="float64")}, index=index[:0])
    if detector.normalizer is not None:
        scores["anomaly_score_normalized"] = pd.Series(dtype="float64")
    flags = pd.DataFrame({"anomaly_flag": pd.Series(dtype="int64")}, index=index[:0])
    return scores, flags


def require_scoreable(detector: ForecastingAnomalyDetector) -> None:
    """Raise unless ``detector`` is fitted and has no alarm settings (see the module docstring)."""
    if not hasattr(detector, "fit_record_"):
        raise NotFittedError("This ForecastingAnomalyDetector is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
    if detector.alarm_settings() is not None:
        raise InvalidParameterError(
            f"Distributed scoring does not compute alarms: min_duration={detector.min_duration}, min_gap={detector.min_gap} "
            "depend on every earlier flag of the whole dataset, not of one partition. Fit a detector without them and "
            "apply spotanomaly2_safe.alarms.postprocess_flags to the collected anomaly_flag column.",
            reason=Reason.INVALID_PARAMETER,
        )


def require_aligned(detector, y_true, y_pred) -> None:
    """Raise unless ``y_true``/``y_pred`` are Dask frames with the fitted columns and the same known divisions."""
    for name, frame in (("y_true", y_true), ("y_pred", y_pred)):
        if not isinstance(frame, dd.DataFrame):
            raise InputTypeError(f"{name} must be a dask DataFrame; got {type(frame).__name__}.", reason=Reason.NOT_A_DATAFRAME)
    if list(y_true.columns) != list(y_pred.columns):
        raise InvalidInputError(
            f"y_true and y_pred have different columns: {list(y_true.columns)} vs {list(y_pred.columns)}.", reason=Reason.COLUMN_MISMATCH
        )
    if list(y_true.columns) != list(detector.columns_):
        raise InvalidInputError(
            f"The columns {list(y_true.columns)} differ from those seen at fit: {list(detector.columns_)}.",
            reason=Reason.COLUMNS_DIFFER_FROM_FIT,
        )
    for name, frame in (("y_true", y_true), ("y_pred", y_pred)):
        if not frame.known_divisions:
            raise InvalidInputError(
                f"{name} has unknown divisions, so its partitions cannot be checked against the other frame's before "
                "computing; set a sorted index (set_index(..., sorted=True) or read_parquet(..., calculate_divisions=True)).",
                reason=Reason.INDEX_MISMATCH,
            )
    if y_true.divisions != y_pred.divisions:
        raise InvalidInputError(
            f"The partitions of y_true and y_pred do not line up: {y_true.npartitions} vs {y_pred.npartitions} partitions, "
            f"divisions {y_true.divisions} vs {y_pred.divisions}. Partition both frames alike (e.g. "
            "y_pred.repartition(divisions=y_true.divisions)).",
            reason=Reason.INDEX_MISMATCH,
        )


@contextmanager
def in_partition(number: int) -> Iterator[None]:
    """Re-raise a kernel error as the same class and ``reason``, its message starting ``partition <number>:``."""
    try:
        yield
    except SpotAnomalySafeError as error:
        raise type(error)(f"partition {number}: {error}", reason=error.reason) from None


def _score_partition(detector, number, y_true, y_pred, context_true, context_pred) -> pd.DataFrame:
    with in_partition(number):
        scores, flags = detector.score_and_detect(y_true, y_pred, context_true, context_pred)
    return pd.concat([scores, flags], axis=1)


def _rows_before(context: pd.DataFrame, partition: pd.DataFrame, n_rows: int) -> pd.DataFrame:
    """The last ``n_rows`` rows of ``context`` followed by ``partition`` (the context of the next partition)."""
    if len(partition) >= n_rows:
        return partition.iloc[len(partition) - n_rows:]
    return pd.concat([context.iloc[len(partition):], partition])


def score_partitioned(
    detector: ForecastingAnomalyDetector,
    y_true: dd.DataFrame,
    y_pred: dd.DataFrame,
    context_true: pd.DataFrame | None = None,
    context_pred: pd.DataFrame | None = None,
) -> tuple[dd.DataFrame, dd.DataFrame]:
    """Lazy ``(scores, flags)`` of a partitioned dataset, bit-identical to one ``score_and_detect`` call.

    See the module docstring for the rules; compute both together (``dask.compute(scores, flags)``)
    so that every partition is scored once.
    """
    require_scoreable(detector)
    require_aligned(detector, y_true, y_pred)
    context_rows = detector.scorer.window - 1
    require_context_rows("score_partitioned", detector.scorer.window, None if context_true is None else len(context_true))
    score = dask.delayed(_score_partition, pure=True)
    rows_before = dask.delayed(_rows_before, pure=True)
    fitted = dask.delayed(detector, pure=True)  # one key: the fitted model is shipped to each worker once
    outputs = []
    for number, (true_part, pred_part) in enumerate(zip(y_true.to_delayed(), y_pred.to_delayed())):
        outputs.append(score(fitted, number, true_part, pred_part, context_true, context_pred))
        if context_rows:
            context_true, context_pred = rows_before(context_true, true_part, context_rows), rows_before(context_pred, pred_part, context_rows)
    scores_meta, flags_meta = output_meta(detector, y_true._meta.index)
    combined = dd.from_delayed(outputs, meta=pd.concat([scores_meta, flags_meta], axis=1), divisions=y_true.divisions)
    return combined[list(scores_meta.columns)], combined[list(flags_meta.columns)]
