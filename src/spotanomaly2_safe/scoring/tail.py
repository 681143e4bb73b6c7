# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The upper tail of the training scores: a generalized Pareto fit over a high initial threshold.

Peaks over threshold (Siffer et al. 2017, "Anomaly detection in streams with extreme value theory"):
``u`` = the ``tail_quantile`` (numpy linear) of the ``n`` training scores; the ``N_u`` exceedances
``s - u`` of the scores strictly above ``u`` are fitted by ``scipy.stats.genpareto.fit(..., floc=0)``
(maximum likelihood), giving shape ``xi`` and scale ``sigma``. Then, for a score ``s > u``,
``P(S > s) = (N_u / n) * genpareto.sf(s - u, xi, scale=sigma)``.

Fallbacks, each an explicit error (never a silent substitute): fewer than ``MIN_EXCEEDANCES`` (20, as
in Siffer et al.'s 1000 initial scores at ``q = 0.98``) exceedances -> :class:`InsufficientDataException`
(``TAIL_TOO_SMALL``) naming the numbers; exceedances that are all equal (a point mass, which the
maximum-likelihood fit would turn into an arbitrary end point), a fit that fails, or a non-finite or
non-positive scale -> ``TAIL_FIT_FAILED``.

Log tail probability (``log_exceedance_probability``), in natural log, computed with
``genpareto.logsf`` so tiny probabilities do not round to 0:

- ``s <= u``: ``log(#{training scores > s} / n)`` (the empirical survival; 0 below every training score),
  computed with ``scipy.special.xlogy(1, p)``, which calls the C library's ``log``: NumPy's ``np.log``
  dispatches to different SIMD code on AVX-512 and AVX2 machines, which differ in the last bit;
- ``u < s <= u + z_cap``: ``log(N_u / n) + genpareto.logsf(s - u)``, where ``z_cap`` =
  ``genpareto.isf(TAIL_FLOOR)`` (the conditional tail probability ``TAIL_FLOOR = 1e-12``), always
  before a finite end point ``-sigma / xi`` (``xi < 0``);
- beyond ``u + z_cap``: continued linearly in the score with the average slope of the tail part,
  ``log(TAIL_FLOOR) / z_cap``, so the log probability keeps falling past a finite end point instead
  of becoming ``-inf`` (and tying). (The slope at ``z_cap`` itself, the hazard, diverges near a
  finite end point and would exhaust float64 resolution within a few scale units.)

>>> import numpy as np
>>> tail = fit_tail(np.random.default_rng(0).exponential(size=5000), tail_quantile=0.98)
>>> tail.n_exceedances, round(tail.xi, 2), round(tail.sigma, 2)
(100, -0.01, 1.01)
>>> bool(np.all(np.diff(log_exceedance_probability(tail, np.array([5.0, 10.0, 100.0, 1e4]))) < 0))
True
"""

import math
from typing import NamedTuple

import numpy as np
from scipy.special import xlogy
from scipy.stats import FitError, genpareto

from spotanomaly2_safe.errors import InsufficientDataException, InvalidInputError, Reason

__all__ = ["MIN_EXCEEDANCES", "TAIL_FLOOR", "Tail", "fit_tail", "log_exceedance_probability"]

MIN_EXCEEDANCES = 20
TAIL_FLOOR = 1e-12


class Tail(NamedTuple):
    """A fitted tail: initial threshold ``u``, GPD shape ``xi`` and scale ``sigma``, counts, sorted training scores."""

    u: float
    xi: float
    sigma: float
    n_exceedances: int
    n_scores: int
    sorted_scores: np.ndarray

    def details(self) -> dict:
        """The tail as JSON-serializable facts for the fit record."""
        return {"u": self.u, "xi": self.xi, "sigma": self.sigma, "n_exceedances": self.n_exceedances, "n_scores": self.n_scores}


def fit_tail(scores: np.ndarray, tail_quantile: float) -> Tail:
    """Fit the generalized Pareto tail of validated 1-D training ``scores`` above their ``tail_quantile``."""
    u = float(np.quantile(scores, tail_quantile))
    exceedances = scores[scores > u] - u
    if exceedances.size < MIN_EXCEEDANCES:
        raise InsufficientDataException(
            f"The tail fit found {exceedances.size} of {scores.size} training scores above the tail_quantile={tail_quantile} "
            f"threshold u={u!r}; at least MIN_EXCEEDANCES={MIN_EXCEEDANCES} are required. Use about "
            f"{math.ceil(MIN_EXCEEDANCES / (1 - tail_quantile))} or more training rows, or a lower tail_quantile.",
            reason=Reason.TAIL_TOO_SMALL,
        )
    if exceedances.min() == exceedances.max():
        raise _fit_failed(exceedances.size, f"all {exceedances.size} exceedances equal {float(exceedances[0])!r}")
    try:
        with np.errstate(all="ignore"):
            xi, _, sigma = genpareto.fit(exceedances, floc=0)
    except FitError as error:
        raise _fit_failed(exceedances.size, str(error)) from None
    if not (np.isfinite(xi) and np.isfinite(sigma) and sigma > 0):
        raise _fit_failed(exceedances.size, f"got xi={float(xi)!r}, sigma={float(sigma)!r}")
    # scipy's genpareto loses all precision for a subnormal shape; that is the exponential tail, xi = 0.
    xi = 0.0 if abs(xi) < np.finfo(np.float64).tiny else float(xi)
    return Tail(u, xi, float(sigma), int(exceedances.size), int(scores.size), np.sort(scores))


def _fit_failed(n_exceedances: int, why: str) -> InvalidInputError:
    return InvalidInputError(
        f"The generalized Pareto fit of the {n_exceedances} training-score exceedances failed ({why}); the training "
        "scores' upper tail is degenerate (e.g. all equal). Use the quantile threshold or more varied training data.",
        reason=Reason.TAIL_FIT_FAILED,
    )


def log_exceedance_probability(tail: Tail, scores: np.ndarray) -> np.ndarray:
    """Natural log of ``P(S > s)`` under the fitted tail, strictly decreasing above ``u`` (module docstring)."""
    above = scores - tail.u
    with np.errstate(over="ignore", divide="ignore"):  # scipy's support end -sigma/xi is inf for a subnormal xi
        z_cap = float(genpareto.isf(TAIL_FLOOR, tail.xi, scale=tail.sigma))
        in_tail = genpareto.logsf(np.clip(above, 0.0, z_cap), tail.xi, scale=tail.sigma)
    slope = -math.log(TAIL_FLOOR) / z_cap
    n_greater = tail.n_scores - np.searchsorted(tail.sorted_scores, scores, side="right")
    # Above u the empirical branch is discarded; the floor at N_u only keeps its log finite. xlogy(1, p) is the
    # C library's log(p), the same on every x86-64 CPU class; np.log is not (module docstring).
    empirical = xlogy(1.0, np.maximum(n_greater, tail.n_exceedances) / tail.n_scores)
    beyond = np.maximum(above - z_cap, 0.0) * slope
    return np.where(above > 0, math.log(tail.n_exceedances / tail.n_scores) + in_tail - beyond, empirical)
