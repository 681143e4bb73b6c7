# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Alarms of the adaptive method: the cool-down rule of :mod:`spotanomaly2_safe.alarms` with its state carried.

With ``min_duration`` or ``min_gap`` set (``AdaptiveSettings.alarm_rule``: ``(min_duration or 1,
min_gap or 0)``), every flagged or unflagged row also gets an ``alarm`` (0/1) by
:func:`~spotanomaly2_safe.alarms.continue_alarms`, and the alarm state (``alarm_run``,
``alarm_quiet_rows``) is part of the adaptive state: unlike the pipeline's per-batch alarms, the alarms
do not depend on how the series was split into batches, and both drivers give the same ones.

>>> from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState
>>> settings = AdaptiveSettings(1, 100, 100, 10, 1e-3, None, "l2", "absolute", min_gap=1)
>>> state = AdaptiveState(settings, 1)
>>> advance_alarm_array(settings, state, np.array([1, 0, 0])).tolist(), advance_alarm_array(settings, state, np.array([0, 1])).tolist()
([1, 1, 0], [0, 1])
>>> peek_alarm(settings, state, 0), advance_alarm_array(settings._replace(min_gap=None), state, np.array([1])) is None
(1, True)
>>> advance_alarm_one(settings.alarm_rule(), state, 0), (state.alarm_run, state.alarm_quiet_rows)
(None, (0, 1))
"""

import numpy as np

from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState
from spotanomaly2_safe.alarms import QUIET, continue_alarm_runs, continue_alarms, next_alarm_state

__all__ = ["advance_alarm_array", "advance_alarm_one", "peek_alarm"]


def advance_alarm_one(rule: tuple[int, int], state: AdaptiveState, flag: int) -> None:
    """One more row with ``flag`` under the alarm rule ``(min_duration, min_gap)`` (the streaming driver's step).

    ``continue_alarms`` one flag at a time (:func:`~spotanomaly2_safe.alarms.next_alarm_state`); an unflagged
    row while no alarm is on only ends the run of flags (the run becomes 0, the quiet state stays).
    """
    if not flag and state.alarm_quiet_rows == QUIET:
        state.alarm_run = 0
    else:
        state.alarm_run, state.alarm_quiet_rows = next_alarm_state(flag, *rule, state.alarm_run, state.alarm_quiet_rows)


def peek_alarm(settings: AdaptiveSettings, state: AdaptiveState, flag: int) -> int | None:
    """The alarm one more row with ``flag`` would get, changing nothing; ``None`` without an alarm rule."""
    rule = settings.alarm_rule()
    return None if rule is None else continue_alarms([flag], *rule, state.alarm_run, state.alarm_quiet_rows)[0][0]


def advance_alarm_array(settings: AdaptiveSettings, state: AdaptiveState, flags: np.ndarray) -> np.ndarray | None:
    """The alarms of ``flags`` (an int 0/1 array of the rows just advanced, in order), continuing ``state``'s, by
    :func:`~spotanomaly2_safe.alarms.continue_alarm_runs` (the batch driver's); ``None`` without an alarm rule."""
    rule = settings.alarm_rule()
    if rule is None:
        return None
    alarms, state.alarm_run, state.alarm_quiet_rows = continue_alarm_runs(flags, *rule, state.alarm_run, state.alarm_quiet_rows)
    return alarms
