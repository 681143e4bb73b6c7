# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``score --workers N`` / ``--scheduler ADDRESS``: score Parquet datasets on Dask, write Parquet datasets.

The detector is fitted in this process on the training files (read as without these options). The test
actuals and forecasts are Parquet datasets (a folder or a glob) read with ``index_column`` as a sorted
index with known divisions (``dask.dataframe.read_parquet(..., calculate_divisions=True)``), whose dtype
must be ``index_type``; both must be partitioned alike (:mod:`spotanomaly2_safe_cli.scaleout.partitioned`).

``--scores`` and ``--flags`` name output folders. Each partition is written as
``part.NNNNN.parquet`` (the index as a column, as in the in-memory path) to a temporary name and renamed,
inside a hidden temporary folder beside the target; only when every part of both outputs is written
(and the fit record staged) are the folders and the fit record published together as one set
(:func:`spotanomaly2_safe_cli.files.write_outputs`: older outputs restored on any failure). A failed
run leaves nothing; a killed one leaves no new target folder (at most a hidden ``.NAME.partial-*``
folder), never part of a dataset. The workers write the parts, so with ``--scheduler`` the output folder must be on a file
system the workers share with this machine.
"""

import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.files import FileInputError, OutputError, Writer, require_writable_folder, write_atomically, write_outputs

__all__ = ["ClusterError", "cluster_client", "read_dataset", "require_writable_datasets", "score_datasets", "stage_datasets"]

INPLACE_DEPRECATION = r"The inplace keyword in DataFrame\.(set|reset)_index is deprecated"
_INDEX_DTYPE_CHECKS = {
    "datetime": pd.api.types.is_datetime64_any_dtype,
    "integer": pd.api.types.is_integer_dtype,
    "string": pd.api.types.is_string_dtype,
}


class ClusterError(Exception):
    """Dask is not installed, the cluster cannot be started or reached, or workers were lost beyond the retries."""


@contextlib.contextmanager
def cluster_client(workers: int | None, scheduler: str | None) -> Iterator[object]:
    """A distributed Client on a new LocalCluster of ``workers`` processes, or on the scheduler at ``scheduler``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise ClusterError(f"--workers/--scheduler need Dask: pip install 'spotanomaly2-safe[dask]' ({error}).") from None
    with contextlib.ExitStack() as stack:
        try:
            if scheduler is None:  # ":0": the scheduler's HTTP server on a free port (8787 clashes with another cluster)
                cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"))
                scheduler = cluster.scheduler_address
            client = stack.enter_context(Client(scheduler, timeout="10s"))
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"cannot start or reach the Dask scheduler {scheduler or ''}: {error}") from None
        yield client


def read_dataset(path: str, index_column: str, index_type: str):
    """A Parquet dataset (folder or glob) as a Dask DataFrame indexed by ``index_column`` with known divisions."""
    import dask.dataframe as dd

    try:
        with warnings.catch_warnings():
            # dask's Parquet reader passes inplace=True to pandas 3.1's set_index/reset_index (deprecated there,
            # not by us): silenced for that message from that module only, as in the test configuration.
            warnings.filterwarnings("ignore", message=INPLACE_DEPRECATION, category=DeprecationWarning, module=r"dask\.dataframe\.io\.parquet\.arrow")
            frame = dd.read_parquet(path, index=index_column, calculate_divisions=True)
    except (OSError, ValueError, KeyError) as error:
        raise FileInputError(f"{path}: cannot be read as a Parquet dataset with index column {index_column!r}: {error}") from None
    if not _INDEX_DTYPE_CHECKS[index_type](frame.index.dtype):
        raise FileInputError(f"{path}: index column {index_column!r} has dtype {frame.index.dtype}, which is not a {index_type}.")
    return frame


def require_writable_datasets(paths: list[Path], force: bool) -> None:
    """Fail before any work when an output folder exists (without ``force``) or its parent folder does not."""
    for path in paths:
        if path.exists() and not force:
            raise OutputError(f"{path}: exists already; pass --force to overwrite it.")
        if not path.parent.is_dir():
            raise OutputError(f"{path}: the folder {path.parent} does not exist.")
        require_writable_folder(path)


def _write_part(frame: pd.DataFrame, path: Path) -> None:
    write_atomically(path, lambda temporary: frame.reset_index().to_parquet(temporary, index=False))


def _discard(folder: Path) -> None:
    """Remove a staging folder that workers may still be writing into.

    After a failed task, ``dask.compute`` returns while other parts are still being written. Removing the
    folder in place races with them: a part created between ``rmtree``'s listing and its ``rmdir`` leaves
    the folder behind. So the folder is first renamed to a name no worker knows (a part opened after that
    fails, as its folder no longer exists, and pandas does not create folders), then removed.
    """
    retired = Path(tempfile.mkdtemp(prefix=f"{folder.name}.failed-", dir=folder.parent))
    os.replace(folder, retired / folder.name)
    shutil.rmtree(retired)


def stage_datasets(detector: ForecastingAnomalyDetector, y_true, y_pred, outputs: list[Path]) -> list[tuple[Path, Path]]:
    """Score the datasets on the current Dask client into hidden staging folders; ``(staging folder, target)`` pairs."""
    import dask
    from distributed import KilledWorker

    from spotanomaly2_safe_cli.scaleout.partitioned import score_partitioned

    frames = score_partitioned(detector, y_true, y_pred)
    staging = [Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-", dir=path.parent)) for path in outputs]
    write = dask.delayed(_write_part, pure=True)
    try:
        parts = [write(part, folder / f"part.{number:05d}.parquet") for frame, folder in zip(frames, staging) for number, part in enumerate(frame.to_delayed())]
        dask.compute(*parts)
    except BaseException as error:
        for folder in staging:
            _discard(folder)
        if isinstance(error, KilledWorker):
            raise ClusterError(f"a worker died more often than the scheduler retries a task; nothing was written: {error}") from None
        raise
    return list(zip(staging, outputs))


def score_datasets(detector: ForecastingAnomalyDetector, y_true, y_pred, outputs: list[Path],
                   also: Sequence[tuple[Path, Writer]] = ()) -> None:
    """Score the datasets on the current Dask client and publish scores and flags to ``outputs`` (module docstring)
    together with the files ``also`` (``(path, write)`` pairs, e.g. the fit record) as one set."""
    write_outputs(list(also), staged=stage_datasets(detector, y_true, y_pred, outputs))
