# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The exception hierarchy: one base, concrete errors that also derive from the builtin.

Every error carries a machine-readable :class:`Reason`; tests and callers branch on the
reason, never on message text. Messages say what was wrong, where, found vs expected.

>>> from spotanomaly2_safe.errors import InvalidInputError, Reason
>>> error = InvalidInputError("y_true has no rows", reason=Reason.EMPTY_INPUT)
>>> isinstance(error, ValueError), error.reason.value
(True, 'empty_input')
"""

import reprlib
from enum import Enum
from functools import partial
from typing import Any

__all__ = [
    "InputTypeError",
    "InsufficientDataException",
    "InvalidInputError",
    "InvalidParameterError",
    "NotDefinedError",
    "NotFittedError",
    "Reason",
    "SpotAnomalySafeError",
]


class Reason(str, Enum):
    """Why an error was raised: one value per rule of the contracts and parameter tables."""

    NOT_A_DATAFRAME = "not_a_dataframe"
    NOT_AN_ARRAY = "not_an_array"
    EMPTY_INPUT = "empty_input"
    DUPLICATE_COLUMN = "duplicate_column"
    DUPLICATE_INDEX = "duplicate_index"
    COLUMN_MISMATCH = "column_mismatch"
    INDEX_MISMATCH = "index_mismatch"
    COLUMNS_DIFFER_FROM_FIT = "columns_differ_from_fit"
    NON_NUMERIC = "non_numeric"
    MISSING_VALUE = "missing_value"
    NON_FINITE = "non_finite"
    INEXACT_INTEGER = "inexact_integer"
    RESIDUAL_OVERFLOW = "residual_overflow"
    SCORE_OVERFLOW = "score_overflow"
    TOO_FEW_ROWS = "too_few_rows"
    TOO_FEW_DISTINCT_ROWS = "too_few_distinct_rows"
    NOT_FITTED = "not_fitted"
    UNKNOWN_PARAMETER = "unknown_parameter"
    FOREIGN_PARAMETER = "foreign_parameter"
    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_SCORER = "unknown_scorer"
    NOT_A_DICT = "not_a_dict"
    NON_STRING_KEY = "non_string_key"
    STATE_OVERFLOW = "state_overflow"
    INVALID_STATE = "invalid_state"
    SNAPSHOT_UNSUPPORTED = "snapshot_unsupported"
    CONTEXT_MISMATCH = "context_mismatch"
    CONTRIBUTIONS_NOT_DEFINED = "contributions_not_defined"
    TAIL_TOO_SMALL = "tail_too_small"
    TAIL_FIT_FAILED = "tail_fit_failed"
    RISK_NOT_IN_TAIL = "risk_not_in_tail"
    NOT_BINARY = "not_binary"
    LENGTH_MISMATCH = "length_mismatch"
    NO_POSITIVE_LABEL = "no_positive_label"
    MISSING_LABEL = "missing_label"
    UNORDERED_INDEX = "unordered_index"
    CONSTANT_TRAINING_COLUMN = "constant_training_column"


class SpotAnomalySafeError(Exception):
    """Base of every error this library raises; catch it to handle any of them."""

    def __init__(self, message: str, *, reason: Reason) -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple:
        # Pickled with its reason: Dask and multiprocessing send errors between processes, and the default
        # Exception pickling calls the class without the keyword-only reason (the copy would fail to unpickle).
        return partial(type(self), reason=self.reason), (str(self),)


class InvalidInputError(SpotAnomalySafeError, ValueError):
    """Input data breaks a contract (values, labels, shapes)."""


class InputTypeError(SpotAnomalySafeError, TypeError):
    """Input data is of the wrong type (an array, Series or None where a DataFrame is required)."""


class InsufficientDataException(InvalidInputError):
    """Too few training rows (or too few distinct ones) for the chosen scorer to be fitted."""


class InvalidParameterError(SpotAnomalySafeError, ValueError, TypeError):
    """A constructor parameter is unknown, misspelled, foreign to the scorer, of the wrong type or out of range."""


class NotFittedError(SpotAnomalySafeError, ValueError, AttributeError):
    """A scoring method was called before ``fit``."""


class NotDefinedError(SpotAnomalySafeError, TypeError):
    """An operation is not defined for this kind of object (e.g. per-column contributions of an IsolationForest)."""


def bounded_repr(value: Any) -> str:
    """``repr(value)`` cut to a readable length and depth, for messages that echo an input of any size.

    Safe for what a plain ``repr`` fails on: deep nesting (no RecursionError) and ints beyond Python's
    4,300-digit string limit (no ValueError).

    >>> bounded_repr(10**400)[:12], bounded_repr([[[[[1]]]]]), bounded_repr(10**5000)
    ('100000000000', '[[[[...]]]]', '<int too large to print>')
    """
    shorter = reprlib.Repr()
    shorter.maxlevel, shorter.maxstring, shorter.maxlong, shorter.maxother = 3, 80, 40, 80
    try:
        return shorter.repr(value)
    except ValueError:  # an int too long to convert to text, at any depth
        return f"<{type(value).__name__} too large to print>"
