# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Speculation: the batch driver scores runs of blocks at once, with the bits of the exact path.

Not a rule of the method, only its speed: while no row flags, every row is learned, so the
refreshes after the next ``K`` blocks depend on the rows alone (baselines), then on their scores
(tails); ``advance`` computes them for ``K`` blocks at once (:mod:`spotanomaly2_safe.adaptive.window_statistics`:
the same order statistics of the same entries, bit for bit), with ``spike_risk`` the spike scores and the
spike tails too, keeps the blocks before the first one where either scale flags a row or a score
overflows, and scores that block again on the exact path (``core._advance_block``). A spike reference not yet full
(a restored state) takes the exact path until it fills.

``advance_clean_blocks`` is what :func:`spotanomaly2_safe.adaptive.core.advance` calls; ``speculate`` scores a run
without changing the state, ``_keep`` learns its clean blocks as ``_commit`` would.
"""

import math
from typing import NamedTuple

import numpy as np

from spotanomaly2_safe.adaptive.scores import deviations_against, normalized_against, windowed_scores
from spotanomaly2_safe.adaptive.spikes import SpikeScale, spike_scores
from spotanomaly2_safe.adaptive.spread import MAD_TO_SIGMA, floored_spread
from spotanomaly2_safe.adaptive.state import AdaptiveOutputs, AdaptiveSettings, AdaptiveState, Ring, set_baseline
from spotanomaly2_safe.adaptive.tails import TAIL_SCALE_FLOOR, tail_size, tail_threshold
from spotanomaly2_safe.adaptive.window_statistics import deviation_median, sorted_median, sorted_windows, window_tops

__all__ = ["SPECULATED_BLOCKS", "SPECULATED_ENTRIES", "SPECULATED_ROWS", "advance_clean_blocks", "speculate", "speculation_limit"]

SPECULATED_ROWS = 4096
SPECULATED_BLOCKS = 128
SPECULATED_ENTRIES = 1 << 20


def speculation_limit(settings: AdaptiveSettings, n_columns: int) -> int:
    """The most blocks one speculative pass scores (0: none): bounded work and memory per pass.

    At most ``SPECULATED_ROWS`` rows, ``SPECULATED_BLOCKS`` blocks (each tail window selects among
    candidates of the whole pass) and ``SPECULATED_ENTRIES`` baseline entries in the sorted windows.

    >>> settings = AdaptiveSettings(10, 500, 2000, 50, 5e-4, 500, "max", "absolute")
    >>> speculation_limit(settings, 8), speculation_limit(settings._replace(refresh_every=1), 8)
    (81, 128)
    >>> speculation_limit(settings._replace(baseline_size=100_000), 8)
    1
    """
    return min(SPECULATED_ROWS // settings.refresh_every, SPECULATED_BLOCKS, SPECULATED_ENTRIES // (settings.baseline_size * n_columns))


class _Tails(NamedTuple):
    """Per block, the exponential tail after it (``refresh_tail`` / ``SpikeScale.refresh`` on each full window)."""

    u: np.ndarray
    sigma: np.ndarray
    threshold: np.ndarray
    n_tail: int
    log_share: float


class _Speculation(NamedTuple):
    """A run of blocks scored as if no row flags: per row ``z``, score, normalized score (and spike score with
    ``spike_risk``, else ``None``); per block the refresh after it."""

    z: np.ndarray
    scores: np.ndarray
    normalized: np.ndarray
    location: np.ndarray
    scale: np.ndarray
    tails: _Tails
    spikes: np.ndarray | None
    spike_tails: _Tails | None
    clean_blocks: int


def advance_clean_blocks(
    settings: AdaptiveSettings, state: AdaptiveState, rows: np.ndarray, start: int, limit: int, outputs: AdaptiveOutputs
) -> tuple[int, int, int]:
    """Score up to ``limit`` complete blocks from ``start`` as if none flags a row; learn the leading blocks where that holds.

    Every row is then learned, so each block's refresh depends on the rows only (baselines), then on
    the scores (tails): both are computed for all blocks in one pass, with the same operations as
    ``refresh_baseline`` / ``refresh_tail`` on the same entries; with ``spike_risk``, the spike scores
    and the spike tails too (a row flagged by either scale ends the run). Needs full buffers (the
    windows then have a fixed size). Returns the number of blocks speculated, the number kept and the new start.
    """
    every = settings.refresh_every
    first = every - state.rows_seen % every
    count = min(limit, (len(rows) - start - first) // every + 1)
    full = state.baseline.count == settings.baseline_size and state.reference.count == settings.reference_size
    if count < 1 or not full or (state.spike is not None and state.spike.reference.count < settings.reference_size):
        return 0, 0, start
    ends = first + every * np.arange(count)
    block = rows[start : start + int(ends[-1])]
    speculation = speculate(settings, state, block, ends)
    kept = speculation.clean_blocks
    if kept:
        _keep(settings, state, block, speculation, int(ends[kept - 1]), kept - 1)
        stop = start + int(ends[kept - 1])
        outputs.score[start:stop], outputs.normalized[start:stop] = speculation.scores[: stop - start], speculation.normalized[: stop - start]
        start = stop
    return count, kept, start


def speculate(settings: AdaptiveSettings, state: AdaptiveState, block: np.ndarray, ends: np.ndarray) -> _Speculation:
    """Block ``j`` (rows up to ``ends[j]``) is scored against the refresh after block ``j - 1`` (the state's for block 0)."""
    sizes = np.full(len(ends), settings.refresh_every)
    sizes[0] = ends[0]
    location, scale = _window_baselines(settings, state, block, ends)
    z = deviations_against(
        settings,
        block,
        np.repeat(np.concatenate([state.location[None], location[:-1]]), sizes, axis=0),
        np.repeat(np.concatenate([state.scale[None], scale[:-1]]), sizes, axis=0),
    )
    scores = windowed_scores(settings, state.history, z)
    tails = _window_tails(settings, state.reference, scores, ends, settings.risk)
    flagged, normalized = _scored_against(state, scores, tails, sizes)
    missed = flagged | ~(np.isfinite(scores) & np.isfinite(normalized))
    spikes = spike_tails = None
    if state.spike is not None:  # the one-row scale: flag = either scale, normalized = the larger (with_spikes)
        spikes = spike_scores(settings, z)
        spike_tails = _window_tails(settings, state.spike.reference, spikes, ends, settings.spike_risk)
        spike_flagged, spike_normalized = _scored_against(state.spike, spikes, spike_tails, sizes)
        normalized = np.maximum(normalized, spike_normalized)
        missed |= spike_flagged | ~np.isfinite(spikes)
    clean_blocks = int(np.searchsorted(ends, np.argmax(missed), side="right")) if missed.any() else len(ends)
    return _Speculation(z, scores, normalized, location, scale, tails, spikes, spike_tails, clean_blocks)


def _scored_against(frozen: AdaptiveState | SpikeScale, scores: np.ndarray, tails: _Tails, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flags and normalized scores of speculated rows: block 0 against ``frozen``'s tail, block ``j`` against ``tails[j - 1]``."""
    normalized = normalized_against(
        scores,
        np.repeat(np.concatenate([[frozen.u], tails.u[:-1]]), sizes),
        np.repeat(np.concatenate([[frozen.sigma], tails.sigma[:-1]]), sizes),
        np.repeat(np.concatenate([[frozen.log_share], np.full(len(sizes) - 1, tails.log_share)]), sizes),
    )
    return scores > np.repeat(np.concatenate([[frozen.threshold], tails.threshold[:-1]]), sizes), normalized


def _window_baselines(settings: AdaptiveSettings, state: AdaptiveState, block: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(K, C)`` ``m`` and ``s`` after each block end when every row is learned: ``refresh_baseline`` on each window."""
    size = settings.baseline_size
    columns = np.ascontiguousarray(np.concatenate([state.baseline.ordered(), block]).T)
    ordered = sorted_windows(columns, size, ends + size)
    with np.errstate(over="ignore"):  # a window that overflows gives scores that are not finite: never kept
        location = sorted_median(ordered) + 0.0  # a zero median as +0.0, as set_baseline keeps it
        scale = floored_spread(MAD_TO_SIGMA * deviation_median(ordered, location), state.resolution)
    return location, scale


def _window_tails(settings: AdaptiveSettings, reference: Ring, scores: np.ndarray, ends: np.ndarray, risk: float) -> _Tails:
    """The tail after each block end when every score is learned by the full ``reference``: ``refresh_tail`` on each window."""
    size = settings.reference_size
    n_tail = tail_size(size)
    values = np.concatenate([reference.ordered(), scores])
    tops = window_tops(values, size, ends + size, n_tail + 1, group=1 + size // 2 // settings.refresh_every)  # groups share half a window
    u = tops[:, 0]
    log_share = math.log(n_tail / size)
    with np.errstate(over="ignore", invalid="ignore"):  # windows after an overflowing block are never kept
        sums = np.add.reduce(tops[:, 1:] - u[:, None], axis=1)  # row by row, the pairwise sum of refresh_tail's 1-D array
        sigma = np.maximum(sums / n_tail, TAIL_SCALE_FLOOR)
        return _Tails(u, sigma, tail_threshold(risk, u, sigma, log_share), n_tail, log_share)


def _keep(settings: AdaptiveSettings, state: AdaptiveState, block: np.ndarray, speculation: _Speculation, n_rows: int, last: int) -> None:
    """Learn the first ``n_rows`` speculated rows (all clean) and take the refresh after block ``last``, as ``_commit`` would."""
    state.baseline.extend(block[:n_rows])
    state.reference.extend(speculation.scores[:n_rows])
    if settings.window > 1:  # the last window - 1 deviations
        state.history = np.concatenate([state.history, speculation.z[max(0, n_rows - settings.window + 1) : n_rows]])[1 - settings.window :]
    state.run_length = 0
    state.rows_seen += n_rows
    set_baseline(state, speculation.location[last].copy(), speculation.scale[last].copy())
    _take_tail(state, speculation.tails, last)
    if state.spike is not None:
        state.spike.reference.extend(speculation.spikes[:n_rows])
        _take_tail(state.spike, speculation.spike_tails, last)


def _take_tail(frozen: AdaptiveState | SpikeScale, tails: _Tails, last: int) -> None:
    """The tail after block ``last`` of a speculated run, as ``refresh_tail`` / ``SpikeScale.refresh`` sets it (full reference)."""
    frozen.n_tail, frozen.log_share = tails.n_tail, tails.log_share
    frozen.u, frozen.sigma, frozen.threshold = float(tails.u[last]), float(tails.sigma[last]), float(tails.threshold[last])
