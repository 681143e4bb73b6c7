# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Many independent series on Dask: one detector fitted and scored per series, in parallel.

Input: four long-format frames (pandas or Dask) ``y_true_train``, ``y_pred_train``, ``y_true_test``,
``y_pred_test``. Each holds the column ``series_column`` (the series key) and the same value columns;
the index holds the row labels (time stamps). A series' training frames are its rows of the two
training frames, its test frames its rows of the two test frames, each in the order given (the order
of the rows, and of the partitions of a Dask frame). With ``window = W > 1`` a series' test rows are
taken to follow its training rows: their context is the last ``W - 1`` training rows.

For each series this runs exactly what one machine runs:
``ForecastingAnomalyDetector(**detector_parameters).fit(train...).score_and_detect(test..., context)``,
so its scores, flags (and alarms, computed over the series' whole test batch) and fit record are
bit-identical to that call. With ``detector="adaptive"`` the detector is the adaptive method,
``recommended_detector(**detector_parameters)`` (the recommended parameters, any of them replaced): each
series is fitted on its training rows and scores, flags and learns its test rows in order
(``fit(train...).score_and_detect(test...)``: the test rows follow the training rows, and the state, not a
context, carries them over), and its state after the last test row is returned in ``states``
(``state_dict()``, strict JSON) so that the next run continues it with ``AdaptiveDetector.from_state_dict``.
One series is one task, so its rows are scored in order; the series run in parallel. The state needs
column names that are ``str`` or ``int`` (strict JSON); other names make the series an error
(``SNAPSHOT_UNSUPPORTED``), never a series without its state. The series are grouped by Dask's shuffle; each group is then restored to
its input order from a position recorded before the shuffle.

A series that breaks a contract (too few rows, NaN, mismatched labels, no test rows, ...) does not stop
the others: its typed kernel error is a row of ``errors`` (``series``, ``error`` class, ``reason``,
``message`` starting ``series <key>:``) and it has no scores, flags, fit record or state. Any other exception
(a bug, a lost worker) stops the whole run: nothing is returned. An unknown ``detector`` or invalid
``detector_parameters`` raise before anything is computed.
"""

from typing import Any, NamedTuple

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector, SpotAnomalySafeError
from spotanomaly2_safe.adaptive import AdaptiveDetector, recommended_detector
from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, InvalidParameterError, Reason

__all__ = ["SeriesResults", "fit_score_series", "DETECTORS", "ERROR_COLUMNS"]

# detector name -> the factory building one unfitted detector from detector_parameters
DETECTORS = {"forecasting": lambda parameters: ForecastingAnomalyDetector(**parameters), "adaptive": lambda parameters: recommended_detector(**parameters)}

ROLES = ("y_true_train", "y_pred_train", "y_true_test", "y_pred_test")
ERROR_COLUMNS = ("series", "error", "reason", "message")
_ROLE, _POSITION = "__role", "__position"  # helper columns, dropped before the kernel sees the rows
_PARTITION_STRIDE = 2**40  # positions: partition number * stride + row number within the partition


class SeriesResults(NamedTuple):
    """Per-series outputs: ``scores``/``flags`` (long format, ``series_column`` first), fit records by key, errors,
    and (``detector="adaptive"``) each series' final state by key (empty otherwise)."""

    scores: pd.DataFrame
    flags: pd.DataFrame
    fit_records: dict[Any, dict]
    errors: pd.DataFrame
    states: dict[Any, dict]


def _tagged(frame: pd.DataFrame, role: str, partition_info: dict | None = None) -> pd.DataFrame:
    start = (partition_info or {"number": 0})["number"] * _PARTITION_STRIDE
    return frame.assign(**{_ROLE: role, _POSITION: np.arange(start, start + len(frame), dtype="int64")})


def _context(detector, frames: dict[str, pd.DataFrame]) -> tuple:
    """A windowed ForecastingAnomalyDetector's context: the last ``window - 1`` training rows (the adaptive state carries its own)."""
    context_rows = 0 if isinstance(detector, AdaptiveDetector) else detector.scorer.window - 1
    return (frames["y_true_train"].iloc[-context_rows:], frames["y_pred_train"].iloc[-context_rows:]) if context_rows else ()


def _fit_score_one(key, rows: pd.DataFrame, series_column: str, kind: str, parameters: dict) -> tuple:
    rows = rows.sort_values(_POSITION, kind="stable")
    frames = {role: rows[rows[_ROLE] == role].drop(columns=[series_column, _ROLE, _POSITION]) for role in ROLES}
    detector = DETECTORS[kind](parameters)
    try:
        detector.fit(frames["y_true_train"], frames["y_pred_train"])
        scores, flags = detector.score_and_detect(frames["y_true_test"], frames["y_pred_test"], *_context(detector, frames))
        state = detector.state_dict() if kind == "adaptive" else None
    except SpotAnomalySafeError as error:
        return None, None, None, (key, type(error).__name__, error.reason.value, f"series {key!r}: {error}"), None
    return scores.assign(**{series_column: key}), flags.assign(**{series_column: key}), detector.fit_record_, None, state


def _fit_score_partition(rows: pd.DataFrame, series_column: str, kind: str, parameters: dict) -> list[tuple]:
    return [(key, _fit_score_one(key, group, series_column, kind, parameters)) for key, group in rows.groupby(series_column, dropna=False, sort=True)]


def _as_dask(name: str, frame, series_column: str) -> dd.DataFrame:
    if isinstance(frame, pd.DataFrame):
        frame = dd.from_pandas(frame, npartitions=1, sort=False)
    if not isinstance(frame, dd.DataFrame):
        raise InputTypeError(f"{name} must be a pandas or dask DataFrame; got {type(frame).__name__}.", reason=Reason.NOT_A_DATAFRAME)
    if series_column not in frame.columns:
        raise InvalidInputError(f"{name} has no series column {series_column!r}; its columns are {list(frame.columns)}.", reason=Reason.COLUMN_MISMATCH)
    return frame


def fit_score_series(
    y_true_train, y_pred_train, y_true_test, y_pred_test, *, series_column: str,
    detector_parameters: dict[str, Any] | None = None, npartitions: int | None = None, detector: str = "forecasting",
) -> SeriesResults:
    """Fit and score every series in parallel (see the module docstring); computes on the current Dask scheduler.

    ``detector``: ``"forecasting"`` (``ForecastingAnomalyDetector(**detector_parameters)``) or ``"adaptive"``
    (``recommended_detector(**detector_parameters)``). ``npartitions``: how many groups of series to process as
    tasks (default: the input's partition count).
    """
    if detector not in DETECTORS:
        raise InvalidParameterError(f"detector must be one of {sorted(DETECTORS)}; got {detector!r}.", reason=Reason.INVALID_PARAMETER)
    parameters = dict(detector_parameters or {})
    DETECTORS[detector](parameters)  # invalid parameters raise here, before anything is computed
    frames = [_as_dask(name, frame, series_column) for name, frame in zip(ROLES, (y_true_train, y_pred_train, y_true_test, y_pred_test))]
    for name, frame in zip(ROLES[1:], frames[1:]):
        if list(frame.columns) != list(frames[0].columns):
            raise InvalidInputError(
                f"{name} has columns {list(frame.columns)}, y_true_train has {list(frames[0].columns)}; all four must match.",
                reason=Reason.COLUMN_MISMATCH,
            )
    tagged = dd.concat([frame.map_partitions(_tagged, role, meta=_tagged(frame._meta, role)) for role, frame in zip(ROLES, frames)])
    # The "tasks" shuffle: any column dtype, and a lost worker's share is recomputed like any other task.
    grouped = tagged.shuffle(on=series_column, npartitions=npartitions or max(frame.npartitions for frame in frames), shuffle_method="tasks")
    work = [dask.delayed(_fit_score_partition, pure=True)(part, series_column, detector, parameters) for part in grouped.to_delayed()]
    outcomes = sorted((item for part in dask.compute(*work) for item in part), key=lambda item: item[0])
    done = [(key, outcome) for key, outcome in outcomes if outcome[3] is None]
    return SeriesResults(
        scores=_stacked([outcome[0] for _, outcome in done], series_column),
        flags=_stacked([outcome[1] for _, outcome in done], series_column),
        fit_records={key: outcome[2] for key, outcome in done},
        errors=pd.DataFrame([outcome[3] for _, outcome in outcomes if outcome[3] is not None], columns=list(ERROR_COLUMNS)),
        states={key: outcome[4] for key, outcome in done if outcome[4] is not None},
    )


def _stacked(frames: list[pd.DataFrame], series_column: str) -> pd.DataFrame:
    """The series' outputs one after the other (in key order), ``series_column`` first."""
    if not frames:
        return pd.DataFrame(columns=[series_column])
    stacked = pd.concat(frames)
    return stacked[[series_column, *(column for column in stacked.columns if column != series_column)]]
