# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Detection quality against labelled anomaly windows: event-level and point-wise, no point-adjust.

Inputs are 1-D numpy arrays in row order of equal length: ``labels`` (0/1, 1 inside a labelled
anomaly), ``flags`` (0/1, raw flags or alarms) and, for average precision, real ``scores``.

Event level (``event_scores``):

- a *window* is a maximal run of consecutive labelled rows; a *burst* is a maximal run of
  consecutive flagged rows;
- a window is *hit* when at least one flag falls inside it; a burst is *false* when it overlaps no
  window (each false burst is one false alarm, however long);
- ``recall = hit windows / windows``; ``precision = hit windows / (hit windows + false bursts)``:
  each labelled event counts once as a true alarm and each false burst once as a false alarm, so
  splitting one anomaly into many bursts earns nothing (``true bursts / bursts`` would reward
  flooding inside a window); ``f1`` is their harmonic mean. A zero denominator gives 0.0
  (scikit-learn's ``zero_division=0``).

Point-wise (``point_scores``): scikit-learn's ``precision_recall_fscore_support`` of ``flags`` against
``labels`` (binary, ``zero_division=0``) and ``average_precision_score`` of ``scores``. Flags are
never "point-adjusted" (a hit window does not turn its other rows into true positives).

>>> import numpy as np
>>> labels = np.array([0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
>>> flags = np.array([0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1])
>>> event_scores(labels, flags)
EventScores(precision=0.333..., recall=0.5, f1=0.4, n_windows=2, n_hit_windows=1, n_bursts=3, n_false_bursts=2)
"""

from typing import Any, NamedTuple

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

from spotanomaly2_safe.alarms import validate_flags
from spotanomaly2_safe.contracts import validate_array
from spotanomaly2_safe.errors import InvalidInputError, Reason

__all__ = ["EventScores", "PointScores", "event_scores", "point_scores", "runs"]


class EventScores(NamedTuple):
    precision: float
    recall: float
    f1: float
    n_windows: int
    n_hit_windows: int
    n_bursts: int
    n_false_bursts: int


class PointScores(NamedTuple):
    precision: float
    recall: float
    f1: float
    average_precision: float


def runs(binary: np.ndarray) -> np.ndarray:
    """Start and end (exclusive) row of each maximal run of ones, as an ``(n_runs, 2)`` int array.

    >>> runs(np.array([1, 1, 0, 1]))
    array([[0, 2],
           [3, 4]])
    """
    edges = np.diff(np.concatenate([[0], binary, [0]]))
    return np.column_stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)])


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _checked(labels: Any, flags: Any) -> tuple[np.ndarray, np.ndarray]:
    labels, flags = validate_flags(labels, name="labels"), validate_flags(flags, name="flags")
    if labels.size != flags.size:
        raise InvalidInputError(
            f"labels has {labels.size} rows and flags {flags.size}; they must describe the same rows.",
            reason=Reason.LENGTH_MISMATCH,
        )
    return labels, flags


def event_scores(labels: np.ndarray, flags: np.ndarray) -> EventScores:
    """Event precision, recall and F1 of ``flags`` against the labelled windows (module docstring)."""
    labels, flags = _checked(labels, flags)
    windows, bursts = runs(labels), runs(flags)
    flagged_before = np.concatenate([[0], np.cumsum(flags)])
    labelled_before = np.concatenate([[0], np.cumsum(labels)])
    n_hit = int(np.count_nonzero(flagged_before[windows[:, 1]] > flagged_before[windows[:, 0]]))
    n_false = int(np.count_nonzero(labelled_before[bursts[:, 1]] == labelled_before[bursts[:, 0]]))
    precision = _ratio(n_hit, n_hit + n_false)
    recall = _ratio(n_hit, len(windows))
    f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
    return EventScores(precision, recall, f1, len(windows), n_hit, len(bursts), n_false)


def point_scores(labels: np.ndarray, flags: np.ndarray, scores: np.ndarray) -> PointScores:
    """Point-wise precision, recall, F1 of ``flags`` and average precision of ``scores`` (module docstring).

    >>> point_scores(np.array([0, 1, 1, 0]), np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.4, 0.5]))
    PointScores(precision=0.5, recall=0.5, f1=0.5, average_precision=0.83...)
    """
    labels, flags = _checked(labels, flags)
    scores = validate_array(scores, name="scores", ndim=1)
    if scores.size != labels.size:
        raise InvalidInputError(f"scores has {scores.size} rows and labels {labels.size}.", reason=Reason.LENGTH_MISMATCH)
    if not labels.any():
        raise InvalidInputError(
            "labels has no labelled row (no 1); average precision is undefined without a positive label.",
            reason=Reason.NO_POSITIVE_LABEL,
        )
    precision, recall, f1, _ = precision_recall_fscore_support(labels, flags, average="binary", zero_division=0)
    return PointScores(float(precision), float(recall), float(f1), float(average_precision_score(labels, scores)))
