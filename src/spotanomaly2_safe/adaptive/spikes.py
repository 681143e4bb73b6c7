# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The optional one-row scale of the adaptive method (``spike_risk``): a spike is not diluted by the window.

A mean of ``|z|`` over ``window`` rows divides a 1-row spike by ``window``. With ``spike_risk = q`` (default
``None``: off, and every output is bit-identical to the method without it) each row also gets a
*spike score*, the window-1 score of the same deviations ``z_tj`` (:mod:`spotanomaly2_safe.adaptive.core`):

- ``spike_t`` = ``aggregation`` over columns of ``|z_tj|`` (``"max"``, ``"l2"`` summed in column order, or ``"mean"``);
- its own exponential tail, fitted by the window score's rule (:func:`~spotanomaly2_safe.adaptive.tails.exponential_tail`) to the last
  ``reference_size`` learned spike scores, seeded by the training rows after the warm-up rows, refreshed
  with the window score's tail; threshold ``u_s + sigma_s * (log(N_u / n) - log(q))``;
- ``flag_t = score_t > threshold or spike_t > spike threshold``: under the two fitted tails the per-row
  false-alarm probability is at most ``risk + spike_risk`` (union bound);
- ``normalized_t`` = the larger of the two ``L / (1 + L)`` (each ``L = -log10`` of that scale's tail
  probability); ``anomaly_score`` stays the window score;
- protection: a row flagged by either scale is learned by neither tail nor the baseline.

>>> import numpy as np
>>> from spotanomaly2_safe.adaptive.state import AdaptiveSettings
>>> settings = AdaptiveSettings(2, 10, 50, 5, 1e-3, None, "l2", "absolute", spike_risk=1e-4)
>>> spike_scores(settings, np.array([[3.0, -4.0], [0.0, 1.0]])).tolist()
[5.0, 1.0]
>>> spike_score_row(settings, [3.0, -4.0])
5.0
"""

import math
from collections.abc import Sequence

import numpy as np

from spotanomaly2_safe.adaptive.scores import LN10, require_finite
from spotanomaly2_safe.adaptive.sorted_scores import SortedScores
from spotanomaly2_safe.adaptive.state import AdaptiveSettings, AdaptiveState, Ring
from spotanomaly2_safe.adaptive.tails import exponential_tail, exponential_tail_of_largest, tail_size

__all__ = ["SPIKE_RULE", "SpikeScale", "spike_score_row", "spike_scores", "with_spike_row", "with_spikes"]

_INFINITY = math.inf

SPIKE_RULE = "flag if the window score or the one-row score exceeds its own tail's threshold; per-row risk at most risk + spike_risk"


def spike_scores(settings: AdaptiveSettings, z: np.ndarray) -> np.ndarray:
    """The spike score of each row of the deviations ``z`` (a ``(rows, C)`` array)."""
    with np.errstate(over="ignore", invalid="ignore"):
        size = np.abs(z)
        if settings.aggregation == "max":
            return np.ascontiguousarray(size.T).max(axis=0)  # along the long axis: about 10x faster than across each row (max is exact)
        total = size[:, 0] * size[:, 0] if settings.aggregation == "l2" else size[:, 0]
        for column in range(1, size.shape[1]):
            total = total + (size[:, column] * size[:, column] if settings.aggregation == "l2" else size[:, column])
        return np.sqrt(total) if settings.aggregation == "l2" else total / size.shape[1]


def spike_score_row(settings: AdaptiveSettings, z: Sequence[float]) -> float:
    """The spike score of one row of deviations as Python floats, bit-identical to :func:`spike_scores`."""
    if len(z) == 1:  # one column: the max is |z| and the mean |z| / 1 = |z| exactly
        size = abs(z[0])
        return math.sqrt(size * size) if settings.aggregation == "l2" else size
    size = [abs(value) for value in z]
    if settings.aggregation == "max":
        return max(size)
    total = size[0] * size[0] if settings.aggregation == "l2" else size[0]
    for value in size[1:]:
        total = total + (value * value if settings.aggregation == "l2" else value)
    return math.sqrt(total) if settings.aggregation == "l2" else total / len(size)


class SpikeScale:
    """The spike scale's learned scores (the last ``reference_size``) and its tail frozen at the last refresh.

    The one-row path moves the scores into a :class:`SortedScores` (``sorted_scores``) and
    refreshes the tail off its largest entries, as the window score's tail does; any use of
    :attr:`reference` returns them to the ring first.
    """

    def __init__(self, reference_size: int) -> None:
        self._reference = Ring(reference_size)
        self.sorted_scores: SortedScores | None = None
        self.u = self.sigma = self.log_share = self.threshold = 0.0
        self.n_tail = 0

    @property
    def reference(self) -> Ring:
        """The learned spike scores (written back from :attr:`sorted_scores` first, which are then dropped)."""
        if self.sorted_scores is not None:
            self.sorted_scores.write_back(self._reference)
            self.sorted_scores = None
        return self._reference

    def build_sorted_scores(self) -> SortedScores:
        """Move the learned spike scores into :attr:`sorted_scores` for the one-row path, which pushes to it."""
        self.sorted_scores = SortedScores(self._reference)
        return self.sorted_scores

    def refresh(self, risk: float, floor: float) -> None:
        scores = self.sorted_scores
        if scores is None:
            self.u, self.sigma, self.n_tail, self.log_share, self.threshold = exponential_tail(self._reference.filled(), risk, floor)
            return
        n_scores = len(scores.scores)
        largest = scores.changed_largest(tail_size(n_scores) + 1)
        if largest is not None:  # else the same scores as at the last refresh: the same tail
            self.u, self.sigma, self.n_tail, self.log_share, self.threshold = exponential_tail_of_largest(largest, n_scores, risk, floor)

    def normalized(self, spikes: np.ndarray) -> np.ndarray:
        """``L / (1 + L)`` of spike scores under the frozen tail (the operations of ``normalized_scores``)."""
        with np.errstate(over="ignore", invalid="ignore"):
            surprise = np.maximum((spikes - self.u) / self.sigma - self.log_share, 0.0) / LN10 + 0.0
            return surprise / (1.0 + surprise)

    def normalized_one(self, spike: float) -> float:
        """:meth:`normalized` of one spike score as a Python float, bit-identical."""
        surprise = max((spike - self.u) / self.sigma - self.log_share, 0.0) / LN10 + 0.0
        return surprise / (1.0 + surprise)

    def copy(self) -> "SpikeScale":
        twin = SpikeScale.__new__(SpikeScale)
        twin.__dict__.update(self.__dict__)
        twin._reference = self._reference.copy()
        twin.sorted_scores = None if self.sorted_scores is None else self.sorted_scores.copy()
        return twin


def with_spikes(
    settings: AdaptiveSettings, state: AdaptiveState, z: np.ndarray, flags: np.ndarray, normalized: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A scored block's spike scores, and its flags and normalized scores with the spike scale (module docstring)."""
    spikes = spike_scores(settings, z)
    spike_normalized = state.spike.normalized(spikes)
    require_finite(spikes, spike_normalized)  # as the window scale: a normalized score that overflows is an error
    return spikes, flags | (spikes > state.spike.threshold), np.maximum(normalized, spike_normalized)


def with_spike_row(
    settings: AdaptiveSettings, state: AdaptiveState, score: float, z: Sequence[float] | None, normalized: float, flag: bool
) -> tuple[float, float, bool]:
    """:func:`with_spikes` for one row as Python floats (the one-row path), bit-identical.

    ``z`` is the row's deviations, ``None`` with ``window = 1``: the spike score is then the window score
    ``score`` itself (the same aggregation of the same ``|z|``, by the same operations).
    """
    spike = score if z is None else spike_score_row(settings, z)
    if not spike < _INFINITY:  # a spike score is at least 0 unless it is NaN
        require_finite(np.array([spike]), np.array([spike]))
    scale = state.spike
    spike_normalized = scale.normalized_one(spike)
    if spike_normalized != spike_normalized:  # NaN: the surprise overflowed, as ``with_spikes`` checks
        require_finite(np.array([spike]), np.array([spike_normalized]))
    return spike, max(normalized, spike_normalized), flag or spike > scale.threshold
