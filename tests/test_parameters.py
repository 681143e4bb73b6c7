# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math
from fractions import Fraction

import numpy as np
import pytest

from spotanomaly2_safe import (
    ForecastingAnomalyDetector,
    GaussianResidualDetector,
    InvalidParameterError,
    IsolationForestScorer,
    KMeansScorer,
    NormScorer,
    QuantileAnomalyDetector,
    RobustResidualDetector,
    RobustZScorer,
    ScoreNormalizer,
    ThresholdFilter,
)
from spotanomaly2_safe.scoring.pot import PeaksOverThresholdDetector
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.parameters import InstanceOf, Interval, Options, reject_unknown_parameters, validate_parameters

CONFIGURABLE = [
    ForecastingAnomalyDetector, KMeansScorer, NormScorer, IsolationForestScorer, RobustZScorer,
    QuantileAnomalyDetector, PeaksOverThresholdDetector, ScoreNormalizer,
]
CANDIDATE_BAD_VALUES = [None, "not-an-option", True, False, math.nan, -math.inf, math.inf, -1, 0, 0.0, 0.5, 1, 1.0, 1.5, 2**40, [1], {}]


def _bad_values(constraints: list) -> list:
    return [value for value in CANDIDATE_BAD_VALUES if not any(constraint.accepts(value) for constraint in constraints)]


def _table_cases():
    for owner in CONFIGURABLE:
        for name, constraints in owner.parameter_constraints.items():
            for value in _bad_values(constraints):
                yield pytest.param(owner, name, value, id=f"{owner.__name__}-{name}-{value!r}")


@pytest.mark.requirement("REQ-PAR-004")
@pytest.mark.parametrize("owner", CONFIGURABLE)
def test_every_parameter_has_generated_bad_values(owner):
    for name, constraints in owner.parameter_constraints.items():
        assert _bad_values(constraints), f"{owner.__name__}.{name}: no candidate is invalid"


@pytest.mark.requirement("REQ-PAR-004")
@pytest.mark.parametrize(("owner", "name", "value"), list(_table_cases()))
def test_constructor_rejects_value_outside_table(owner, name, value):
    with pytest.raises(InvalidParameterError) as caught:
        owner(**{name: value})
    assert repr(name) in str(caught.value) or repr(value) in str(caught.value)


@pytest.mark.requirement("REQ-PAR-004")
@pytest.mark.parametrize(
    ("owner", "name", "value"),
    [
        (ForecastingAnomalyDetector, "high_quantile", 1.0),
        (ForecastingAnomalyDetector, "high_quantile", 0.0),
        (ForecastingAnomalyDetector, "normalization_quantile", 0.5),
        (KMeansScorer, "n_clusters", 0),
        (IsolationForestScorer, "contamination", 0.9),
        (IsolationForestScorer, "contamination", 0.0),
        (IsolationForestScorer, "max_samples", 1.5),
        (NormScorer, "ord", 3),
        (NormScorer, "ord", 2.0),
        (RobustZScorer, "aggregation", "median"),
        (RobustZScorer, "window", 0),
        (NormScorer, "window_agg", "sum"),
        (PeaksOverThresholdDetector, "risk", 1.0),
        (PeaksOverThresholdDetector, "tail_quantile", 0.5),
        (ForecastingAnomalyDetector, "threshold_method", "evt"),
        (ForecastingAnomalyDetector, "min_duration", 0),
        (ForecastingAnomalyDetector, "min_gap", -1),
    ],
)
def test_documented_out_of_range_values_are_rejected(owner, name, value):
    with pytest.raises(InvalidParameterError) as caught:
        owner(**{name: value})
    assert caught.value.reason is Reason.INVALID_PARAMETER
    assert f"The '{name}' parameter of {owner.__name__} must be" in str(caught.value)
    assert f"Got {value!r} instead." in str(caught.value)


@pytest.mark.requirement("REQ-PAR-004")
def test_message_template_names_parameter_owner_range_and_value():
    constraints = {"contamination": [Options(("auto",)), Interval(float, 0.0, 0.5, closed="right")]}
    with pytest.raises(InvalidParameterError) as caught:
        validate_parameters("IsolationForestScorer", constraints, {"contamination": 0.9})
    assert str(caught.value) == (
        "The 'contamination' parameter of IsolationForestScorer must be one of {'auto'} or a float in the range "
        "(0.0, 0.5]. Got 0.9 instead."
    )


@pytest.mark.requirement("REQ-PAR-004")
@pytest.mark.parametrize(
    ("constraint", "accepted", "rejected"),
    [
        (Interval(int, 1, None), [1, np.int64(5), 10**12, 10**400], [0, 1.0, True, np.float64(2.0), -(10**400)]),
        (Interval(float, 0.0, 1.0, closed="neither"), [0.5, np.float32(0.25), 1e-12, Fraction(1, 3)], [0.0, 1.0, math.nan, True, "0.5"]),
        (Interval(float, None, None), [-1e308, 10**300, Fraction(-(10**300), 3)], [10**400, Fraction(10**400, 3), math.nan]),
        (Interval(float, 0.0, 0.5, closed="right"), [0.5, 0.1], [0.0, 0.50001]),
        (Interval(float, 0.0, 1.0, closed="left"), [0.0], [1.0]),
        (Interval(int, None, 3, closed="both"), [-(10**9), 3], [4]),
        (Options((1, 2, math.inf)), [1, 2, math.inf, np.inf], [True, 2.0, 3, "inf"]),
        (InstanceOf(bool), [True, False], [0, 1, "True", None]),
    ],
)
def test_constraint_accepts_exactly_its_values(constraint, accepted, rejected):
    assert all(constraint.accepts(value) for value in accepted)
    assert not any(constraint.accepts(value) for value in rejected)


@pytest.mark.requirement("REQ-PAR-002")
def test_unknown_parameter_suggests_closest_name():
    with pytest.raises(InvalidParameterError) as caught:
        reject_unknown_parameters("KMeansScorer", ["n_clusters", "n_init"], ["n_cluster"])
    assert caught.value.reason is Reason.UNKNOWN_PARAMETER
    assert "Did you mean 'n_clusters'?" in str(caught.value)


@pytest.mark.requirement("REQ-PAR-002")
def test_unknown_parameter_without_close_match_has_no_hint():
    with pytest.raises(InvalidParameterError) as caught:
        reject_unknown_parameters("KMeansScorer", ["n_clusters"], ["zzz"])
    assert "Did you mean" not in str(caught.value)


@pytest.mark.requirement("REQ-PAR-004")
@pytest.mark.parametrize(
    ("constraint", "described"),
    [
        (Interval(int, 1, None, closed="left"), "an int in the range [1, inf)"),
        (Interval(float, None, 0.5, closed="right"), "a float in the range (-inf, 0.5]"),
        (Options((1, 2, "inf")), "one of {1, 2, 'inf'}"),
        (InstanceOf(dict), "an instance of 'dict'"),
        (InstanceOf((int, float)), "an instance of 'int' or 'float'"),
    ],
)
def test_each_kind_of_constraint_describes_its_allowed_values_in_the_message(constraint, described):
    with pytest.raises(InvalidParameterError) as caught:
        validate_parameters("Owner", {"name": [constraint]}, {"name": [None]})
    assert str(caught.value) == f"The 'name' parameter of Owner must be {described}. Got [None] instead."


@pytest.mark.requirement("REQ-PAR-002")
def test_unknown_parameter_with_no_close_name_gets_no_suggestion():
    with pytest.raises(InvalidParameterError) as caught:
        reject_unknown_parameters("NormScorer", ["ord", "window"], ["contamination_level"])
    assert str(caught.value) == "NormScorer got an unknown parameter 'contamination_level'; it takes ['ord', 'window']."


@pytest.mark.requirement("REQ-SNP-004")
@pytest.mark.parametrize("value", [10**400, -(10**5000), Fraction(10**400, 3)], ids=["huge-int", "unprintable-int", "fraction"])
def test_float_parameter_float64_cannot_hold_raises_invalid_parameter_not_overflow(value):
    with pytest.raises(InvalidParameterError) as caught:
        ThresholdFilter(GaussianResidualDetector(), threshold=value)
    assert caught.value.reason is Reason.INVALID_PARAMETER
    assert str(caught.value).startswith("The 'threshold' parameter of ThresholdFilter must be a float") and len(str(caught.value)) < 300


@pytest.mark.requirement("REQ-SNP-004")
def test_int_parameter_of_any_size_is_compared_exactly():
    detector = RobustResidualDetector(window_size=10**400, grace_period=1)
    for value in [1.0, 2.0, 3.0]:
        detector.learn_one({"load": value})
    assert detector.windows == [[1.0, 2.0, 3.0]]
