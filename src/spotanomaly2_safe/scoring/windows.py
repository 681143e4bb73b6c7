# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Windowed scoring: a row's score aggregates the per-row scores of the ``window`` rows ending at it.

With ``window = W`` the score of row ``t`` is ``window_agg(s[t - W + 1], ..., s[t])`` where ``s`` is the
scorer's per-row score (its ``window = 1`` score): ``"mean"``, ``"max"`` or ``"median"``. The window
ends at the row it scores (causal), so a row needs exactly the ``W - 1`` residual rows before it and
nothing after it. The first ``W - 1`` rows of a batch get those rows from an explicit ``context``
passed by the caller (see :meth:`BaseScorer.score`); without it a windowed scorer raises, it never
pads, shortens the window or returns NaN. Given its context a row's output depends only on its own
window, so batches, partitions and single rows give bit-identical results.

Unlike darts (which fits trainable scorers on flattened windows of ``W`` rows and spreads each
window's score back over its rows, using later rows), every scorer here keeps its per-row model and
only the aggregation is windowed: one rule for all scorers, causal, and per-column contributions
aggregate the same way. The sum for ``"mean"`` is taken lag by lag in a fixed order, so the result
does not depend on how numpy would block a reduction for a given batch size.

Label rule (:func:`require_window_labels`): a window treats rows as consecutive, so with ``W > 1`` the
training rows, and the context rows followed by the batch rows, must have strictly increasing labels;
the context must have the batch's index type and timezone and every context label must be strictly
earlier than the first batch label (the context is the rows just before the batch). Anything else is an
:class:`InvalidInputError`: ``CONTEXT_MISMATCH`` for a context of another index type or not before the
batch, ``UNORDERED_INDEX`` for labels out of order within the training rows, the context or the batch.
``W = 1`` scores rows independently and has no order rule.

>>> import numpy as np
>>> aggregate_windows(np.array([1.0, 5.0, 2.0, 2.0]), window=2, window_agg="mean")
array([3. , 3.5, 2. ])
>>> aggregate_windows(np.array([1.0, 5.0, 2.0, 2.0]), window=3, window_agg="max")
array([5., 5.])
"""

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from spotanomaly2_safe.contracts import plain_value
from spotanomaly2_safe.errors import InvalidInputError, Reason

__all__ = ["WINDOW_AGGREGATIONS", "aggregate_windows", "require_increasing_labels", "require_window_labels"]

WINDOW_AGGREGATIONS = ("mean", "max", "median")


def aggregate_windows(values: np.ndarray, window: int, window_agg: str) -> np.ndarray:
    """Aggregate ``values`` (rows first, 1-D or 2-D) over each run of ``window`` rows; ``len - window + 1`` rows out.

    Row ``i`` of the result is ``window_agg(values[i : i + window])`` along the first axis.
    ``window = 1`` returns ``values`` unchanged (the same object).
    """
    if window == 1:
        return values
    if window_agg == "median":
        return np.median(sliding_window_view(values, window, axis=0), axis=-1)
    n_rows = values.shape[0] - window + 1
    combine = np.add if window_agg == "mean" else np.maximum
    total = values[:n_rows].copy()
    with np.errstate(over="ignore"):
        for lag in range(1, window):
            combine(total, values[lag : lag + n_rows], out=total)
    return total / window if window_agg == "mean" else total


def _ordered(before: object, after: object) -> bool:
    try:
        return bool(before < after)
    except TypeError:  # labels of types that cannot be compared have no order
        return False


def _first_disorder(labels: pd.Index) -> int | None:
    """The first position ``p`` where ``labels[p] < labels[p + 1]`` does not hold (``None`` if none)."""
    if labels.is_monotonic_increasing and labels.is_unique:
        return None
    return next(position for position in range(len(labels) - 1) if not _ordered(labels[position], labels[position + 1]))


def _dtypes(index: pd.Index) -> list:
    return index.dtypes.tolist() if isinstance(index, pd.MultiIndex) else [index.dtype]


def _disorder_error(what: str, labels: pd.Index, position: int, window: int) -> InvalidInputError:
    before, after = plain_value(labels[position]), plain_value(labels[position + 1])
    return InvalidInputError(
        f"{what} row labels must strictly increase for window={window} (a window treats rows as consecutive); "
        f"found {after!r} after {before!r}. Sort the rows by time (and drop repeated labels) first.",
        reason=Reason.UNORDERED_INDEX,
    )


def require_increasing_labels(what: str, labels: pd.Index, window: int) -> None:
    """Raise ``UNORDERED_INDEX`` when ``window > 1`` and ``labels`` do not strictly increase."""
    position = _first_disorder(labels) if window > 1 else None
    if position is not None:
        raise _disorder_error(what, labels, position, window)


def require_window_labels(context: pd.Index, batch: pd.Index, window: int) -> None:
    """Check the context rows are the rows just before the batch (module docstring), else raise."""
    if _dtypes(context) != _dtypes(batch):
        raise InvalidInputError(
            f"the context index has dtype {_dtypes(context)} but the batch index has {_dtypes(batch)}; the context must be the rows "
            "just before the batch, with the same index type and timezone.",
            reason=Reason.CONTEXT_MISMATCH,
        )
    require_increasing_labels("context", context, window)
    labels = context.append(batch)
    position = _first_disorder(labels)
    if position == len(context) - 1:
        raise InvalidInputError(
            f"the last context row label {plain_value(labels[position])!r} is not strictly earlier than the first batch "
            f"row label {plain_value(labels[position + 1])!r}; the context must be the rows just before the batch.",
            reason=Reason.CONTEXT_MISMATCH,
        )
    if position is not None:
        raise _disorder_error("batch", labels, position, window)
