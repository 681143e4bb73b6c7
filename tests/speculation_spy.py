# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""A spy on the batch driver's speculation, and the checks built on it (imported by the adaptive tests as ``speculation_spy``)."""

import json

import pytest
from spotanomaly2_safe import InvalidInputError
from spotanomaly2_safe.adaptive import speculation
from spotanomaly2_safe.adaptive.core import advance, initial_state
from spotanomaly2_safe.adaptive.state_json import state_to_json
from spotanomaly2_safe.errors import Reason


def spy_on_speculation(monkeypatch) -> dict:
    """Count the blocks kept from speculated runs, the runs that missed, the blocks with flags continued past, and the spike reference sizes seen."""
    seen = {"kept": 0, "missed": 0, "continued": 0, "spike_counts": set()}
    speculate = speculation.speculate

    def spy(settings, state, block, ends):
        result = speculate(settings, state, block, ends)
        seen["kept"] += result.clean_blocks
        seen["missed"] += result.clean_blocks < len(ends)
        seen["continued"] += result.continued
        if state.spike is not None:
            seen["spike_counts"].add(state.spike.reference.count)
        return result

    monkeypatch.setattr(speculation, "speculate", spy)
    return seen


def assert_overflow_learns_only_the_earlier_blocks(monkeypatch, settings, state, rows, clean_rows: int) -> None:
    """``advance`` on ``rows`` raises SCORE_OVERFLOW after speculating, with ``state`` as if only ``rows[:clean_rows]`` were advanced."""
    expected = state.copy()
    seen = spy_on_speculation(monkeypatch)
    with pytest.raises(InvalidInputError) as error:
        advance(settings, state, rows)
    assert error.value.reason is Reason.SCORE_OVERFLOW
    advance(settings, expected, rows[:clean_rows])
    assert json.dumps(state_to_json(state)) == json.dumps(state_to_json(expected))
    assert seen["kept"] > 0 and seen["missed"] > 0


def advance_beside_steps(monkeypatch, settings, values, steps) -> tuple:
    """Fit on ``values[:1000]``; ``advance`` the rest as one batch and, on a copy of the state, ``steps(settings, twin,
    rows)`` (one-row steps returning one ``(score, normalized, flag, reset)`` per row); assert both give the same
    outputs and the same state JSON bit for bit. Returns the batch outputs and what the speculation spy saw."""
    state = initial_state(settings, values[:1000])
    twin = state.copy()
    seen = spy_on_speculation(monkeypatch)
    batch = advance(settings, state, values[1000:])
    stepped = steps(settings, twin, values[1000:])
    assert stepped == list(zip(batch.score.tolist(), batch.normalized.tolist(), batch.flag.tolist(), batch.reset.tolist()))
    assert json.dumps(state_to_json(state), allow_nan=False) == json.dumps(state_to_json(twin), allow_nan=False)
    return batch, seen
