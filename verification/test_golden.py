# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Golden records: the reference scenarios reproduce a record of a comparable machine class; ``reproduce``
says how close, with its exit codes; ``--record`` writes this machine class's record only, with a reason."""

import hashlib
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from spotanomaly2_safe_cli.reproduce import golden as golden_module
from spotanomaly2_safe_cli.reproduce.closeness import IDENTICAL, WITHIN_BOUND
from spotanomaly2_safe_cli.reproduce.golden import EXIT_DIFFERS, EXIT_IDENTICAL, EXIT_WITHIN_BOUND, REFERENCE_SCENARIOS, compute_outputs, reproduce
from spotanomaly2_safe_cli.reproduce.records import GoldenRecordError, check_reproduction, load_golden, record_golden
from spotanomaly2_safe_cli.reproduce.machine_class import class_id, current_machine_class
from spotanomaly2_safe_cli.main import main

GOLDEN = Path(__file__).with_name("golden_outputs.json")


@pytest.fixture(scope="module")
def computed():
    """Hashes and outputs of every reference scenario, computed once here."""
    return compute_outputs()


def _copy_golden(tmp_path: Path) -> Path:
    shutil.copy(GOLDEN, tmp_path / GOLDEN.name)
    shutil.copytree(GOLDEN.parent / "golden_reference_outputs", tmp_path / "golden_reference_outputs")
    return tmp_path / GOLDEN.name


def _other_cpu_class() -> dict:
    """This machine class with other NumPy dispatch targets and BLAS kernels: another CPU class, same versions."""
    other = current_machine_class()
    other["numpy_cpu"] = {"baseline": ["X86_V2"], "dispatched": ["IMITATED"]}
    other["blas_openmp"] = [{"user_api": "blas", "architecture": "Imitated"}]
    return other


def _perturb_reference(golden_path: Path, scenario: str, relative: float) -> None:
    """Scale one recorded scenario's scores by (1 + relative) in every record's reference file, keeping the files valid."""
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    for record in golden["records"].values():
        path = golden_path.parent / record["reference_outputs"]
        arrays = dict(np.load(path, allow_pickle=False))
        arrays[f"{scenario}/anomaly_score"] = arrays[f"{scenario}/anomaly_score"] * (1 + relative)
        record["hashes"][scenario] = "0" * 64
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        path.write_bytes(buffer.getvalue())
        record["reference_outputs_sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    golden_path.write_text(json.dumps(golden), encoding="utf-8")


@pytest.mark.requirement("REQ-VER-003")
def test_reference_outputs_reproduce_a_record_of_a_comparable_machine_class():
    result = reproduce(GOLDEN)
    assert set(result.verdicts) == set(REFERENCE_SCENARIOS)
    assert result.layer in ("a", "b"), f"{result.statement()}: install the pinned versions (verification/constraints.txt)"
    allowed = (IDENTICAL,) if result.layer == "a" else (IDENTICAL, WITHIN_BOUND)
    report = "\n".join([f"machine class {class_id(current_machine_class())}", result.statement(),
                         *(f"{name}: {verdict.summary()}" for name, verdict in result.verdicts.items()),
                         "See README 'Determinism'; `spotanomaly2-safe reproduce` prints the same."])
    assert all(verdict.verdict in allowed for verdict in result.verdicts.values()), report
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["history"] and all(entry["reason"].strip() for entry in golden["history"])


@pytest.mark.requirement("REQ-VER-003")
@pytest.mark.requirement("REQ-REP-006")
def test_altered_recorded_hash_on_this_machine_class_is_reported_and_exits_1(tmp_path, capsys):
    golden_path = _copy_golden(tmp_path)
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    own = class_id(current_machine_class())
    if own not in golden["records"]:  # another machine class: make the committed record this class's
        golden["records"] = {own: {**next(iter(golden["records"].values())), "machine_class": current_machine_class()}}
    golden["records"][own]["hashes"]["demo-norm"] = "0" * 64
    golden_path.write_text(json.dumps(golden), encoding="utf-8")
    assert main(["reproduce", "--golden", str(golden_path)]) == EXIT_DIFFERS
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("demo-norm ") and " differs (" in line and "output hash differs" in line for line in lines)
    assert lines[-1].startswith("layer (a) same machine class")


@pytest.mark.requirement("REQ-REP-006")
def test_reproduce_exits_0_when_every_scenario_is_identical_to_this_class_record(tmp_path, capsys):
    golden_path = tmp_path / "golden.json"
    assert main(["reproduce", "--golden", str(golden_path), "--record", "--reason", "a record of this class for the test"]) == EXIT_IDENTICAL
    lines = capsys.readouterr().out.splitlines()
    assert sum(" identical (max 0 ULP, max relative difference 0, flags identical)" in line for line in lines) == len(REFERENCE_SCENARIOS)


@pytest.mark.requirement("REQ-REP-006")
@pytest.mark.requirement("REQ-REP-003")
def test_reproduce_on_another_cpu_class_within_the_bound_exits_10(tmp_path, capsys, monkeypatch, computed):
    golden_path = _copy_golden(tmp_path)
    _perturb_reference(golden_path, "demo-norm", relative=1e-14)
    monkeypatch.setattr(golden_module, "current_machine_class", _other_cpu_class)
    assert main(["reproduce", "--golden", str(golden_path)]) == EXIT_WITHIN_BOUND
    lines = capsys.readouterr().out.splitlines()
    line = next(line for line in lines if line.startswith("demo-norm "))
    assert " within bound (max " in line and "flags identical" in line
    assert lines[-1].startswith("layer (b) another CPU class") and lines[-1].endswith("worst verdict: within bound")


@pytest.mark.requirement("REQ-REP-006")
@pytest.mark.requirement("REQ-REP-003")
def test_reproduce_beyond_the_bound_says_which_rows_and_exits_1(tmp_path, capsys, monkeypatch):
    golden_path = _copy_golden(tmp_path)
    _perturb_reference(golden_path, "demo-norm", relative=1e-9)
    monkeypatch.setattr(golden_module, "current_machine_class", _other_cpu_class)
    assert main(["reproduce", "--golden", str(golden_path)]) == EXIT_DIFFERS
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("demo-norm "))
    assert " differs (" in line and "anomaly_score beyond the bound (max relative difference 1e-09) at 504 row(s): 2026-" in line


@pytest.mark.requirement("REQ-REP-004")
def test_reproduce_with_other_dependency_versions_reports_layer_c(tmp_path, capsys, monkeypatch):
    golden_path = _copy_golden(tmp_path)

    def other_versions() -> dict:
        machine_class = current_machine_class()
        machine_class["dependencies"] = {**machine_class["dependencies"], "numpy": "0.0.0"}
        return machine_class

    monkeypatch.setattr(golden_module, "current_machine_class", other_versions)
    main(["reproduce", "--golden", str(golden_path)])
    assert capsys.readouterr().out.splitlines()[-1].startswith("layer (c) no record with these dependency versions")


@pytest.mark.requirement("REQ-REP-005")
@pytest.mark.requirement("REQ-REP-006")
def test_record_without_reason_is_a_one_line_error_and_changes_nothing(tmp_path, capsys):
    golden_path = _copy_golden(tmp_path)
    before = golden_path.read_bytes()
    assert main(["reproduce", "--golden", str(golden_path), "--record", "--reason", "  "]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("spotanomaly2-safe: error: reproduce --record needs --reason")
    assert golden_path.read_bytes() == before


@pytest.mark.requirement("REQ-REP-005")
def test_record_on_a_new_cpu_class_adds_its_record_and_keeps_the_others(tmp_path, computed):
    golden_path = _copy_golden(tmp_path)
    before = json.loads(golden_path.read_text(encoding="utf-8"))
    files_before = {path.name: path.read_bytes() for path in (tmp_path / "golden_reference_outputs").iterdir()}
    other = _other_cpu_class()
    after = record_golden(golden_path, other, *computed, reason="an imitated CPU class for the test")
    assert {key: after["records"][key] for key in before["records"]} == before["records"]
    assert all((tmp_path / "golden_reference_outputs" / name).read_bytes() == data for name, data in files_before.items())
    added = after["records"][class_id(other)]
    assert added["reason"] == "an imitated CPU class for the test" and added["machine_class"] == other
    assert after["history"][-1]["machine_class"] == class_id(other)
    assert check_reproduction(golden_path, other, *computed).layer == "a"


@pytest.mark.requirement("REQ-REP-005")
def test_record_refuses_a_new_cpu_class_whose_outputs_differ_beyond_the_bound(tmp_path, computed):
    golden_path = _copy_golden(tmp_path)
    _perturb_reference(golden_path, "demo-kmeans", relative=1e-6)
    before = golden_path.read_bytes()
    with pytest.raises(GoldenRecordError, match="refused: .* demo-kmeans differ beyond the bound"):
        record_golden(golden_path, _other_cpu_class(), *computed, reason="would confirm itself")
    assert golden_path.read_bytes() == before


@pytest.mark.requirement("REQ-REP-005")
def test_record_replaces_only_this_class_record_and_appends_history(tmp_path, computed):
    golden_path = tmp_path / "golden.json"
    record_golden(golden_path, _other_cpu_class(), *computed, reason="first")
    hashes, outputs = computed
    changed = {**hashes, "demo-norm": "f" * 64}
    after = record_golden(golden_path, _other_cpu_class(), changed, outputs, reason="second")
    assert len(after["records"]) == 1 and [entry["reason"] for entry in after["history"]] == ["first", "second"]
    assert after["history"][-1]["changed"] == ["demo-norm"]


@pytest.mark.requirement("REQ-REP-005")
def test_changed_reference_outputs_file_is_an_error(tmp_path, computed):
    golden_path = _copy_golden(tmp_path)
    for path in (tmp_path / "golden_reference_outputs").iterdir():
        path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(GoldenRecordError, match="does not have the SHA-256 its record states"):
        check_reproduction(golden_path, _other_cpu_class(), *computed)


@pytest.mark.requirement("REQ-REP-005")
def test_golden_file_without_records_or_unreadable_is_an_error(tmp_path, computed):
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps({"hashes": {}, "history": [{"reason": "old"}]}), encoding="utf-8")
    assert load_golden(legacy)["history"] == [{"reason": "old"}]
    with pytest.raises(GoldenRecordError, match="holds no record"):
        check_reproduction(legacy, current_machine_class(), *computed)
    with pytest.raises(GoldenRecordError, match="cannot read the golden file"):
        check_reproduction(tmp_path / "missing.json", current_machine_class(), *computed)


@pytest.mark.requirement("REQ-REP-005")
def test_committed_records_keep_compressed_reference_outputs_of_every_scenario():
    golden = load_golden(GOLDEN)
    assert golden["records"]
    for record_id, record in golden["records"].items():
        assert record_id == class_id(record["machine_class"]) and record["reason"].strip()
        path = GOLDEN.parent / record["reference_outputs"]
        assert path.suffix == ".npz" and path.stat().st_size < 200_000
        names = {key.split("/")[0] for key in np.load(path, allow_pickle=False).files}
        assert names == set(record["hashes"]) == set(REFERENCE_SCENARIOS)


@pytest.mark.requirement("REQ-REP-006")
def test_reproduce_with_an_unreadable_golden_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["reproduce", "--golden", str(tmp_path / "missing.json")]) == 3
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and captured.err.startswith("spotanomaly2-safe: error: cannot read the golden file")
    assert "Traceback" not in captured.err and captured.out == ""


@pytest.mark.requirement("REQ-VER-003")
def test_adaptive_reference_scenario_uses_explicit_parameters_and_hashes_baseline_reset_and_fit_record():
    from spotanomaly2_safe.adaptive import RECOMMENDED_PARAMETERS, AdaptiveDetector

    scenario = REFERENCE_SCENARIOS["heavy-tailed-adaptive"]
    assert scenario.method == "adaptive" and scenario.parameters == golden_module.ADAPTIVE_REFERENCE
    assert scenario.parameters is not RECOMMENDED_PARAMETERS and set(scenario.parameters) == set(RECOMMENDED_PARAMETERS)
    run, scores_df, flags_df, data = golden_module.run_scenario("heavy-tailed-adaptive")
    expected = AdaptiveDetector(**golden_module.ADAPTIVE_REFERENCE).fit_score_detect(*data)
    for got, wanted in zip((scores_df, flags_df), expected):
        assert got.equals(wanted)
    assert flags_df["baseline_reset"].sum() > 0 and flags_df["anomaly_flag"].sum() > 0
    assert run.fit_record_["parameters"] == golden_module.ADAPTIVE_REFERENCE and run.scorer_name == "AdaptiveDetector"
    assert run.detector.threshold == run.fit_record_["tail"]["threshold"]
    hashed = golden_module.output_hash(scores_df, flags_df, run.fit_record_)
    assert golden_module.output_hash(scores_df, flags_df.assign(baseline_reset=0), run.fit_record_) != hashed
    assert golden_module.output_hash(scores_df, flags_df, {**run.fit_record_, "n_training_rows": 0}) != hashed
