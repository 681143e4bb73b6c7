# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Scale-out on Dask: the same scores, flags and fit records as one machine, bit for bit, on a cluster.

``partitioned`` scores a partitioned Dask dataset with one fitted detector (``score_partitioned``, also
importable from this package, as the README shows); ``chained`` scores one series of the adaptive method,
its partitions in order with the state chained between them (``score_chained``); ``series`` fits and scores
many independent series in parallel (``fit_score_series``, also with ``detector="adaptive"``); ``dataset`` is ``score --workers``/``--scheduler``: Parquet datasets in,
Parquet datasets out, published as one set. Needs the ``dask`` extra; ``score_partitioned`` is imported on
first use, so importing ``dataset`` (as the CLI does at start-up) does not import Dask.
"""

__all__ = ["score_partitioned"]


def __getattr__(name: str) -> object:
    if name == "score_partitioned":  # imported on first use: Dask is an extra the CLI does not need to start
        from spotanomaly2_safe_cli.scaleout.partitioned import score_partitioned

        return score_partitioned
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
