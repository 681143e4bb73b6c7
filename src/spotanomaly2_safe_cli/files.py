# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Reading input tables strictly and writing outputs atomically (the shell's file I/O).

Reading: CSV or Parquet by file extension (``.csv``, ``.parquet``/``.pq``); the index comes from the
column named by ``index_column`` and is parsed as ``index_type``: ``datetime`` (ISO 8601, all with the
same UTC offset or all without one), ``integer`` or ``string``. Anything that does not parse is a
:class:`FileInputError` naming the file, column and row; values are left as read, so the kernel's
contracts report NaN, text or infinite values with their column and row label.

Writing: to a temporary file in the target's folder, flushed and fsynced, then renamed over the target
(``os.replace``, atomic on one file system). An interrupted or failed run leaves either no output or
the previous one, never a half-written file; an existing output is an error unless ``force``.
"""

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["FileInputError", "OutputError", "INDEX_TYPES", "read_table", "require_writable", "write_atomically", "write_table", "write_json"]

INDEX_TYPES = ("datetime", "integer", "string")
_PARQUET_SUFFIXES = (".parquet", ".pq")


class FileInputError(Exception):
    """An input file is missing, unreadable, of an unknown format, or its index column does not parse."""


class OutputError(Exception):
    """An output cannot be written: it exists (without ``--force``), its folder is missing or its type is unknown."""


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in _PARQUET_SUFFIXES:
        return "parquet"
    raise FileInputError(f"{path}: unknown file type {suffix!r}; expected .csv, .parquet or .pq.")


def _read_raw(path: Path, index_column: str) -> pd.DataFrame:
    try:
        if _format(path) == "csv":
            # The index column is read as text and parsed once, strictly, by _parse_index.
            return pd.read_csv(path, dtype={index_column: str})
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


def require_writable(paths: list[Path], force: bool) -> None:
    """Fail before any work when an output exists (without ``force``) or its folder does not."""
    for path in paths:
        if path.suffix.lower() not in (".csv", ".json", ".png", *_PARQUET_SUFFIXES):
            raise OutputError(
                f"{path}: unknown output type {path.suffix!r}; expected .csv, .parquet, .pq (tables), .json or .png (plots)."
            )
        if path.exists() and not force:
            raise OutputError(f"{path}: exists already; pass --force to overwrite it.")
        if not path.parent.is_dir():
            raise OutputError(f"{path}: the folder {path.parent} does not exist.")


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` in ``path``'s folder, fsync, then rename over ``path``."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_table(path: Path, frame: pd.DataFrame) -> None:
    """Write ``frame`` with its index (CSV floats in shortest round-trip form, so nothing is lost)."""
    if _format(path) == "csv":
        write_atomically(path, lambda temporary: frame.to_csv(temporary))
    else:  # the index as an ordinary column, as in the CSV, so both formats read back the same way
        write_atomically(path, lambda temporary: frame.reset_index().to_parquet(temporary, index=False))


def write_json(path: Path, document: Any) -> None:
    """Write strict JSON (no NaN or infinity), indented."""
    text = json.dumps(document, indent=2, allow_nan=False) + "\n"
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))
