# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import pickle

import pytest

import spotanomaly2_safe
from spotanomaly2_safe import errors

CONCRETE = {
    errors.InvalidInputError: ValueError,
    errors.InputTypeError: TypeError,
    errors.InsufficientDataException: ValueError,
    errors.InvalidParameterError: ValueError,
    errors.NotFittedError: ValueError,
}


@pytest.mark.requirement("REQ-ERR-001")
@pytest.mark.parametrize("error_class", list(CONCRETE))
def test_error_derives_from_library_base_and_builtin(error_class):
    error = error_class("message", reason=errors.Reason.EMPTY_INPUT)
    assert isinstance(error, spotanomaly2_safe.SpotAnomalySafeError)
    assert isinstance(error, CONCRETE[error_class])
    assert error.reason is errors.Reason.EMPTY_INPUT
    assert str(error) == "message"


@pytest.mark.requirement("REQ-ERR-001")
@pytest.mark.parametrize("error_class", [*CONCRETE, errors.NotDefinedError])
def test_error_survives_pickling_with_class_message_and_reason(error_class):
    copy = pickle.loads(pickle.dumps(error_class("row label 7: message", reason=errors.Reason.NON_FINITE)))
    assert type(copy) is error_class and str(copy) == "row label 7: message" and copy.reason is errors.Reason.NON_FINITE


@pytest.mark.requirement("REQ-ERR-001")
def test_error_reason_is_required():
    with pytest.raises(TypeError):
        errors.InvalidInputError("message")


@pytest.mark.requirement("REQ-ERR-001")
def test_errors_exported_at_top_level():
    for name in errors.__all__:
        assert getattr(spotanomaly2_safe, name) is getattr(errors, name)


@pytest.mark.requirement("REQ-TRN-003")
def test_exceptions_module_keeps_published_path():
    from spotanomaly2_safe.exceptions import InsufficientDataException, SpotAnomalySafeError

    assert InsufficientDataException is errors.InsufficientDataException
    assert issubclass(InsufficientDataException, SpotAnomalySafeError)
    assert issubclass(InsufficientDataException, ValueError)
