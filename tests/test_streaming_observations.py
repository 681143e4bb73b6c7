# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotanomaly2_safe import GaussianResidualDetector, InputTypeError, InvalidInputError, QuantileFilter, residuals_from_forecast
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.streaming.observations import validate_observation, validate_score

CHANNELS = ("load", "price")
BAD_VALUES = [
    (True, Reason.NON_NUMERIC),
    ("1.0", Reason.NON_NUMERIC),
    (None, Reason.NON_NUMERIC),
    (1 + 2j, Reason.NON_NUMERIC),
    (math.nan, Reason.MISSING_VALUE),
    (math.inf, Reason.NON_FINITE),
    (-math.inf, Reason.NON_FINITE),
    (np.float64("nan"), Reason.MISSING_VALUE),
    (2**53 + 1, Reason.INEXACT_INTEGER),
]


@pytest.mark.requirement("REQ-STR-005")
@pytest.mark.parametrize("channels", [None, CHANNELS])
@pytest.mark.parametrize(("value", "reason"), BAD_VALUES)
def test_observation_bad_value_raises_typed_error_naming_the_key(channels, value, reason):
    with pytest.raises(InvalidInputError) as caught:
        validate_observation({"load": 1.0, "price": value}, channels)
    assert caught.value.reason is reason
    assert "x['price']" in str(caught.value)


@pytest.mark.requirement("REQ-STR-005")
@pytest.mark.parametrize("x", [[1.0], None, 1.0, (("load", 1.0),)])
def test_observation_that_is_not_a_dict_raises_input_type_error(x):
    with pytest.raises(InputTypeError) as caught:
        validate_observation(x, CHANNELS)
    assert caught.value.reason is Reason.NOT_A_DICT


@pytest.mark.requirement("REQ-STR-005")
@pytest.mark.parametrize("channels", [None, CHANNELS])
def test_observation_empty_dict_raises_empty_input(channels):
    with pytest.raises(InvalidInputError) as caught:
        validate_observation({}, channels)
    assert caught.value.reason is Reason.EMPTY_INPUT


@pytest.mark.requirement("REQ-STR-005")
def test_observation_non_string_key_raises_before_channels_are_known():
    with pytest.raises(InvalidInputError) as caught:
        validate_observation({"load": 1.0, 7: 2.0}, None)
    assert caught.value.reason is Reason.NON_STRING_KEY
    assert "7" in str(caught.value)


@pytest.mark.requirement("REQ-STR-005")
@pytest.mark.parametrize(
    ("x", "message"),
    [
        ({"load": 1.0}, "x is missing the key 'price': expected the keys ['load', 'price'], found ['load']."),
        ({"load": 1.0, "price": 2.0, "wind": 3.0}, "x has the unexpected key 'wind': expected the keys ['load', 'price'], found ['load', 'price', 'wind']."),
        ({"load": 1.0, "wind": 3.0}, "x is missing the key 'price': expected the keys ['load', 'price'], found ['load', 'wind']."),
    ],
)
def test_observation_with_other_keys_raises_naming_the_key(x, message):
    with pytest.raises(InvalidInputError) as caught:
        validate_observation(x, CHANNELS)
    assert caught.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT
    assert str(caught.value) == message


@pytest.mark.requirement("REQ-STR-005")
def test_observation_values_come_back_as_floats_in_channel_order():
    values = validate_observation({"price": np.float32(0.5), "load": 3}, CHANNELS)
    assert values == [3.0, 0.5]
    assert all(type(value) is float for value in values)


@pytest.mark.requirement("REQ-STR-005")
@settings(max_examples=200, derandomize=True)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=4))
def test_valid_observation_round_trips_exactly_in_any_key_order(x):
    channels = tuple(sorted(x))
    assert validate_observation(dict(reversed(list(x.items()))), channels) == [x[key] for key in channels]


@pytest.mark.requirement("REQ-STR-003")
@pytest.mark.parametrize(("score", "reason"), BAD_VALUES)
def test_score_bad_value_raises_typed_error(score, reason):
    with pytest.raises(InvalidInputError) as caught:
        validate_score(score)
    assert caught.value.reason is reason


@pytest.mark.requirement("REQ-STR-010")
def test_residuals_from_forecast_subtracts_per_key_in_y_true_order():
    assert residuals_from_forecast({"a": 5.0, "b": 1}, {"b": 0.25, "a": 2.0}) == {"a": 3.0, "b": 0.75}


@pytest.mark.requirement("REQ-STR-010")
@settings(max_examples=200, derandomize=True)
@given(st.dictionaries(st.sampled_from("abcd"), st.tuples(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), min_size=1))
def test_residual_equals_python_float_difference_per_key(pairs):
    y_true = {key: pair[0] for key, pair in pairs.items()}
    y_pred = {key: pair[1] for key, pair in pairs.items()}
    assert residuals_from_forecast(y_true, y_pred) == {key: y_true[key] - y_pred[key] for key in pairs}


@pytest.mark.requirement("REQ-STR-010")
@pytest.mark.parametrize(
    ("y_true", "y_pred", "reason"),
    [
        ({"a": 1.0}, {"b": 1.0}, Reason.COLUMNS_DIFFER_FROM_FIT),
        ({"a": 1.0}, {"a": 1.0, "b": 1.0}, Reason.COLUMNS_DIFFER_FROM_FIT),
        ({"a": 1.0}, {"a": math.nan}, Reason.MISSING_VALUE),
        ({"a": "x"}, {"a": 1.0}, Reason.NON_NUMERIC),
        ({"a": 1e308}, {"a": -1e308}, Reason.RESIDUAL_OVERFLOW),
    ],
)
def test_residuals_from_forecast_rejects_bad_pairs(y_true, y_pred, reason):
    with pytest.raises(InvalidInputError) as caught:
        residuals_from_forecast(y_true, y_pred)
    assert caught.value.reason is reason


@pytest.mark.requirement("REQ-STR-010")
def test_residuals_from_forecast_rejects_non_dict_forecast():
    with pytest.raises(InputTypeError) as caught:
        residuals_from_forecast({"a": 1.0}, [1.0])
    assert "y_pred must be a dict" in str(caught.value)


@pytest.mark.requirement("REQ-STR-005")
@pytest.mark.parametrize("value", [2**53, -(2**53)])
def test_observation_integer_at_the_exact_float64_limit_is_accepted(value):
    assert validate_observation({"load": 1.0, "price": value}, None) == [1.0, float(value)]


@pytest.mark.requirement("REQ-SNP-004")
@pytest.mark.parametrize(
    ("value", "reason", "text"),
    [
        (Fraction(10**400, 3), Reason.NON_FINITE, "beyond the float64 range"),
        (Fraction(-(10**400), 7), Reason.NON_FINITE, "beyond the float64 range"),
        (10**400, Reason.INEXACT_INTEGER, "is the integer 1000"),
        (-(10**5000), Reason.INEXACT_INTEGER, "is the integer <int too large to print>"),
    ],
    ids=["fraction", "minus-fraction", "huge-int", "unprintable-int"],
)
def test_number_float64_cannot_hold_raises_a_typed_error_in_learn_score_and_classify(value, reason, text):
    model = QuantileFilter(GaussianResidualDetector(grace_period=1), q=0.5)
    model.learn_one({"load": 1.0})
    before = model.state_dict()
    for call in (model.learn_one, model.score_one, model.anomaly_detector.learn_one):
        with pytest.raises(InvalidInputError) as caught:
            call({"load": value})
        assert caught.value.reason is reason and text in str(caught.value) and len(str(caught.value)) < 300
    with pytest.raises(InvalidInputError) as caught:
        model.classify(value)
    assert caught.value.reason is reason
    assert model.state_dict() == before


@pytest.mark.requirement("REQ-SNP-004")
def test_fraction_that_fits_float64_is_accepted_as_its_float():
    assert validate_observation({"load": Fraction(1, 3)}, None) == [1 / 3]
