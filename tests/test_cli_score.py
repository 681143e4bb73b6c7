# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""End to end: the installed console script ``spotanomaly2-safe score`` on temporary files."""

import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.files import FileInputError, read_table
from spotanomaly2_safe_cli.main import main

from frames import make_frames

CONSOLE_SCRIPT = Path(sys.executable).with_name("spotanomaly2-safe")
INPUTS = ("train-actuals", "train-forecasts", "test-actuals", "test-forecasts")


def _write_inputs(folder: Path, suffix: str, frames=None) -> list[str]:
    frames = frames or make_frames()
    arguments = []
    for option, frame in zip(INPUTS, frames):
        path = folder / f"{option}{suffix}"
        table = frame.rename_axis("timestamp").reset_index()
        table.to_csv(path, index=False) if suffix == ".csv" else table.to_parquet(path, index=False)
        arguments += [f"--{option}", str(path)]
    return arguments + ["--index-column", "timestamp"]


def _outputs(folder: Path, suffix: str = ".csv") -> list[str]:
    return ["--scores", str(folder / f"scores{suffix}"), "--flags", str(folder / f"flags{suffix}"), "--fit-record", str(folder / "fit.json")]


def _run(*arguments: str) -> subprocess.CompletedProcess:
    """The installed console script in a subprocess."""
    return subprocess.run([str(CONSOLE_SCRIPT), "score", *arguments], capture_output=True, text=True)


def _run_here(capsys, *arguments: str) -> subprocess.CompletedProcess:
    """The same command line in this process (no interpreter start-up), as a CompletedProcess."""
    capsys.readouterr()
    code = main(["score", *arguments])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(arguments, code, captured.out, captured.err)


@pytest.mark.requirement("REQ-CLI-002")
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_score_writes_what_the_python_api_returns(tmp_path, suffix):
    result = _run(*_write_inputs(tmp_path, suffix), "--scorer", "KMeansScorer", "--scorer-param", "n_clusters=3", *_outputs(tmp_path, suffix))
    assert result.returncode == 0, result.stderr
    data = make_frames()
    detector = ForecastingAnomalyDetector("KMeansScorer", {"n_clusters": 3})
    scores_df, flags_df = detector.fit_score_detect(*data)
    written_scores = read_table(tmp_path / f"scores{suffix}", "timestamp")
    written_flags = read_table(tmp_path / f"flags{suffix}", "timestamp")
    np.testing.assert_array_equal(written_scores.to_numpy(), scores_df.to_numpy())  # CSV floats round-trip exactly
    np.testing.assert_array_equal(written_flags["anomaly_flag"].to_numpy(), flags_df["anomaly_flag"].to_numpy())
    assert (written_scores.index == scores_df.index).all()
    record = json.loads((tmp_path / "fit.json").read_text(encoding="utf-8"))
    assert record["training_residuals_sha256"] == detector.fit_record_["training_residuals_sha256"]
    assert result.stderr == ""  # progress goes to a terminal only


@pytest.mark.requirement("REQ-CLI-002")
def test_score_takes_detector_parameters_from_a_config_file(tmp_path, capsys):
    config = tmp_path / "detector.json"
    config.write_text(json.dumps({"scorer_name": "NormScorer", "scorer_params": {"ord": 1}, "min_gap": 4}), encoding="utf-8")
    result = _run_here(capsys, *_write_inputs(tmp_path, ".csv"), "--config", str(config), "--high-quantile", "0.95", *_outputs(tmp_path))
    assert result.returncode == 0, result.stderr
    record = json.loads((tmp_path / "fit.json").read_text(encoding="utf-8"))
    assert record["parameters"]["scorer_params"]["ord"] == 1 and record["parameters"]["high_quantile"] == 0.95
    assert "alarm" in pd.read_csv(tmp_path / "flags.csv").columns


def _bad_training_actuals(folder: Path) -> list[str]:
    data = make_frames()
    broken = data.y_true_train.copy()
    broken.iloc[5, 1] = np.nan
    return _write_inputs(folder, ".csv", (broken, *data[1:]))


ERROR_CASES = [
    ("missing-file", lambda folder: _write_inputs(folder, ".csv")[:1] + ["nowhere.csv"] + _write_inputs(folder, ".csv")[2:], [], 3, "no such file"),
    ("bad-index", lambda folder: _write_inputs(folder, ".csv")[:-1] + ["sensor_0"], [], 3, "not a valid datetime"),
    ("nan-in-data", _bad_training_actuals, [], 4, "y_true_train column 'sensor_1' has a missing value"),
    ("too-few-rows", lambda folder: _write_inputs(folder, ".csv", make_frames(n_train=50)), [], 5, "at least 100 are required"),
    ("unknown-parameter", lambda folder: _write_inputs(folder, ".csv"), ["--scorer-param", "n_cluster=3"], 6, "Did you mean 'n_clusters'?"),
    ("bad-output-type", lambda folder: _write_inputs(folder, ".csv"), ["--scores", "scores.xlsx"], 7, "unknown output type"),
]


@pytest.mark.requirement("REQ-CLI-002")
@pytest.mark.parametrize(("case", "inputs", "extra", "code", "text"), ERROR_CASES, ids=[case[0] for case in ERROR_CASES])
def test_each_error_class_has_its_exit_code_and_one_line(tmp_path, capsys, case, inputs, extra, code, text):
    arguments = [*inputs(tmp_path), *_outputs(tmp_path), *extra]
    result = _run_here(capsys, *arguments)
    assert result.returncode == code
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("spotanomaly2-safe: error: ") and text in result.stderr
    json_result = _run_here(capsys, *arguments, "--json-errors")
    error = json.loads(json_result.stderr)
    assert json_result.returncode == code and error["exit_code"] == code and text in error["message"]
    assert not any(tmp_path.glob("scores*")) and not (tmp_path / "fit.json").exists()  # a failed run writes nothing


@pytest.mark.requirement("REQ-CLI-002")
def test_contract_error_names_the_files_behind_the_arguments(tmp_path):
    result = _run(*_bad_training_actuals(tmp_path), *_outputs(tmp_path), "--json-errors")
    error = json.loads(result.stderr)
    assert error["error"] == "InvalidInputError" and error["reason"] == "missing_value"
    assert f"y_true_train = {tmp_path / 'train-actuals.csv'}" in error["message"]


@pytest.mark.requirement("REQ-CLI-002")
@pytest.mark.parametrize(
    ("index_type", "values", "parsed"),
    [
        ("integer", ["3", "1", "2"], pd.Index([3, 1, 2], dtype="int64")),
        ("string", ["b", "a", "c"], pd.Index(["b", "a", "c"])),
        ("datetime", ["2026-01-01T00:00+01:00", "2026-01-01T01:00+01:00", "2026-01-01T02:00+01:00"], None),
    ],
)
def test_index_column_is_parsed_strictly_as_its_type(tmp_path, index_type, values, parsed):
    path = tmp_path / "table.csv"
    pd.DataFrame({"t": values, "x": [1.0, 2.0, 3.0]}).to_csv(path, index=False)
    frame = read_table(path, "t", index_type)
    if parsed is not None:
        pd.testing.assert_index_equal(frame.index, parsed.rename("t"))
    else:
        assert str(frame.index.tz) == "UTC+01:00" and frame.index[1] == pd.Timestamp("2026-01-01T00:00Z")


@pytest.mark.requirement("REQ-CLI-002")
@pytest.mark.parametrize(("index_type", "bad"), [("integer", "1.5"), ("integer", "x"), ("datetime", "2026-02-30T00:00"), ("datetime", "")])
def test_index_value_that_does_not_parse_names_file_column_and_row(tmp_path, index_type, bad):
    path = tmp_path / "table.csv"
    good = {"integer": ["1", "2"], "datetime": ["2026-01-01T00:00", "2026-01-01T01:00"]}[index_type]
    pd.DataFrame({"t": [*good, bad], "x": [1.0, 2.0, 3.0]}).to_csv(path, index=False)
    found = repr(bad) if bad else "a missing value"
    with pytest.raises(FileInputError, match=f"table.csv: index column 't' row 3 holds {found}, which is not a valid {index_type}"):
        read_table(path, "t", index_type)


@pytest.mark.requirement("REQ-CLI-002")
def test_mixed_utc_offsets_in_the_index_are_an_error(tmp_path):
    path = tmp_path / "table.csv"
    pd.DataFrame({"t": ["2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00"], "x": [1.0, 2.0]}).to_csv(path, index=False)
    with pytest.raises(FileInputError, match="does not parse as datetime"):
        read_table(path, "t")


@pytest.mark.requirement("REQ-CLI-003")
def test_existing_output_is_kept_unless_forced(tmp_path, capsys):
    arguments = [*_write_inputs(tmp_path, ".csv"), *_outputs(tmp_path)]
    (tmp_path / "flags.csv").write_text("keep me", encoding="utf-8")
    result = _run_here(capsys, *arguments)
    assert result.returncode == 7 and "exists already; pass --force" in result.stderr
    assert (tmp_path / "flags.csv").read_text(encoding="utf-8") == "keep me" and not (tmp_path / "scores.csv").exists()
    assert _run_here(capsys, *arguments, "--force").returncode == 0
    assert pd.read_csv(tmp_path / "flags.csv").columns.tolist() == ["timestamp", "anomaly_flag"]


@pytest.mark.requirement("REQ-CLI-003")
def test_run_killed_mid_write_leaves_no_partial_output(tmp_path):
    data = make_frames(n_train=200, n_test=400_000, n_columns=4)
    arguments = [*_write_inputs(tmp_path, ".csv", data), "--scorer", "NormScorer", *_outputs(tmp_path)]
    outcomes = []
    for delay in (0.5, 3.0):
        for output in tmp_path.glob("scores*"):
            output.unlink()
        process = subprocess.Popen([str(CONSOLE_SCRIPT), "score", *arguments, "--force"], stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        scores = tmp_path / "scores.csv"
        if scores.exists():  # written completely before the kill, or not at all
            assert len(pd.read_csv(scores)) == 400_000
        outcomes.append(scores.exists())
    assert outcomes[0] is False  # the earliest kill lands before any output is complete


@pytest.mark.requirement("REQ-CLI-002")
def test_progress_goes_to_a_terminal_on_stderr(tmp_path):
    controller, terminal = pty.openpty()
    arguments = [*_write_inputs(tmp_path, ".csv"), "--scorer", "NormScorer", *_outputs(tmp_path)]
    process = subprocess.run([str(CONSOLE_SCRIPT), "score", *arguments], stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert process.returncode == 0 and process.stdout == b""
    text = shown.decode()
    for step in ("reading y_true_train", "(4/4)", "fitting on 300 training rows", "scoring 60 test rows", "writing outputs"):
        assert step in text


@pytest.mark.requirement("REQ-VER-003")
def test_reproduce_console_script_fails_on_an_altered_golden_hash(tmp_path):
    golden = json.loads((Path(__file__).resolve().parents[1] / "verification" / "golden_outputs.json").read_text(encoding="utf-8"))
    for record in golden["records"].values():  # whichever record this machine is compared with
        record["hashes"]["demo-kmeans"] = "f" * 64
        record["reference_outputs"] = str(Path(__file__).resolve().parents[1] / "verification" / record["reference_outputs"])
    altered = tmp_path / "golden.json"
    altered.write_text(json.dumps(golden), encoding="utf-8")
    result = subprocess.run([str(CONSOLE_SCRIPT), "reproduce", "--golden", str(altered)], capture_output=True, text=True)
    verdicts = {line.split()[0]: line for line in result.stdout.splitlines()[1:-1]}
    if result.stdout.splitlines()[-1].startswith("layer (a)"):  # on the recorded machine class the hash decides
        assert result.returncode == 1 and " differs (" in verdicts.pop("demo-kmeans")
    else:  # on another CPU class the outputs are compared with the recorded ones and the bound
        assert result.returncode in (0, 10) and " differs (" not in verdicts.pop("demo-kmeans")
    assert all(" identical (" in line or " within bound (" in line for line in verdicts.values())


@pytest.mark.requirement("REQ-CLI-008")
@pytest.mark.parametrize(
    ("header", "repeated"),
    [("timestamp,load,load", "load"), ('timestamp,"a,b","a,b"', "a,b"), ("timestamp,load,timestamp", "timestamp")],
    ids=["value-column", "quoted-name", "index-column"],
)
def test_repeated_csv_header_name_is_exit_3_naming_the_column(tmp_path, capsys, header, repeated):
    path = tmp_path / "repeated.csv"
    path.write_text(f"{header}\n2026-01-01T00:00,1.0,2.0\n", encoding="utf-8")
    with pytest.raises(FileInputError, match=f"the column name '{repeated}' appears more than once"):
        read_table(path, "timestamp")
    arguments = _write_inputs(tmp_path, ".csv")
    arguments[arguments.index("--test-actuals") + 1] = str(path)
    result = _run_here(capsys, *arguments, *_outputs(tmp_path))
    assert result.returncode == 3 and result.stderr.count("\n") == 1 and f"'{repeated}' appears more than once" in result.stderr


@pytest.mark.requirement("REQ-CLI-008")
def test_repeated_parquet_column_name_is_an_input_error(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "table.parquet"
    pq.write_table(pa.table([pa.array(["2026-01-01T00:00"]), pa.array([1.0]), pa.array([2.0])], names=["timestamp", "load", "load"]), path)
    with pytest.raises(FileInputError, match="'load' appears more than once"):
        read_table(path, "timestamp")
