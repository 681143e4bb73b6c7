# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The adaptive state as strict JSON, and back, checked.

``state_to_json`` writes every buffer oldest first (the baseline's learned residuals, the tail's
learned scores, the window's last deviations, the current run of flagged rows), the counters, the
data resolution, the values frozen at the last refresh (as Python floats, which JSON round-trips
exactly) and the alarm state (:mod:`spotanomaly2_safe.adaptive.cooldown`); with ``spike_risk`` set, also the
one-row scale's learned scores and tail (keys ``spike_*``); with ``screen_risk`` set, also the training screen's
record (key ``screen``: its number of candidate rows, the screened training rows and the number of seeding scores it
took out of each tail; the key is there exactly when ``screen_risk`` is set: a state without it read with
``screen_risk`` set, or with it read without, is refused; the screen changes nothing after the fit);
with ``season_period`` set, the phase of each baseline
row (``phases``, oldest first like ``baseline``), the phase of the first row after training (``season_start``) and
``location`` as one row per phase (:mod:`spotanomaly2_safe.adaptive.season`); without it the keys and values are
those of the method without the term. ``state_from_json`` checks exact keys, shapes,
types and finiteness (a number is a finite float or an int within ±2**53, as in the streaming snapshot
schema; counts are ints in [0, 2**53]) against the settings and the number of columns, and raises :class:`InvalidInputError`
(``INVALID_STATE``) for anything else, never ``OverflowError``; the state it builds continues the
series bit for bit (the statistics on the buffers do not depend on their order).

>>> import json
>>> import numpy as np
>>> from spotanomaly2_safe.adaptive.core import advance, initial_state
>>> from spotanomaly2_safe.adaptive.state import AdaptiveSettings
>>> settings = AdaptiveSettings(3, 100, 100, 5, 1e-3, None, "max", "signed")
>>> state = initial_state(settings, np.random.default_rng(1).normal(size=(120, 2)))
>>> copy = state_from_json(json.loads(json.dumps(state_to_json(state), allow_nan=False)), settings, 2)
>>> rows = np.random.default_rng(2).normal(size=(30, 2))
>>> bool((advance(settings, state, rows).score == advance(settings, copy, rows).score).all())
True
"""

import math
from types import MappingProxyType
from typing import Any

import numpy as np

from spotanomaly2_safe.adaptive.screen import MIN_SEED_SCORES, Screened, screen_cap
from spotanomaly2_safe.adaptive.spikes import SpikeScale
from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState, set_baseline
from spotanomaly2_safe.adaptive.spread import RESOLUTION_RULES
from spotanomaly2_safe.contracts import LARGEST_EXACT_INTEGER
from spotanomaly2_safe.errors import InvalidInputError, Reason, bounded_repr

__all__ = ["STATE_FORMAT", "state_from_json", "state_to_json"]

# Format 3: the resolution rule "smallest_gap_4_digits" (adaptive.spread). A format-2 state was made under the plain
# smallest gap ("smallest_gap"): it is refused, never reinterpreted (refit on the training rows).
STATE_FORMAT = "spotanomaly2_safe.adaptive/3"
_REFUSED_FORMATS = MappingProxyType({"spotanomaly2_safe.adaptive/2": "the resolution rule 'smallest_gap' (before 'smallest_gap_4_digits')"})
_FROZEN = ("u", "sigma", "log_share", "threshold")
_SPIKE_KEYS = ("spike_reference", "spike_n_tail", *(f"spike_{name}" for name in _FROZEN))  # with spike_risk only
_SEASON_KEYS = ("phases", "season_start")  # with season_period only
_KEYS = ("format", "resolution", "resolution_rules", "baseline", "reference", "history", "run", "run_length", "rows_seen", "location", "scale", "n_tail", "alarm_run", "alarm_quiet_rows", *_FROZEN)


def state_to_json(state: AdaptiveState) -> dict[str, Any]:
    """The state as a strict-JSON dict (module docstring)."""
    return {
        "format": STATE_FORMAT,
        "resolution": state.resolution.tolist(),
        "resolution_rules": list(state.resolution_rules),
        "baseline": state.baseline.ordered().tolist(),
        "reference": state.reference.ordered().tolist(),
        "history": state.history.tolist(),
        "run": state.run_rows[: state.run_length].tolist() if len(state.run_rows) else [],
        "run_length": state.run_length,
        "rows_seen": state.rows_seen,
        "location": state.location.tolist(),
        **({} if state.phases is None else {"phases": [int(phase) for phase in state.phases.ordered()], "season_start": state.season_start}),
        "scale": state.scale.tolist(),
        "n_tail": state.n_tail,
        "alarm_run": state.alarm_run,
        "alarm_quiet_rows": state.alarm_quiet_rows,
        **{name: getattr(state, name) for name in _FROZEN},
        **({} if state.spike is None else {
            "spike_reference": state.spike.reference.ordered().tolist(),
            "spike_n_tail": state.spike.n_tail,
            **{f"spike_{name}": getattr(state.spike, name) for name in _FROZEN},
        }),
        **({} if state.screened is None else {"screen": _screen_to_json(state.screened)}),
    }


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInputError(f"Invalid adaptive state: {message}.", reason=Reason.INVALID_STATE)


def _matrix(data: dict, name: str, rows: tuple[int, int], n_columns: int) -> np.ndarray:
    value = data.get(name)
    _require(isinstance(value, list) and rows[0] <= len(value) <= rows[1], f"{name} must be a list of {rows[0]} to {rows[1]} rows")
    _require(all(isinstance(row, list) and len(row) == n_columns for row in value), f"each row of {name} must hold {n_columns} numbers")
    flat = [item for row in value for item in row]
    _require(all(_is_number(item) for item in flat), f"{name} must hold finite numbers (float, or int within ±2**53)")
    return np.array(value, dtype=np.float64).reshape(len(value), n_columns)


def _vector(data: dict, name: str, length: tuple[int, int]) -> np.ndarray:
    value = data.get(name)
    _require(isinstance(value, list), f"{name} must be a list")
    return _matrix({name: [[item] for item in value]}, name, length, 1)[:, 0]


def _is_number(value: Any) -> bool:
    if type(value) is float:
        return math.isfinite(value)
    return type(value) is int and -LARGEST_EXACT_INTEGER <= value <= LARGEST_EXACT_INTEGER


def _count(data: dict, name: str, high: float) -> int:
    value = data.get(name)
    _require(type(value) is int and 0 <= value <= min(high, LARGEST_EXACT_INTEGER), f"{name} must be an int in [0, {min(high, LARGEST_EXACT_INTEGER)}], got {bounded_repr(value)}")
    return value


def _number(data: dict, name: str) -> float:
    value = data.get(name)
    _require(_is_number(value), f"{name} must be a finite number (float, or int within ±2**53), got {bounded_repr(value)}")
    return float(value)


def state_from_json(data: Any, settings: AdaptiveSettings, n_columns: int) -> AdaptiveState:
    """The state that ``state_to_json`` described, checked (module docstring)."""
    found = data.get("format") if isinstance(data, dict) else None
    if type(found) is str and found in _REFUSED_FORMATS:
        _require(False, f"format {found!r} was made under {_REFUSED_FORMATS[found]} and is refused, never reinterpreted; "
                        f"refit the detector (this library reads {STATE_FORMAT!r})")
    _require(found == STATE_FORMAT, f"format must be {STATE_FORMAT!r}")
    keys = (*_KEYS, *(() if settings.spike_risk is None else _SPIKE_KEYS), *(() if settings.screen_risk is None else ("screen",)),
            *(() if settings.season_period is None else _SEASON_KEYS))
    _require(set(data) == set(keys), f"the keys must be exactly {sorted(keys)}")
    state = AdaptiveState(settings, n_columns)
    resolution = _vector(data, "resolution", (n_columns, n_columns))
    rules = data.get("resolution_rules")
    _require(isinstance(rules, list) and len(rules) == n_columns and all(rule in RESOLUTION_RULES for rule in rules), "resolution_rules are invalid")
    _require(bool((resolution > 0).all()), "resolution must be positive")
    state.resolution, state.resolution_rules = resolution, list(rules)
    state.baseline.extend(_matrix(data, "baseline", (1, settings.baseline_size), n_columns))
    state.reference.extend(_vector(data, "reference", (MIN_SEED_SCORES, settings.reference_size)))
    state.history = _matrix(data, "history", (settings.window - 1, settings.window - 1), n_columns)
    state.run_length = _count(data, "run_length", math.inf if settings.reset_after is None else settings.reset_after - 1)
    expected_run = 0 if settings.reset_after is None else state.run_length
    state.run_rows[:expected_run] = _matrix(data, "run", (expected_run, expected_run), n_columns)
    state.rows_seen = _count(data, "rows_seen", math.inf)
    location, scale = _location(data, settings, n_columns), _vector(data, "scale", (n_columns, n_columns))
    _require(bool((scale > 0).all()), "scale must be positive")
    set_baseline(state, location, scale)
    state.n_tail = _count(data, "n_tail", settings.reference_size)
    state.u, state.sigma, state.log_share, state.threshold = (_number(data, name) for name in _FROZEN)
    _require(state.sigma > 0 and state.log_share <= 0, "sigma must be positive and log_share at most 0")
    state.alarm_run, state.alarm_quiet_rows = _alarm_state(data, settings)
    if settings.season_period is not None:
        state.season_start = _count(data, "season_start", settings.season_period - 1)
        phases = data.get("phases")
        _require(isinstance(phases, list) and len(phases) == state.baseline.count, "phases must be a list with one phase per baseline row")
        _require(all(type(phase) is int and 0 <= phase < settings.season_period for phase in phases), f"each phase must be an int in [0, {settings.season_period - 1}]")
        state.phases.extend(np.array(phases, dtype=np.float64))
    if settings.spike_risk is not None:
        state.spike = SpikeScale(settings.reference_size)
        state.spike.reference.extend(_vector(data, "spike_reference", (MIN_SEED_SCORES, settings.reference_size)))
        state.spike.n_tail = _count(data, "spike_n_tail", settings.reference_size)
        state.spike.u, state.spike.sigma, state.spike.log_share, state.spike.threshold = (_number(data, f"spike_{name}") for name in _FROZEN)
        _require(state.spike.sigma > 0 and state.spike.log_share <= 0, "spike_sigma must be positive and spike_log_share at most 0")
    if settings.screen_risk is not None:
        state.screened = _screened(data.get("screen"), settings)
    return state


def _screen_to_json(screened: Screened) -> dict[str, Any]:
    counts = {"window_scores": screened.window_scores, **({} if screened.spike_scores is None else {"spike_scores": screened.spike_scores})}
    return {"n_candidates": screened.n_candidates, "rows": list(screened.rows), **counts}


def _screened(value: Any, settings: AdaptiveSettings) -> Screened:
    """The training screen's record: ``n_candidates``, ``rows``, ``window_scores`` and, with ``spike_risk``, ``spike_scores``."""
    keys = {"n_candidates", "rows", "window_scores", *(() if settings.spike_risk is None else ("spike_scores",))}
    _require(isinstance(value, dict) and set(value) == keys, f"screen must be a dict with exactly the keys {sorted(keys)}")
    n_candidates = _count(value, "n_candidates", settings.reference_size)
    rows = value["rows"]
    valid = n_candidates >= 1 and isinstance(rows, list) and len(rows) <= screen_cap(n_candidates)
    valid = valid and all(type(row) is int and 0 <= row <= LARGEST_EXACT_INTEGER for row in rows)
    _require(valid and all(a < b for a, b in zip(rows, rows[1:])), "screen must have n_candidates >= 1 and rows: at most the cap's increasing row positions (ints >= 0)")
    window_scores = _count(value, "window_scores", settings.reference_size)
    spike_scores = None if settings.spike_risk is None else _count(value, "spike_scores", settings.reference_size)
    return Screened(n_candidates, list(rows), window_scores, spike_scores)


def _location(data: dict, settings: AdaptiveSettings, n_columns: int) -> np.ndarray:
    """``m``: one number per column, or with ``season_period`` one row of them per phase."""
    if settings.season_period is None:
        return _vector(data, "location", (n_columns, n_columns))
    return _matrix(data, "location", (settings.season_period, settings.season_period), n_columns)


def _alarm_state(data: dict, settings: AdaptiveSettings) -> tuple[int, int]:
    """``(alarm_run, alarm_quiet_rows)``: within the alarm rule's bounds, and quiet (0, -1) without a rule."""
    min_duration, min_gap = settings.alarm_rule() or (0, -1)
    run = _count(data, "alarm_run", min_duration)
    quiet_rows = data.get("alarm_quiet_rows")
    _require(type(quiet_rows) is int and -1 <= quiet_rows <= min_gap, f"alarm_quiet_rows must be an int in [-1, {min_gap}], got {bounded_repr(quiet_rows)}")
    return run, quiet_rows

