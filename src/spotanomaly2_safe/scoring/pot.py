# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""PeaksOverThresholdDetector: the threshold whose false-alarm probability per row is ``risk``.

Fit: the generalized Pareto tail of the training scores (:mod:`spotanomaly2_safe.scoring.tail`:
``u``, ``xi``, ``sigma``, ``N_u`` of ``n``), then (Siffer et al. 2017, eq. 1)

- ``threshold = u + (sigma / xi) * ((risk * n / N_u) ** (-xi) - 1)`` for ``xi != 0``,
- ``threshold = u - sigma * log(risk * n / N_u)`` for ``xi == 0``,

computed as ``u + genpareto.isf(risk * n / N_u, xi, scale=sigma)`` (the same formula). Flag = score
strictly above the threshold; flags are int64 0/1. ``risk`` must be below the tail's share of the
training scores, ``N_u / n`` (about ``1 - tail_quantile``), or the threshold would fall below ``u``:
that raises :class:`InvalidParameterError` (``RISK_NOT_IN_TAIL``). Too small a tail raises
:class:`InsufficientDataException` (``TAIL_TOO_SMALL``).

>>> import numpy as np
>>> scores = np.random.default_rng(0).exponential(size=5000)
>>> detector = PeaksOverThresholdDetector(risk=1e-4).fit(scores)
>>> round(detector.threshold, 2)  # the exact value for this Exp(1) distribution is -log(1e-4) = 9.21
9.34
>>> detector.detect(np.array([1.0, 20.0]))
array([0, 1])
"""

from typing import Any

import numpy as np
from scipy.stats import genpareto

from spotanomaly2_safe.errors import InvalidParameterError, Reason
from spotanomaly2_safe.parameters import Interval, validate_parameters
from spotanomaly2_safe.scoring.detector import ThresholdDetector
from spotanomaly2_safe.scoring.tail import Tail, fit_tail

__all__ = ["PeaksOverThresholdDetector", "TAIL_QUANTILE", "RISK"]

TAIL_QUANTILE = (Interval(float, 0.5, 1.0, closed="neither"),)
RISK = (Interval(float, 0.0, 1.0, closed="neither"),)


class PeaksOverThresholdDetector(ThresholdDetector):
    """Flags scores above the extreme-value threshold for a per-row false-alarm probability ``risk``.

    ``fit`` fits the generalized Pareto tail of the training scores and sets ``threshold``.
    """

    parameter_constraints = {"risk": RISK, "tail_quantile": TAIL_QUANTILE}

    def __init__(self, risk: float = 1e-4, tail_quantile: float = 0.98) -> None:
        self.risk = risk
        self.tail_quantile = tail_quantile
        validate_parameters(type(self).__name__, self.parameter_constraints, {"risk": risk, "tail_quantile": tail_quantile})
        self.threshold: float | None = None
        self.tail: Tail | None = None

    def _fit(self, scores: np.ndarray, tail: Tail | None = None) -> None:
        tail = fit_tail(scores, self.tail_quantile) if tail is None else tail
        share = tail.n_exceedances / tail.n_scores
        if self.risk >= share:
            raise InvalidParameterError(
                f"PeaksOverThresholdDetector risk={self.risk} must be below the tail's share of the training scores, "
                f"N_u / n = {tail.n_exceedances} / {tail.n_scores} = {share:.6g}; lower risk or tail_quantile.",
                reason=Reason.RISK_NOT_IN_TAIL,
            )
        self.threshold = tail.u + float(genpareto.isf(self.risk / share, tail.xi, scale=tail.sigma))
        self.tail = tail

    def fit_details(self) -> dict[str, Any]:
        """The fitted tail (``u``, ``xi``, ``sigma``, ``n_exceedances``, ``n_scores``) for the fit record."""
        return self.tail.details()
