# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""A spy on the batch driver's speculation (imported by the adaptive tests as ``speculation_spy``)."""

from spotanomaly2_safe.adaptive import speculation


def spy_on_speculation(monkeypatch) -> dict:
    """Count the blocks kept from speculated runs, the runs that missed, and the spike reference sizes seen."""
    seen = {"kept": 0, "missed": 0, "spike_counts": set()}
    speculate = speculation.speculate

    def spy(settings, state, block, ends):
        result = speculate(settings, state, block, ends)
        seen["kept"] += result.clean_blocks
        seen["missed"] += result.clean_blocks < len(ends)
        if state.spike is not None:
            seen["spike_counts"].add(state.spike.reference.count)
        return result

    monkeypatch.setattr(speculation, "speculate", spy)
    return seen
