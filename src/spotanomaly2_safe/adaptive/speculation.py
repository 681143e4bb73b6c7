# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Speculation: the batch driver scores runs of blocks at once, with the bits of the exact path.

Not a rule of the method, only its speed: while no row flags, every row is learned, so the
refreshes after the next ``K`` blocks depend on the rows alone (baselines), then on their scores
(tails); ``advance`` computes them for ``K`` blocks at once (:mod:`spotanomaly2_safe.adaptive.speculated_run`,
:mod:`spotanomaly2_safe.adaptive.window_statistics`: the same order statistics of the same entries, bit for
bit), with ``spike_risk`` the spike scores and the spike tails too. A block where either scale flags
rows is continued past when the exact path would only leave those rows unlearned (``_passes``): the
run takes them out and recomputes what depends on them. The blocks before the first block that
cannot be continued past (a flag on its last row, a run that could reach ``reset_after``, a score
that overflows) are kept, and that block is scored again on the exact path (``core._advance_block``).
A spike reference not yet full (a restored state) takes the exact path until it fills.

``advance_clean_blocks`` is what :func:`spotanomaly2_safe.adaptive.core.advance` calls; ``speculate`` scores a run
without changing the state, ``_keep`` learns its kept blocks as ``_commit`` would.
"""

import numpy as np

from spotanomaly2_safe.adaptive.speculated_run import SpeculatedRun
from spotanomaly2_safe.adaptive.spikes import SpikeScale
from spotanomaly2_safe.adaptive.state import AdaptiveOutputs, AdaptiveSettings, AdaptiveState, set_baseline
from spotanomaly2_safe.adaptive.tails import Tails

__all__ = ["SPECULATED_BLOCKS", "SPECULATED_ENTRIES", "SPECULATED_ROWS", "advance_clean_blocks", "speculate", "speculation_limit"]

SPECULATED_ROWS = 6400  # 128 blocks of the recommended 50 rows: the fastest of 3,000 to 9,600 on 1,000,000 x 8 rows
SPECULATED_BLOCKS = 128
SPECULATED_ENTRIES = 1 << 20


def speculation_limit(settings: AdaptiveSettings, n_columns: int) -> int:
    """The most blocks one speculative pass scores (0: none): bounded work and memory per pass.

    At most ``SPECULATED_ROWS`` rows, ``SPECULATED_BLOCKS`` blocks (each tail window selects among
    candidates of the whole pass) and ``SPECULATED_ENTRIES`` baseline entries in the sorted windows.
    None with ``season_period`` set: the seasonal term takes the exact path, block by block
    (:mod:`spotanomaly2_safe.adaptive.season`).

    >>> settings = AdaptiveSettings(10, 500, 2000, 50, 5e-4, 500, "max", "absolute")
    >>> speculation_limit(settings, 8), speculation_limit(settings._replace(refresh_every=100), 8)
    (128, 64)
    >>> speculation_limit(settings._replace(baseline_size=100_000), 8), speculation_limit(settings._replace(season_period=24), 8)
    (1, 0)
    """
    if settings.season_period is not None:
        return 0
    return min(SPECULATED_ROWS // settings.refresh_every, SPECULATED_BLOCKS, SPECULATED_ENTRIES // (settings.baseline_size * n_columns))


def advance_clean_blocks(
    settings: AdaptiveSettings, state: AdaptiveState, rows: np.ndarray, start: int, limit: int, outputs: AdaptiveOutputs
) -> tuple[int, int, int]:
    """Score up to ``limit`` complete blocks from ``start`` speculatively; learn the leading blocks where that holds.

    Needs full buffers (the windows then have a fixed size). Returns the number of blocks speculated,
    the number kept and the new start.
    """
    every = settings.refresh_every
    first = every - state.rows_seen % every
    count = min(limit, (len(rows) - start - first) // every + 1)
    full = state.baseline.count == settings.baseline_size and state.reference.count == settings.reference_size
    if count < 1 or not full or (state.spike is not None and state.spike.reference.count < settings.reference_size):
        return 0, 0, start
    ends = first + every * np.arange(count)
    block = rows[start : start + int(ends[-1])]
    run = speculate(settings, state, block, ends)
    kept = run.clean_blocks
    if kept:
        stop = start + int(ends[kept - 1])
        _keep(settings, state, run, stop - start, kept - 1)
        outputs.score[start:stop], outputs.normalized[start:stop] = run.scores[: stop - start], run.normalized[: stop - start]
        outputs.flag[start:stop] = run.excluded[: stop - start]
        start = stop
    return count, kept, start


def speculate(settings: AdaptiveSettings, state: AdaptiveState, block: np.ndarray, ends: np.ndarray) -> SpeculatedRun:
    """Score the run of blocks ending at ``ends``; ``clean_blocks`` = how many lead blocks the exact path would score alike.

    A block whose missed rows are flags that neither end it nor can reach ``reset_after`` (``_passes``) is
    continued past: those rows are excluded (``SpeculatedRun.exclude``) and the search goes on from the next block.
    """
    run = SpeculatedRun(settings, state, block, ends)
    while run.missed[run.rows_before(run.clean_blocks) :].any():
        done = run.rows_before(run.clean_blocks)
        missed_block = int(np.searchsorted(ends, done + int(np.argmax(run.missed[done:])), side="right"))
        if not _passes(settings, state, run, missed_block):
            run.clean_blocks = missed_block
            return run
        run.exclude(missed_block)
        run.clean_blocks, run.continued = missed_block + 1, run.continued + 1
    run.clean_blocks = len(ends)
    return run


def _passes(settings: AdaptiveSettings, state: AdaptiveState, run: SpeculatedRun, block: int) -> bool:
    """Whether the exact path would learn ``block``'s unflagged rows and carry no run past it: every missed row is a
    finite flag, the last row is not flagged, and no run of flagged rows reaches ``reset_after`` in it."""
    rows = slice(run.rows_before(block), int(run.ends[block]))
    finite = np.isfinite(run.scores[rows]) & np.isfinite(run.normalized[rows])
    if run.spikes is not None:
        finite &= np.isfinite(run.spikes[rows])
    flagged = run.missed[rows]
    carried = state.run_length if block == 0 else 0  # every block before ends unflagged
    fits = settings.reset_after is None or carried + int(np.count_nonzero(flagged)) < settings.reset_after
    return bool(finite.all() and not flagged[-1] and fits)


def _keep(settings: AdaptiveSettings, state: AdaptiveState, run: SpeculatedRun, n_rows: int, last: int) -> None:
    """Learn the first ``n_rows`` speculated rows but the excluded ones and take the refresh after block ``last``, as ``_commit`` would."""
    learned = ~run.excluded[:n_rows]
    state.baseline.extend(run.block[:n_rows][learned])
    state.reference.extend(run.scores[:n_rows][learned])
    if settings.window > 1:  # the last window - 1 deviations
        state.history = np.concatenate([state.history, run.z[max(0, n_rows - settings.window + 1) : n_rows]])[1 - settings.window :]
    state.run_length = 0
    state.rows_seen += n_rows
    set_baseline(state, run.location[last].copy(), run.scale[last].copy())
    _take_tail(state, run.tails, last)
    if state.spike is not None:
        state.spike.reference.extend(run.spikes[:n_rows][learned])
        _take_tail(state.spike, run.spike_tails, last)


def _take_tail(frozen: AdaptiveState | SpikeScale, tails: Tails, last: int) -> None:
    """The tail after block ``last`` of a speculated run, as ``refresh_tail`` / ``SpikeScale.refresh`` sets it (full reference)."""
    frozen.n_tail, frozen.log_share = tails.n_tail, tails.log_share
    frozen.u, frozen.sigma, frozen.threshold = float(tails.u[last]), float(tails.sigma[last]), float(tails.threshold[last])
