# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandera.config import ValidationDepth, config_context

from spotanomaly2_safe import (
    ForecastingAnomalyDetector,
    InputTypeError,
    InsufficientDataException,
    InvalidInputError,
    SpotAnomalySafeError,
)
from spotanomaly2_safe.contracts import validate_array, validate_frames
from spotanomaly2_safe.errors import Reason

from frames import make_frames


def _set(frame: pd.DataFrame, row: int, column: int, value) -> pd.DataFrame:
    changed = frame.copy()
    if not isinstance(value, float) or pd.api.types.is_object_dtype(changed.iloc[:, column].dtype):
        changed[changed.columns[column]] = changed.iloc[:, column].astype(object)
    changed.iat[row, column] = value
    return changed


def _bad_pairs(true: pd.DataFrame, pred: pd.DataFrame):
    """(id, y_true, y_pred, error class, reason, text the message must contain) made from valid frames."""
    label = true.index[7]
    yield "ndarray", true.to_numpy(), pred, InputTypeError, Reason.NOT_A_DATAFRAME, "got ndarray"
    yield "series", true, pred.iloc[:, 0], InputTypeError, Reason.NOT_A_DATAFRAME, "got Series"
    yield "none", None, pred, InputTypeError, Reason.NOT_A_DATAFRAME, "got NoneType"
    yield "no-rows", true.iloc[:0], pred.iloc[:0], InvalidInputError, Reason.EMPTY_INPUT, "0 rows"
    yield "no-columns", true.iloc[:, :0], pred.iloc[:, :0], InvalidInputError, Reason.EMPTY_INPUT, "0 columns"
    dup_columns = true.set_axis(["sensor_0", "sensor_0"], axis=1)
    yield "duplicate-column", dup_columns, pred.set_axis(dup_columns.columns, axis=1), InvalidInputError, Reason.DUPLICATE_COLUMN, "'sensor_0'"
    dup_index = true.index.where(np.arange(len(true)) != 1, true.index[0])
    yield "duplicate-index", true.set_axis(dup_index), pred.set_axis(dup_index), InvalidInputError, Reason.DUPLICATE_INDEX, "more than once"
    yield "column-order", true, pred[pred.columns[::-1]], InvalidInputError, Reason.COLUMN_MISMATCH, "names and order"
    yield "column-name", true, pred.rename(columns={"sensor_1": "other"}), InvalidInputError, Reason.COLUMN_MISMATCH, "'other'"
    yield "index-order", true, pred.iloc[::-1], InvalidInputError, Reason.INDEX_MISMATCH, "position 0"
    yield "index-values", true, pred.set_axis(pred.index + pd.Timedelta("1min")), InvalidInputError, Reason.INDEX_MISMATCH, "position 0"
    yield "index-length", true, pred.iloc[:-1], InvalidInputError, Reason.INDEX_MISMATCH, "rows"
    yield "index-timezone", true, pred.tz_convert("Europe/Berlin"), InvalidInputError, Reason.INDEX_MISMATCH, "Europe/Berlin"
    yield "index-naive-vs-aware", true, pred.tz_localize(None), InvalidInputError, Reason.INDEX_MISMATCH, "UTC"
    yield "index-dtype", true.reset_index(drop=True), pred.reset_index(drop=True).set_axis(np.arange(len(pred), dtype=float)), InvalidInputError, Reason.INDEX_MISMATCH, "float64"
    yield "nan-true", _set(true, 7, 1, np.nan), pred, InvalidInputError, Reason.MISSING_VALUE, f"'sensor_1' has a missing value (NaN or pd.NA) at row label {label!r}"
    # pandera's frame-level checks skip all-null rows unless told not to: a whole row of NaN must still fail.
    all_nan_row = _set(_set(pred, 7, 0, np.nan), 7, 1, np.nan)
    yield "nan-whole-row", true, all_nan_row, InvalidInputError, Reason.MISSING_VALUE, f"'sensor_0' has a missing value (NaN or pd.NA) at row label {label!r}"
    na_frame = true.astype("Float64")
    na_frame.iat[7, 0] = pd.NA
    yield "pd-na", na_frame, pred, InvalidInputError, Reason.MISSING_VALUE, "'sensor_0'"
    yield "inf-pred", true, _set(pred, 7, 0, np.inf), InvalidInputError, Reason.NON_FINITE, f"column 'sensor_0' has a non-finite value (inf) at row label {label!r}"
    yield "minus-inf", _set(true, 7, 0, -np.inf), pred, InvalidInputError, Reason.NON_FINITE, "(-inf)"
    yield "overflow", _set(true, 7, 1, 1.7e308), _set(pred, 7, 1, -1.7e308), InvalidInputError, Reason.RESIDUAL_OVERFLOW, f"'sensor_1' at row label {label!r}"
    yield "strings", true.astype(str), pred, InvalidInputError, Reason.NON_NUMERIC, "dtype"
    yield "objects", true.astype(object), pred, InvalidInputError, Reason.NON_NUMERIC, "dtype object"
    yield "bools", true > 100, pred, InvalidInputError, Reason.NON_NUMERIC, "dtype bool"
    yield "complex", true.astype(complex), pred, InvalidInputError, Reason.NON_NUMERIC, "complex128"
    yield "category", true.astype("category"), pred, InvalidInputError, Reason.NON_NUMERIC, "category"
    yield "datetime", true.assign(sensor_0=true.index), pred, InvalidInputError, Reason.NON_NUMERIC, "datetime64"
    big = true.round().astype(np.int64)
    big.iat[7, 0] = 2**53 + 1
    yield "inexact-integer", big, pred, InvalidInputError, Reason.INEXACT_INTEGER, str(2**53 + 1)


REQUIREMENT_OF = {
    Reason.NOT_A_DATAFRAME: "REQ-CON-001",
    Reason.EMPTY_INPUT: "REQ-CON-002",
    Reason.DUPLICATE_COLUMN: "REQ-CON-003",
    Reason.DUPLICATE_INDEX: "REQ-CON-003",
    Reason.COLUMN_MISMATCH: "REQ-CON-004",
    Reason.INDEX_MISMATCH: "REQ-CON-005",
    Reason.NON_NUMERIC: "REQ-CON-007",
    Reason.MISSING_VALUE: "REQ-CON-008",
    Reason.NON_FINITE: "REQ-CON-009",
    Reason.RESIDUAL_OVERFLOW: "REQ-CON-010",
    Reason.INEXACT_INTEGER: "REQ-CON-011",
}


def _cases(stage: str) -> list:
    data = make_frames()
    true, pred = (data.y_true_train, data.y_pred_train) if stage == "train" else (data.y_true_test, data.y_pred_test)
    return [
        pytest.param(*case[1:], id=case[0], marks=pytest.mark.requirement(REQUIREMENT_OF[case[4]]))
        for case in _bad_pairs(true, pred)
    ]


@pytest.mark.parametrize(("y_true", "y_pred", "error_class", "reason", "text"), _cases("test"))
def test_bad_test_frames_raise_before_scoring(y_true, y_pred, error_class, reason, text):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(data.y_true_train, data.y_pred_train)
    with pytest.raises(error_class) as caught:
        detector.score_and_detect(y_true, y_pred)
    assert caught.value.reason is reason
    assert text in str(caught.value)


@pytest.mark.parametrize(("y_true", "y_pred", "error_class", "reason", "text"), _cases("train"))
def test_bad_training_frames_raise_before_fitting(y_true, y_pred, error_class, reason, text):
    detector = ForecastingAnomalyDetector(scorer_name="KMeansScorer")
    with pytest.raises(error_class) as caught:
        detector.fit(y_true, y_pred)
    assert caught.value.reason is reason
    assert text in str(caught.value)
    assert not hasattr(detector, "fit_record_")


@pytest.mark.requirement("REQ-CON-009")
@pytest.mark.parametrize(("stage", "argument"), [("train", "y_pred_train"), ("test", "y_pred_test")])
def test_message_names_the_argument_that_broke_the_contract(stage, argument):
    data = make_frames()
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer")
    bad = data.y_pred_train.copy() if stage == "train" else data.y_pred_test.copy()
    bad.iat[3, 1] = np.inf
    with pytest.raises(InvalidInputError) as caught:
        if stage == "train":
            detector.fit(data.y_true_train, bad)
        else:
            detector.fit(data.y_true_train, data.y_pred_train).score_and_detect(data.y_true_test, bad)
    assert str(caught.value).startswith(f"{argument} column 'sensor_1' has a non-finite value (inf) at row label")


@pytest.mark.requirement("REQ-CON-006")
@pytest.mark.parametrize("change", ["rename", "reorder", "extra", "missing"])
def test_test_columns_must_equal_fit_columns(change):
    data = make_frames(n_columns=3)
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(data.y_true_train, data.y_pred_train)
    alter = {
        "rename": lambda frame: frame.rename(columns={"sensor_2": "sensor_x"}),
        "reorder": lambda frame: frame[frame.columns[::-1]],
        "extra": lambda frame: frame.assign(sensor_9=1.0),
        "missing": lambda frame: frame.drop(columns="sensor_1"),
    }[change]
    with pytest.raises(InvalidInputError) as caught:
        detector.score_and_detect(alter(data.y_true_test), alter(data.y_pred_test))
    assert caught.value.reason is Reason.COLUMNS_DIFFER_FROM_FIT
    assert "columns seen at fit" in str(caught.value)


@pytest.mark.requirement("REQ-CON-012")
@pytest.mark.parametrize(
    ("scorer_name", "scorer_params", "n_rows", "text"),
    [
        ("NormScorer", {}, 99, "MIN_TRAIN_SIZE"),
        ("KMeansScorer", {"n_clusters": 150}, 149, "n_clusters=150"),
        ("KMeansScorer", {"auto_select_k": True, "k_max": 120}, 119, "k_max=120"),
        ("IsolationForestScorer", {"max_samples": 256}, 255, "max_samples=256"),
    ],
)
def test_too_few_training_rows_raise_insufficient_data(scorer_name, scorer_params, n_rows, text):
    data = make_frames(n_train=n_rows)
    detector = ForecastingAnomalyDetector(scorer_name=scorer_name, scorer_params=scorer_params)
    with pytest.raises(InsufficientDataException) as caught:
        detector.fit(data.y_true_train, data.y_pred_train)
    assert isinstance(caught.value, ValueError)
    assert caught.value.reason is Reason.TOO_FEW_ROWS
    assert f"has {n_rows} rows" in str(caught.value) and text in str(caught.value)


@pytest.mark.requirement("REQ-CON-012")
def test_exactly_minimum_training_rows_is_accepted():
    data = make_frames(n_train=100)
    detector = ForecastingAnomalyDetector(scorer_name="NormScorer").fit(data.y_true_train, data.y_pred_train)
    assert detector.fit_record_["n_training_rows"] == 100


@pytest.mark.requirement("REQ-CON-007")
def test_nullable_and_narrow_numeric_dtypes_are_accepted_exactly():
    data = make_frames(n_train=120)
    train_true = data.y_true_train.round().astype({"sensor_0": "Int64", "sensor_1": "float32"})
    result = validate_frames(train_true, data.y_pred_train)
    expected = train_true.astype(np.float64).to_numpy() - data.y_pred_train.to_numpy()
    np.testing.assert_array_equal(result.residuals, expected)
    assert result.residuals.flags.c_contiguous and result.residuals.dtype == np.float64


@pytest.mark.requirement("REQ-CON-014")
@pytest.mark.parametrize(
    "environment",
    [{"PANDERA_VALIDATION_ENABLED": "False"}, {"PANDERA_VALIDATION_DEPTH": "SCHEMA_ONLY"}],
)
def test_pandera_environment_cannot_switch_contracts_off(environment):
    program = textwrap.dedent(
        """
        import numpy as np, pandas as pd
        from spotanomaly2_safe.contracts import validate_frames
        from spotanomaly2_safe.errors import InvalidInputError
        frame = pd.DataFrame({"a": [1.0, np.inf, 3.0]})
        try:
            validate_frames(frame, frame.assign(a=0.0))
        except InvalidInputError as error:
            print(error.reason.value)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", program], env={**os.environ, **environment}, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == Reason.NON_FINITE.value


@pytest.mark.requirement("REQ-CON-015")
@pytest.mark.parametrize(
    ("values", "kwargs", "error_class", "reason"),
    [
        ([[1.0]], {"ndim": 2}, InputTypeError, Reason.NOT_AN_ARRAY),
        (pd.DataFrame({"a": [1.0]}), {"ndim": 2}, InputTypeError, Reason.NOT_AN_ARRAY),
        (np.ones(3), {"ndim": 2}, InvalidInputError, Reason.EMPTY_INPUT),
        (np.ones((0, 2)), {"ndim": 2}, InvalidInputError, Reason.EMPTY_INPUT),
        (np.array([["a"]]), {"ndim": 2}, InvalidInputError, Reason.NON_NUMERIC),
        (np.array([[True]]), {"ndim": 2}, InvalidInputError, Reason.NON_NUMERIC),
        (np.ones((3, 2)), {"ndim": 2, "n_columns": 3}, InvalidInputError, Reason.COLUMNS_DIFFER_FROM_FIT),
        (np.ones((3, 2)), {"ndim": 2, "min_rows": 4}, InsufficientDataException, Reason.TOO_FEW_ROWS),
        (np.array([1.0, np.nan]), {"ndim": 1}, InvalidInputError, Reason.NON_FINITE),
    ],
)
def test_array_contract_rejects_bad_arrays(values, kwargs, error_class, reason):
    with pytest.raises(error_class) as caught:
        validate_array(values, name="residuals", **kwargs)
    assert caught.value.reason is reason
    assert isinstance(caught.value, SpotAnomalySafeError)


@pytest.mark.requirement("REQ-CON-015")
def test_array_contract_returns_contiguous_float64_copy_of_integers():
    values = np.arange(6, dtype=np.int32).reshape(3, 2)[:, ::-1]
    converted = validate_array(values, name="residuals", ndim=2)
    assert converted.dtype == np.float64 and converted.flags.c_contiguous
    np.testing.assert_array_equal(converted, values)


@pytest.mark.requirement("REQ-CON-008")
def test_missing_value_in_one_column_frame_is_reported_as_missing():
    # pandera drops all-missing rows before a frame-level check unless told not to; in a one-column
    # frame every NaN row is all-missing, so this once surfaced as a residual overflow.
    y_true = pd.DataFrame({"load": [1.0, 2.0]})
    y_pred = pd.DataFrame({"load": [1.5, np.nan]})
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(y_true, y_pred)
    assert caught.value.reason is Reason.MISSING_VALUE
    assert "y_pred column 'load'" in str(caught.value) and "row label 1" in str(caught.value)


@pytest.mark.requirement("REQ-CON-011")
def test_inexact_integer_error_names_the_first_row_beyond_the_limit_not_one_at_it():
    true = pd.DataFrame({"load": np.full(120, 5, dtype=np.int64)}, index=pd.RangeIndex(1000, 1120))
    true.iat[3, 0] = 2**53
    true.iat[7, 0] = 2**53 + 2
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(true, true.astype(float))
    assert caught.value.reason is Reason.INEXACT_INTEGER
    assert f"has the integer {2**53 + 2} at row label 1007" in str(caught.value)


@pytest.mark.requirement("REQ-CON-014")
@pytest.mark.parametrize("settings", [{"validation_enabled": False}, {"validation_depth": "SCHEMA_ONLY"}], ids=["disabled", "schema-only"])
def test_caller_pandera_config_context_cannot_switch_contracts_off(settings):
    settings = {key: ValidationDepth[value] if key == "validation_depth" else value for key, value in settings.items()}
    true, pred = make_frames().y_true_test, make_frames().y_pred_test
    big = true.round().astype(np.int64)
    big.iat[3, 0] = 2**53 + 1
    with config_context(**settings), pytest.raises(InvalidInputError) as caught:
        validate_frames(big, pred)
    assert caught.value.reason is Reason.INEXACT_INTEGER


@pytest.mark.requirement("REQ-CON-005")
def test_multiindex_levels_must_have_the_same_dtypes():
    true = make_frames().y_true_test
    labels = pd.MultiIndex.from_arrays([np.arange(len(true)), true.index])
    other = pd.MultiIndex.from_arrays([np.arange(len(true)).astype(float), true.index])
    residuals = validate_frames(true.set_axis(labels), true.set_axis(labels)).residuals
    assert residuals.shape == true.shape and not residuals.any()
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(true.set_axis(labels), true.set_axis(other))
    assert caught.value.reason is Reason.INDEX_MISMATCH


def _with_label(frame: pd.DataFrame, position: int, label) -> pd.DataFrame:
    labels = list(frame.index)
    labels[position] = label
    return frame.set_axis(pd.Index(labels, dtype=frame.index.dtype) if label is pd.NaT else pd.Index(labels), axis=0)


@pytest.mark.requirement("REQ-CON-017")
@pytest.mark.parametrize("stage", ["train", "test", "context"])
def test_nat_row_label_is_refused_in_every_frame(stage):
    data = make_frames()
    detector = ForecastingAnomalyDetector("RobustZScorer", {"window": 3} if stage == "context" else {})
    frames = {"train": data[:2], "test": data[2:], "context": (data.y_true_train.iloc[-2:], data.y_pred_train.iloc[-2:])}
    frames[stage] = tuple(_with_label(frame, 1, pd.NaT) for frame in frames[stage])
    with pytest.raises(InvalidInputError) as caught:
        detector.fit(*frames["train"])
        detector.score_and_detect(*frames["test"], *(frames["context"] if stage == "context" else ()))
    assert caught.value.reason is Reason.MISSING_LABEL
    assert f"y_true_{stage} has a missing row label (NaT, NaN or None) at position 1" in str(caught.value)


@pytest.mark.requirement("REQ-CON-017")
@pytest.mark.parametrize(
    "index",
    [pd.Index([0.0, np.nan, 2.0]), pd.Index(["a", None, "c"], dtype=object),
     pd.MultiIndex.from_arrays([["a", "b", "c"], pd.DatetimeIndex(["2026-01-01", None, "2026-01-03"])])],
    ids=["float-nan", "object-none", "multiindex-level-nat"],
)
def test_missing_row_label_of_any_index_type_is_refused(index):
    frame = pd.DataFrame({"load": [1.0, 2.0, 3.0]}, index=index)
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(frame, frame)
    assert caught.value.reason is Reason.MISSING_LABEL and "at position 1" in str(caught.value)
# --- Wide frames: every rule is checked over the whole frame at once (issue 15, section 5) ---------------------------


def _wide_frames(n_rows: int = 3, n_columns: int = 2_000) -> tuple[pd.DataFrame, pd.DataFrame]:
    columns = pd.Index([f"sensor_{i}" for i in range(n_columns)])
    index = pd.date_range("2026-01-01", periods=n_rows, freq="h", tz="UTC")
    values = np.arange(n_rows * n_columns, dtype=np.float64).reshape(n_rows, n_columns)
    return pd.DataFrame(values, index=index, columns=columns), pd.DataFrame(values / 2, index=index, columns=columns)


@pytest.mark.requirement("REQ-VAL-001")
@pytest.mark.parametrize(
    ("value", "reason", "text"),
    [
        (np.nan, Reason.MISSING_VALUE, "has a missing value"),
        (-np.inf, Reason.NON_FINITE, "non-finite value (-inf)"),
        ("text", Reason.NON_NUMERIC, "has dtype"),
        (2**53 + 1, Reason.INEXACT_INTEGER, f"the integer {2**53 + 1}"),
    ],
)
def test_wide_frame_error_names_the_last_column_and_its_row_label(value, reason, text):
    y_true, y_pred = _wide_frames()
    if isinstance(value, int):
        y_true = y_true.astype(np.int64)
        y_true.iat[2, y_true.shape[1] - 1] = value
    else:
        y_true = _set(y_true, 2, y_true.shape[1] - 1, value)
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(y_true, y_pred)
    assert caught.value.reason is reason
    assert str(caught.value).startswith(f"y_true column 'sensor_{y_true.shape[1] - 1}' ") and text in str(caught.value)
    if reason is not Reason.NON_NUMERIC:
        assert f"row label {y_true.index[2]!r}" in str(caught.value)


@pytest.mark.requirement("REQ-VAL-001")
def test_wide_frame_residuals_equal_numpy_subtraction():
    y_true, y_pred = _wide_frames(n_rows=4, n_columns=3_000)
    result = validate_frames(y_true, y_pred)
    np.testing.assert_array_equal(result.residuals, y_true.to_numpy() - y_pred.to_numpy())
    assert result.residuals.flags.c_contiguous and result.columns == list(y_true.columns)


@pytest.mark.requirement("REQ-CON-011")
@pytest.mark.parametrize(
    ("dtype", "value"),
    [("int64", -(2**63)), ("uint64", 2**64 - 1), ("Int64", -(2**53) - 1), ("UInt64", 2**53 + 1)],
)
def test_inexact_integer_is_found_in_every_integer_dtype_including_the_int64_minimum(dtype, value):
    # abs(-2**63) wraps to -2**63 in int64, so the limit is compared on both sides, never through abs.
    y_true = pd.DataFrame({"load": np.arange(5, dtype=np.int64), "price": np.arange(5, dtype=np.int64)})
    y_true["price"] = y_true["price"].astype(dtype)
    y_true.loc[3, "price"] = value
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(y_true, y_true.astype(float) * 0.0)
    assert caught.value.reason is Reason.INEXACT_INTEGER
    assert f"y_true column 'price' has the integer {value} at row label 3" in str(caught.value)


@pytest.mark.requirement("REQ-CON-011")
def test_first_failing_column_is_named_across_integer_dtypes():
    y_true = pd.DataFrame({
        "a": np.zeros(4, dtype=np.int64),
        "b": pd.array([0, 0, 2**53 + 7, 0], dtype="UInt64"),
        "c": np.array([0, 2**53 + 3, 0, 0], dtype=np.int64),
        "d": np.zeros(4),
    })
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(y_true, y_true.astype(float))
    assert str(caught.value).startswith(f"y_true column 'b' has the integer {2**53 + 7} at row label 2")


@pytest.mark.requirement("REQ-CON-007")
def test_square_frame_with_matching_row_and_column_labels_names_the_non_numeric_column():
    # The per-column check result and the row index are both RangeIndex(3): pandera must not mix them up.
    y_true = pd.DataFrame({0: [1.0, 2.0, 3.0], 1: ["a", "b", "c"], 2: [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(y_true, y_true)
    assert caught.value.reason is Reason.NON_NUMERIC and str(caught.value).startswith("y_true column 1 has dtype")


@pytest.mark.requirement("REQ-CON-003")
@pytest.mark.parametrize("axis", ["columns", "index"])
def test_duplicate_label_in_y_pred_alone_is_reported_for_y_pred(axis):
    y_true = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0], "c": [1.0, 2.0, 3.0]})
    labels = ["a", "b", "a"] if axis == "columns" else [0, 1, 0]
    with pytest.raises(InvalidInputError) as caught:
        validate_frames(y_true, y_true.set_axis(labels, axis=axis))
    assert caught.value.reason is (Reason.DUPLICATE_COLUMN if axis == "columns" else Reason.DUPLICATE_INDEX)
    assert str(caught.value).startswith("y_pred has the ")


@pytest.mark.requirement("REQ-CON-004")
def test_same_column_names_in_an_object_and_a_string_index_are_the_same_columns():
    y_true = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    y_pred = y_true.set_axis(pd.Index(["a", "b"], dtype=object), axis="columns")
    assert y_true.columns.dtype != y_pred.columns.dtype
    assert validate_frames(y_true, y_pred).columns == ["a", "b"]


@pytest.mark.requirement("REQ-VAL-001")
def test_validation_benchmark_script_prints_the_wide_to_long_ratio():
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_validation.py"
    result = subprocess.run(
        [sys.executable, str(script), "--wide-rows", "100", "--wide-columns", "200", "--repeats", "2"],
        capture_output=True, text=True, check=True,
    )
    row = next(line for line in result.stdout.splitlines() if line.startswith("ratio wide / long"))
    assert float(row.split()[4]) > 0 and "target <= 2.0" in row
