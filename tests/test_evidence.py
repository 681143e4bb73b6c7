# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The evidence report: honest about failures, tied to its run, complete per article, never claiming conformity.

One real run of the command (a subprocess running a tiny project's suite: one passing test, one failing
test, one untested requirement) feeds most tests; the others render from JUnit XML built with
junitparser, with the SBOM tool replaced where the SBOM is not the subject (it takes seconds).
"""

import doctest
import hashlib
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy
import pandas as pd
import pytest
from junitparser import Error, Failure, Skipped
from junitparser.xunit2 import JUnitXml, TestCase, TestSuite

from spotanomaly2_safe_cli.evidence import command as evidence
from spotanomaly2_safe_cli.evidence import inputs as evidence_inputs
from spotanomaly2_safe_cli.evidence import render as evidence_render
from spotanomaly2_safe_cli.evidence.environment import git_identity, write_sbom
from spotanomaly2_safe_cli.evidence.inputs import ARTICLES, read_junit
from spotanomaly2_safe_cli.evidence.report import verdict_failures
from spotanomaly2_safe_cli.evidence.scenarios import scenario_evidence
from spotanomaly2_safe_cli.reproduce.machine_class import class_id, current_machine_class
from spotanomaly2_safe_cli.main import main
from spotanomaly2_safe_cli.quality.evaluation import ADAPTIVE_RECOMMENDED, RECOMMENDED, describe, skab_quality, suite_quality
from spotanomaly2_safe_cli.quality.scenarios import SEALED_SUITES, unsealed_suites
from spotanomaly2_safe_cli.quality.skab import PUBLISHED

ROOT = Path(__file__).resolve().parents[1]
HEADER = "req_id,title,statement,category,eu_ai_act,verification,risk\n"
REQUIREMENTS = (
    "REQ-ABC-001,Alpha,alpha shall double a number above 1.,correctness,Art.15(1); Annex IV(2)(g),test,H1 wrong output\n"
    "REQ-ABC-002,Beta,Beta shall hold.,correctness,Art.12,test,H2 lost record\n"
    "REQ-ABC-003,Gamma,Gamma shall hold.,transparency,Art.13(3)(b),test,H1 wrong output\n"
)
PYPROJECT = """
[tool.pytest.ini_options]
addopts = "-p no:cacheprovider --cov=alpha --cov-branch"
markers = ["requirement(req_id): the requirement"]
junit_family = "xunit1"
filterwarnings = ["error"]
traceability_documents = ["README.md"]
"""
ALPHA = "__all__ = ['alpha']\n\n\ndef alpha(x):\n    if x > 1:\n        return x * 2\n    return x\n"
TESTS = """
import pytest
from alpha import alpha

@pytest.mark.requirement("REQ-ABC-001")
def test_alpha_doubles(record_property):
    for name, value in (("agreement_mean", 0.99512), ("agreement_min", 0.99017), ("flagged_jaccard_mean", 0.81234)):
        record_property(name, value)
    assert alpha(2) == 4

@pytest.mark.requirement("REQ-ABC-002")
def test_beta_holds():
    assert alpha(1) == 3
"""
FORBIDDEN = re.compile(r"compliant|compliance|certified|certification", re.IGNORECASE)
MUTATION_RESULTS = {
    "tool": "mutmut", "tool_version": "3.2.3", "date": "2026-12-01", "commit": "0123456789abcdef0123456789abcdef01234567",
    "killed": 412, "survived": 2, "timeout": 1, "score": 0.99277,
    "surviving_mutants": [{"location": "src/alpha.py:5", "mutation": "x * 2 -> x ** 2", "reason": "equivalent for x = 2 only; test added"}],
}


def make_project(root: Path, requirements: str = REQUIREMENTS) -> Path:
    """A tiny project using the traceability plugin: three requirements, two tests (one fails), a README."""
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "requirements_trace.csv": HEADER + requirements, "pyproject.toml": PYPROJECT, "alpha.py": ALPHA, "test_alpha.py": TESTS,
        "conftest.py": 'pytest_plugins = ["spotanomaly2_safe_cli.trace.plugin"]\n', "README.md": "alpha doubles [REQ-ABC-001].\n",
    }
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def write_junit(path: Path, outcomes: dict[str, str]) -> Path:
    """A JUnit XML file with one passing test per requirement ID (junitparser's API, no hand-written XML)."""
    suite = TestSuite("pytest")
    for req_id, test_name in outcomes.items():
        case = TestCase(test_name, classname="test_alpha")
        case.add_property("requirement", req_id)
        suite.add_testcase(case)
    document = JUnitXml()
    document.add_testsuite(suite)
    document.write(str(path))
    return path


def no_sbom(path: Path) -> None:
    """Stands in for the SBOM tool where the SBOM is not what is tested (the real one takes seconds)."""
    path.write_text("{}", encoding="utf-8")


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """The real command, in a subprocess, running the tiny project's suite (one test fails, one requirement untested)."""
    project = make_project(tmp_path_factory.mktemp("project"))
    out = tmp_path_factory.mktemp("evidence") / "report"
    command = [sys.executable, "-m", "spotanomaly2_safe_cli", "evidence", "--out", str(out), "--project", str(project), "--scenario", "demo-norm"]
    return subprocess.run(command, capture_output=True, text=True, cwd=project), out


def html_row(page: str, req_id: str) -> str:
    return re.search(rf'<tr id="{req_id}">.*?</tr>', page, re.DOTALL).group()


def md_row(markdown: str, req_id: str) -> str:
    return next(line for line in markdown.splitlines() if line.startswith(f"| {req_id} |"))


def read(out: Path, name: str) -> str:
    return (out / name).read_text(encoding="utf-8")


@pytest.mark.requirement("REQ-EVD-001")
def test_evidence_command_renders_despite_failing_tests_and_exits_non_zero(failing_run):
    result, out = failing_run
    assert result.returncode == 1, result.stderr
    for name in ("evidence.html", "evidence.md", "junit.xml", "coverage.json", "pytest-output.txt", "sbom.cdx.json", "SHA256SUMS"):
        assert (out / name).is_file(), name
    assert "TRACEABILITY FAILURE: REQ-ABC-003 has no test" in read(out, "pytest-output.txt")
    assert "Verdict of this run: FAIL (1 test(s) failed; 1 requirement(s) fail; 1 requirement(s) untested" in result.stdout


@pytest.mark.requirement("REQ-EVD-001")
def test_failing_and_untested_requirements_are_red_in_html_and_markdown(failing_run):
    _, out = failing_run
    page, markdown = read(out, "evidence.html"), read(out, "evidence.md")
    assert 'class="status pass good"' in html_row(page, "REQ-ABC-001")
    assert 'class="status fail bad"' in html_row(page, "REQ-ABC-002") and "test_alpha.py::test_beta_holds" in html_row(page, "REQ-ABC-002")
    assert 'class="status untested bad"' in html_row(page, "REQ-ABC-003")
    assert md_row(markdown, "REQ-ABC-001").endswith("🟢 PASS |")
    assert md_row(markdown, "REQ-ABC-002").endswith("🔴 FAIL |") and md_row(markdown, "REQ-ABC-003").endswith("🔴 UNTESTED |")
    assert '<li class="bad">REQ-ABC-003 has no test</li>' in page and "- 🔴 REQ-ABC-003 has no test" in markdown
    assert "🔴 1 failed" in markdown and '<span class="bad">1 failed</span>' in page


@pytest.mark.requirement("REQ-EVD-001")
def test_all_passing_results_exit_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    project = make_project(tmp_path / "project")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a", "REQ-ABC-002": "test_b", "REQ-ABC-003": "test_c"})
    arguments = ["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"]
    assert main(arguments) == 0
    assert "Verdict of this run: PASS." in capsys.readouterr().out
    assert "not run by this command: rendered from existing results (results.xml)" in read(tmp_path / "out", "evidence.md")


@pytest.mark.requirement("REQ-EVD-001")
def test_public_module_that_cannot_be_imported_is_a_traceability_problem(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    project = make_project(tmp_path / "project")
    (project / "pyproject.toml").write_text(PYPROJECT + 'traceability_public_modules = ["no_such_module_here"]\n', encoding="utf-8")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a", "REQ-ABC-002": "test_b", "REQ-ABC-003": "test_c"})
    arguments = ["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"]
    assert main(arguments) == 1
    assert "- 🔴 public module 'no_such_module_here' could not be imported" in read(tmp_path / "out", "evidence.md")


@pytest.mark.requirement("REQ-EVD-001")
@pytest.mark.parametrize(
    ("arguments", "complaint", "code"),
    [
        (["--project", "{empty}"], "holds no requirements_trace.csv", 3),
        (["--out", "{used}"], "is not empty", 7),
        (["--coverage", "{junit}"], "--coverage is read only with --junit", 2),
        (["--junit", "{empty}/missing.xml"], "is not a file", 2),
        (["--scenario", "no-such-scenario"], "unknown --scenario", 2),
    ],
)
def test_unusable_command_line_is_a_clear_error(tmp_path, capsys, arguments, complaint, code):
    places = {"empty": tmp_path / "empty", "used": tmp_path / "used", "junit": write_junit(tmp_path / "j.xml", {})}
    places["empty"].mkdir()
    places["used"].mkdir()
    (places["used"] / "old.txt").write_text("a previous run", encoding="utf-8")
    defaults = {"--out": str(tmp_path / "out"), "--project": str(make_project(tmp_path / "project"))}
    given = dict(zip(arguments[::2], [value.format(**places) for value in arguments[1::2]]))
    command = ["evidence", *[part for option, value in (defaults | given).items() for part in (option, value)]]
    if code == 2:  # argparse's own usage errors: a usage line, then the error
        with pytest.raises(SystemExit) as stop:
            main(command)
        returned = stop.value.code
    else:
        returned = main(command)
    error = capsys.readouterr().err
    assert returned == code and complaint in error
    if code != 2:
        assert error.count("\n") == 1 and error.startswith("spotanomaly2-safe: error: ")
    assert not (tmp_path / "out").exists() and [path.name for path in places["used"].iterdir()] == ["old.txt"]


@pytest.mark.requirement("REQ-EVD-001")
def test_junit_outcomes_and_node_ids_are_read_from_each_result(tmp_path):
    suite = TestSuite("pytest")
    for name, results in (("test_ok", []), ("test_bad", [Failure("why")]), ("test_broken", [Error("why")]), ("test_later", [Skipped("why")])):
        case = TestCase(name, classname="tests.test_x.TestY")
        case.add_property("requirement", "REQ-ABC-001")
        case.result = results
        suite.add_testcase(case)
    document = JUnitXml()
    document.add_testsuite(suite)
    document.write(str(tmp_path / "j.xml"))
    results = read_junit(tmp_path / "j.xml")
    assert [(test.test_id, test.outcome) for test in results.outcomes] == [
        ("tests.test_x.TestY::test_ok", "passed"), ("tests.test_x.TestY::test_bad", "failed"),
        ("tests.test_x.TestY::test_broken", "error"), ("tests.test_x.TestY::test_later", "skipped"),
    ]
    assert results.counts == {"passed": 1, "failed": 1, "skipped": 1, "error": 1}


@pytest.mark.requirement("REQ-EVD-001")
@pytest.mark.parametrize("module", [evidence_inputs, evidence_render])
def test_evidence_module_examples_run(module):
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    assert doctest.testmod(module, optionflags=flags).failed == 0


@pytest.mark.requirement("REQ-EVD-002")
def test_report_states_the_run_identity(failing_run):
    _, out = failing_run
    junit_hash = hashlib.sha256((out / "junit.xml").read_bytes()).hexdigest()
    coverage_hash = hashlib.sha256((out / "coverage.json").read_bytes()).hexdigest()
    for text in (read(out, "evidence.html"), read(out, "evidence.md")):
        assert junit_hash in text and coverage_hash in text
        assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", text)
        assert "unknown" in text  # the tiny project is not a git checkout
        assert "SHA256SUMS" in text and "cannot contain its own hash" in text


@pytest.mark.requirement("REQ-EVD-002")
def test_git_commit_is_read_from_the_checkout():
    assert re.fullmatch(r"[0-9a-f]{40}", git_identity(ROOT)["commit"])


@pytest.mark.requirement("REQ-EVD-002")
def test_sha256sums_cover_every_file_and_match(failing_run):
    result, out = failing_run
    listed = dict(reversed(line.split("  ")) for line in read(out, "SHA256SUMS").splitlines())
    assert set(listed) == {path.name for path in out.iterdir()} - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert read(out, "SHA256SUMS") in result.stdout


@pytest.mark.requirement("REQ-EVD-003")
def test_every_article_has_a_section_and_an_empty_one_warns(failing_run):
    _, out = failing_run
    page, markdown = read(out, "evidence.html"), read(out, "evidence.md")
    for _, heading in ARTICLES:
        assert f"<h3>{heading}</h3>" in page and f"### {heading}\n" in markdown
    assert "- articles no requirement traces to: 🔴 Art. 9 Risk management system; Art. 10 Data and data governance; Art. 14 Human oversight" in markdown
    art14 = page.split("<h3>Art. 14 Human oversight</h3>")[1].split("<h3>")[0]
    assert 'class="warning bad">Warning: no requirement traces here' in art14
    art12 = markdown.split("### Art. 12 Record-keeping")[1].split("###")[0]
    assert "🔴 FAIL **REQ-ABC-002**" in art12 and "test_alpha.py::test_beta_holds` 🔴 FAILED" in art12
    annex = markdown.split("### Art. 11 and Annex IV Technical documentation")[1].split("###")[0]
    assert "REQ-ABC-001" in annex and "no requirement traces here" not in annex


@pytest.mark.requirement("REQ-EVD-004")
def test_plots_are_written_and_referenced(failing_run):
    _, out = failing_run
    assert (out / "scenario-demo-norm.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert '<img src="scenario-demo-norm.png"' in read(out, "evidence.html")
    assert "](scenario-demo-norm.png)" in read(out, "evidence.md")


@pytest.mark.requirement("REQ-EVD-004")
def test_seed_agreement_and_coverage_figures_are_shown(failing_run):
    _, out = failing_run
    markdown = read(out, "evidence.md")
    assert "| `test_alpha.py::test_alpha_doubles` | 0.99512 | 0.99017 | 0.81234 |" in markdown
    coverage = json.loads(read(out, "coverage.json"))["totals"]
    assert f"line coverage: {100 * coverage['covered_lines'] / coverage['num_statements']:.2f} %" in markdown
    assert f"{100 * coverage['covered_branches'] / coverage['num_branches']:.2f} % ({coverage['num_branches']} branches" in markdown


@pytest.mark.requirement("REQ-EVD-004")
@pytest.mark.requirement("REQ-REP-007")
def test_golden_hashes_are_shown_beside_recomputed_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    junit = write_junit(tmp_path / "results.xml", {"REQ-VER-003": "test_golden"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(ROOT), "--junit", str(junit), "--scenario", "demo-norm"])
    records = json.loads((ROOT / "verification" / "golden_outputs.json").read_text(encoding="utf-8"))["records"]
    markdown = read(tmp_path / "out", "evidence.md")
    own = class_id(current_machine_class())
    assert f"- machine class of this run: `{own}`" in markdown
    if own in records:  # layer (a): the record of this machine class, bit for bit
        golden = records[own]["hashes"]
        assert "- layer reached: (a) same machine class as a record: bit-identity is promised; worst verdict of the recomputed scenarios: identical" in markdown
        assert (f"| demo-norm | `{golden['demo-norm']}` | `{golden['demo-norm']}` | 🟢 IDENTICAL | identical (max 0 ULP, "
                "max relative difference 0, flags identical) |") in markdown
        assert f"| demo-kmeans | `{golden['demo-kmeans']}` | `(not computed)` | 🔴 NOT RECOMPUTED |  |" in markdown
    else:
        assert "- layer reached: (b) another CPU class with the same dependency versions" in markdown


@pytest.mark.requirement("REQ-REP-007")
def test_only_a_differing_reference_scenario_fails_the_verdict():
    report = {"requirements": {"fail": 0, "untested": 0}, "problems": [], "golden": {"rows": [
        {"name": "a", "status": "identical"}, {"name": "b", "status": "within bound"}, {"name": "c", "status": "not recomputed"}]}}
    assert verdict_failures(report, {"passed": 3}, 0) == []
    report["golden"]["rows"].append({"name": "d", "status": "differs"})
    assert verdict_failures(report, {"passed": 3}, 0) == ["reference scenario d: differs"]


@pytest.mark.requirement("REQ-REP-007")
def test_missing_or_unreadable_golden_file_is_stated_and_nothing_checked(tmp_path):
    missing = scenario_evidence(tmp_path, tmp_path / "golden_outputs.json", ["demo-norm"])
    assert missing["error"] == "No golden record in golden_outputs.json: recomputed outputs have nothing to be compared with."
    assert missing["layer"] is None and {row["name"]: row["status"] for row in missing["rows"]}["demo-norm"] == "not checked"
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    broken = scenario_evidence(tmp_path, tmp_path / "broken.json", ["demo-norm"])
    assert broken["error"].startswith("cannot read the golden file") and broken["layer"] is None


@pytest.mark.requirement("REQ-EVD-005")
def test_mutation_section_says_not_run_without_results_file(failing_run):
    _, out = failing_run
    assert "🔴 Mutation testing: not run. No results file `verification/mutation_results.json`." in read(out, "evidence.md")
    assert '<p class="bad">Mutation testing: not run.' in read(out, "evidence.html")


@pytest.mark.requirement("REQ-EVD-005")
def test_mutation_section_shows_figures_read_from_file(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    project = make_project(tmp_path / "project")
    (project / "verification").mkdir()
    (project / "verification" / "mutation_results.json").write_text(json.dumps(MUTATION_RESULTS), encoding="utf-8")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"])
    markdown = read(tmp_path / "out", "evidence.md")
    assert f"Read from `verification/mutation_results.json`: run on 2026-12-01 at commit `{MUTATION_RESULTS['commit']}` with mutmut 3.2.3" in markdown
    assert "| 412 | 🔴 2 | 1 | 0.99277 |" in markdown
    assert "| `src/alpha.py:5` | x * 2 -&gt; x ** 2 | equivalent for x = 2 only; test added |" in markdown  # ">" as a reference (REQ-EVD-009)
    assert "Mutation testing: not run" not in markdown


@pytest.mark.requirement("REQ-EVD-005")
def test_malformed_mutation_results_are_reported_red(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    project = make_project(tmp_path / "project")
    (project / "verification").mkdir()
    (project / "verification" / "mutation_results.json").write_text('{"tool": "mutmut"}', encoding="utf-8")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"])
    assert "🔴 Mutation results unreadable:" in read(tmp_path / "out", "evidence.md")


@pytest.mark.requirement("REQ-EVD-006")
def test_sbom_and_exact_versions_are_in_the_report(failing_run):
    _, out = failing_run
    sbom = json.loads(read(out, "sbom.cdx.json"))
    assert sbom["bomFormat"] == "CycloneDX"
    assert any(component["name"] == "numpy" for component in sbom["components"])
    markdown = read(out, "evidence.md")
    assert f"| numpy | {numpy.__version__} |" in markdown and "| python |" in markdown
    assert "[`sbom.cdx.json`](sbom.cdx.json)" in markdown


@pytest.mark.requirement("REQ-EVD-006")
def test_sbom_failure_is_stated_red(tmp_path, monkeypatch):
    error = write_sbom(tmp_path / "no-such-folder" / "sbom.json")
    assert error.startswith("cyclonedx-py environment exited with")
    monkeypatch.setattr(evidence, "write_sbom", lambda path: error)
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(make_project(tmp_path / "p")), "--junit", str(junit), "--scenario", "demo-norm"])
    assert '<p class="bad">No SBOM: cyclonedx-py environment exited with' in read(tmp_path / "out", "evidence.html")
    assert "🔴 No SBOM: cyclonedx-py environment exited with" in read(tmp_path / "out", "evidence.md")


@pytest.mark.requirement("REQ-EVD-007")
def test_report_never_claims_conformity_and_says_whose_assessment_it_serves(failing_run):
    _, out = failing_run
    for name in ("evidence.html", "evidence.md"):
        text = html.unescape(read(out, name))
        assert not FORBIDDEN.search(text), FORBIDDEN.search(text)
        assert "evidence for the provider's own conformity assessment" in text


@pytest.mark.requirement("REQ-EVD-007")
def test_conformity_claim_in_a_requirement_refuses_to_render(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    project = make_project(tmp_path / "project", REQUIREMENTS.replace("Beta shall hold.", "Beta shall be Certified."))
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    assert main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"]) == 2
    error = capsys.readouterr().err
    assert "would claim conformity ('Certified')" in error and error.count("\n") == 1
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.*"))  # nothing at all, not half a report


@pytest.mark.requirement("REQ-EVD-008")
def test_detection_quality_of_every_suite_is_recomputed_for_both_configurations_with_unmet_targets_red(failing_run):
    _, out = failing_run
    markdown, page = read(out, "evidence.md"), read(out, "evidence.html")
    section = markdown.split("## Detection quality", 1)[1].split("\n## ", 1)[0]
    assert "not part of the verdict" in section and "recall ≥ 0.6" in section
    assert f"- recommended (adaptive): {describe(ADAPTIVE_RECOMMENDED)}" in section.splitlines()
    for suite in unsealed_suites():
        for label, configuration in (("recommended (adaptive)", ADAPTIVE_RECOMMENDED), ("previous recommendation", RECOMMENDED)):
            row = suite_quality(suite, configuration)
            if "refused" in row:  # the previous recommendation on the monitoring suite's 100-row heads
                assert f"| {suite} | {label} | 🔴 refused: {row['refused']} | | | | | | | |" in section.splitlines()
                assert f'<tr><td>{suite}</td><td>{label}</td><td class="bad" colspan="8">refused: ' in page
                continue
            red_recall, red_bursts = ("" if row["targets_met"][key] else "🔴 " for key in ("recall", "false_bursts_per_10k"))
            expected = (f"| {suite} | {label} | {row['windows']} | {row['hit_windows']} | {row['false_bursts']} | {row['rows']} | "
                        f"{row['precision']:.3f} | {red_recall}{row['recall']:.3f} | {row['event_f1']:.3f} | "
                        f"{red_bursts}{row['false_bursts_per_10k']:.1f} |")
            assert expected in section.splitlines()
            cell = f'<td class="{"good" if row["targets_met"]["recall"] else "bad"}">{row["recall"]:.3f}</td>'
            assert f"<tr><td>{suite}</td><td>{label}</td>" in page and cell in page
    for sealed in SEALED_SUITES:
        assert f"| {sealed} |" not in section and f"<tr><td>{sealed}</td>" not in page


@pytest.mark.requirement("REQ-EVD-008")
def test_report_without_skab_data_says_so_in_red(failing_run):
    _, out = failing_run
    markdown, page = read(out, "evidence.md"), read(out, "evidence.html")
    skab = markdown.split("### SKAB", 1)[1].split("\n## ", 1)[0]
    assert "🔴 SKAB data not available" in skab and "| SKAB runs |" not in skab
    assert '<p class="bad">SKAB data not available' in page


def write_skab(root: Path) -> Path:
    """A SKAB-shaped folder (one or two short runs per group, a step fault in one column), for the report."""
    sensors = ["Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure", "Temperature", "Thermocouple", "Voltage",
               "Volume Flow RateRMS"]
    for seed, (group, name) in enumerate((("valve1", "0"), ("valve2", "1"), ("other", "2"), ("other", "3"))):
        rng = numpy.random.default_rng(seed)
        values = rng.normal(size=(560, len(sensors))) + numpy.arange(len(sensors))
        anomaly = numpy.zeros(560)
        anomaly[450:520] = 1.0
        values[450:520, 2] += 6.0 + seed
        index = pd.date_range("2020-03-09 10:14:33", periods=560, freq="s", name="datetime")
        frame = pd.DataFrame(values, columns=sensors, index=index).assign(anomaly=anomaly, changepoint=0.0)
        (root / "data" / group).mkdir(parents=True, exist_ok=True)
        frame.to_csv(root / "data" / group / f"{name}.csv", sep=";")
    return root


@pytest.mark.requirement("REQ-EVD-008")
def test_skab_table_shows_recomputed_pooled_and_split_figures_beside_the_published_rows_with_unmet_targets_red(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    monkeypatch.setattr(evidence, "SKAB_DATA", write_skab(tmp_path / "skab"))
    project = make_project(tmp_path / "project")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"])
    markdown, page = read(tmp_path / "out", "evidence.md"), read(tmp_path / "out", "evidence.html")
    skab = markdown.split("### SKAB", 1)[1].split("\n## ", 1)[0]
    assert "4 labelled runs, 640 test rows" in skab and "not part of the verdict" in skab
    expected = skab_quality(tmp_path / "skab", ADAPTIVE_RECOMMENDED)
    names = {"all": "all runs", "valve": "valve1 + valve2", "other": "other"}
    for key, metrics in expected["metrics"].items():
        met = expected["targets_met"][key]
        red = {name: "" if ok else "🔴 " for name, ok in met.items()}
        assert (f"| recommended (adaptive): {names[key]} | {red['f1']}{metrics.f1:.3f} | {red['far']}{metrics.far:.2f} | "
                f"{red['mar']}{metrics.mar:.2f} |") in skab.splitlines()
        assert (f'<tr><td>recommended (adaptive): {names[key]}</td><td class="{"good" if met["f1"] else "bad"}">{metrics.f1:.3f}</td>'
                f'<td class="{"good" if met["far"] else "bad"}">{metrics.far:.2f}</td>') in page
    for name, (f1, far, mar) in PUBLISHED.items():
        assert f"| published: {name} | {f1:.3f} | {far:.2f} | {mar:.2f} |" in skab.splitlines()
    assert "SKAB data not available" not in markdown


@pytest.mark.requirement("REQ-EVD-008")
def test_unreadable_skab_data_is_stated_and_the_report_still_renders(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    root = write_skab(tmp_path / "skab")
    (root / "data" / "other" / "3.csv").write_text("not;a;skab;run\n1;2;3;4\n", encoding="utf-8")
    monkeypatch.setattr(evidence, "SKAB_DATA", root)
    project = make_project(tmp_path / "project")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"])
    assert "🔴 SKAB data unreadable: ValueError" in read(tmp_path / "out", "evidence.md")


@pytest.mark.requirement("REQ-EVD-009")
def test_markup_in_the_skab_folder_name_is_escaped_in_both_reports(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    monkeypatch.setattr(evidence, "SKAB_DATA", tmp_path / "<script>alert(1)</script>")
    project = make_project(tmp_path / "project")
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": "test_a"})
    main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"])
    markdown, page = read(tmp_path / "out", "evidence.md"), read(tmp_path / "out", "evidence.html")
    for text in (markdown, page):
        assert "<script" not in text.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


@pytest.mark.requirement("REQ-EVD-009")
def test_markup_in_requirements_test_ids_and_problems_is_escaped_in_both_reports(tmp_path, monkeypatch):
    monkeypatch.setattr(evidence, "write_sbom", no_sbom)
    hostile = "<script>alert(1)</script>"
    project = make_project(tmp_path / "project", REQUIREMENTS.replace("Beta shall hold.", f"Beta shall hold {hostile}.")
                           .replace(",Gamma,", f",Gamma {hostile},"))
    junit = write_junit(tmp_path / "results.xml", {"REQ-ABC-001": f"test_a[{hostile}]", f"REQ-{hostile}": "test_b"})
    assert main(["evidence", "--out", str(tmp_path / "out"), "--project", str(project), "--junit", str(junit), "--scenario", "demo-norm"]) == 1
    markdown, page = read(tmp_path / "out", "evidence.md"), read(tmp_path / "out", "evidence.html")
    for text in (markdown, page):
        assert "<script" not in text.lower()
    assert markdown.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # statement, title, test ID, unknown-requirement problem
    assert f"Beta shall hold {hostile}." in html.unescape(markdown)  # shown as the text it is
