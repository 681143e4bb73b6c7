# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Golden outputs: the reference scenarios reproduce the committed hashes; a changed hash is caught."""

import json
import shutil
from pathlib import Path

import pytest

from spotanomaly2_safe_cli.golden import REFERENCE_SCENARIOS, compare_hashes, compute_hashes, record_golden
from spotanomaly2_safe_cli.main import main

GOLDEN = Path(__file__).with_name("golden_outputs.json")


@pytest.mark.requirement("REQ-VER-003")
def test_reference_outputs_match_the_committed_golden_hashes():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    rows = compare_hashes(golden["hashes"], compute_hashes())
    assert [status for *_, status in rows] == ["match"] * len(REFERENCE_SCENARIOS), rows
    assert golden["history"] and all(entry["reason"].strip() for entry in golden["history"])


@pytest.mark.requirement("REQ-VER-003")
def test_altered_golden_hash_is_reported_and_fails(tmp_path, capsys):
    altered = tmp_path / "golden.json"
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    golden["hashes"]["demo-norm"] = "0" * 64
    altered.write_text(json.dumps(golden), encoding="utf-8")
    assert main(["reproduce", "--golden", str(altered)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("demo-norm") and line.endswith("DIFFERS") for line in lines)
    assert sum(line.endswith("match") for line in lines) == len(REFERENCE_SCENARIOS) - 1


@pytest.mark.requirement("REQ-VER-003")
def test_compare_reports_missing_and_new_scenarios():
    rows = compare_hashes({"a": "1", "b": "2"}, {"b": "2", "c": "3"})
    assert rows == [("a", "1", "", "MISSING"), ("b", "2", "2", "match"), ("c", "", "3", "NEW")]


@pytest.mark.requirement("REQ-VER-003")
def test_recording_needs_a_reason_and_appends_history(tmp_path):
    copy = tmp_path / "golden.json"
    shutil.copy(GOLDEN, copy)
    with pytest.raises(ValueError, match="needs a reason"):
        record_golden(copy, {"demo-norm": "f" * 64}, reason="  ")
    recorded = record_golden(copy, {"demo-norm": "f" * 64}, reason="deliberate change for the test")
    assert recorded["hashes"] == {"demo-norm": "f" * 64}
    assert recorded["history"][-1]["reason"] == "deliberate change for the test"
    assert set(recorded["history"][-1]["changed"]) == set(REFERENCE_SCENARIOS)
    assert json.loads(copy.read_text(encoding="utf-8")) == recorded
