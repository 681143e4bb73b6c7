# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""PredictiveAnomalyDetector: score the residual of a regressor's own forecast.

Wraps any ``regressor`` with ``learn_one(x, y)`` and ``predict_one(x)`` (a river regressor works) and a
``residual_detector`` of this library (default :class:`GaussianResidualDetector`). It is supervised,
like river's ``PredictiveAnomalyDetection``: ``score_one(x, y)`` and ``learn_one(x, y)``, with the
residual ``r = y - regressor.predict_one(x)`` scored as ``residual_detector.score_one({channel: r})``.

- ``score_one`` only reads: it calls ``predict_one`` and the residual detector's ``score_one``
  (river's ``score_one`` updates its error statistics while scoring; ours does not).
- ``y`` and the prediction are checked as ``y_true[channel]`` and ``y_pred[channel]`` by
  :func:`residuals_from_forecast` (finite real numbers, no overflow) before anything else.
- ``learn_one`` plans the residual
  detector's update, lets the regressor learn ``(x, y)``, then commits the plan: when the regressor
  or any check raises, the residual detector is unchanged (the regressor's own atomicity is its own).
- ``state_dict`` raises ``SNAPSHOT_UNSUPPORTED``: the regressor is an arbitrary object whose state this
  library cannot capture faithfully. Snapshot ``residual_detector.state_dict()`` and the regressor by
  its own means (e.g. pickle for river models).

>>> class LastValue:
...     def __init__(self):
...         self.last = 0.0
...     def learn_one(self, x, y):
...         self.last = y
...     def predict_one(self, x):
...         return self.last
>>> detector = PredictiveAnomalyDetector(LastValue(), GaussianResidualDetector(grace_period=2))
>>> for y in [1.0, 4.0]:
...     detector.learn_one(None, y)
>>> detector.score_one(None, 6.0), detector.score_one(None, 9.0)
(0.0, 3.0)
"""

from typing import Any

from spotanomaly2_safe.errors import InvalidParameterError, Reason
from spotanomaly2_safe.parameters import InstanceOf, validate_parameters
from spotanomaly2_safe.streaming.base import HasMethods
from spotanomaly2_safe.streaming.detectors import GaussianResidualDetector, ResidualDetector
from spotanomaly2_safe.streaming.observations import residuals_from_forecast

__all__ = ["PredictiveAnomalyDetector"]


class PredictiveAnomalyDetector:
    """Score = ``residual_detector.score_one({channel: y - regressor.predict_one(x)})`` (module docstring)."""

    parameter_constraints = {
        "regressor": [HasMethods(("learn_one", "predict_one"))],
        "residual_detector": [InstanceOf(ResidualDetector)],
        "channel": [InstanceOf(str)],
    }
    _supervised = True  # read by river's compose.Pipeline

    def __init__(self, regressor: Any, residual_detector: ResidualDetector | None = None, channel: str = "residual") -> None:
        residual_detector = GaussianResidualDetector() if residual_detector is None else residual_detector
        validate_parameters(
            "PredictiveAnomalyDetector",
            self.parameter_constraints,
            {"regressor": regressor, "residual_detector": residual_detector, "channel": channel},
        )
        self.regressor = regressor
        self.residual_detector = residual_detector
        self.channel = channel

    def _residual(self, x: Any, y: Any) -> dict[str, float]:
        return residuals_from_forecast({self.channel: y}, {self.channel: self.regressor.predict_one(x)})

    def score_one(self, x: Any, y: Any) -> float:
        """The residual detector's score of ``y - predict_one(x)``; changes no state."""
        return self.residual_detector.score_one(self._residual(x, y))

    def learn_one(self, x: Any, y: Any) -> None:
        """Learn the residual and then ``(x, y)``; the residual detector changes only if both succeed."""
        plan = self.residual_detector._plan_learn(self._residual(x, y))
        self.regressor.learn_one(x, y)
        self.residual_detector._commit_learn(plan)

    def state_dict(self) -> dict[str, Any]:
        """Not supported (see the module docstring): always raises ``SNAPSHOT_UNSUPPORTED``."""
        raise InvalidParameterError(
            f"PredictiveAnomalyDetector.state_dict() is not supported: its regressor ({type(self.regressor).__name__}) is "
            "an arbitrary object whose state this library cannot capture. Snapshot residual_detector.state_dict() "
            "and the regressor by its own means.",
            reason=Reason.SNAPSHOT_UNSUPPORTED,
        )
