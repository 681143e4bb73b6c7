# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""How close outputs are to recorded ones: ULP and relative distances, the bound, flags near the threshold."""

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotanomaly2_safe_cli.reproduce.closeness import (
    DIFFERS,
    IDENTICAL,
    RELATIVE_BOUND,
    WITHIN_BOUND,
    ScenarioOutputs,
    compare_outputs,
    relative_difference,
    ulp_distance,
)

LABELS = np.array([f"row-{i}" for i in range(6)])
THRESHOLD = 3.0


def _outputs(scores=(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), flags=None, alarm=None, fit_record=None) -> ScenarioOutputs:
    scores = np.array(scores, dtype=np.float64)
    columns = {"anomaly_score": scores, "anomaly_score_normalized": scores / 10.0,
               "anomaly_flag": (scores > THRESHOLD).astype(np.int64) if flags is None else np.array(flags)}
    if alarm is not None:
        columns["alarm"] = np.array(alarm)
    record = {"threshold": THRESHOLD, "tail": {"xi": 0.1, "n": 29}, "columns": ["a", "b"]} if fit_record is None else fit_record
    return ScenarioOutputs(LABELS.copy(), columns, record)


@pytest.mark.requirement("REQ-REP-003")
@given(st.floats(min_value=-1e300, max_value=1e300), st.integers(min_value=0, max_value=1000))
def test_ulp_distance_counts_the_steps_taken_by_nextafter(value, steps):
    moved = value
    for _ in range(steps):
        moved = np.nextafter(moved, np.inf)
    assert int(ulp_distance(np.array([value]), np.array([moved]))[0]) == steps


@pytest.mark.requirement("REQ-REP-003")
def test_relative_difference_is_zero_for_equal_values_and_symmetric():
    first, second = np.array([0.0, -0.0, 1.0, 2.0]), np.array([0.0, 0.0, 1.0, 2.0 * (1 + 1e-15)])
    difference = relative_difference(first, second)
    assert difference[:3].tolist() == [0.0, 0.0, 0.0] and difference[3] == pytest.approx(1e-15, rel=0.2)
    assert np.array_equal(difference, relative_difference(second, first))


@pytest.mark.requirement("REQ-REP-003")
def test_identical_outputs_are_identical():
    verdict = compare_outputs(_outputs(), _outputs())
    assert verdict == (IDENTICAL, 0, 0.0, True, [], [])


@pytest.mark.requirement("REQ-REP-003")
def test_scores_a_few_ulps_apart_are_within_bound_with_the_figures():
    moved = np.nextafter(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), np.inf)
    verdict = compare_outputs(_outputs(), _outputs(scores=moved, flags=[0, 0, 0, 1, 1, 1]))
    assert verdict.verdict == WITHIN_BOUND and verdict.max_ulp == 1 and verdict.flags_identical
    assert 0 < verdict.max_relative <= RELATIVE_BOUND and verdict.differences == []


@pytest.mark.requirement("REQ-REP-003")
def test_scores_beyond_the_bound_differ_naming_the_rows():
    scores = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    scores[4] *= 1 + 100 * RELATIVE_BOUND
    verdict = compare_outputs(_outputs(), _outputs(scores=scores))
    assert verdict.verdict == DIFFERS
    assert any("anomaly_score beyond the bound" in text and "1 row(s): row-4 (1e-10)" in text for text in verdict.differences)


@pytest.mark.requirement("REQ-REP-003")
def test_flag_flipped_at_the_threshold_is_within_bound_and_listed_by_label():
    reference = _outputs(flags=[0, 0, 0, 1, 1, 1])  # row-2 scores exactly the threshold
    computed = _outputs(scores=[1.0, 2.0, np.nextafter(3.0, 4.0), 4.0, 5.0, 6.0], flags=[0, 0, 1, 1, 1, 1])
    verdict = compare_outputs(reference, computed)
    assert verdict.verdict == WITHIN_BOUND and not verdict.flags_identical and verdict.near_threshold_rows == ["row-2"]
    assert "flags differ only near the threshold at row-2" in verdict.summary()


@pytest.mark.requirement("REQ-REP-003")
def test_flag_flipped_away_from_the_threshold_differs():
    verdict = compare_outputs(_outputs(), _outputs(flags=[1, 0, 0, 1, 1, 1]))
    assert verdict.verdict == DIFFERS and any("flags differ away from the threshold at 1 row(s): row-0" in text for text in verdict.differences)


@pytest.mark.requirement("REQ-REP-003")
def test_alarm_may_differ_only_with_a_flag_near_the_threshold():
    reference = _outputs(flags=[0, 0, 0, 1, 1, 1], alarm=[0, 0, 0, 1, 0, 0])
    near = _outputs(flags=[0, 0, 1, 1, 1, 1], alarm=[0, 0, 1, 0, 0, 0])
    assert compare_outputs(reference, near).verdict == WITHIN_BOUND
    alarm_only = _outputs(flags=[0, 0, 0, 1, 1, 1], alarm=[0, 0, 0, 0, 1, 0])
    assert compare_outputs(reference, alarm_only).verdict == DIFFERS


@pytest.mark.requirement("REQ-REP-003")
def test_fit_record_floats_within_bound_and_other_facts_equal():
    reference = _outputs()
    close = copy.deepcopy(reference.fit_record)
    close["tail"]["xi"] = float(np.nextafter(0.1, 1.0))
    assert compare_outputs(reference, reference._replace(fit_record=close)).verdict == WITHIN_BOUND
    far = copy.deepcopy(reference.fit_record)
    far["tail"]["xi"] = 0.1 * (1 + 1e-6)
    verdict = compare_outputs(reference, reference._replace(fit_record=far))
    assert verdict.verdict == DIFFERS and any(text.startswith("fit record .tail.xi: 0.1 -> ") for text in verdict.differences)
    for changed in ({**reference.fit_record, "columns": ["a", "c"]}, {**reference.fit_record, "tail": {"xi": 0.1, "n": 30}},
                    {**reference.fit_record, "columns": ["a"]}, {**reference.fit_record, "extra": 1}):
        assert compare_outputs(reference, reference._replace(fit_record=changed)).verdict == DIFFERS


@pytest.mark.requirement("REQ-REP-003")
def test_other_row_labels_or_columns_differ():
    reference = _outputs()
    relabelled = reference._replace(labels=np.array([f"other-{i}" for i in range(6)]))
    assert compare_outputs(reference, relabelled).verdict == DIFFERS
    assert compare_outputs(reference, _outputs(alarm=[0] * 6)).verdict == DIFFERS


@pytest.mark.requirement("REQ-REP-003")
def test_many_differing_rows_are_counted_and_the_listing_shortened():
    scores = np.arange(1.0, 7.0) * (1 + 1e-6)
    labels = np.array([f"row-{i}" for i in range(6)])
    many = ScenarioOutputs(np.tile(labels, 5), {"anomaly_score": np.tile(np.arange(1.0, 7.0), 5)}, {"threshold": 3.0})
    moved = many._replace(columns={"anomaly_score": np.tile(scores, 5)})
    text = compare_outputs(many, moved).differences[0]
    assert "30 row(s): row-0 (1e-06), row-1 (1e-06)" in text and text.endswith(", ...")
