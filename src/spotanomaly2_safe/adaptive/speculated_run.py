# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""A speculated run of blocks: what the exact path would give if exactly the rows marked ``excluded`` flag.

Block ``i`` (rows ``ends[i - 1]`` to ``ends[i]``) is scored against the refresh after block ``i - 1`` (the
state's for block 0). Every row not excluded is learned, so the refresh after block ``i`` is that of the
last ``baseline_size`` kept rows (baseline) and of the last ``reference_size`` kept scores (tails) before
``ends[i]``, the ring's entries first: :mod:`spotanomaly2_safe.adaptive.window_statistics` computes them
with the bits of ``refresh_baseline`` / ``refresh_tail`` on the same entries. :meth:`SpeculatedRun.exclude`
takes flagged rows out and recomputes only what depends on them (comments below), reusing the ranking
of the baseline's rows.
"""

import numpy as np

from spotanomaly2_safe.adaptive.scores import deviations_against, normalized_against, windowed_scores
from spotanomaly2_safe.adaptive.spikes import SpikeScale, spike_scores
from spotanomaly2_safe.adaptive.spread import MAD_TO_SIGMA, floored_spread
from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState
from spotanomaly2_safe.adaptive.tails import Tails, window_tails
from spotanomaly2_safe.adaptive.window_statistics import deviation_median, row_ranks, sorted_median, sorted_windows_of

__all__ = ["SpeculatedRun"]


class SpeculatedRun:
    """Per row ``z``, score, spike score (``None`` without ``spike_risk``), normalized score, ``missed`` (flagged
    by either scale, or not finite) and ``excluded``; per block ``location``, ``scale``, ``tails`` and ``spike_tails``
    after it; ``clean_blocks`` (how many lead blocks the exact path would score alike) and ``continued`` (how
    many blocks with flags were continued past), both kept by ``speculation.speculate``."""

    def __init__(self, settings: AdaptiveSettings, state: AdaptiveState, block: np.ndarray, ends: np.ndarray) -> None:
        self.settings, self.state, self.block, self.ends = settings, state, block, ends
        self.excluded = np.zeros(len(block), dtype=bool)
        self.clean_blocks = self.continued = 0
        self.ranked = row_ranks(np.ascontiguousarray(np.concatenate([state.baseline.ordered(), block]).T))
        self.references = (state.reference.ordered(), None if state.spike is None else state.spike.reference.ordered())
        count = len(ends)
        self.location, self.scale = self._baselines(0, count)
        self.z = np.empty_like(block)
        self._deviations(0, count)
        self.scores = windowed_scores(settings, state.history, self.z)
        self.spikes = None if state.spike is None else spike_scores(settings, self.z)
        self.tails, self.spike_tails = self._tails(0, count)
        self.normalized, self.missed = np.empty(len(block)), np.empty(len(block), dtype=bool)
        self._judge(0, count)

    def rows_before(self, block: int) -> int:
        """Where block ``block`` starts."""
        return 0 if block == 0 else int(self.ends[block - 1])

    def exclude(self, block: int) -> None:
        """Take the missed rows of ``block`` out (flagged: learned nowhere) and recompute what depends on them.

        Only windows that held one of them, or a score that changed, change; a window recomputed without
        need gives the same bits, so the bands below may be wider than needed, never narrower.
        """
        settings, ends, count, n_rows = self.settings, self.ends, len(self.ends), len(self.block)
        self.excluded[self.rows_before(block) : ends[block]] |= self.missed[self.rows_before(block) : ends[block]]
        # Kept rows from the end of ``block`` to the end of each later block: a window of ``size`` kept entries ending
        # there holds none of ``block``'s rows once that count reaches ``size``.
        kept = np.flatnonzero(~self.excluded)
        kept_after = np.searchsorted(kept, ends[block:]) - np.searchsorted(kept, ends[block])
        # Baselines: the windows that reach back into ``block`` (each reaches one kept row further back per excluded row).
        baseline_stop = block + int(np.searchsorted(kept_after, settings.baseline_size))
        self.location[block:baseline_stop], self.scale[block:baseline_stop] = self._baselines(block, baseline_stop)
        # Deviations of the rows scored against them, then the scores whose window holds one of those rows.
        first, z_stop = int(ends[block]), int(ends[min(baseline_stop, count - 1)])
        self._deviations(block + 1, min(baseline_stop, count - 1) + 1)
        score_stop = min(n_rows, z_stop + settings.window - 1) if z_stop > first else first
        self._rescore(first, score_stop)
        # Tails: the windows that hold an excluded or a changed score (those starting at or after score_stop hold neither).
        kept_after = np.searchsorted(kept, ends[block:]) - np.searchsorted(kept, score_stop)
        tail_stop = block + int(np.searchsorted(kept_after, settings.reference_size))
        self._set_tails(block, tail_stop)
        judge_stop = max(tail_stop + 1, int(np.searchsorted(ends, score_stop - 1, side="right")) + 1)
        self._judge(block + 1, min(judge_stop, count))

    def _baselines(self, first: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """``(stop - first, C)`` ``m`` and ``s`` after blocks ``first`` to ``stop - 1``: ``refresh_baseline`` on each window."""
        size = self.settings.baseline_size
        kept = np.concatenate([np.arange(size), size + np.flatnonzero(~self.excluded)]) if self.excluded.any() else None
        ordered = sorted_windows_of(self.ranked, size, self.ends[first:stop] + size, kept)
        with np.errstate(over="ignore"):  # a window that overflows gives scores that are not finite: never kept
            location = sorted_median(ordered) + 0.0  # a zero median as +0.0, as set_baseline keeps it
            return location, floored_spread(MAD_TO_SIGMA * deviation_median(ordered, location), self.state.resolution)

    def _parts(self, first: int, stop: int) -> list[tuple[slice, slice | None]]:
        """Blocks ``first`` to ``stop - 1`` as row slices, each with the refreshes its blocks are scored against
        (``None``: the state's): block 0 alone, then the others, ``refresh_every`` rows each, as one part."""
        parts = []
        if first == 0:
            parts.append((slice(0, int(self.ends[0])), None))
            first = 1
        if stop > first:
            parts.append((slice(int(self.ends[first - 1]), int(self.ends[stop - 1])), slice(first - 1, stop - 1)))
        return parts

    def _deviations(self, first: int, stop: int) -> None:
        """``z`` of blocks ``first`` to ``stop - 1`` (a block's rows broadcast against its baseline: no per-row copies)."""
        settings, state, n_columns = self.settings, self.state, self.block.shape[1]
        for rows, refreshes in self._parts(first, stop):
            if refreshes is None:
                self.z[rows] = deviations_against(settings, self.block[rows], state.location, state.scale)
            else:
                block = self.block[rows].reshape(-1, settings.refresh_every, n_columns)
                z = deviations_against(settings, block, self.location[refreshes, None], self.scale[refreshes, None])
                self.z[rows] = z.reshape(-1, n_columns)

    def _rescore(self, first: int, stop: int) -> None:
        """Scores (and spike scores) of rows ``first`` to ``stop`` from the deviations."""
        lead = self.settings.window - 1
        earlier = self.z[first - lead : first] if first >= lead else np.concatenate([self.state.history[first:], self.z[:first]])
        self.scores[first:stop] = windowed_scores(self.settings, earlier, self.z[first:stop])
        if self.spikes is not None:
            self.spikes[first:stop] = spike_scores(self.settings, self.z[first:stop])

    def _tails(self, first: int, stop: int) -> tuple[Tails, Tails | None]:
        """The tails after blocks ``first`` to ``stop - 1``: ``refresh_tail`` on the last ``reference_size`` kept scores (spike scores)."""
        size, kept = self.settings.reference_size, ~self.excluded
        ends = size + np.searchsorted(np.flatnonzero(kept), self.ends[first:stop])
        # Groups of windows ending at most a quarter window apart share 3/4 of a window: a tight bound for window_tops.
        group = 1 + size // 4 // self.settings.refresh_every
        tails = window_tails(np.concatenate([self.references[0], self.scores[kept]]), size, ends, group, self.settings.risk)
        if self.spikes is None:
            return tails, None
        return tails, window_tails(np.concatenate([self.references[1], self.spikes[kept]]), size, ends, group, self.settings.spike_risk)

    def _set_tails(self, first: int, stop: int) -> None:
        tails, spike_tails = self._tails(first, stop)
        for old, new in ((self.tails, tails), (self.spike_tails, spike_tails)):
            if new is not None:
                old.u[first:stop], old.sigma[first:stop], old.threshold[first:stop] = new.u, new.sigma, new.threshold

    def _judge(self, first: int, stop: int) -> None:
        """Normalized scores and ``missed`` of blocks ``first`` to ``stop - 1``: flag = either scale (``with_spikes``)."""
        for rows, refreshes in self._parts(first, stop):
            shape = (-1,) if refreshes is None else (-1, self.settings.refresh_every)
            scores = self.scores[rows].reshape(shape)
            flagged, normalized = _scored_against(self.state, self.tails, refreshes, scores)
            missed = flagged | ~(np.isfinite(scores) & np.isfinite(normalized))
            if self.spikes is not None:
                spikes = self.spikes[rows].reshape(shape)
                spike_flagged, spike_normalized = _scored_against(self.state.spike, self.spike_tails, refreshes, spikes)
                normalized = np.maximum(normalized, spike_normalized)
                missed |= spike_flagged | ~(np.isfinite(spikes) & np.isfinite(spike_normalized))
            self.normalized[rows], self.missed[rows] = normalized.ravel(), missed.ravel()


def _scored_against(frozen: AdaptiveState | SpikeScale, tails: Tails, refreshes: slice | None, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flags and normalized scores of blocks' ``scores`` against ``frozen``'s tail (``refreshes`` ``None``), else ``tails[refreshes]``."""
    if refreshes is None:
        return scores > frozen.threshold, normalized_against(scores, frozen.u, frozen.sigma, frozen.log_share)
    normalized = normalized_against(scores, tails.u[refreshes, None], tails.sigma[refreshes, None], tails.log_share)
    return scores > tails.threshold[refreshes, None], normalized
