# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""AdaptiveResidualDetector: the streaming driver of the adaptive method (River's contract).

The first ``training_rows`` learned observations are the training rows: on the last of them the
state is set exactly as :meth:`AdaptiveDetector.fit` sets it; until then ``score_one`` is 0.0. Every
later ``learn_one(x)`` scores, flags and learns the row unless flagged, by the fused one-row step of
:mod:`spotanomaly2_safe.adaptive.one_row` (the batch driver's operations, restated for speed and pinned to
them by tests), so the outputs are bit-identical to ``AdaptiveDetector`` fitted on the same training rows
and scoring the same rows in any batches. With ``season_period`` set, ``training_rows`` must be at least
``3 * season_period`` (:class:`InvalidParameterError`, ``INVALID_PARAMETER``) and the steps are the generic ones
(:mod:`spotanomaly2_safe.adaptive.one_row`). ``score_one(x)`` (the ``anomaly_score``) and
``evaluate_one(x)`` (all four outputs of the row, as ``learn_one`` would give them) change nothing.
The detector protects itself (a flagged row is not learned); wrapping it in a filter is not needed,
but it works inside ``QuantileFilter`` and ``ThresholdFilter`` like any detector.

Snapshots: ``state_dict()`` is strict JSON; :func:`~spotanomaly2_safe.streaming.snapshot.restore_from_state_dict`
restores it (alone or inside a filter) by its declared ``state_schema``, like every restorable
detector, and :meth:`AdaptiveResidualDetector.from_state_dict` is that same restore for this class
only. The state: ``n_learned`` (learned observations), ``channels`` (null before the first),
``training`` (the training rows kept so far: ``n_learned`` of them while ``n_learned <
training_rows``, else none) and ``adaptive`` (null while training, else the adaptive state, checked by
:func:`~spotanomaly2_safe.adaptive.state_json.state_from_json`, the batch driver's check, with
``rows_seen == n_learned - training_rows``). With ``screen_risk`` set, :attr:`AdaptiveResidualDetector.training_screen`
states which training rows the training screen took out of the tails' seed (:mod:`spotanomaly2_safe.adaptive.screen`).

>>> import random
>>> rng = random.Random(0)
>>> detector = AdaptiveResidualDetector(training_rows=100)
>>> for _ in range(150):
...     detector.learn_one({"load": rng.gauss(0.0, 1.0)})
>>> detector.evaluate_one({"load": 9.0})["anomaly_flag"], detector.score_one({"load": 0.0}) < 1.0
(1, True)
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from spotanomaly2_safe.adaptive.cooldown import peek_alarm
from spotanomaly2_safe.adaptive.core import initial_state, peek
from spotanomaly2_safe.adaptive.one_row import OneRowSteps
from spotanomaly2_safe.adaptive.screen import screen_record
from spotanomaly2_safe.adaptive.season import require_season_training
from spotanomaly2_safe.adaptive.state import AdaptiveSettings
from spotanomaly2_safe.adaptive.detector import AdaptiveDetector
from spotanomaly2_safe.adaptive.state_json import state_from_json, state_to_json
from spotanomaly2_safe.constants import MIN_TRAIN_SIZE
from spotanomaly2_safe.errors import InvalidInputError
from spotanomaly2_safe.parameters import Interval, reject_unknown_parameters, validate_parameters
from spotanomaly2_safe.streaming.base import AnomalyDetector
from spotanomaly2_safe.streaming.observations import channels_of, validate_observation
from spotanomaly2_safe.streaming.schema import Channels, Count, ListOf, Numbers, invalid_state, per_channel
from spotanomaly2_safe.streaming.snapshot import restore_from_state_dict

__all__ = ["AdaptiveResidualDetector"]


def _training_length(context: Mapping[str, Any]) -> int:
    count = context["n_learned"]
    return count if count < context["params"]["training_rows"] else 0


@dataclass(frozen=True)
class AdaptiveStateField:
    """A schema field: null while ``n_learned < training_rows``, else an adaptive state that
    ``state_from_json`` accepts for the parameters and channels and that has seen the rows learned
    after the training rows. Returns the checked state (adopted only once the whole snapshot passed)."""

    def check(self, value: Any, where: str, context: Mapping[str, Any]) -> Any:
        params = context["params"]
        rows_seen = context["n_learned"] - params["training_rows"]
        if rows_seen < 0:
            if value is not None:
                raise invalid_state(f"{where} must be null while n_learned < training_rows")
            return None
        settings = AdaptiveSettings(*(params[name] for name in AdaptiveSettings._fields))
        try:
            state = state_from_json(value, settings, per_channel(context))
        except InvalidInputError as error:
            raise invalid_state(f"{where} is not an adaptive state ({error})") from None
        if state.rows_seen != rows_seen:
            raise invalid_state(f"{where}['rows_seen'] must be n_learned - training_rows = {rows_seen}; got {state.rows_seen}")
        return state


class AdaptiveResidualDetector(OneRowSteps, AnomalyDetector):
    """The adaptive method one observation at a time (module docstring); ``x`` maps channels to residuals."""

    parameter_constraints = {"training_rows": [Interval(int, MIN_TRAIN_SIZE, 100_000)], **AdaptiveDetector.parameter_constraints}
    state_schema = MappingProxyType({
        "n_learned": Count(),
        "channels": Channels(),
        "training": ListOf(Numbers(length=per_channel), length=_training_length),
        "adaptive": AdaptiveStateField(),
    })

    def __init__(self, training_rows: int = MIN_TRAIN_SIZE, **params: Any) -> None:
        reject_unknown_parameters(type(self).__name__, self.parameter_constraints, params)
        defaults = AdaptiveDetector(**params).get_params()
        validate_parameters(type(self).__name__, self.parameter_constraints, {"training_rows": training_rows})
        require_season_training(defaults["season_period"], training_rows)
        self.training_rows = training_rows
        for name, value in defaults.items():
            setattr(self, name, value)
        self.settings = AdaptiveSettings(**defaults)
        self._plan(self.settings)
        self.channels: tuple[str, ...] | None = None
        self.n_learned = 0
        self.training: list[list[float]] = []
        self.state = None
        self._last_scored: tuple | None = None

    def _learn_training_row(self, x: dict) -> None:
        """Keep a training row; on the last one set the state as ``AdaptiveDetector.fit`` does."""
        values = validate_observation(x, self.channels)  # an error here leaves the state as it was
        training = [*self.training, values]
        if len(training) == self.training_rows:
            self.state = initial_state(self.settings, np.array(training))
            training = []
        self.channels, self.training = self.channels or channels_of(x), training
        self.n_learned += 1

    def evaluate_one(self, x: dict) -> dict[str, float | int]:
        """What ``learn_one(x)`` would output for ``x``: anomaly_score, anomaly_score_normalized, anomaly_flag,
        baseline_reset and, with an alarm rule, alarm (the cool-down of :mod:`spotanomaly2_safe.adaptive.cooldown`)."""
        if self.state is None:
            validate_observation(x, self.channels)
            outputs, alarm = (0.0, 0.0, 0, 0), 0
        else:
            values = self._scored(x)[1]  # checked, and scored without error
            outputs = peek(self.settings, self.state, values)
            alarm = peek_alarm(self.settings, self.state, outputs.flag)
        evaluation = dict(zip(("anomaly_score", "anomaly_score_normalized", "anomaly_flag", "baseline_reset"), outputs))
        return evaluation if self.settings.alarm_rule() is None else {**evaluation, "alarm": alarm}

    @property
    def training_screen(self) -> dict[str, Any] | None:
        """The training screen's record (:func:`~spotanomaly2_safe.adaptive.screen.screen_record`; rows are 0-based
        positions among the training rows, in the order learned); ``None`` without ``screen_risk`` or while training."""
        if self.state is None or self.state.screened is None:
            return None
        return screen_record(self.settings, self.state.screened)

    def _params(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.parameter_constraints}

    def _state(self) -> dict[str, Any]:
        return {
            "n_learned": self.n_learned,
            "channels": None if self.channels is None else list(self.channels),
            "training": [list(row) for row in self.training],
            "adaptive": None if self.state is None else state_to_json(self.state),
        }

    def _load_state(self, state: dict[str, Any]) -> None:
        """Adopt a state checked against ``state_schema`` (the adaptive state already built by its check)."""
        channels = state["channels"]
        self.n_learned, self.channels = state["n_learned"], None if channels is None else tuple(channels)
        self.training, self.state, self._last_scored = state["training"], state["adaptive"], None

    @classmethod
    def from_state_dict(cls, snapshot: Any) -> "AdaptiveResidualDetector":
        """The detector that ``state_dict()`` described: ``restore_from_state_dict`` for this class only."""
        return restore_from_state_dict(snapshot, cls)
