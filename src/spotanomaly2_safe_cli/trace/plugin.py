# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""pytest plugin: every test names its requirements, and a full run fails unless it is traceable.

At collection: a test without ``@pytest.mark.requirement("REQ-…")``, or naming an ID missing from the
trace file, stops the run (docstring examples get the ``doctest_requirement`` ini value). Each test's
IDs are written to its JUnit-XML ``<properties>`` as ``requirement``. At the end of a full run (no
paths, ``-k``, ``-m`` or ``--deselect`` given; force with ``--trace-check``, skip with
``--no-trace-check``) it prints the matrix and fails the run on any problem of
:func:`spotanomaly2_safe_cli.trace.matrix.traceability_problems`, or on a requirement ID cited in a
``traceability_documents`` file that the trace file does not define.

Enable it with ``pytest_plugins = ["spotanomaly2_safe_cli.trace.plugin"]`` in the root ``conftest.py``.
"""

import importlib
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

from spotanomaly2_safe_cli.trace.matrix import (
    TestOutcome,
    build_matrix,
    cited_requirement_ids,
    format_matrix,
    load_requirements,
    traceability_problems,
)

_OUTCOMES = pytest.StashKey[dict]()
_PROBLEMS = pytest.StashKey[list]()
_MATRIX = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("traceability")
    group.addoption("--trace-check", action="store_true", default=None, help="check traceability even on a partial run")
    group.addoption("--no-trace-check", action="store_false", dest="trace_check", help="do not check traceability")
    parser.addini("requirements_trace", "the requirements trace CSV, relative to the rootdir", default="requirements_trace.csv")
    parser.addini("doctest_requirement", "the requirement docstring examples verify", default="")
    parser.addini("traceability_documents", "documents whose cited requirement IDs must exist", type="linelist", default=[])
    parser.addini("traceability_public_modules", "modules whose __all__ names requirements must name", type="linelist", default=[])


def _is_full_run(config: pytest.Config) -> bool:
    if config.option.trace_check is not None:
        return config.option.trace_check
    narrowed = config.option.keyword or config.option.markexpr or config.option.deselect or getattr(config.option, "lf", False)
    return config.args_source is not pytest.Config.ArgsSource.ARGS and not narrowed


def _requirements(config: pytest.Config) -> list:
    try:
        return load_requirements(config.rootpath / config.getini("requirements_trace"))
    except (OSError, ValueError) as error:
        raise pytest.UsageError(f"Requirements trace file: {error}") from None


def _item_requirements(item: pytest.Item) -> tuple[str, ...]:
    return tuple(marker.args[0] for marker in item.iter_markers("requirement") if marker.args)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    known = {requirement.req_id for requirement in _requirements(config)}
    doctest_requirement = config.getini("doctest_requirement")
    problems = []
    for item in items:
        if isinstance(item, DoctestItem) and doctest_requirement:
            item.add_marker(pytest.mark.requirement(doctest_requirement))
        names = _item_requirements(item)
        if not names:
            problems.append(f"{item.nodeid}: no @pytest.mark.requirement")
        problems.extend(f"{item.nodeid}: unknown requirement {name!r}" for name in names if name not in known)
        item.user_properties.extend(("requirement", name) for name in names)
    if problems:
        raise pytest.UsageError("Requirement markers:\n" + "\n".join(problems))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Track the tests that will run (after deselection); one that never reports stays "not run"."""
    session.config.stash[_OUTCOMES] = {item.nodeid: ["not run", _item_requirements(item)] for item in session.items}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Record the worst phase of each test: a failed setup or teardown is an error, a skip is not a pass."""
    report = yield
    record = item.config.stash[_OUTCOMES][item.nodeid]
    if not report.passed and record[0] in ("not run", "passed"):
        record[0] = "skipped" if report.skipped else ("failed" if report.when == "call" else "error")
    elif report.when == "call" and record[0] == "not run":
        record[0] = "passed"
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if _OUTCOMES not in config.stash or not _is_full_run(config):
        return
    outcomes = [TestOutcome(nodeid, outcome, names) for nodeid, (outcome, names) in config.stash[_OUTCOMES].items()]
    matrix = build_matrix(_requirements(config), outcomes)
    public_names = [name for module in config.getini("traceability_public_modules") for name in importlib.import_module(module).__all__]
    problems = traceability_problems(matrix, outcomes, public_names)
    for document in config.getini("traceability_documents"):
        text = Path(config.rootpath, document).read_text(encoding="utf-8")
        problems.extend(f"{document} cites unknown requirement {req_id!r}" for req_id in sorted(cited_requirement_ids(text) - set(matrix)))
    config.stash[_MATRIX], config.stash[_PROBLEMS] = matrix, problems
    if problems and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    if _MATRIX not in config.stash:
        return
    terminalreporter.section("requirements traceability")
    terminalreporter.write_line(format_matrix(config.stash[_MATRIX]))
    problems = config.stash[_PROBLEMS]
    for problem in problems:
        terminalreporter.write_line(f"TRACEABILITY FAILURE: {problem}", red=True)
    verdict = f"{len(problems)} traceability problem(s)" if problems else "every requirement has tests and all of them passed"
    terminalreporter.write_line(verdict, bold=True)
