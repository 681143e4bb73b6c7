# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Alarm post-processing: raw 0/1 flags in row order -> alarms, with a minimum duration and a cool-down.

Rule, applied row by row in order (causal: an alarm at row ``t`` depends on flags up to ``t`` only):

- an alarm *starts* at the row where ``min_duration`` consecutive raw flags are reached;
- while an alarm is on it stays on at every flagged row and for up to ``min_gap`` unflagged rows
  after the last flag (the cool-down / hold): raw flags separated by at most ``min_gap`` unflagged
  rows belong to the same alarm and never start a new one;
- after ``min_gap + 1`` unflagged rows in a row it ends; a new alarm again needs ``min_duration``
  consecutive flags.

``min_duration=1, min_gap=0`` returns the raw flags unchanged. The raw flags of two separate alarms
are therefore always more than ``min_gap`` unflagged rows apart (the alarms themselves at least one
row, the hold included), and a single stray flag never alarms when ``min_duration > 1``.

Not batch independent: an alarm depends on the flags before it. ``postprocess_flags`` starts from
the quiet state (no alarm, no run of flags) at its first row, and the pipeline applies it per batch
from that state. The state is quiet again after any ``min_gap + 1`` unflagged rows, so to continue a
sequence across batches without a seam, call it on the previous raw flags back to (and including) the
latest run of at least ``min_gap + 1`` zeros, followed by the new flags, and keep the last
``len(new flags)`` alarms.

>>> import numpy as np
>>> flags = np.array([0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1])
>>> postprocess_flags(flags, min_duration=2, min_gap=1)
array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0])
>>> postprocess_flags(flags, min_duration=1, min_gap=0)
array([0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1])
"""

from types import MappingProxyType
from typing import Any

import numpy as np

from spotanomaly2_safe.errors import InputTypeError, InvalidInputError, Reason
from spotanomaly2_safe.parameters import Interval, validate_parameters

__all__ = ["ALARM_PARAMETERS", "QUIET", "continue_alarm_runs", "continue_alarms", "next_alarm_state", "postprocess_flags", "validate_flags"]

QUIET = -1  # ``quiet_rows`` when no alarm is on
ALARM_PARAMETERS = MappingProxyType({"min_duration": (Interval(int, 1, None),), "min_gap": (Interval(int, 0, None),)})


def validate_flags(flags: Any, *, name: str) -> np.ndarray:
    """Check a non-empty 1-D numpy array of 0/1 (int or bool) flags; return it as int64."""
    if not isinstance(flags, np.ndarray):
        raise InputTypeError(f"{name} must be a numpy ndarray; got {type(flags).__name__}.", reason=Reason.NOT_AN_ARRAY)
    if flags.ndim != 1 or flags.size == 0:
        raise InvalidInputError(f"{name} must be a non-empty 1-D array; got shape {flags.shape}.", reason=Reason.EMPTY_INPUT)
    if not (np.issubdtype(flags.dtype, np.integer) or flags.dtype == np.bool_):
        raise InvalidInputError(f"{name} has dtype {flags.dtype}; expected int or bool 0/1.", reason=Reason.NOT_BINARY)
    outside = np.flatnonzero((flags != 0) & (flags != 1))
    if outside.size:
        raise InvalidInputError(
            f"{name} has the value {flags[outside[0]].item()!r} at position {int(outside[0])}; flags must be 0 or 1.",
            reason=Reason.NOT_BINARY,
        )
    return flags.astype(np.int64)


def postprocess_flags(flags: np.ndarray, min_duration: int = 1, min_gap: int = 0) -> np.ndarray:
    """Alarms (int64 0/1, one per row) from raw ``flags`` by the module's minimum-duration and cool-down rule."""
    validate_parameters("postprocess_flags", ALARM_PARAMETERS, {"min_duration": min_duration, "min_gap": min_gap})
    raw = validate_flags(flags, name="flags")
    return np.array(continue_alarms(raw.tolist(), min_duration, min_gap)[0], dtype=np.int64)


def continue_alarms(flags: list[int], min_duration: int, min_gap: int, run: int = 0, quiet_rows: int = QUIET) -> tuple[list[int], int, int]:
    """The module's rule on validated ``flags``, continuing from the state ``(run, quiet_rows)``: ``(alarms, run, quiet_rows)``.

    ``run`` counts the consecutive flags up to ``min_duration`` (it never needs more), ``quiet_rows`` the
    unflagged rows since the last flag of the alarm that is on (``QUIET`` when none is). The default state
    is the quiet one, so ``postprocess_flags`` is this function from it; a caller that keeps the returned
    state gets alarms that do not depend on how the flags were split into calls.

    >>> first, run, quiet_rows = continue_alarms([0, 1, 1], min_duration=2, min_gap=1)
    >>> second, _, _ = continue_alarms([0, 0, 1], 2, 1, run, quiet_rows)
    >>> first + second == continue_alarms([0, 1, 1, 0, 0, 1], 2, 1)[0]
    True
    """
    alarms = []
    for flagged in flags:
        run = min(run + 1, min_duration) if flagged else 0
        if quiet_rows == QUIET and run >= min_duration:
            quiet_rows = 0
        elif quiet_rows != QUIET:
            quiet_rows = 0 if flagged else quiet_rows + 1
            if quiet_rows > min_gap:
                quiet_rows = QUIET
        alarms.append(int(quiet_rows != QUIET))
    return alarms, run, quiet_rows


def next_alarm_state(flagged: int, min_duration: int, min_gap: int, run: int, quiet_rows: int) -> tuple[int, int]:
    """:func:`continue_alarms`'s state ``(run, quiet_rows)`` after one more flag, by its steps (a streaming
    driver's cost: no lists); the row's alarm is ``quiet_rows != QUIET``. ``continue_alarms`` is the reference.

    >>> next_alarm_state(1, 1, 2, 0, QUIET), next_alarm_state(0, 1, 2, 1, 2)
    ((1, 0), (0, -1))
    """
    run = min(run + 1, min_duration) if flagged else 0
    if quiet_rows == QUIET:
        return run, 0 if run >= min_duration else QUIET
    quiet_rows = 0 if flagged else quiet_rows + 1
    return run, QUIET if quiet_rows > min_gap else quiet_rows


def continue_alarm_runs(flags: np.ndarray, min_duration: int, min_gap: int, run: int = 0, quiet_rows: int = QUIET) -> tuple[np.ndarray, int, int]:
    """:func:`continue_alarms` on a validated int 0/1 array, one run of equal flags at a time: the same alarms (int64) and state.

    In ``k`` unflagged rows an alarm that is on stays on for the first ``min(k, min_gap - quiet_rows)``
    of them; in ``k`` flags it stays on throughout, and a quiet state starts one on the
    ``max(1, min_duration - run)``-th flag. A batch driver's cost: Python steps per run, not per row.

    >>> alarms, run, quiet_rows = continue_alarm_runs(np.array([0, 1, 1, 0, 0, 1]), 2, 1)
    >>> alarms.tolist() == continue_alarms([0, 1, 1, 0, 0, 1], 2, 1)[0], (run, quiet_rows)
    (True, (1, -1))
    """
    alarms = np.zeros(len(flags), dtype=np.int64)
    edges = (np.flatnonzero(flags[1:] != flags[:-1]) + 1).tolist()
    for start, stop in zip([0, *edges] if len(flags) else [], [*edges, len(flags)]):
        if flags[start]:
            first = start if quiet_rows != QUIET else start + max(1, min_duration - run) - 1
            run = min(run + stop - start, min_duration)
            if first < stop:
                alarms[first:stop] = 1
                quiet_rows = 0
        else:
            run = 0
            if quiet_rows != QUIET:
                alarms[start : start + min(stop - start, min_gap - quiet_rows)] = 1
                quiet_rows = quiet_rows + stop - start if quiet_rows + stop - start <= min_gap else QUIET
    return alarms, run, quiet_rows
