# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The project around the kernel: README commands, CI script, benchmark script."""

import datetime
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe_cli.demo import make_demo_data
from spotanomaly2_safe_cli.evidence.inputs import MUTATION_KEYS, read_mutation_results
from spotanomaly2_safe_cli.trace.matrix import load_requirements

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip().startswith("python3 -m venv .venv &&")]


@pytest.mark.requirement("REQ-DOC-001")
def test_ci_runs_the_readme_test_command():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    test_command = next(command for command in commands if "pytest" in command)
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


@pytest.mark.requirement("REQ-DOC-001")
def test_readme_demo_command_runs_the_demo():
    demo_command = next(command for command in _readme_commands() if "pytest" not in command)
    assert demo_command.endswith("spotanomaly2-safe demo")


@pytest.mark.requirement("REQ-PRF-001")
def test_benchmark_script_prints_every_ratio():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_kernel.py"), "--rows", "500", "--columns", "3", "--repeats", "1"],
        capture_output=True, text=True, check=True,
    )
    lines = result.stdout.splitlines()
    for label in ("KMeans pipeline vs sklearn, 1 thread", "default threads", "IsolationForest pipeline", "Norm pipeline"):
        row = next(line for line in lines if label in line)
        assert float(row[52:].split()[2]) > 0


@pytest.mark.requirement("REQ-PRF-002")
def test_every_benchmark_script_answers_help():
    # bench_adaptive_grid.py's imports pointed at modules moved into spotanomaly2_safe_cli.quality, unnoticed because
    # nothing ran it; --help imports a script and parses its arguments without measuring anything
    scripts = sorted(path for path in (ROOT / "benchmarks").glob("bench_*.py"))
    assert len(scripts) >= 14
    checker = "import runpy, sys\nsys.path.insert(0, sys.argv[1].rsplit('/', 1)[0])\nfor path in sys.argv[1:]:\n    sys.argv = [path, '--help']\n    try:\n        runpy.run_path(path, run_name='__main__')\n    except SystemExit as stop:\n        assert stop.code == 0, (path, stop.code)\n    print('ok', path)\n"
    result = subprocess.run([sys.executable, "-c", checker, *map(str, scripts)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("ok ") == len(scripts)


@pytest.mark.requirement("REQ-VER-002")
def test_test_command_enforces_full_kernel_coverage():
    configuration = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_options = configuration["tool"]["pytest"]["ini_options"]["addopts"].split()
    coverage = configuration["tool"]["coverage"]
    assert "--cov" in pytest_options
    assert coverage["run"]["source"] == ["spotanomaly2_safe"] and coverage["run"]["branch"] is True
    assert coverage["report"]["fail_under"] == 100


def _pins() -> dict[str, str]:
    lines = (ROOT / "verification" / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.lower().replace("_", "-").split("==") for line in lines if line and not line.startswith("#"))


@pytest.mark.requirement("REQ-VER-004")
def test_readme_commands_install_the_pinned_environment():
    assert all("-c verification/constraints.txt" in command for command in _readme_commands())


@pytest.mark.requirement("REQ-VER-004")
def test_golden_outputs_were_recorded_in_the_pinned_environment():
    records = json.loads((ROOT / "verification" / "golden_outputs.json").read_text(encoding="utf-8"))["records"]
    pins = _pins()
    assert records
    for record in records.values():
        for name in ("numpy", "pandas", "scipy", "scikit-learn", "pandera"):
            assert record["machine_class"]["dependencies"][name] == pins[name], name


@pytest.mark.requirement("REQ-VER-004")
def test_this_run_uses_the_pinned_versions():
    for name, version in _pins().items():
        assert importlib.metadata.version(name) == version, name


# ``raise SomeError(...reason=Reason.NAME`` within one statement (a reason passed in a variable is not read).
RAISE = r"raise (\w+)\((?:(?!raise |\ndef ).)*?reason=Reason\.(\w+)"


def _raised_reasons() -> dict[str, set[str]]:
    """Reason value -> the error classes raising it, read from the kernel source (``raise X(... reason=Reason.Y``)."""
    helpers = {"_fit_failed": "InvalidInputError"}  # functions returning the error they build
    found: dict[str, set[str]] = {}
    for path in (ROOT / "src" / "spotanomaly2_safe").rglob("*.py"):
        for error_class, reason in re.findall(RAISE, path.read_text(encoding="utf-8"), flags=re.S):
            found.setdefault(Reason[reason].value, set()).add(helpers.get(error_class, error_class))
    return found


def _readme_catalogue() -> dict[str, set[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| error (builtin) |"):].split("\n\n")[0].splitlines()[2:]
    catalogue: dict[str, set[str]] = {}
    error_class = ""
    for row in table:
        first, second = (cell.strip() for cell in row.split("|")[1:3])
        error_class = first.split("`")[1] if first else error_class
        for reason in re.findall(r"`(\w+)`", second):
            catalogue.setdefault(reason, set()).add(error_class)
    return catalogue


@pytest.mark.requirement("REQ-DOC-002")
def test_readme_error_catalogue_lists_every_reason_under_the_class_raising_it():
    raised, catalogue = _raised_reasons(), _readme_catalogue()
    assert set(catalogue) == {reason.value for reason in Reason}
    for reason, classes in raised.items():
        assert classes <= catalogue[reason], reason


@pytest.mark.requirement("REQ-DOC-003")
def test_safety_case_covers_every_hazard_and_requirement():
    safety_case = (ROOT / "SAFETY_CASE.md").read_text(encoding="utf-8")
    requirements = load_requirements(ROOT / "requirements_trace.csv")
    hazard_rows = {line.split("|")[1].strip() for line in safety_case.splitlines() if re.match(r"\| H\d+ ", line)}
    assert {requirement.risk for requirement in requirements} <= hazard_rows
    uncited = [requirement.req_id for requirement in requirements if requirement.req_id not in safety_case]
    assert uncited == []


def _readme_python_blocks() -> list[str]:
    """The README's Python examples, but scripts (``if __name__ == "__main__":``, e.g. the Dask example
    that starts a cluster) which tests/test_scaleout_cli.py runs as a file."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "__main__" not in block]


@pytest.mark.requirement("REQ-DOC-004")
@pytest.mark.parametrize("block", range(len(_readme_python_blocks())))
def test_readme_python_example_runs_as_written(block):
    data = make_demo_data()
    namespace = dict(zip(["train_true_df", "train_pred_df", "test_true_df", "test_pred_df"], data))
    exec(_readme_python_blocks()[block], namespace)  # the README's own text, run on the demo frames
    produced = [value for name, value in namespace.items() if name in ("scores_df", "flags_df", "state")]
    assert produced, "the example produced none of scores_df, flags_df or state"


@pytest.mark.requirement("REQ-VER-005")
def test_recorded_mutation_results_are_well_formed_with_score_at_least_90_percent_and_reasons():
    results = read_mutation_results(ROOT / "verification" / "mutation_results.json")
    assert results is not None and set(results) == set(MUTATION_KEYS)
    assert all(isinstance(results[key], str) and results[key] for key in ("tool", "tool_version", "date", "commit"))
    assert datetime.date.fromisoformat(results["date"]) and re.fullmatch(r"[0-9a-f]{40}", results["commit"])
    counts = [results[key] for key in ("killed", "survived", "timeout")]
    assert all(type(count) is int and count >= 0 for count in counts)
    assert results["score"] == results["killed"] / sum(counts) and results["score"] >= 0.9
    survivors = results["surviving_mutants"]
    assert results["survived"] == len(survivors)
    for survivor in survivors:
        assert set(survivor) == {"location", "mutation", "reason"}, survivor
        assert re.fullmatch(r"src/spotanomaly2_safe/\S+\.py:\d+", survivor["location"]), survivor
        assert survivor["mutation"].strip() and survivor["reason"].strip(), survivor
