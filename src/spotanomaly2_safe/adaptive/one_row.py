# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The streaming driver's one-row step, fused: ``score_one`` and ``learn_one`` of a trained ``AdaptiveResidualDetector``.

River's loop calls ``score_one(x)`` then ``learn_one(x)`` on every observation, about 2 us in all, where a
Python call or a needless list costs 2 to 5 %. So these two methods do in a few places what the reference
functions do in many, by the same operations in the same order (the same bits, the same typed errors,
raised before the state changes). Each rule's one documented place stays the reference:

- the check of ``x``: :func:`~spotanomaly2_safe.streaming.observations.validate_observation`. Only its fast
  case is restated here (a ``dict`` of the known channels' keys, each a finite ``float``, one channel);
  anything else is handed to it;
- the score: :func:`~spotanomaly2_safe.adaptive.scores.score_row`, restated for one channel, called for more;
- the learning: :func:`~spotanomaly2_safe.adaptive.core.advance_one` (the flag, the one-row scale's too as
  :func:`~spotanomaly2_safe.adaptive.spikes.with_spike_row` decides it, with
  :func:`~spotanomaly2_safe.adaptive.spikes.spike_score_row` restated for one channel; protection; the window), with its
  run, reset and refresh by :func:`~spotanomaly2_safe.adaptive.core.finish_rows` (restated for a row that
  leaves no reset to make: the run, the row count and the refresh when due);
- the alarm: :func:`~spotanomaly2_safe.alarms.continue_alarms`, one flag at a time
  (:func:`~spotanomaly2_safe.adaptive.cooldown.advance_alarm_one`, by
  :func:`~spotanomaly2_safe.alarms.next_alarm_state`).

With ``season_period`` set (:mod:`spotanomaly2_safe.adaptive.season`) none of this is fused: ``score_one`` is
:func:`~spotanomaly2_safe.adaptive.scores.score_row` and ``learn_one`` is :func:`~spotanomaly2_safe.adaptive.core.advance_one`
(the generic step, refreshing on the rings), slower and with the same bits as the batch driver.

``tests/test_adaptive_one_row.py`` pins each restated part to its reference (property tests over random
configurations, series and observations), besides the drivers' bit-identity tests.

>>> import random
>>> from spotanomaly2_safe import AdaptiveResidualDetector
>>> rng = random.Random(1)
>>> detector = AdaptiveResidualDetector(training_rows=100, window=3)
>>> for _ in range(120):
...     detector.learn_one({"load": rng.gauss(0.0, 1.0)})
>>> detector.score_one({"load": 20.0}) > detector.state.threshold
True
"""

import math
from functools import reduce
from operator import add
from typing import Any

from spotanomaly2_safe.adaptive.cooldown import advance_alarm_one
from spotanomaly2_safe.adaptive.core import advance_one, finish_rows, refresh_baseline, refresh_tail
from spotanomaly2_safe.adaptive.scores import LN10, require_finite, score_row
from spotanomaly2_safe.adaptive.spikes import spike_score_row
from spotanomaly2_safe.adaptive.state import AdaptiveSettings
from spotanomaly2_safe.streaming.observations import validate_observation

__all__ = ["OneRowSteps"]

_INFINITY = math.inf


def _holds(x: dict, channels: tuple, values: list[float]) -> bool:
    """Whether ``x`` has the size of ``values`` and maps each channel to the very float object in it (the values
    checked when it was scored)."""
    return len(x) == len(values) and all(x.get(key) is value for key, value in zip(channels, values))


class OneRowSteps:
    """``score_one`` and ``learn_one`` of the streaming driver, fused (module docstring).

    The driver sets ``settings``, ``channels``, ``state`` (``None`` while training), ``n_learned`` and
    ``_last_scored``, calls :meth:`_plan` once its settings are set and provides ``_learn_training_row(x)``.
    """

    def _plan(self, settings: AdaptiveSettings) -> None:
        """The settings the steps branch on, read once (a named tuple's field costs a lookup per row)."""
        self._window, self._l2, self._absolute = settings.window, settings.aggregation == "l2", settings.smoothing == "absolute"
        self._reset_after, self._refresh_every, self._alarm_rule = settings.reset_after, settings.refresh_every, settings.alarm_rule()
        self._seasonal = settings.season_period is not None

    def score_one(self, x: dict) -> float:
        """The row's ``anomaly_score`` (0.0 while training); changes nothing.

        Once trained it keeps what it checked and computed (``_last_scored``: ``x``, the values, the score
        and the deviations) for :meth:`learn_one`.
        """
        state = self.state
        if state is None:
            validate_observation(x, self.channels)
            return 0.0
        channels = self.channels
        if len(channels) > 1 or self._seasonal:  # the generic score (score_row); one channel without the term: fused below
            values = validate_observation(x, channels)
            score, _, z = score_row(self.settings, state, values)
            self._last_scored = (x, values, score, z)
            return score
        value = x.get(channels[0]) if type(x) is dict and len(x) == 1 else None
        if type(value) is float and -_INFINITY < value < _INFINITY:  # validate_observation's fast case
            values = [value]
        else:
            values = validate_observation(x, channels)
            value = values[0]
        deviation = (value - state.location_values[0]) / state.scale_values[0]
        window = self._window
        if window == 1:  # no window: the mean of |d| over one row is |d| exactly
            z, mean = None, abs(deviation)
        else:
            if self._absolute:
                deviation = abs(deviation)
            z = [deviation]
            mean = abs((reduce(add, state.history_columns()[0]) + deviation) / window)  # summed oldest first
        score = math.sqrt(mean * mean) if self._l2 else mean  # one column: its max and its mean are itself
        # score_row's check: the normalized score is NaN exactly when (score - u) / sigma overflows (sigma > 0, all finite)
        if not (score < _INFINITY and (score - state.u) / state.sigma < _INFINITY):
            surprise = max((score - state.u) / state.sigma - state.log_share, 0.0) / LN10 + 0.0
            require_finite([score], [surprise / (1.0 + surprise)])
        self._last_scored = (x, values, score, z)
        return score

    def _scored(self, x: Any) -> tuple[Any, list[float], float, list[float] | None]:
        """``_last_scored`` for ``x`` (``x``, values, score, deviations): reused when ``x`` is the
        dict scored last and unchanged since (:meth:`learn_one`), else from :meth:`score_one`."""
        last = self._last_scored
        if last is None or last[0] is not x or type(x) is not dict or not _holds(x, self.channels, last[1]):
            self.score_one(x)  # an error here leaves the state as it was
            last = self._last_scored
        return last

    def learn_one(self, x: dict) -> None:
        """Learn ``x`` (a training row, or score, flag and learn unless flagged); a rejected ``x`` changes nothing.

        River's loop scores ``x`` and then learns it: the score is reused when ``x`` is the dict scored
        last, nothing was learned since, and it still has the scored size and maps every channel to the
        very float object checked then (floats are immutable: it would pass the checks again with the same
        values, signs of zero included). Anything else is checked and scored again.
        """
        state = self.state
        if state is None:
            self._learn_training_row(x)
            return
        if self._seasonal:
            self._learn_generic(x)
            return
        last = self._last_scored
        if not (last is not None and last[0] is x and type(x) is dict and len(x) == 1 == len(last[1]) and x.get(self.channels[0]) is last[1][0]):
            last = self._scored(x)  # the check above is _scored's for one channel, without the calls
        _, values, score, z = last
        self._last_scored = None
        flag = score > state.threshold
        spike_scale = state.spike
        if spike_scale is not None:  # with_spike_row without the normalized score, which learning does not use
            if z is None:  # window 1: the spike score is the window score
                spike = score
            elif len(z) == 1:  # spike_score_row of one column: its max and its mean are |z|
                spike = abs(z[0])
                if self._l2:
                    spike = math.sqrt(spike * spike)
            else:
                spike = spike_score_row(self.settings, z)
            if not spike < _INFINITY:
                require_finite([spike], [spike])
            if (spike - spike_scale.u) / spike_scale.sigma == _INFINITY:  # the spike's normalized score would overflow (with_spike_row)
                require_finite([spike], [math.nan])
            flag = flag or spike > spike_scale.threshold
        if flag:  # the protect rule: a row flagged by either scale is learned by neither
            run = state.run_length + 1
        else:
            (state.sorted_buffers or state.build_sorted_buffers()).push(values, score)
            if spike_scale is not None:
                (spike_scale.sorted_scores or spike_scale.build_sorted_scores()).push(spike)
            run = 0
        if z is not None:
            state.push_history(z)
        if run and self._reset_after is not None:
            finish_rows(self.settings, state, (values,), run)
        else:  # finish_rows for a row that leaves no reset to make
            state.run_length = run
            state.rows_seen = rows_seen = state.rows_seen + 1
            if rows_seen % self._refresh_every == 0:
                refresh_baseline(state)
                refresh_tail(self.settings, state)
        if self._alarm_rule is not None:
            advance_alarm_one(self._alarm_rule, state, flag)
        self.n_learned += 1

    def _learn_generic(self, x: dict) -> None:
        """``learn_one`` by the reference step :func:`~spotanomaly2_safe.adaptive.core.advance_one` (the seasonal term)."""
        values = self._scored(x)[1]  # checked, and scored without error
        self._last_scored = None
        flag = advance_one(self.settings, self.state, values)[2]
        if self._alarm_rule is not None:
            advance_alarm_one(self._alarm_rule, self.state, flag)
        self.n_learned += 1
