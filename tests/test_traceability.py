# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The traceability checker itself: each way a run can be untraceable makes an inner pytest run fail."""

import textwrap
from pathlib import Path

import pytest

from spotanomaly2_safe_cli.trace.matrix import load_requirements

HEADER = "req_id,title,statement,category,eu_ai_act,verification,risk\n"
ROWS = (
    "REQ-ABC-001,First,Alpha shall hold.,correctness,Art.15(1),test,H1\n"
    "REQ-ABC-002,Second,Beta shall hold.,correctness,Art.12; Art.9(2),test,H2\n"
)
PASSING_TESTS = """
import pytest

@pytest.mark.requirement("REQ-ABC-001")
def test_alpha():
    assert True

@pytest.mark.requirement("REQ-ABC-002")
def test_beta():
    assert True
"""
BROKEN_FIXTURE = """

@pytest.fixture
def broken():
    raise RuntimeError("setup fails")
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A tiny project using the plugin: two requirements, a public module naming Alpha and Beta, a README."""
    pytester.makeconftest('pytest_plugins = ["spotanomaly2_safe_cli.trace.plugin"]')
    pytester.makeini(
        textwrap.dedent("""
        [pytest]
        markers = requirement(req_id): the requirement
        traceability_documents = README.md
        traceability_public_modules = publicapi
        """)
    )
    pytester.makepyfile(publicapi='__all__ = ["Alpha", "Beta"]')
    pytester.syspathinsert()
    (pytester.path / "requirements_trace.csv").write_text(HEADER + ROWS, encoding="utf-8")
    (pytester.path / "README.md").write_text("Alpha [REQ-ABC-001].", encoding="utf-8")
    return pytester


@pytest.mark.requirement("REQ-VER-001")
def test_traceable_run_passes_and_prints_the_matrix(project):
    project.makepyfile(test_things=PASSING_TESTS)
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*REQ-ABC-001*Art.15(1)*1*1*PASS", "*REQ-ABC-002*Art.12; Art.9(2)*PASS", "*every requirement has tests*"])


@pytest.mark.requirement("REQ-VER-001")
def test_requirement_without_test_fails_the_run(project):
    project.makepyfile(test_things=PASSING_TESTS.split('@pytest.mark.requirement("REQ-ABC-002")')[0])
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*REQ-ABC-002*0*0*UNTESTED", "TRACEABILITY FAILURE: REQ-ABC-002 has no test"])


@pytest.mark.requirement("REQ-VER-001")
def test_unknown_requirement_id_stops_collection(project):
    project.makepyfile(test_things=PASSING_TESTS.replace("REQ-ABC-002", "REQ-ABC-009"))
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_beta: unknown requirement 'REQ-ABC-009'"])


@pytest.mark.requirement("REQ-VER-001")
def test_test_without_requirement_stops_collection(project):
    project.makepyfile(test_things=PASSING_TESTS + "\ndef test_orphan():\n    assert True\n")
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*test_orphan: no @pytest.mark.requirement"])


@pytest.mark.requirement("REQ-VER-001")
@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        ("assert False", "failed"),
        ("pytest.skip('not here')", "skipped"),
    ],
)
def test_requirement_whose_test_did_not_pass_fails_the_run(project, body, outcome):
    project.makepyfile(test_things=PASSING_TESTS.replace("def test_beta():\n    assert True", f"def test_beta():\n    {body}"))
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"TRACEABILITY FAILURE: REQ-ABC-002 has tests that did not pass: *test_beta ({outcome})"])


@pytest.mark.requirement("REQ-VER-001")
def test_failing_fixture_counts_as_error(project):
    project.makepyfile(test_things=PASSING_TESTS.replace("def test_beta():", "def test_beta(broken):") + BROKEN_FIXTURE)
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["TRACEABILITY FAILURE: REQ-ABC-002 has tests that did not pass: *test_beta (error)"])


@pytest.mark.requirement("REQ-VER-001")
def test_public_name_missing_from_every_statement_fails_the_run(project):
    project.makepyfile(publicapi='__all__ = ["Alpha", "Beta", "Gamma"]', test_things=PASSING_TESTS)
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["TRACEABILITY FAILURE: public name 'Gamma' is named in no requirement statement"])


@pytest.mark.requirement("REQ-VER-001")
def test_document_citing_unknown_requirement_fails_the_run(project):
    (project.path / "README.md").write_text("Alpha [REQ-ABC-001], Gamma [REQ-XYZ-404].", encoding="utf-8")
    project.makepyfile(test_things=PASSING_TESTS)
    result = project.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["TRACEABILITY FAILURE: README.md cites unknown requirement 'REQ-XYZ-404'"])


@pytest.mark.requirement("REQ-VER-001")
@pytest.mark.parametrize(("arguments", "checked"), [(["-k", "alpha"], False), (["-k", "alpha", "--trace-check"], True)])
def test_partial_run_is_checked_only_when_asked(project, arguments, checked):
    project.makepyfile(test_things=PASSING_TESTS)
    result = project.runpytest("-p", "no:cacheprovider", *arguments)
    assert (result.ret == pytest.ExitCode.TESTS_FAILED) is checked
    assert ("REQ-ABC-002 has tests that did not pass" in result.stdout.str() or "REQ-ABC-002 has no test" in result.stdout.str()) is checked


@pytest.mark.requirement("REQ-VER-001")
def test_requirement_ids_reach_the_junit_xml(project, tmp_path):
    project.makepyfile(test_things=PASSING_TESTS)
    report = tmp_path / "junit.xml"
    project.runpytest("-p", "no:cacheprovider", f"--junitxml={report}")
    xml = report.read_text(encoding="utf-8")
    assert '<property name="requirement" value="REQ-ABC-001"' in xml and '<property name="requirement" value="REQ-ABC-002"' in xml


def _write_trace(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "trace.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.requirement("REQ-VER-001")
@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("req_id,title\nREQ-ABC-001,x\n", "columns must be"),
        (HEADER + "REQ-1,t,X shall hold.,correctness,Art.12,test,H1\n", "REQ-ABC-001"),
        (HEADER + ROWS + ROWS.splitlines(keepends=True)[0], "an ID not used before"),
        (HEADER + "REQ-ABC-001,t,X shall hold.,magic,Art.12,test,H1\n", "a category in"),
        (HEADER + "REQ-ABC-001,t,X shall hold.,correctness,Art.12,vibes,H1\n", "a verification method in"),
        (HEADER + "REQ-ABC-001,t,X holds.,correctness,Art.12,test,H1\n", "a 'shall' statement"),
        (HEADER + "REQ-ABC-001,t,X shall hold.,correctness,,test,H1\n", "an EU AI Act reference"),
        (HEADER + "REQ-ABC-001,t,X shall hold 1,000 rows.,correctness,Art.12,test,H1\n", "line 2: 8 fields where 7 are needed"),
        (HEADER + "REQ-ABC-001,t,X shall hold.,correctness,Art.12\n", "line 2: 5 fields where 7 are needed"),
    ],
)
def test_malformed_trace_file_is_rejected(tmp_path, text, complaint):
    with pytest.raises(ValueError, match=complaint):
        load_requirements(_write_trace(tmp_path, text))


@pytest.mark.requirement("REQ-VER-001")
def test_project_trace_file_is_well_formed():
    requirements = load_requirements(Path(__file__).resolve().parents[1] / "requirements_trace.csv")
    assert len(requirements) >= 40
    assert all(requirement.articles for requirement in requirements)
