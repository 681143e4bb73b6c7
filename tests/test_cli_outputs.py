# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The outputs of one ``score`` run are one transaction, and every failure is one line with its exit code.

One test per failure class: a read-only output folder, a full disk, an interrupt (SIGINT) during a
``--force`` rerun, the same path given twice. Tests run as root, where a chmod does not stop a write,
so the read-only folder and the full disk are made real with a read-only or tiny tmpfs where this
machine lets the test mount one, and simulated with a patched ``os.open`` / write everywhere.
"""

import errno
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from spotanomaly2_safe_cli import files
from spotanomaly2_safe_cli.main import main

from frames import make_frames

INPUTS = ("train-actuals", "train-forecasts", "test-actuals", "test-forecasts")
OUTPUT_NAMES = ("scores.csv", "flags.csv", "fit.json")


def _write_inputs(folder: Path, frames=None) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    arguments = []
    for option, frame in zip(INPUTS, frames or make_frames()):
        path = folder / f"{option}.csv"
        frame.rename_axis("timestamp").reset_index().to_csv(path, index=False)
        arguments += [f"--{option}", str(path)]
    return arguments + ["--index-column", "timestamp"]


def _outputs(folder: Path) -> list[str]:
    return ["--scores", str(folder / "scores.csv"), "--flags", str(folder / "flags.csv"), "--fit-record", str(folder / "fit.json")]


def _run(capsys, *arguments: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["score", *arguments])
    return code, capsys.readouterr().err


def _contents(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones included) by name."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@pytest.fixture
def previous_run(tmp_path, capsys):
    """Inputs in ``tmp_path / "in"`` and a complete set of outputs of an earlier run (NormScorer) in ``tmp_path / "out"``."""
    inputs, out = _write_inputs(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    code, error = _run(capsys, *inputs, "--scorer", "NormScorer", *_outputs(out))
    assert code == 0, error
    return inputs, out, _contents(out)


def _assert_one_line(error: str, code: int, expected_code: int, text: str) -> None:
    assert code == expected_code, error
    assert error.count("\n") == 1 and error.startswith("spotanomaly2-safe: error: ") and text in error, error


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not let the test mount a tmpfs ({mounted.stderr.decode().strip()}); "
                    "the patched variant of this test covers the rule")


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a tmpfs with the given options at a new folder (unmounted after the test); skipped where mounting is refused."""
    mounted = []

    def mount(name: str, options: str) -> Path:
        folder = tmp_path / name
        _mount_tmpfs(folder, options)
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


# --- read-only output folder: exit 7, before any work, nothing written ---------------------------------

@pytest.mark.requirement("REQ-CLI-005")
def test_read_only_output_folder_is_exit_7_in_one_line_and_nothing_is_written(tmp_path, capsys, monkeypatch):
    inputs, out = _write_inputs(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    real_open = os.open

    def read_only_open(path, flags, *args, **kwargs):
        if Path(path).parent == out and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    fitted = []
    monkeypatch.setattr("spotanomaly2_safe_cli.score.ForecastingAnomalyDetector.fit", lambda *a: fitted.append(a))
    code, error = _run(capsys, *inputs, *_outputs(out))
    _assert_one_line(error, code, 7, f"the folder {out} is not writable: Permission denied")
    assert fitted == [] and list(out.iterdir()) == []  # refused before any work


@pytest.mark.requirement("REQ-CLI-005")
def test_read_only_file_system_is_exit_7_and_earlier_outputs_elsewhere_stay(tmp_path, capsys, tmpfs):
    inputs, scores_folder = _write_inputs(tmp_path / "in"), tmp_path / "out"
    scores_folder.mkdir()
    read_only = tmpfs("ro", "ro,size=1m")
    arguments = ["--scores", str(scores_folder / "scores.csv"), "--flags", str(scores_folder / "flags.csv"),
                 "--fit-record", str(read_only / "fit.json")]
    code, error = _run(capsys, *inputs, *arguments)
    _assert_one_line(error, code, 7, f"the folder {read_only} is not writable: Read-only file system")
    assert list(scores_folder.iterdir()) == [] and list(read_only.iterdir()) == []


# --- disk full: exit 7, the previous outputs unchanged, no temporary file left --------------------------

@pytest.mark.requirement("REQ-CLI-005")
def test_full_disk_while_staging_keeps_the_previous_outputs(previous_run, capsys, monkeypatch):
    inputs, out, before = previous_run
    real_write_text = Path.write_text

    def full_disk(self, *args, **kwargs):  # the fit record is staged last, after scores and flags
        if self.name.startswith(".fit.json."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    code, error = _run(capsys, *inputs, "--scorer", "KMeansScorer", *_outputs(out), "--force")
    _assert_one_line(error, code, 7, "No space left on device; no output was changed")
    assert _contents(out) == before


@pytest.mark.requirement("REQ-CLI-005")
def test_full_tmpfs_is_exit_7_and_leaves_no_partial_file(tmp_path, capsys, tmpfs):
    inputs = _write_inputs(tmp_path / "in", make_frames(n_test=3_000))
    small = tmpfs("small", "size=64k")
    code, error = _run(capsys, *inputs, "--scorer", "NormScorer", *_outputs(small))
    _assert_one_line(error, code, 7, "No space left on device")
    assert list(small.iterdir()) == []


# --- interrupted or failing publish: the old set or the new set, never a mix ------------------------------

class _FailOnPublish:
    """``os.replace`` that raises ``error`` on the ``n``-th rename of a staged file onto its target."""

    def __init__(self, error: BaseException, n: int) -> None:
        self.error, self.n, self.seen, self.real = error, n, 0, os.replace

    def __call__(self, source, target, *args, **kwargs):
        if str(source).endswith(".partial"):
            self.seen += 1
            if self.seen == self.n:
                raise self.error
        return self.real(source, target, *args, **kwargs)


@pytest.mark.requirement("REQ-CLI-005")
@pytest.mark.parametrize(
    ("error", "n", "code", "text"),
    [
        (KeyboardInterrupt(), 2, 130, "interrupted"),
        (KeyboardInterrupt(), 3, 130, "interrupted"),
        (OSError(errno.EIO, os.strerror(errno.EIO)), 2, 7, "Input/output error; no output was changed"),
    ],
    ids=["sigint-after-scores", "sigint-after-flags", "io-error-after-scores"],
)
def test_failure_between_publishing_steps_restores_every_previous_output(previous_run, capsys, monkeypatch, error, n, code, text):
    inputs, out, before = previous_run
    monkeypatch.setattr(os, "replace", _FailOnPublish(error, n))
    returned, message = _run(capsys, *inputs, "--scorer", "KMeansScorer", *_outputs(out), "--force")
    _assert_one_line(message, returned, code, text)
    assert _contents(out) == before  # the old set, whole: no new scores beside old flags, no hidden leftovers


SIGINT_BETWEEN_STEPS = textwrap.dedent("""
    import os, signal, sys
    from spotanomaly2_safe_cli.main import main
    real_replace = os.replace
    def replace(source, target):
        real_replace(source, target)
        if str(source).endswith(".partial") and str(target).endswith("scores.csv"):
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C right after the first new output is in place
    os.replace = replace
    sys.exit(main(sys.argv[1:]))
""")


@pytest.mark.requirement("REQ-CLI-005")
def test_sigint_during_a_forced_rerun_leaves_the_complete_new_set(previous_run, tmp_path, capsys):
    inputs, out, before = previous_run
    reference = tmp_path / "reference"
    reference.mkdir()
    assert _run(capsys, *inputs, "--scorer", "KMeansScorer", *_outputs(reference))[0] == 0
    result = subprocess.run([sys.executable, "-c", SIGINT_BETWEEN_STEPS, "score", *inputs, "--scorer", "KMeansScorer",
                             *_outputs(out), "--force"], capture_output=True, text=True)
    assert result.returncode == 130 and result.stderr.count("\n") == 1 and "interrupted" in result.stderr, result.stderr
    after = _contents(out)
    expected = _contents(reference)
    assert after == expected and after != before  # the signal waited for the whole set; nothing old remains


# --- the same path twice: usage error, before any work ------------------------------------------------------

@pytest.mark.requirement("REQ-CLI-006")
@pytest.mark.parametrize(
    ("replace", "text"),
    [
        ({"--flags": "{out}/scores.csv"}, "--scores and --flags name the same file"),
        ({"--fit-record": "{out}/../out/scores.csv"}, "--scores and --fit-record name the same file"),
        ({"--scores": "{input}"}, "--test-actuals and --scores name the same file"),
    ],
    ids=["scores-and-flags", "relative-spelling", "output-over-input"],
)
def test_the_same_file_given_twice_is_a_usage_error(tmp_path, capsys, replace, text):
    inputs, out = _write_inputs(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    test_actuals = tmp_path / "in" / "test-actuals.csv"
    original = test_actuals.read_bytes()
    arguments = dict(zip(_outputs(out)[::2], _outputs(out)[1::2]))
    arguments |= {option: value.format(out=out, input=test_actuals) for option, value in replace.items()}
    code, error = _run(capsys, *inputs, *[part for item in arguments.items() for part in item], "--force")
    _assert_one_line(error, code, 2, text)
    assert list(out.iterdir()) == [] and test_actuals.read_bytes() == original


@pytest.mark.requirement("REQ-CLI-006")
def test_the_same_file_twice_is_a_usage_error_in_json_too(tmp_path, capsys):
    inputs, out = _write_inputs(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    code, error = _run(capsys, *inputs, "--scores", str(out / "x.csv"), "--flags", str(out / "x.csv"),
                       "--fit-record", str(out / "fit.json"), "--json-errors")
    assert code == 2 and '"error": "UsageError"' in error and '"exit_code": 2' in error


# --- a single output (the demo plot) goes through the same transaction ----------------------------------------

@pytest.mark.requirement("REQ-CLI-005")
def test_write_outputs_publishes_nothing_when_a_writer_fails(tmp_path):
    (tmp_path / "a.csv").write_text("old a", encoding="utf-8")

    def broken(temporary: Path) -> None:
        temporary.write_text("half", encoding="utf-8")
        raise RuntimeError("the writer failed")

    with pytest.raises(RuntimeError, match="the writer failed"):
        files.write_outputs([(tmp_path / "a.csv", lambda temporary: temporary.write_text("new a", encoding="utf-8")),
                             (tmp_path / "b.csv", broken)])
    assert _contents(tmp_path) == {"a.csv": b"old a"}


@pytest.mark.requirement("REQ-CLI-005")
def test_write_outputs_refuses_to_publish_an_empty_staged_file(tmp_path):
    with pytest.raises(files.OutputError, match="is empty; nothing was published"):
        files.write_outputs([(tmp_path / "a.csv", lambda temporary: None)])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.requirement("REQ-CLI-005")
def test_write_outputs_replaces_every_previous_output(tmp_path):
    for name in ("a.csv", "b.json"):
        (tmp_path / name).write_text("old", encoding="utf-8")
    files.write_outputs([(tmp_path / name, lambda temporary: temporary.write_text("new", encoding="utf-8")) for name in ("a.csv", "b.json")])
    assert _contents(tmp_path) == {"a.csv": b"new", "b.json": b"new"}
    assert pd.Index(sorted(path.name for path in tmp_path.iterdir())).equals(pd.Index(["a.csv", "b.json"]))


# --- every other command: one line, its exit code, nothing left behind ------------------------------------------

@pytest.mark.requirement("REQ-CLI-007")
@pytest.mark.parametrize(
    ("option", "content", "text"),
    [
        ("--junit", "<testsuite><testcase", "not a readable JUnit XML file"),
        ("--junit", "<html></html>", "not a readable JUnit XML file"),
        ("--coverage", "{}", "not a readable coverage JSON file"),
    ],
    ids=["junit-truncated", "junit-not-junit", "coverage-without-totals"],
)
def test_malformed_evidence_input_is_exit_3_and_leaves_nothing_in_out(tmp_path, capsys, monkeypatch, option, content, text):
    from spotanomaly2_safe_cli.evidence import command as evidence

    from test_evidence import make_project, no_sbom, write_junit

    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    given = {"--junit": write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})}
    malformed = tmp_path / f"malformed{'.xml' if option == '--junit' else '.json'}"
    malformed.write_text(content, encoding="utf-8")
    given[option] = malformed
    out = tmp_path / "report"
    command = ["evidence", "--out", str(out), "--project", str(make_project(tmp_path / "project")), "--scenario", "demo-norm"]
    code = main([*command, *[part for option, path in given.items() for part in (option, str(path))]])
    error = capsys.readouterr().err
    _assert_one_line(error, code, 3, f"{malformed}: {text}")
    assert not out.exists() and not list(tmp_path.glob(".report*"))


@pytest.mark.requirement("REQ-CLI-007")
def test_evidence_without_its_extra_names_the_install_command(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "spotanomaly2_safe_cli.evidence.command", None)  # import fails as without jinja2 & co.
    code = main(["evidence", "--out", str(tmp_path / "report")])
    _assert_one_line(capsys.readouterr().err, code, 2, "pip install 'spotanomaly2-safe[evidence]'")
    assert not (tmp_path / "report").exists()


@pytest.mark.requirement("REQ-CLI-007")
@pytest.mark.parametrize(
    ("arguments", "code", "text"),
    [
        (["--golden", "{tmp}/nowhere/golden.json"], 3, "No such file or directory"),
        (["--golden", "{tmp}/golden.json", "--record"], 2, "needs --reason"),
    ],
    ids=["golden-file-missing", "record-without-reason"],
)
def test_reproduce_errors_are_one_line_with_their_exit_code(tmp_path, capsys, monkeypatch, arguments, code, text):
    monkeypatch.setattr("spotanomaly2_safe_cli.reproduce.golden.compute_hashes", lambda: {"demo-norm": "0" * 64})
    returned = main(["reproduce", *[argument.format(tmp=tmp_path) for argument in arguments]])
    _assert_one_line(capsys.readouterr().err, returned, code, text)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.requirement("REQ-CLI-005")
def test_a_staged_folder_is_published_with_the_set_and_restored_on_failure(tmp_path, monkeypatch):
    (tmp_path / "scores").mkdir()
    (tmp_path / "scores" / "part.0.parquet").write_text("old part", encoding="utf-8")
    (tmp_path / "fit.json").write_text("old record", encoding="utf-8")
    staged = tmp_path / ".scores.partial-1"
    staged.mkdir()
    (staged / "part.0.parquet").write_text("new part", encoding="utf-8")
    monkeypatch.setattr(os, "replace", _FailOnPublish(KeyboardInterrupt(), 1))  # the fit record, after the folder
    with pytest.raises(KeyboardInterrupt):
        files.write_outputs([(tmp_path / "fit.json", lambda temporary: temporary.write_text("new record", encoding="utf-8"))],
                            staged=[(staged, tmp_path / "scores")])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fit.json", "scores"]
    assert (tmp_path / "scores" / "part.0.parquet").read_text(encoding="utf-8") == "old part"
    assert (tmp_path / "fit.json").read_text(encoding="utf-8") == "old record"
    monkeypatch.undo()
    staged.mkdir()
    (staged / "part.0.parquet").write_text("new part", encoding="utf-8")
    files.write_outputs([(tmp_path / "fit.json", lambda temporary: temporary.write_text("new record", encoding="utf-8"))],
                        staged=[(staged, tmp_path / "scores")])
    assert sorted(path.name for path in tmp_path.iterdir()) == ["fit.json", "scores"]
    assert (tmp_path / "scores" / "part.0.parquet").read_text(encoding="utf-8") == "new part"
