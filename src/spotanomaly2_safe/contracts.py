# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Input contracts: every public entry point turns its input into validated numpy here, or raises.

Rules, checked in this order before any computation (the first broken rule is reported):

1. ``y_true`` and ``y_pred`` are pandas DataFrames (:class:`InputTypeError` otherwise).
2. Each has at least one row and one column; no missing row label (NaT, NaN, None); no duplicated
   column names or index labels.
3. Both have the same columns (names and order) and the same index (dtype, timezone, values, order);
   at scoring time the columns equal those seen at fit. Nothing is aligned, reordered or dropped.
4. Training frames have at least the scorer's minimum number of rows.
5. pandera checks (:data:`FRAME_CHECKS`), always run in full whatever the caller's pandera settings:
   every column has a real numeric dtype (not bool, complex, string, object, category, datetime) and
   integers within ±2**53 so that float64 holds them exactly.

Every rule is checked over the whole frame at once: labels by pandas' vectorised index operations,
dtypes once per distinct dtype, values per cell with numpy. No Python loop runs over the columns, so a
frame of 100 rows x 10,000 columns costs about as much as one of 10,000 rows x 100 columns.
6. One vectorised pass over the residuals ``y_true - y_pred``: every one is finite. This rejects a
   missing value (NaN, ``pd.NA``) or ±inf in either frame, named by argument, column and row label,
   and a difference of finite values that overflows.

>>> import pandas as pd
>>> y_true = pd.DataFrame({"load": [1.0, 2.0]})
>>> y_pred = pd.DataFrame({"load": [1.5, float("nan")]})
>>> validate_frames(y_true, y_pred)
Traceback (most recent call last):
...
spotanomaly2_safe.errors.InvalidInputError: y_pred column 'load' has a missing value (NaN or pd.NA) at row label 1; every value must be a finite number.
"""

from collections.abc import Callable, Hashable, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.config import ValidationDepth, config_context

from spotanomaly2_safe.errors import (
    InputTypeError,
    InsufficientDataException,
    InvalidInputError,
    Reason,
)

__all__ = ["ForecastResiduals", "plain_value", "validate_array", "validate_frames"]

LARGEST_EXACT_INTEGER = 2**53
# Columns per block when the residuals are computed (see _residuals): any value gives the same bits.
SUBTRACT_BLOCK_COLUMNS = 512


class ForecastResiduals(NamedTuple):
    """Validated residuals ``y_true - y_pred`` (C-contiguous float64) with the labels they came from."""

    residuals: np.ndarray
    index: pd.Index
    columns: list


def _is_real_numeric(dtype: Any) -> bool:
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _float_matrix(frame: pd.DataFrame) -> np.ndarray:
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def _columns_of_kinds(frame: pd.DataFrame, is_kind: Callable[[Any], bool]) -> pd.Series:
    """Per column: its dtype satisfies ``is_kind``, decided once per distinct dtype (no loop over columns)."""
    dtypes = frame.dtypes
    return dtypes.isin([kind for kind in dtypes.unique() if is_kind(kind)])


def _numeric_columns(frame: pd.DataFrame) -> pd.Series:
    """Per column: its dtype is real numeric."""
    return _columns_of_kinds(frame, _is_real_numeric)


def _beyond_exact(block: pd.DataFrame, kind: Any) -> np.ndarray:
    """Cells of an integer ``block`` (all of dtype ``kind``) outside ±2**53, compared exactly in their own dtype."""
    values = block.to_numpy(dtype=getattr(kind, "numpy_dtype", kind), na_value=0)  # a missing value is reported later
    return (values > LARGEST_EXACT_INTEGER) | (values < -LARGEST_EXACT_INTEGER)


def _exact_integer_columns(frame: pd.DataFrame) -> pd.Series:
    """Per column: every value lies within ±2**53 (true for float columns): one pass per distinct integer dtype."""
    exact = np.ones(frame.shape[1], dtype=bool)
    dtypes = frame.dtypes
    for kind in dtypes.unique():
        if pd.api.types.is_integer_dtype(kind):
            positions = np.flatnonzero(dtypes.isin([kind]).to_numpy())
            exact[positions] = ~_beyond_exact(frame.iloc[:, positions], kind).any(axis=0)
    return pd.Series(exact, index=frame.columns)


# The frame contract: pandera checks, each over the whole frame at once (a boolean per column), run in order.
# They are called directly (pandera's Check API), not through a DataFrameSchema, whose validation lists the
# column labels on every call and copies the frame: per-column costs that made a 10,000-column frame 100x
# slower than a 10,000-row one. No pandera setting can skip a direct call; config_context below pins the
# settings anyway, should a later pandera consult them (REQ-CON-014 tests both).
FRAME_CHECKS = (
    pa.Check(_numeric_columns, name=Reason.NON_NUMERIC.value, ignore_na=False),
    pa.Check(_exact_integer_columns, name=Reason.INEXACT_INTEGER.value, ignore_na=False),
)
_RULE_TEXT = MappingProxyType({
    Reason.NON_NUMERIC: "has dtype {dtype}; expected a real numeric dtype (int or float, not bool or text)",
    Reason.MISSING_VALUE: "has a missing value (NaN or pd.NA) at row label {label!r}; every value must be a finite number",
    Reason.NON_FINITE: "has a non-finite value ({value}) at row label {label!r}; every value must be a finite number",
    Reason.INEXACT_INTEGER: "has the integer {value} at row label {label!r}, beyond ±2**53 where float64 is not exact",
})


def _run_checks(name: str, frame: pd.DataFrame) -> None:
    """Run :data:`FRAME_CHECKS` in order; the first failure names the first failing column (and row)."""
    with config_context(validation_enabled=True, validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        for check in FRAME_CHECKS:
            passed = check(frame).check_output.to_numpy()
            if not passed.all():
                position, reason = int(np.flatnonzero(~passed)[0]), Reason(check.name)
                details = _first_failure(frame, position, reason)
                text = _RULE_TEXT[reason].format(dtype=frame.dtypes.iloc[position], **details)
                raise InvalidInputError(f"{name} column {plain_value(frame.columns[position])!r} {text}.", reason=reason)


def plain_value(value: Any) -> Any:
    """A numpy scalar as the Python scalar it holds, so messages read ``2`` rather than ``np.int64(2)``."""
    return value.item() if isinstance(value, np.generic) else value


def _first_failure(frame: pd.DataFrame, position: int, reason: Reason) -> dict:
    """The first offending row label and value of the column at ``position`` (none for a dtype failure)."""
    if reason is Reason.NON_NUMERIC:
        return {}
    column = frame.iloc[:, [position]]
    row = int(np.flatnonzero(_beyond_exact(column, column.dtypes.iloc[0])[:, 0])[0])
    return {"label": plain_value(frame.index[row]), "value": plain_value(frame.iat[row, position])}


def _residuals(names: tuple[str, str], y_true: pd.DataFrame, y_pred: pd.DataFrame) -> np.ndarray:
    """``y_true - y_pred`` as C-contiguous float64, finite everywhere or an error naming the first bad cell.

    One vectorised finiteness pass over the residuals checks both inputs: a residual is finite only when
    both values are finite (NaN and ±inf propagate) and their difference does not overflow.
    """
    values = (_float_matrix(y_true), _float_matrix(y_pred))
    residuals = np.empty(values[0].shape, dtype=np.float64)  # C order: rows of the residual matrix are contiguous
    # A frame's values are column-major; subtracting block by block of columns keeps the transposed writes in
    # cache (the same elementwise operation, so the same bits): 100 x 10,000 took 1.8 ms in one pass, 1.3 ms so.
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, residuals.shape[1], SUBTRACT_BLOCK_COLUMNS):
            block = slice(start, start + SUBTRACT_BLOCK_COLUMNS)
            np.subtract(values[0][:, block], values[1][:, block], out=residuals[:, block])
    finite = np.isfinite(residuals)
    if finite.all():
        return residuals
    row, position = (int(i) for i in np.argwhere(~finite)[0])
    column, label = y_true.columns[position], plain_value(y_true.index[row])
    for name, frame, matrix in zip(names, (y_true, y_pred), values):
        if not np.isfinite(matrix[row, position]):
            reason = Reason.MISSING_VALUE if np.isnan(matrix[row, position]) else Reason.NON_FINITE
            text = _RULE_TEXT[reason].format(label=label, value=plain_value(frame.iat[row, position]))
            raise InvalidInputError(f"{name} column {column!r} {text}.", reason=reason)
    raise InvalidInputError(
        f"The residual y_true - y_pred overflows float64 in column {column!r} at row label {label!r} "
        f"({plain_value(y_true.iat[row, position])!r} - {plain_value(y_pred.iat[row, position])!r}).",
        reason=Reason.RESIDUAL_OVERFLOW,
    )


def _first_duplicate(labels: pd.Index) -> Hashable:
    return plain_value(labels[labels.duplicated()][0])


def _require_present_labels(name: str, index: pd.Index) -> None:
    """Raise ``MISSING_LABEL`` when a row label (or a level of it) is NaT, NaN or None."""
    if isinstance(index, pd.MultiIndex):
        missing = np.logical_or.reduce([codes == -1 for codes in index.codes])
    else:
        missing = np.asarray(index.isna())
    if missing.any():
        raise InvalidInputError(
            f"{name} has a missing row label (NaT, NaN or None) at position {int(missing.argmax())}; every row needs a label.",
            reason=Reason.MISSING_LABEL,
        )


def _has_duplicates(labels: pd.Index, checked: pd.Index | None) -> bool:
    """Whether a label repeats; labels equal to ``checked`` (already found unique) need no second hash pass."""
    return not (checked is not None and labels.equals(checked)) and labels.has_duplicates


def _require_frame_shape(name: str, frame: Any, checked: pd.DataFrame | None = None) -> None:
    """Type, size and unique labels of ``frame``; ``checked`` is a frame that already passed (y_true for y_pred)."""
    if not isinstance(frame, pd.DataFrame):
        raise InputTypeError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}.", reason=Reason.NOT_A_DATAFRAME)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InvalidInputError(
            f"{name} is empty ({frame.shape[0]} rows x {frame.shape[1]} columns); at least 1 x 1 is required.",
            reason=Reason.EMPTY_INPUT,
        )
    _require_present_labels(name, frame.index)
    if _has_duplicates(frame.columns, None if checked is None else checked.columns):
        raise InvalidInputError(
            f"{name} has the column name {_first_duplicate(frame.columns)!r} more than once; names must be unique.",
            reason=Reason.DUPLICATE_COLUMN,
        )
    if _has_duplicates(frame.index, None if checked is None else checked.index):
        raise InvalidInputError(
            f"{name} has the row label {_first_duplicate(frame.index)!r} more than once; labels must be unique.",
            reason=Reason.DUPLICATE_INDEX,
        )


def _index_dtypes(index: pd.Index) -> list:
    return list(index.dtypes) if isinstance(index, pd.MultiIndex) else [index.dtype]


def _require_same_index(true_index: pd.Index, pred_index: pd.Index) -> None:
    if _index_dtypes(true_index) != _index_dtypes(pred_index):
        found = f"{_index_dtypes(true_index)} vs {_index_dtypes(pred_index)}"
    elif len(true_index) != len(pred_index):
        found = f"{len(true_index)} vs {len(pred_index)} rows"
    elif not true_index.equals(pred_index):
        position = next(i for i, (left, right) in enumerate(zip(true_index, pred_index)) if not left == right)
        found = f"position {position} has label {plain_value(true_index[position])!r} vs {plain_value(pred_index[position])!r}"
    else:
        return
    raise InvalidInputError(
        f"y_true and y_pred must have the same index (dtype, timezone, labels, order); found {found}. "
        "Nothing is aligned automatically: reindex both frames to the same labels first.",
        reason=Reason.INDEX_MISMATCH,
    )


def _labels(labels: pd.Index | Sequence) -> list:
    """Labels as a list of Python scalars (``Index.tolist`` converts in one call; iterating is slow for wide frames)."""
    return labels.tolist() if isinstance(labels, pd.Index) else list(labels)


def _require_columns(found: pd.Index | list, expected: pd.Index | Sequence, what: str, reason: Reason) -> None:
    """``found`` equals ``expected`` (names and order, compared as Python values): two indexes of one dtype
    in one vectorised pass, else as lists."""
    both_indexes = isinstance(found, pd.Index) and isinstance(expected, pd.Index)
    if both_indexes and found.dtype == expected.dtype and found.equals(expected):
        return
    if _labels(found) != _labels(expected):
        raise InvalidInputError(
            f"{what}: expected columns {_labels(expected)} (names and order), found {_labels(found)}.", reason=reason
        )


def validate_frames(
    y_true: Any,
    y_pred: Any,
    *,
    fitted_columns: Sequence | None = None,
    min_rows: int = 1,
    min_rows_reason: str = "",
    stage: str = "",
) -> ForecastResiduals:
    """Check ``y_true`` and ``y_pred`` against the contract and return their residuals ``y_true - y_pred``.

    ``stage`` (``"train"`` or ``"test"``) only names the arguments in messages, e.g. ``y_true_train``;
    ``min_rows_reason`` says in the message where ``min_rows`` comes from.
    """
    true_name, pred_name = (f"y_true_{stage}", f"y_pred_{stage}") if stage else ("y_true", "y_pred")
    _require_frame_shape(true_name, y_true)
    _require_frame_shape(pred_name, y_pred, checked=y_true)
    _require_columns(y_pred.columns, y_true.columns, f"{pred_name} must match {true_name}", Reason.COLUMN_MISMATCH)
    _require_same_index(y_true.index, y_pred.index)
    columns = _labels(y_true.columns)
    if fitted_columns is not None:
        _require_columns(columns, fitted_columns, f"{true_name} must match the columns seen at fit", Reason.COLUMNS_DIFFER_FROM_FIT)
    if len(y_true) < min_rows:
        raise InsufficientDataException(
            f"{true_name} has {len(y_true)} rows; at least {min_rows} are required ({min_rows_reason}).",
            reason=Reason.TOO_FEW_ROWS,
        )
    _run_checks(true_name, y_true)
    _run_checks(pred_name, y_pred)
    return ForecastResiduals(_residuals((true_name, pred_name), y_true, y_pred), y_true.index, columns)


def validate_array(values: Any, *, name: str, ndim: int, n_columns: int | None = None, min_rows: int = 1) -> np.ndarray:
    """Check a numpy array of residuals (``ndim=2``) or scores (``ndim=1``); return it as C-contiguous float64."""
    if not isinstance(values, np.ndarray):
        raise InputTypeError(f"{name} must be a numpy ndarray; got {type(values).__name__}.", reason=Reason.NOT_AN_ARRAY)
    if values.ndim != ndim or values.size == 0:
        raise InvalidInputError(
            f"{name} must be a non-empty {ndim}-D array; got shape {values.shape}.", reason=Reason.EMPTY_INPUT
        )
    if not (np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.floating)):
        raise InvalidInputError(f"{name} has dtype {values.dtype}; expected int or float.", reason=Reason.NON_NUMERIC)
    if n_columns is not None and values.shape[1] != n_columns:
        raise InvalidInputError(
            f"{name} has {values.shape[1]} columns; the fit saw {n_columns}.", reason=Reason.COLUMNS_DIFFER_FROM_FIT
        )
    if values.shape[0] < min_rows:
        raise InsufficientDataException(
            f"{name} has {values.shape[0]} rows; at least {min_rows} are required.", reason=Reason.TOO_FEW_ROWS
        )
    converted = np.ascontiguousarray(values, dtype=np.float64)
    finite = np.isfinite(converted)
    if not finite.all():
        position = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise InvalidInputError(
            f"{name} has a non-finite value ({converted[position]}) at position {position}; every value must be finite.",
            reason=Reason.NON_FINITE,
        )
    return converted
