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

>>> import numpy as np
>>> aggregate_windows(np.array([1.0, 5.0, 2.0, 2.0]), window=2, window_agg="mean")
array([3. , 3.5, 2. ])
>>> aggregate_windows(np.array([1.0, 5.0, 2.0, 2.0]), window=3, window_agg="max")
array([5., 5.])
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["WINDOW_AGGREGATIONS", "aggregate_windows"]

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
