# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Reading input tables strictly and writing outputs atomically (the shell's file I/O).

Reading: CSV or Parquet by file extension (``.csv``, ``.parquet``/``.pq``); the index comes from the
column named by ``index_column`` and is parsed as ``index_type``: ``datetime`` (ISO 8601, all with the
same UTC offset or all without one), ``integer`` or ``string``. Anything that does not parse is a
:class:`FileInputError` naming the file, column and row; values are left as read, so the kernel's
contracts report NaN, text or infinite values with their column and row label.

Writing one run's outputs is one transaction (:func:`write_outputs`):

1. stage: each output is written to a hidden temporary file ``.<name>.*.partial`` in its target's
   folder, flushed and fsynced, and checked to be a non-empty regular file (a Parquet dataset folder
   is staged the same way by :mod:`spotanomaly2_safe_cli.scaleout.dataset`);
2. publish: only when every output is staged, each target (an existing one is first renamed to a
   hidden ``.<name>.*.previous``) is replaced by its staged file with ``os.replace`` (atomic on one
   file system), with SIGINT, SIGTERM and SIGHUP held back until the whole set is in place;
3. the previous outputs are deleted only when every new output is in place. A failure (an OSError,
   or an exception raised inside the step) at any point restores the previous outputs and removes
   every staged or newly published file, so a run leaves the complete new set or the old one.

A ``SIGKILL`` or power loss inside the publish step (a few renames) is the one case that can leave a
mix: the previous files are then still beside the targets as hidden ``.<name>.*.previous`` files.
An OSError while writing is an :class:`OutputError` (exit code 7) naming the file.
"""

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "FileInputError", "OutputError", "UsageError", "INDEX_TYPES", "read_table", "require_distinct_paths", "require_writable",
    "require_writable_folder",
    "Writer", "table_writer", "json_writer", "write_atomically", "write_outputs",
]

Writer = Callable[[Path], None]
_DEFERRED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))  # no SIGHUP on Windows

INDEX_TYPES = ("datetime", "integer", "string")
_PARQUET_SUFFIXES = (".parquet", ".pq")


class FileInputError(Exception):
    """An input file is missing, unreadable, of an unknown format, or its index column does not parse."""


class OutputError(Exception):
    """An output cannot be written: it exists (without ``--force``), its folder is missing, not writable or full,
    or its type is unknown."""


class UsageError(Exception):
    """The command line is self-contradictory (e.g. two outputs, or an output and an input, are the same file)."""


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    raise FileInputError(f"{path}: unknown file type {suffix!r}; expected .csv, .parquet or .pq.")


def _require_unique_columns(path: Path, names: list) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise FileInputError(f"{path}: the column name {name!r} appears more than once in the header; names must be unique.")
        seen.add(name)


def _read_raw(path: Path, index_column: str) -> pd.DataFrame:
    try:
        if _format(path) == "csv":
            # pandas renames a repeated header name ("load" -> "load.1"): read the header row as data first.
            _require_unique_columns(path, pd.read_csv(path, header=None, nrows=1, dtype=str).iloc[0].tolist())
            # The index column is read as text and parsed once, strictly, by _parse_index.
            return pd.read_csv(path, dtype={index_column: str})
        import pyarrow.parquet

        _require_unique_columns(path, pyarrow.parquet.read_schema(path).names)
        frame = pd.read_parquet(path)
        return frame.reset_index() if frame.index.name == index_column else frame
    except ImportError as error:
        raise FileInputError(f"{path}: reading Parquet needs pyarrow: pip install 'spotanomaly2-safe[parquet]' ({error}).") from None
    except (OSError, ValueError) as error:
        raise FileInputError(f"{path}: cannot be read: {error}") from None


def _parse_index(path: Path, column: str, values: pd.Series, index_type: str) -> pd.Index:
    if index_type == "string":
        return pd.Index(values.astype(str), name=column)
    if index_type == "integer":
        parsed = pd.to_numeric(values, errors="coerce")
        bad = parsed.isna() | (parsed != parsed.round())
    else:
        parsed = pd.Series(pd.NaT, index=values.index) if values.empty else pd.to_datetime(values, format="ISO8601", errors="coerce")
        bad = parsed.isna()
    if bad.any():
        row = int(bad.to_numpy().argmax())
        found = "a missing value" if pd.isna(values.iloc[row]) else repr(values.iloc[row])
        raise FileInputError(f"{path}: index column {column!r} row {row + 1} holds {found}, which is not a valid {index_type}.")
    if index_type == "integer":
        return pd.Index(parsed.astype("int64"), name=column)
    return pd.DatetimeIndex(parsed, name=column)


def read_table(path: Path, index_column: str, index_type: str = "datetime") -> pd.DataFrame:
    """Read a CSV or Parquet table with ``index_column`` parsed strictly as ``index_type`` (see the module docstring)."""
    if not path.is_file():
        raise FileInputError(f"{path}: no such file.")
    frame = _read_raw(path, index_column)
    if index_column not in frame.columns:
        raise FileInputError(f"{path}: no index column {index_column!r}; the columns are {list(frame.columns)}.")
    try:
        index = _parse_index(path, index_column, frame[index_column], index_type)
    except (ValueError, TypeError) as error:  # e.g. timestamps with different UTC offsets
        raise FileInputError(f"{path}: index column {index_column!r} does not parse as {index_type}: {error}") from None
    return frame.drop(columns=index_column).set_axis(index, axis=0)


def require_distinct_paths(outputs: dict[str, Path], inputs: dict[str, Path] | None = None) -> None:
    """Raise :class:`UsageError` when two outputs, or an output and an input, name the same file."""
    seen: dict[Path, str] = {}
    for option, path in {**(inputs or {}), **outputs}.items():
        resolved = Path(os.path.abspath(path)).resolve()
        if resolved in seen:
            raise UsageError(f"{seen[resolved]} and {option} name the same file {path}; every output needs a path of its own.")
        seen[resolved] = option


def require_writable_folder(path: Path) -> None:
    """Create and remove a hidden file in ``path``'s folder: a read-only or unusable folder fails before any work."""
    try:
        handle, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
    except OSError as error:
        raise OutputError(f"{path}: the folder {path.parent} is not writable: {error.strerror or error}.") from None
    os.close(handle)
    os.unlink(probe)


def require_writable(paths: list[Path], force: bool) -> None:
    """Fail before any work when an output exists (without ``force``) or its folder is missing or not writable."""
    for path in paths:
        if path.suffix.lower() not in (".csv", ".json", ".png", *_PARQUET_SUFFIXES):
            raise OutputError(
                f"{path}: unknown output type {path.suffix!r}; expected .csv, .parquet, .pq (tables), .json or .png (plots)."
            )
        if path.exists() and not force:
            raise OutputError(f"{path}: exists already; pass --force to overwrite it.")
        if not path.parent.is_dir():
            raise OutputError(f"{path}: the folder {path.parent} does not exist.")
        require_writable_folder(path)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back: the publish step runs to its end (or rolls back), then they act.

    A signal received meanwhile is recorded by a temporary Python handler and raised again once the old
    handlers are back (a process-wide signal mask would not do: any thread of the process, e.g. an
    OpenMP worker, may receive the signal, and Python then interrupts the main thread at once).
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return
    received: list[int] = []
    previous = {number: signal.signal(number, lambda number, frame: received.append(number)) for number in _DEFERRED_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(received):
            signal.raise_signal(number)


def _hidden_name(path: Path, suffix: str, folder: bool = False) -> Path:
    """Reserve a new hidden name beside ``path`` (an empty file, or an empty folder to rename a folder onto)."""
    if folder:
        return Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent))
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    return Path(name)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _stage(path: Path, write: Writer) -> Path:
    """Write ``path``'s new content to a hidden temporary file beside it, fsynced and checked; return that file."""
    temporary = _hidden_name(path, ".partial")
    try:
        write(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        if not temporary.is_file() or temporary.stat().st_size == 0:
            raise OutputError(f"{path}: the staged output {temporary.name} is empty; nothing was published.")
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _publish(staged: list[tuple[Path, Path]]) -> None:
    """Rename every staged file or folder over its target; on any failure put every previous target back."""
    previous: list[tuple[Path, Path]] = []  # (hidden copy of the old output, target)
    published: list[Path] = []
    with _signals_deferred():
        try:
            for temporary, target in staged:
                if target.exists():
                    kept = _hidden_name(target, ".previous", folder=target.is_dir())
                    os.replace(target, kept)
                    previous.append((kept, target))
                os.replace(temporary, target)
                published.append(target)
        except BaseException:
            for target in published:
                _remove(target)
            for kept, target in previous:
                os.replace(kept, target)
            raise
        for kept, _ in previous:
            _remove(kept)


def write_outputs(outputs: Sequence[tuple[Path, Writer]], staged: Sequence[tuple[Path, Path]] = ()) -> None:
    """Write every ``(path, write)`` output as one set (module docstring): all new outputs or none.

    ``write(temporary_path)`` writes one output's content; ``staged`` holds ``(temporary, target)``
    pairs already written elsewhere (e.g. a dataset folder), published with the set and removed if it
    fails. The targets must be distinct (see :func:`require_distinct_paths`). An OSError becomes an
    :class:`OutputError` naming the file.
    """
    ready: list[tuple[Path, Path]] = list(staged)
    current = None
    try:
        for current, write in outputs:
            ready.append((_stage(current, write), current))
        current = None
        _publish(ready)
    except OSError as error:
        where = current if current is not None else ", ".join(str(target) for _, target in ready)
        raise OutputError(f"{where}: cannot be written: {error.strerror or error}; no output was changed.") from None
    finally:
        for temporary, _ in ready:
            if temporary.exists():
                _remove(temporary)


def write_atomically(path: Path, write: Writer) -> None:
    """Write one output atomically (a set of one, see :func:`write_outputs`)."""
    write_outputs([(path, write)])


def table_writer(path: Path, frame: pd.DataFrame) -> Writer:
    """The writer of ``frame`` with its index (CSV floats in shortest round-trip form, so nothing is lost)."""
    if _format(path) == "csv":
        return lambda temporary: frame.to_csv(temporary)
    return lambda temporary: frame.reset_index().to_parquet(temporary, index=False)  # the index as a column, as in the CSV


def json_writer(document: Any) -> Writer:
    """The writer of strict JSON (no NaN or infinity), indented."""
    text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    return lambda temporary: temporary.write_text(text, encoding="utf-8")
