# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""What the adaptive method carries between rows: settings, bounded buffers and the frozen estimates.

``Ring`` is a bounded first-in-first-out buffer (the statistics taken on it do not depend on the order
of its entries); ``AdaptiveState`` holds the baseline's learned residual rows, the tail's learned
scores, the window's last deviations, the current run of flagged rows, the counters and the values
frozen at the last refresh (``set_baseline`` also keeps ``m`` and ``s`` as Python floats for the
one-row path, which also keeps the window's deviations as Python floats: ``push_history``, and moves
the baseline and the scores into sorted Python lists while it runs: ``build_sorted_buffers``).

>>> ring = Ring(3)
>>> ring.extend(np.array([1.0, 2.0, 3.0, 4.0]))
>>> ring.ordered().tolist(), ring.count
([2.0, 3.0, 4.0], 3)
"""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from spotanomaly2_safe.adaptive.sorted_buffers import SortedBuffers
from spotanomaly2_safe.alarms import QUIET

__all__ = ["AGGREGATIONS", "SMOOTHINGS", "AdaptiveOutputs", "AdaptiveSettings", "AdaptiveState", "Ring", "set_baseline", "set_baseline_values"]

AGGREGATIONS = ("l2", "max", "mean")
SMOOTHINGS = ("absolute", "signed")


class AdaptiveSettings(NamedTuple):
    """The parameters of the method (validated by the drivers' constraint table)."""

    window: int
    baseline_size: int
    reference_size: int
    refresh_every: int
    risk: float
    reset_after: int | None
    aggregation: str
    smoothing: str
    warmup_rows: int = 0
    min_duration: int | None = None
    min_gap: int | None = None
    spike_risk: float | None = None
    screen_risk: float | None = None
    season_period: int | None = None

    def alarm_rule(self) -> tuple[int, int] | None:
        """``(min_duration, min_gap)`` of the alarms, ``None`` when neither is set (no ``alarm`` output)."""
        if self.min_duration is None and self.min_gap is None:
            return None
        return (self.min_duration or 1, self.min_gap or 0)


class AdaptiveOutputs(NamedTuple):
    """Per row: raw score, normalized score, flag (0/1) and baseline reset (0/1)."""

    score: np.ndarray
    normalized: np.ndarray
    flag: np.ndarray
    reset: np.ndarray


class Ring:
    """A bounded first-in-first-out buffer of rows (or values); statistics on it are order-free."""

    def __init__(self, capacity: int, shape: tuple = ()) -> None:
        self.values = np.zeros((capacity, *shape))
        self.count = 0
        self.position = 0

    def filled(self) -> np.ndarray:
        return self.values[: self.count]

    def ordered(self) -> np.ndarray:
        """The kept entries, oldest first."""
        return np.concatenate([self.values[self.position : self.count], self.values[: self.position]])

    def extend(self, new: Sequence) -> None:
        capacity = len(self.values)
        if not len(new):
            return
        if len(new) == 1:
            self.push(new[0])
            return
        if len(new) >= capacity:
            self.values[:] = new[len(new) - capacity :]
            self.count, self.position = capacity, 0
            return
        slots = (self.position + np.arange(len(new))) % capacity
        self.values[slots] = new
        self.count = min(self.count + len(new), capacity)
        self.position = (self.position + len(new)) % capacity

    def push(self, entry: Sequence | float) -> None:
        """Keep one entry (a row, or a value), dropping the oldest when full (the one-row path)."""
        capacity = len(self.values)
        self.values[self.position] = entry
        self.position = self.position + 1 if self.position + 1 < capacity else 0
        if self.count < capacity:
            self.count += 1

    def replace(self, new: np.ndarray) -> None:
        self.count = self.position = 0
        self.extend(new)

    def copy(self) -> "Ring":
        twin = Ring.__new__(Ring)
        twin.values, twin.count, twin.position = self.values.copy(), self.count, self.position
        return twin


class AdaptiveState:
    """Everything the method carries between rows (see ``spotanomaly2_safe.adaptive.state_json``)."""

    def __init__(self, settings: AdaptiveSettings, n_columns: int) -> None:
        self.resolution = np.ones(n_columns)
        self.resolution_rules: list[str] = []
        self._baseline = Ring(settings.baseline_size, (n_columns,))
        self._reference = Ring(settings.reference_size)
        self.sorted_buffers: SortedBuffers | None = None  # the one-row path's copy of the two rings, when it holds them
        self.history = np.zeros((settings.window - 1, n_columns))  # the property below
        self.run_rows = np.zeros((settings.reset_after or 0, n_columns))
        self.run_length = 0
        self.rows_seen = 0
        self.alarm_run = 0
        self.alarm_quiet_rows = QUIET
        self.location = np.zeros(n_columns)
        self.scale = np.ones(n_columns)
        self.location_values: list[float] = []
        self.scale_values: list[float] = []
        self.u = self.sigma = self.log_share = self.threshold = 0.0
        self.n_tail = 0
        self.spike = None  # the one-row scale (spotanomaly2_safe.adaptive.spikes.SpikeScale) when spike_risk is set
        self.screened = None  # with screen_risk set: per tail, the training screen's spotanomaly2_safe.adaptive.screen.Screened
        period = settings.season_period  # the seasonal term (spotanomaly2_safe.adaptive.season), when set:
        self.phases = None if period is None else Ring(settings.baseline_size)  # the phase of each baseline row, same slots
        self.season_start = 0  # the phase of the first row after training
        if period is not None:
            self.location = np.zeros((period, n_columns))  # m per phase and column

    @property
    def location(self) -> np.ndarray:
        """``m`` per column, or per phase and column with ``season_period`` (an array built from :attr:`location_values` when the one-row path set only those)."""
        if self._location is None:
            self._location = np.array(self.location_values)
        return self._location

    @location.setter
    def location(self, values: np.ndarray) -> None:
        self._location = values

    @property
    def scale(self) -> np.ndarray:
        """``s`` per column (an array built from :attr:`scale_values` when the one-row path set only those)."""
        if self._scale is None:
            self._scale = np.array(self.scale_values)
        return self._scale

    @scale.setter
    def scale(self, values: np.ndarray) -> None:
        self._scale = values

    @property
    def baseline(self) -> Ring:
        """The learned residual rows (written back from :attr:`sorted_buffers` first, which are then dropped)."""
        self.drop_sorted_buffers()
        return self._baseline

    @property
    def reference(self) -> Ring:
        """The learned scores (written back from :attr:`sorted_buffers` first, which are then dropped)."""
        self.drop_sorted_buffers()
        return self._reference

    def build_sorted_buffers(self) -> SortedBuffers:
        """Move the baseline and the scores into sorted Python lists for the one-row path (:attr:`sorted_buffers`).

        While those exist they hold the entries; any use of :attr:`baseline` or :attr:`reference`
        returns the entries to the rings first (:meth:`drop_sorted_buffers`).
        """
        self.sorted_buffers = SortedBuffers(self._baseline, self._reference)
        return self.sorted_buffers

    def drop_sorted_buffers(self) -> None:
        """Return the entries of :attr:`sorted_buffers`, if any, to the rings (same slots) and drop the lists."""
        if self.sorted_buffers is not None:
            self.sorted_buffers.write_back(self._baseline, self._reference)
            self.sorted_buffers = None

    @property
    def history(self) -> np.ndarray:
        """The window's last ``window - 1`` rows of deviations, oldest first, as a ``(window - 1, C)`` array.

        The one-row path keeps them as Python lists per column (:meth:`history_columns`,
        :meth:`push_history`); the array is rebuilt from those lists only when it is asked for.
        """
        if self._history is None:
            self._history = np.array(self._history_columns, dtype=np.float64).T.copy()
        return self._history

    @history.setter
    def history(self, rows: np.ndarray) -> None:
        self._history, self._history_columns = rows, None

    def history_columns(self) -> list[list[float]]:
        """The window's deviations per column as Python floats, oldest first (the one-row path)."""
        if self._history_columns is None:
            self._history_columns = self._history.T.tolist()
        return self._history_columns

    def push_history(self, z: Sequence[float]) -> None:
        """Drop the oldest row of the window's deviations and keep ``z`` (one row, Python floats)."""
        columns = self.history_columns()
        if len(z) == 1:  # one channel: the loop's one step without the loop
            del columns[0][0]
            columns[0].append(z[0])
        else:
            for lags, value in zip(columns, z):
                del lags[0]
                lags.append(value)
        self._history = None

    def copy(self) -> "AdaptiveState":
        twin = AdaptiveState.__new__(AdaptiveState)
        twin.__dict__.update(self.__dict__)
        twin.sorted_buffers = None if self.sorted_buffers is None else self.sorted_buffers.copy()
        for name in ("resolution", "history", "run_rows", "location", "scale"):
            setattr(twin, name, getattr(self, name).copy())  # history: the setter drops the twin's shared lists
        twin.resolution_rules = list(self.resolution_rules)
        twin.location_values, twin.scale_values = list(self.location_values), list(self.scale_values)
        twin._baseline, twin._reference = self._baseline.copy(), self._reference.copy()
        if self.phases is not None:
            twin.phases = self.phases.copy()
        if self.spike is not None:
            twin.spike = self.spike.copy()
        return twin



def set_baseline(state: AdaptiveState, location: np.ndarray, scale: np.ndarray) -> None:
    """Freeze ``m`` and ``s`` (also as Python floats for the one-row path); a zero ``m`` is kept as +0.0.

    Which zero a selection returns among equal -0.0 and +0.0 entries depends on the sort or partition
    algorithm (it differs between NumPy's AVX-512 and AVX2 code), so the sign is fixed here, in the
    one place every driver freezes the baseline; no output depends on it (deviations go through abs).
    """
    location = location + 0.0
    state.location, state.scale = location, scale
    state.location_values, state.scale_values = location.tolist(), scale.tolist()


def set_baseline_values(state: AdaptiveState, location: list[float], scale: list[float]) -> None:
    """Freeze ``m`` and ``s`` given as Python floats (the arrays are built from them when asked for); zero as in ``set_baseline``."""
    state.location_values, state.scale_values = [value + 0.0 for value in location], scale
    state._location = state._scale = None
