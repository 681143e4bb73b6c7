# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The adaptive method: one step function that both the batch and the streaming driver call.

Per column ``j`` and row ``t`` (``m``, ``s``, ``u``, ``sigma`` frozen at the last refresh, computed
only from rows before ``t``, never from ``t`` itself):

- ``z_tj = (r_tj - m_j) / s_j``; ``m`` = median and ``s = max(1.4826 * MAD, resolution)`` of the last
  ``baseline_size`` *learned* residuals (:mod:`spotanomaly2_safe.adaptive.spread`);
- ``v_tj = (|z_(t-w+1)j| + ... + |z_tj|) / w`` (``smoothing="absolute"``: catches level and spread
  changes) or ``v_tj = |z_(t-w+1)j + ... + z_tj| / w`` (``"signed"``: averages noise out of a level
  change), summed oldest first (``w`` = ``window``; with ``w = 1`` both are ``|z_tj|``);
- ``score_t`` = ``aggregation`` over columns of ``v_t``: ``"l2"`` ``sqrt(v_t1**2 + ... + v_tC**2)``
  (summed in column order), ``"max"`` or ``"mean"``;
- tail seed: the scores of the training rows against the baseline of all kept training rows, except
  the first ``k = min(warmup_rows, n_train // 4)`` rows (burn-in: the settling of a system at the
  start of a recording; :func:`warmup_size`), which seed the baseline only;
- tail (exponential, Siffer et al.'s DSPOT with shape 0): of the ``n`` learned scores kept (the last
  ``reference_size``), the ``N_u = ceil(sqrt(n))`` largest form the tail; ``u`` is the largest score
  below them, ``sigma = max(mean(tail - u), TAIL_SCALE_FLOOR)``;
  ``log P(S > s) = log(N_u / n) - (s - u) / sigma``, capped at 0 (probability 1);
- ``flag_t = score_t > threshold`` with ``threshold = u + sigma * (log(N_u / n) - log(risk))``: a
  per-row false-alarm probability ``risk`` under the fitted tail;
- ``normalized_t = L / (1 + L)``, ``L = -log10 P(S > score_t)``: increasing above ``u`` (``L`` is
  linear in the score), never clipped; float64 rounds it to 1.0 only about 2e16 tail scales above ``u``.

Protection: a flagged row is not learned (neither its residual by the baseline nor its score by the
tail). Failure mode: a permanent level change is flagged forever. Rule for it (``reset_after = R``):
on the ``R``-th consecutive flagged row the baseline re-initializes from those ``R`` rows, the state
refreshes at once and that row's ``baseline_reset`` output is 1; ``reset_after=None`` never resets.

Optional training screen (``screen_risk``; off by default, and then every output is as described above): the
protect rule applied at fit to the scores that seed the tails; a training glitch's own scores do not seed them
(:mod:`spotanomaly2_safe.adaptive.screen`).

Optional one-row scale (``spike_risk``; off by default, and then every output is as described above): the
window-1 score of the same deviations with its own tail; a row is flagged when either score exceeds its own
threshold (:mod:`spotanomaly2_safe.adaptive.spikes`).

Optional seasonal term (``season_period = P``; off by default, and then every output is as described above): ``m``
is one value per phase (position from the first training row, mod ``P``), ``s`` one pooled spread
(:mod:`spotanomaly2_safe.adaptive.season`); such a state is advanced by the exact path only (no speculation, no
sorted lists).

Refresh: ``m``, ``s`` and the tail are recomputed after every ``refresh_every`` rows (counted from the
fit) and after a reset; rows in between are scored against the frozen values, so a batch is scored
block by block, vectorized, and one row at a time gives the same bits: every per-row operation is a
correctly rounded IEEE operation (``+ - * / sqrt``, comparisons), and the refresh selects the same
values for both drivers: by partition on the rings, or, while one-row steps run, off sorted lists kept
row by row (:mod:`spotanomaly2_safe.adaptive.sorted_buffers`; a zero median and the tail's sum are
computed by the same numpy code). ``advance(settings, state, rows)`` on rows A then B equals
``advance`` on A + B.

Speculation (the batch driver's speed, not a rule): ``advance`` first scores runs of blocks as if no
row in them flags, then takes flagged rows out where that is all they change
(:mod:`spotanomaly2_safe.adaptive.speculation`), with the same bits.

>>> import numpy as np
>>> from spotanomaly2_safe.adaptive.state import AdaptiveSettings
>>> settings = AdaptiveSettings(window=1, baseline_size=200, reference_size=200, refresh_every=10,
...                             risk=1e-3, reset_after=None, aggregation="l2", smoothing="absolute")
>>> state = initial_state(settings, np.random.default_rng(0).normal(size=(100, 1)))
>>> outputs = advance(settings, state, np.array([[0.1], [8.0]]))
>>> outputs.flag.tolist(), bool(outputs.normalized[1] > outputs.normalized[0])
([0, 1], True)
"""

from collections.abc import Sequence

import numpy as np

from spotanomaly2_safe.adaptive.screen import Screened, require_seed_left, screen_rows, screened_seed
from spotanomaly2_safe.adaptive.scores import deviations, deviations_against, normalized_scores, require_finite, score_row, windowed_scores
from spotanomaly2_safe.adaptive.season import phase_medians, phases_of
from spotanomaly2_safe.adaptive.speculation import advance_clean_blocks, speculation_limit
from spotanomaly2_safe.adaptive.spikes import SpikeScale, spike_scores, with_spike_row, with_spikes
from spotanomaly2_safe.adaptive.spread import MAD_TO_SIGMA, data_resolution, floored_spread, floored_spread_values
from spotanomaly2_safe.adaptive.state import AdaptiveOutputs, AdaptiveSettings, AdaptiveState, set_baseline, set_baseline_values
from spotanomaly2_safe.adaptive.tails import TAIL_SCALE_FLOOR, exponential_tail, exponential_tail_of_largest, tail_size

__all__ = ["MAD_TO_SIGMA", "TAIL_SCALE_FLOOR", "advance", "advance_one", "finish_rows", "initial_state", "peek", "refresh_baseline", "refresh_tail", "tail_size", "warmup_size"]

def warmup_size(settings: AdaptiveSettings, n_train: int) -> int:
    """``k = min(warmup_rows, n_train // 4)``: the first training rows whose scores do not seed the tail.

    At most a quarter of the training rows, so the tail keeps at least three quarters of them.

    >>> settings = AdaptiveSettings(1, 200, 200, 10, 1e-3, None, "l2", "absolute", warmup_rows=50)
    >>> warmup_size(settings, 100), warmup_size(settings, 400)
    (25, 50)
    """
    return min(settings.warmup_rows, n_train // 4)


def _column_medians(columns: np.ndarray) -> np.ndarray:
    """The median of each row of a C-contiguous ``(C, n)`` array (the mean of the two middle values for even ``n``)."""
    middle = columns.shape[1] // 2
    ordered = np.partition(columns, middle, axis=1)
    if columns.shape[1] % 2:
        return ordered[:, middle]
    # The lower middle value is the largest entry left of ``middle``: one selection, not two (NumPy's
    # partition with two kth values costs about 5x one on a 500-row baseline).
    return (ordered[:, :middle].max(axis=1) + ordered[:, middle]) / 2.0


def _median_and_mad(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a C-contiguous ``(C, n)`` array: the median and the MAD (median of ``|x - median|``)."""
    location = _column_medians(columns)
    return location, _column_medians(np.abs(columns - location[:, None]))


def refresh_baseline(state: AdaptiveState) -> None:
    """``m`` = median, ``s`` = floored ``1.4826 * MAD`` of the kept learned residuals.

    From the one-row path's sorted lists when they hold the rows (the same bits:
    :mod:`spotanomaly2_safe.adaptive.sorted_buffers`), else by selection on the ring; with ``season_period``
    always on the rings, ``m`` per phase (:mod:`spotanomaly2_safe.adaptive.season`).
    """
    if state.phases is not None:
        values, phases = state.baseline.filled(), state.phases.filled().astype(np.intp)
        location = phase_medians(values, phases, len(state.location), state.location)
        with np.errstate(over="ignore"):
            mad = _column_medians(np.ascontiguousarray(np.abs(values - location[phases]).T))
        set_baseline(state, location, floored_spread(MAD_TO_SIGMA * mad, state.resolution))
        return
    if state.sorted_buffers is None:
        location, mad = _median_and_mad(np.ascontiguousarray(state.baseline.filled().T))
        set_baseline(state, location, floored_spread(MAD_TO_SIGMA * mad, state.resolution))
        return
    locations, mads = state.sorted_buffers.median_and_mad(_median_and_mad)
    set_baseline_values(state, locations, floored_spread_values([MAD_TO_SIGMA * mad for mad in mads], state.resolution.tolist()))


def refresh_tail(settings: AdaptiveSettings, state: AdaptiveState) -> None:
    """The exponential tail of the kept learned scores and the threshold at ``risk`` (:mod:`spotanomaly2_safe.adaptive.tails`).

    The one-row path reads the same sorted values off its largest scores, and keeps the values it set
    when the number of scores and the ``N_u + 1`` largest are those of its last refresh.
    """
    buffers = state.sorted_buffers
    if buffers is None:
        state.u, state.sigma, state.n_tail, state.log_share, state.threshold = exponential_tail(state.reference.filled(), settings.risk, TAIL_SCALE_FLOOR)
    else:
        n_scores = len(buffers.reference.scores)
        largest = buffers.reference.changed_largest(tail_size(n_scores) + 1)
        if largest is not None:  # else the same scores as at the last refresh: the same tail
            state.u, state.sigma, state.n_tail, state.log_share, state.threshold = exponential_tail_of_largest(
                largest, n_scores, settings.risk, TAIL_SCALE_FLOOR
            )
    if state.spike is not None:  # the one-row scale (spike_risk), refreshed with the window score's tail
        state.spike.refresh(settings.spike_risk, TAIL_SCALE_FLOOR)


def initial_state(settings: AdaptiveSettings, residuals: np.ndarray) -> AdaptiveState:
    """The state after fitting on validated training residuals (at least ``window`` + 1 rows).

    Resolution, baseline and tail come from the training rows; their scores (against the baseline
    of all kept training rows) seed the tail, except those of the first ``warmup_size`` rows and, with
    ``screen_risk`` set, those the training screen takes out (:mod:`spotanomaly2_safe.adaptive.screen`); the
    last ``window - 1`` rows seed the window.
    """
    state = AdaptiveState(settings, residuals.shape[1])
    state.resolution, state.resolution_rules = data_resolution(residuals)
    state.baseline.extend(residuals)
    if settings.season_period is None:
        refresh_baseline(state)
        z = deviations(settings, state, residuals)
    else:  # training row i has phase i mod P; the first row after training has phase n_train mod P
        state.season_start = len(residuals) % settings.season_period
        phases = phases_of(state.season_start, -len(residuals), len(residuals), settings.season_period)
        state.phases.extend(phases.astype(np.float64))
        refresh_baseline(state)
        # The floor is the grid of the de-seasoned training residuals (r - m[phase]): integer actuals under a forecast
        # that varies by phase lie on a fine grid overall but on the quantum within a phase, where the pooled MAD is 0.
        with np.errstate(over="ignore"):
            deseasoned = residuals - state.location[phases]
        require_finite(deseasoned, deseasoned)
        state.resolution, state.resolution_rules = data_resolution(deseasoned)
        refresh_baseline(state)
        z = deviations_against(settings, residuals, state.location[phases], state.scale)
    lead = settings.window - 1
    scores = windowed_scores(settings, z[:lead], z[lead:])
    require_finite(scores, scores)
    warmup = warmup_size(settings, len(residuals))
    first = max(lead, warmup)  # the first training row whose score seeds the tails; score i is row lead + i
    seed = scores[first - lead :]
    if settings.screen_risk is not None:  # the training screen (spotanomaly2_safe.adaptive.screen)
        n_candidates, rows = screen_rows(settings, z, warmup)
        kept = screened_seed(settings, seed, first, rows, settings.window)
        require_seed_left(len(kept), min(len(seed), settings.reference_size), rows, settings.window)
        state.screened = Screened(n_candidates, rows, min(len(seed), settings.reference_size) - len(kept), None)
        seed = kept
    state.reference.extend(seed)
    if settings.spike_risk is not None:  # spike score i is row i
        spikes = spike_scores(settings, z)
        require_finite(spikes, spikes)
        state.spike = SpikeScale(settings.reference_size)
        spike_seed = spikes[warmup:]
        if state.screened is not None:
            kept = screened_seed(settings, spike_seed, warmup, state.screened.rows, 1)
            state.screened = state.screened._replace(spike_scores=min(len(spike_seed), settings.reference_size) - len(kept))
            spike_seed = kept
        state.spike.reference.extend(spike_seed)
    state.history = z[len(z) - lead :].copy()
    refresh_tail(settings, state)
    return state


def _run_lengths(previous: int, flags: np.ndarray) -> np.ndarray:
    positions = np.arange(len(flags))
    last_clear = np.maximum.accumulate(np.where(flags, -1, positions))
    return np.where(last_clear >= 0, positions - last_clear, positions + 1 + previous)


def _commit(settings: AdaptiveSettings, state: AdaptiveState, rows: Sequence, z: Sequence, learned_rows: Sequence, learned_scores: Sequence, run: int) -> bool:
    """Learn a scored block (the protect rule: only ``learned_rows`` / ``learned_scores``), then reset and refresh as due.

    Sequences are numpy arrays for a block, or lists for one row (the streaming fast path).
    """
    state.baseline.extend(learned_rows)
    state.reference.extend(learned_scores)
    if settings.window > 1:
        state.history = np.concatenate([state.history, z])[len(z) :]
    return finish_rows(settings, state, rows, run)


def finish_rows(settings: AdaptiveSettings, state: AdaptiveState, rows: Sequence, run: int) -> bool:
    """After learning ``rows`` (the last ``run`` of them flagged in a row): the run, the reset and the refresh as due."""
    reset = False
    if settings.reset_after is not None and run:
        fresh = min(run, len(rows))
        state.run_rows[run - fresh : run] = rows[len(rows) - fresh :]
        reset = run == settings.reset_after
    state.run_length = 0 if reset else run
    if reset:
        state.baseline.replace(state.run_rows)
        if state.phases is not None:  # the run's rows end with the last of ``rows``
            last = state.rows_seen + len(rows) - 1
            state.phases.replace(phases_of(state.season_start, last - run + 1, run, settings.season_period).astype(np.float64))
    state.rows_seen += len(rows)
    if reset or state.rows_seen % settings.refresh_every == 0:
        refresh_baseline(state)
        refresh_tail(settings, state)
    return reset


def peek(settings: AdaptiveSettings, state: AdaptiveState, values: list[float]) -> AdaptiveOutputs:
    """The outputs ``advance`` would give one validated row given as floats (Python scalars), changing nothing."""
    score, normalized, z = score_row(settings, state, values)
    flag = score > state.threshold
    if state.spike is not None:
        _, normalized, flag = with_spike_row(settings, state, score, z, normalized, flag)
    return AdaptiveOutputs(score, normalized, int(flag), int(flag and state.run_length + 1 == settings.reset_after))


def advance_one(settings: AdaptiveSettings, state: AdaptiveState, values: list[float]) -> tuple[float, float, int, int]:
    """``advance`` on one validated row given as floats, returning Python scalars (a one-row batch).

    The reference of the streaming driver's fused step (:mod:`spotanomaly2_safe.adaptive.one_row`), which
    restates these operations and is pinned to them by tests.
    """
    score, normalized, z = score_row(settings, state, values)
    flag, spike = score > state.threshold, None
    if state.spike is not None:
        spike, normalized, flag = with_spike_row(settings, state, score, z, normalized, flag)
    if flag:  # the protect rule, as in ``_commit``: a row flagged by either scale is learned by neither
        run = state.run_length + 1
    else:
        if state.phases is None:
            (state.sorted_buffers or state.build_sorted_buffers()).push(values, score)
        else:  # the seasonal term refreshes on the rings (``refresh_baseline``)
            state.baseline.push(values)
            state.phases.push(float((state.season_start + state.rows_seen) % settings.season_period))
            state.reference.push(score)
        if spike is not None:
            (state.spike.sorted_scores or state.spike.build_sorted_scores()).push(spike)
        run = 0
    if settings.window > 1:
        state.push_history(z)
    reset = finish_rows(settings, state, (values,), run)
    return score, normalized, int(run > 0), int(reset)


def advance(settings: AdaptiveSettings, state: AdaptiveState, rows: np.ndarray) -> AdaptiveOutputs:
    """Score, flag and learn validated residual ``rows`` in order; updates ``state`` in place.

    On an error (``SCORE_OVERFLOW``) earlier blocks are already learned: callers that need
    atomicity pass a copy. Block = the rows up to the next refresh, cut after a reset. Runs of
    blocks are first scored speculatively (``advance_clean_blocks``, continuing past blocks whose flags
    change nothing but what is learned); the first block that it cannot continue past, and any block that
    cannot be speculated, takes the exact path (``_advance_block``).
    The number of blocks speculated at once doubles after a clean run and halves after a miss; after
    a miss on the first block (a fault that lasts), more and more blocks take the exact path first.
    """
    total = len(rows)
    if total == 1:
        return AdaptiveOutputs(*(np.array([value]) for value in advance_one(settings, state, rows[0].tolist())))
    outputs = AdaptiveOutputs(np.empty(total), np.empty(total), np.zeros(total, dtype=np.int64), np.zeros(total, dtype=np.int64))
    limit = speculation_limit(settings, rows.shape[1])
    start, blocks, backoff = 0, 1, 0
    while start < total:
        tried, kept, start = advance_clean_blocks(settings, state, rows, start, min(blocks, limit), outputs)
        if tried and kept == tried:
            blocks *= 2
            continue
        blocks = max(blocks // 2, 1)
        backoff = min(2 * backoff + 1, limit) if tried and not kept else 0
        for _ in range(1 + backoff):  # the block that missed, then the backoff's
            if start < total:
                start = _advance_block(settings, state, rows, start, outputs)
    return outputs


def _advance_block(settings: AdaptiveSettings, state: AdaptiveState, rows: np.ndarray, start: int, outputs: AdaptiveOutputs) -> int:
    """The exact path: score, flag and learn the block starting at ``start``; returns where the next block starts."""
    stop = min(len(rows), start + settings.refresh_every - state.rows_seen % settings.refresh_every)
    block = rows[start:stop]
    z = deviations(settings, state, block)
    scores = windowed_scores(settings, state.history, z)
    normalized = normalized_scores(state, scores)
    require_finite(scores, normalized)
    flags = scores > state.threshold
    spikes = None
    if state.spike is not None:
        spikes, flags, normalized = with_spikes(settings, state, z, flags, normalized)
    runs = _run_lengths(state.run_length, flags)
    if settings.reset_after is not None and (runs == settings.reset_after).any():
        cut = int(np.argmax(runs == settings.reset_after)) + 1
        block, z, scores, normalized, flags, runs = block[:cut], z[:cut], scores[:cut], normalized[:cut], flags[:cut], runs[:cut]
        spikes = None if spikes is None else spikes[:cut]
    stop = start + len(block)
    outputs.score[start:stop], outputs.normalized[start:stop], outputs.flag[start:stop] = scores, normalized, flags
    learned = ~flags
    if spikes is not None:
        state.spike.reference.extend(spikes[learned])
    if state.phases is not None:  # before ``_commit``: a reset there replaces them with the run's phases
        state.phases.extend(phases_of(state.season_start, state.rows_seen, len(block), settings.season_period)[learned].astype(np.float64))
    outputs.reset[stop - 1] = _commit(settings, state, block, z, block[learned], scores[learned], int(runs[-1]))
    return stop
