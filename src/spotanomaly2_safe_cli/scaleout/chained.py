# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""One series of the adaptive method on Dask: partitions scored in order, the state chained between them.

``score_chained(detector, y_true, y_pred)`` takes a fitted
:class:`~spotanomaly2_safe.adaptive.AdaptiveDetector` and the Dask DataFrames of the rows that directly
follow the last rows it has seen (the training rows, or the previous run's rows). It returns lazy
``(scores, flags, state)``: ``scores``/``flags`` have the columns, dtypes and row labels of
``detector.score_and_detect(y_true.compute(), y_pred.compute())`` and the same values bit for bit, for
any number of partitions and workers; ``state`` is a one-row Dask Series (``name="state"``) holding the
``state_dict()`` after the last row as strict JSON text, ready to be stored;
``AdaptiveDetector.from_state_dict(json.loads(text))`` continues the series from it on the next run.
Compute the three together (``dask.compute(scores, flags, state)``) so that the chain runs once; all
three are Dask DataFrame collections, so Dask merges them into one graph.

The adaptive method learns every row it does not flag, so partition ``k`` cannot start before partition
``k - 1`` ends: the partitions form a ``dask.delayed`` chain. The task of partition ``k`` receives the
previous task's state as strict JSON text (``json.dumps(..., allow_nan=False)``: what crosses between
workers is exactly what a checkpoint holds), rebuilds the detector with ``from_state_dict``, scores its
rows with the kernel's public ``score_and_detect`` and returns its outputs and the new state. The
kernel promises that any split of a series into consecutive batches with the state carried is
bit-identical to one batch; nothing here re-implements a rule of the kernel. The partitions of one
series run one after the other, wherever they run; many series run in parallel with
:func:`spotanomaly2_safe_cli.scaleout.series.fit_score_series` (``detector="adaptive"``).

Rules, checked before anything is computed (the rules of
:mod:`spotanomaly2_safe_cli.scaleout.partitioned`, with the same code): a fitted detector
(``NOT_FITTED``); Dask DataFrames (``NOT_A_DATAFRAME``) with the same columns (``COLUMN_MISMATCH``), those
seen at fit (``COLUMNS_DIFFER_FROM_FIT``), and the same known divisions (``INDEX_MISMATCH``). Errors found
while computing (NaN, inf, a row missing from one side, an empty partition) are raised by the kernel
inside the task and reach the caller as the same class with the same ``reason``; the message starts with
``partition k:`` and names the row label. No partition after a failed one is scored; Dask never returns
part of a result, and the caller's detector is never changed.
"""

import json

import dask
import dask.dataframe as dd
import pandas as pd

from spotanomaly2_safe.adaptive import AdaptiveDetector
from spotanomaly2_safe.errors import InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe_cli.scaleout.partitioned import in_partition, require_aligned

__all__ = ["score_chained"]

SCORE_COLUMNS = ("anomaly_score", "anomaly_score_normalized")


def _strict_json(state: dict) -> str:
    return json.dumps(state, allow_nan=False, sort_keys=True)


def _continue_partition(state_json: str, number: int, y_true: pd.DataFrame, y_pred: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Score partition ``number`` from the state the previous partition left: its outputs and the new state."""
    detector = AdaptiveDetector.from_state_dict(json.loads(state_json))
    with in_partition(number):
        scores, flags = detector.score_and_detect(y_true, y_pred)
    return pd.concat([scores, flags], axis=1), _strict_json(detector.state_dict())


def _state_series(state_json: str) -> pd.Series:
    return pd.Series([state_json], index=[0], name="state", dtype=object)


def _require_fitted_adaptive(detector: AdaptiveDetector) -> None:
    if not isinstance(detector, AdaptiveDetector):
        raise InvalidParameterError(f"score_chained needs an AdaptiveDetector; got {type(detector).__name__}.", reason=Reason.INVALID_PARAMETER)
    if not hasattr(detector, "state_"):
        raise NotFittedError("This AdaptiveDetector is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)


def score_chained(detector: AdaptiveDetector, y_true: dd.DataFrame, y_pred: dd.DataFrame) -> tuple[dd.DataFrame, dd.DataFrame, dd.Series]:
    """Lazy ``(scores, flags, state)`` of one series' partitions scored in order (module docstring)."""
    _require_fitted_adaptive(detector)
    require_aligned(detector, y_true, y_pred)
    state = _strict_json(detector.state_dict())  # the caller's detector is read, never advanced
    step = dask.delayed(_continue_partition, pure=True, nout=2)
    outputs = []
    for number, (true_part, pred_part) in enumerate(zip(y_true.to_delayed(), y_pred.to_delayed())):
        result = step(state, number, true_part, pred_part)
        outputs.append(result[0])
        state = result[1]
    index = y_true._meta.index[:0]
    meta = pd.DataFrame({column: pd.Series(dtype="float64") for column in SCORE_COLUMNS}
                        | {column: pd.Series(dtype="int64") for column in detector.flag_columns}, index=index)
    combined = dd.from_delayed(outputs, meta=meta, divisions=y_true.divisions)
    final = dd.from_delayed([dask.delayed(_state_series, pure=True)(state)], meta=_state_series("")[:0], divisions=(0, 0))
    return combined[list(SCORE_COLUMNS)], combined[list(detector.flag_columns)], final
