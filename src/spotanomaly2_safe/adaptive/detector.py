# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""AdaptiveDetector: the batch driver of the adaptive method (:mod:`spotanomaly2_safe.adaptive.core`).

``fit(y_true_train, y_pred_train)`` (at least ``MIN_TRAIN_SIZE`` = 100 rows) sets the state from the
training residuals. ``score_and_detect(y_true, y_pred)`` scores, flags and *learns* the rows, in
order: context rule, each call's rows directly follow the rows of the previous call (or the training
rows), and the state continues from there. Any split of a series into consecutive batches gives
bit-identical outputs to one batch. A failed call changes nothing. Outputs, indexed like the input:

- ``scores_df``: ``anomaly_score`` (the row score), ``anomaly_score_normalized`` (``L / (1 + L)``,
  ``L = -log10`` of its tail probability);
- ``flags_df``: ``anomaly_flag`` (score above the threshold at per-row risk ``risk``; such rows are not
  learned) and ``baseline_reset`` (1 on the row where ``reset_after`` consecutive flags re-initialized
  the baseline from them); with ``min_duration`` or ``min_gap`` set, ``alarm`` too: the cool-down rule of
  :mod:`spotanomaly2_safe.alarms` on the flags, its state carried from batch to batch
  (:mod:`spotanomaly2_safe.adaptive.cooldown`), so the alarms of any split equal one batch's.

Row order is checked, never assumed: the training labels, and each batch's labels, must strictly
increase, the batch must have the training index's type and timezone, and its first label must be
strictly later than the last label seen (training or an earlier batch); otherwise
:class:`InvalidInputError` (``UNORDERED_INDEX`` or ``CONTEXT_MISMATCH``) before any state changes, so a
batch scored twice, or out of order, is refused instead of being learned again.

``state_dict()`` is strict JSON (with the last label seen and its index type); :meth:`AdaptiveDetector.from_state_dict` continues from it on the next
batch. ``fit_record_`` records the parameters, the data resolution, the tail size rule, the warm-up rule
and the number of warm-up rows it applied (``warmup_rows``: the first training rows, at most a quarter,
that seed the baseline but not the tail) and the tail; with ``spike_risk`` set, also the one-row scale's tail
(``spike``; :mod:`spotanomaly2_safe.adaptive.spikes`); with ``screen_risk`` set, the training screen
(``training_screen``: its rule, the candidate rows, the cap, the screened training rows as positions and labels and
the number of seeding scores taken out of each tail; :mod:`spotanomaly2_safe.adaptive.screen`);
with ``season_period`` set, the seasonal term's rule
(``season``; :mod:`spotanomaly2_safe.adaptive.season`: ``baseline.location`` is then one row per phase) and
``season_period`` among the parameters (listed there only when set).

``season_period`` (default ``None``: off) is refused (:class:`InvalidParameterError`, ``INVALID_PARAMETER``) when
``season_period > baseline_size // 3`` or ``reset_after < 3 * season_period``, and ``fit`` refuses fewer than
``3 * season_period`` training rows (:class:`InsufficientDataException`, ``TOO_FEW_ROWS``): every phase needs 3 rows.

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(0)
>>> train = pd.DataFrame({"load": rng.normal(size=200)})
>>> test = pd.DataFrame({"load": [0.2, 9.0, -0.1]}, index=[200, 201, 202])
>>> scores, flags = AdaptiveDetector().fit_score_detect(train, train * 0, test, test * 0)
>>> flags["anomaly_flag"].tolist(), list(scores.columns)
([0, 1, 0], ['anomaly_score', 'anomaly_score_normalized'])
"""

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from spotanomaly2_safe.adaptive.cooldown import advance_alarm_array
from spotanomaly2_safe.adaptive.core import TAIL_SCALE_FLOOR, advance, initial_state, warmup_size
from spotanomaly2_safe.adaptive.screen import screen_record
from spotanomaly2_safe.adaptive.season import SEASON_RULE, min_training_rows, require_season_fits
from spotanomaly2_safe.adaptive.spikes import SPIKE_RULE
from spotanomaly2_safe.adaptive.state import AGGREGATIONS, SMOOTHINGS, AdaptiveSettings, AdaptiveState
from spotanomaly2_safe.adaptive.state_json import state_from_json, state_to_json
from spotanomaly2_safe.alarms import ALARM_PARAMETERS
from spotanomaly2_safe.constants import MIN_TRAIN_SIZE
from spotanomaly2_safe.contracts import validate_frames
from spotanomaly2_safe.errors import InvalidInputError, InvalidParameterError, NotFittedError, Reason
from spotanomaly2_safe.parameters import Interval, Options, validate_parameters
from spotanomaly2_safe.scoring.fit_record import dependency_versions, json_value
from spotanomaly2_safe.scoring.windows import require_increasing_labels, require_window_labels

__all__ = ["AdaptiveDetector", "DETECTOR_FORMAT", "TAIL_SIZE_RULE", "WARMUP_RULE"]

DETECTOR_FORMAT = "spotanomaly2_safe.adaptive.AdaptiveDetector/1"
TAIL_SIZE_RULE = "N_u = ceil(sqrt(n)) of the n kept learned scores"
WARMUP_RULE = "the first min(warmup_rows, n_train // 4) training rows seed the baseline but not the tail"


class AdaptiveDetector:
    """Adaptive baseline, protected learning and a following exponential-tail threshold (module docstring)."""

    parameter_constraints = {
        "window": [Interval(int, 1, 50)],
        "baseline_size": [Interval(int, 10, 100_000)],
        "reference_size": [Interval(int, 50, 10_000)],
        "refresh_every": [Interval(int, 1, 10_000)],
        "risk": [Interval(float, 0.0, 0.01, closed="neither")],
        "reset_after": [Interval(int, 10, None), Options((None,))],
        "aggregation": [Options(AGGREGATIONS)],
        "smoothing": [Options(SMOOTHINGS)],
        "warmup_rows": [Interval(int, 0, 100_000)],
        "min_duration": [*ALARM_PARAMETERS["min_duration"], Options((None,))],
        "min_gap": [*ALARM_PARAMETERS["min_gap"], Options((None,))],
        "spike_risk": [Interval(float, 0.0, 0.01, closed="neither"), Options((None,))],
        "screen_risk": [Interval(float, 0.0, 0.5, closed="right"), Options((None,))],
        "season_period": [Interval(int, 2, None), Options((None,))],
    }

    def __init__(
        self,
        window: int = 1,
        baseline_size: int = 500,
        reference_size: int = 2000,
        refresh_every: int = 10,
        risk: float = 1e-3,
        reset_after: int | None = None,
        aggregation: str = "l2",
        smoothing: str = "absolute",
        warmup_rows: int = 0,
        min_duration: int | None = None,
        min_gap: int | None = None,
        spike_risk: float | None = None,
        screen_risk: float | None = None,
        season_period: int | None = None,
    ) -> None:
        arguments = dict(locals())
        params = {name: arguments[name] for name in self.parameter_constraints}
        validate_parameters(type(self).__name__, self.parameter_constraints, params)
        require_season_fits(season_period, baseline_size, reset_after)
        for name, value in params.items():
            setattr(self, name, value)
        self.settings = AdaptiveSettings(**params)

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters, by name."""
        return {name: getattr(self, name) for name in self.parameter_constraints}

    def fit(self, y_true_train: pd.DataFrame, y_pred_train: pd.DataFrame) -> "AdaptiveDetector":
        """Set the state from the training frames (at least ``MIN_TRAIN_SIZE`` rows; with ``season_period``, at least
        ``3 * season_period``); returns ``self``."""
        period = self.season_period
        min_rows, reason = (MIN_TRAIN_SIZE, "MIN_TRAIN_SIZE") if period is None or min_training_rows(period) <= MIN_TRAIN_SIZE else (
            min_training_rows(period), f"3 rows per phase of season_period={period}")
        train = validate_frames(y_true_train, y_pred_train, min_rows=min_rows, min_rows_reason=reason, stage="train")
        require_increasing_labels("training", train.index, window=2)
        state = initial_state(self.settings, train.residuals)
        self.columns_, self.state_, self.last_label_ = train.columns, state, train.index[-1:]
        self.fit_record_ = self._fit_record(train.residuals, train.index)
        return self

    def _fit_record(self, residuals: np.ndarray, index: pd.Index) -> dict[str, Any]:
        state = self.state_
        return {
            **dependency_versions(),
            "method": "adaptive",
            "parameters": self._recorded_params(),
            "columns": [json_value(column) for column in self.columns_],
            "n_training_rows": int(residuals.shape[0]),
            "training_residuals_sha256": hashlib.sha256(residuals.data).hexdigest(),
            "context_rule": "each batch directly follows the previous batch (the first one the training rows); the state continues",
            "resolution": state.resolution.tolist(),
            "resolution_rules": list(state.resolution_rules),
            "baseline": {"location": state.location.tolist(), "scale": state.scale.tolist(), "n_rows": state.baseline.count},
            "tail": {
                "rule": TAIL_SIZE_RULE,
                "warmup_rule": WARMUP_RULE,
                "warmup_rows": warmup_size(self.settings, int(residuals.shape[0])),
                "n_scores": state.reference.count,
                "n_tail": state.n_tail,
                "u": state.u,
                "sigma": state.sigma,
                "sigma_floor": TAIL_SCALE_FLOOR,
                "threshold": state.threshold,
            },
            "reset_rule": "never" if self.reset_after is None else f"after {self.reset_after} consecutive flagged rows",
            "alarm_rule": dict(zip(("min_duration", "min_gap"), self.settings.alarm_rule() or ())) or None,
            **({} if state.spike is None else {"spike": {
                "rule": SPIKE_RULE,
                "n_scores": state.spike.reference.count,
                "n_tail": state.spike.n_tail,
                "u": state.spike.u,
                "sigma": state.spike.sigma,
                "threshold": state.spike.threshold,
            }}),
            **({} if state.screened is None else {"training_screen": _with_labels(screen_record(self.settings, state.screened), index)}),
            **({} if self.season_period is None else {"season": {
                "rule": SEASON_RULE,
                "period": self.season_period,
                "first_phase_after_training": state.season_start,
            }}),
        }

    def _recorded_params(self) -> dict[str, Any]:
        """The parameters for the fit record: ``season_period`` only when set (a record without it is the method without
        the seasonal term, as every record written before the term existed)."""
        params = self.get_params()
        if params["season_period"] is None:
            del params["season_period"]
        return params

    def _require_fitted(self) -> AdaptiveState:
        if not hasattr(self, "state_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first.", reason=Reason.NOT_FITTED)
        return self.state_

    def score_and_detect(self, y_true: pd.DataFrame, y_pred: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Score, flag and learn the rows that directly follow the last ones seen; ``(scores_df, flags_df)``."""
        state = self._require_fitted()
        test = validate_frames(y_true, y_pred, fitted_columns=self.columns_, stage="test")
        self._require_following(test.index)
        state = state.copy()
        outputs = advance(self.settings, state, test.residuals)
        alarms = advance_alarm_array(self.settings, state, outputs.flag)
        self.state_, self.last_label_ = state, test.index[-1:]
        scores_df = pd.DataFrame({"anomaly_score": outputs.score, "anomaly_score_normalized": outputs.normalized}, index=test.index)
        flags_df = pd.DataFrame({"anomaly_flag": outputs.flag, "baseline_reset": outputs.reset}, index=test.index)
        if alarms is not None:
            flags_df["alarm"] = alarms
        return scores_df, flags_df

    @property
    def flag_columns(self) -> tuple[str, ...]:
        """The columns of ``flags_df``: ``anomaly_flag``, ``baseline_reset`` and, with an alarm rule, ``alarm``."""
        return ("anomaly_flag", "baseline_reset", *(("alarm",) if self.settings.alarm_rule() else ()))

    def _require_following(self, batch: pd.Index) -> None:
        try:
            require_window_labels(self.last_label_, batch, window=2)
        except InvalidInputError as error:
            raise InvalidInputError(
                f"AdaptiveDetector continues the series from the last row it saw (label {json_value(self.last_label_[0])!r}): "
                f"each batch must follow it in time, in strictly increasing order, with the same index type; {error}",
                reason=error.reason,
            ) from None

    def fit_score_detect(
        self,
        y_true_train: pd.DataFrame,
        y_pred_train: pd.DataFrame,
        y_true_test: pd.DataFrame,
        y_pred_test: pd.DataFrame,
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``fit`` on the training frames, then ``score_and_detect`` the test rows that directly follow them."""
        return self.fit(y_true_train, y_pred_train).score_and_detect(y_true_test, y_pred_test)

    def state_dict(self) -> dict[str, Any]:
        """A strict-JSON snapshot: parameters, columns and state; :meth:`from_state_dict` continues from it."""
        state = self._require_fitted()
        for column in self.columns_:
            if isinstance(column, bool) or not isinstance(column, (str, int)):
                raise InvalidParameterError(
                    f"state_dict needs column names that are str or int to round-trip through JSON; got {column!r}.",
                    reason=Reason.SNAPSHOT_UNSUPPORTED,
                )
        return {
            "format": DETECTOR_FORMAT,
            "params": self.get_params(),
            "columns": [json_value(column) for column in self.columns_],
            "last_label": _label_to_json(self.last_label_),
            "state": state_to_json(state),
            "fit_record": self.fit_record_,
        }

    @classmethod
    def from_state_dict(cls, snapshot: Any) -> "AdaptiveDetector":
        """The fitted detector that ``state_dict()`` described, checked (``INVALID_STATE`` otherwise)."""
        valid = isinstance(snapshot, dict) and snapshot.get("format") == DETECTOR_FORMAT
        params, columns = (snapshot.get("params"), snapshot.get("columns")) if valid else (None, None)
        if not (valid and isinstance(params, dict) and sorted(params) == sorted(cls.parameter_constraints)):
            raise InvalidInputError(
                f"Invalid AdaptiveDetector state_dict: expected format {DETECTOR_FORMAT!r} with params "
                f"{sorted(cls.parameter_constraints)}.",
                reason=Reason.INVALID_STATE,
            )
        if not (isinstance(columns, list) and columns and all(type(name) in (str, int) for name in columns) and len(set(columns)) == len(columns)):
            raise InvalidInputError("Invalid AdaptiveDetector state_dict: columns must be distinct str or int names.", reason=Reason.INVALID_STATE)
        detector = cls(**params)
        detector.state_ = state_from_json(snapshot.get("state"), detector.settings, len(columns))
        detector.columns_ = list(columns)
        detector.last_label_ = _label_from_json(snapshot.get("last_label"))
        record = snapshot.get("fit_record")
        if not isinstance(record, dict):
            raise InvalidInputError("Invalid AdaptiveDetector state_dict: fit_record must be a dict.", reason=Reason.INVALID_STATE)
        detector.fit_record_ = record
        return detector



def _with_labels(record: dict[str, Any], index: pd.Index) -> dict[str, Any]:
    """The training screen's record with the screened rows also as the training index's labels (JSON values)."""
    return {**record, "labels": [json_value(index[row]) for row in record["rows"]]}


def _label_to_json(last: pd.Index) -> dict[str, Any]:
    """The last label seen and its index type, as JSON (an int, a finite float, a str or an ISO timestamp)."""
    label = last[0]
    if isinstance(label, pd.Timestamp):
        return {"dtype": str(last.dtype), "value": label.isoformat()}
    if isinstance(last, pd.MultiIndex) or not isinstance(label, (int, float, str, np.integer, np.floating)) or isinstance(label, bool):
        raise InvalidParameterError(
            f"state_dict needs row labels that are int, float, str or timestamps to round-trip through JSON; got {label!r}.",
            reason=Reason.SNAPSHOT_UNSUPPORTED,
        )
    return {"dtype": str(last.dtype), "value": json_value(label.item() if isinstance(label, np.generic) else label)}


def _label_from_json(data: Any) -> pd.Index:
    """The one-label index :func:`_label_to_json` wrote (``INVALID_STATE`` when it cannot be rebuilt exactly)."""
    valid = isinstance(data, dict) and sorted(data) == ["dtype", "value"] and isinstance(data["dtype"], str)
    try:
        last = pd.Index(pd.Series([data["value"]]).astype(data["dtype"])) if valid else None
    except (TypeError, ValueError):
        last = None
    if last is None or str(last.dtype) != data["dtype"] or last.isna().any():
        raise InvalidInputError(
            "Invalid AdaptiveDetector state_dict: last_label must be {'dtype': ..., 'value': ...} as state_dict wrote it.",
            reason=Reason.INVALID_STATE,
        )
    return last
