# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Read the evidence report's inputs: JUnit XML, coverage JSON, mutation results, articles of the EU AI Act.

A test's outcome is its worst JUnit result: ``error`` over ``failed`` over ``skipped`` over ``passed``
(the same words as :class:`~spotanomaly2_safe_cli.trace.matrix.TestOutcome`); its requirements are its
``requirement`` properties, written by :mod:`spotanomaly2_safe_cli.trace.plugin`. A test is named by
its pytest node ID, rebuilt from the ``file`` attribute of ``junit_family = xunit1`` (without it:
``classname::name``).

The mutation-testing results file (``verification/mutation_results.json``, written by whoever runs the
mutation tool) is one JSON object with the keys of :data:`MUTATION_KEYS`: ``tool`` and ``tool_version``
(strings), ``date`` (ISO date of the run), ``commit`` (the git commit mutated), ``killed``, ``survived``,
``timeout`` (counts), ``score`` (killed / (killed + survived + timeout), in [0, 1]) and
``surviving_mutants``: a list of objects each with ``location`` (``path:line``), ``mutation`` (what was
changed) and ``reason`` (why it survives, e.g. an equivalent mutant).

>>> article_keys("Art.15(1); Annex IV(2)(g); Art.9(2)")
['15', '11', '9']
"""

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from junitparser import Attr, Error, Failure, Skipped
from junitparser.xunit2 import JUnitXml, TestCase, TestSuite

from spotanomaly2_safe_cli.trace.matrix import RequirementResult, TestOutcome

__all__ = ["ARTICLES", "MUTATION_KEYS", "SEED_AGREEMENT_PROPERTIES", "JunitResults", "PytestTestCase", "article_keys",
           "articles_with_requirements", "node_id", "read_coverage", "read_junit", "read_mutation_results"]

# Section key, heading. Annex IV (technical documentation) is reported with Art. 11, which requires it.
ARTICLES = (
    ("9", "Art. 9 Risk management system"),
    ("10", "Art. 10 Data and data governance"),
    ("11", "Art. 11 and Annex IV Technical documentation"),
    ("12", "Art. 12 Record-keeping"),
    ("13", "Art. 13 Transparency and provision of information to deployers"),
    ("14", "Art. 14 Human oversight"),
    ("15", "Art. 15 Accuracy, robustness and cybersecurity"),
)
SEED_AGREEMENT_PROPERTIES = ("agreement_mean", "agreement_min", "flagged_jaccard_mean")
MUTATION_KEYS = ("tool", "tool_version", "date", "commit", "killed", "survived", "timeout", "score", "surviving_mutants")
_REFERENCE = re.compile(r"^\s*(?:Art\.?\s*(?P<article>\d+)|(?P<annex>Annex\s+IV)\b)")
# Worst first: one failing phase makes the whole test fail, a skip is never a pass.
_RESULT_OUTCOMES = ((Error, "error"), (Failure, "failed"), (Skipped, "skipped"))


@dataclass
class JunitResults:
    """Every test's outcome, the counts per outcome, and the seed-agreement figures each test recorded."""

    outcomes: list[TestOutcome]
    counts: dict[str, int]
    seed_agreement: list[dict[str, str]] = field(default_factory=list)


class PytestTestCase(TestCase):
    """A pytest test case: xunit1 adds ``file``, the test file relative to the rootdir."""

    file = Attr()


def node_id(case: PytestTestCase) -> str:
    """Undo pytest's JUnit name mangling (``tests/test_x.py::TestY::test_z`` -> ``tests.test_x.TestY``, ``test_z``).

    >>> node_id(PytestTestCase.fromstring('<testcase file="tests/test_x.py" classname="tests.test_x.TestY" name="test_z[1]"/>'))
    'tests/test_x.py::TestY::test_z[1]'
    """
    module = re.sub(r"\.py$", "", case.file or "").replace("/", ".")
    if not case.file or not (case.classname == module or case.classname.startswith(f"{module}.")):
        return f"{case.classname}::{case.name}"
    classes = case.classname[len(module):].split(".")[1:]
    return "::".join([case.file, *classes, case.name])


def _outcome(case: PytestTestCase) -> str:
    for result_type, outcome in _RESULT_OUTCOMES:
        if any(isinstance(result, result_type) for result in case.result):
            return outcome
    return "passed"


def read_junit(path: Path) -> JunitResults:
    """Parse a JUnit XML file (one ``<testsuite>`` or ``<testsuites>``) with junitparser."""
    document = JUnitXml.fromfile(str(path))
    suites = [document] if isinstance(document, TestSuite) else list(document)
    outcomes, seed_agreement = [], []
    for suite in suites:
        for case in map(PytestTestCase.fromelem, suite):
            test_id = node_id(case)
            properties = {prop.name: prop.value for prop in case.properties()}
            requirements = tuple(prop.value for prop in case.properties() if prop.name == "requirement")
            outcomes.append(TestOutcome(test_id, _outcome(case), requirements))
            if all(name in properties for name in SEED_AGREEMENT_PROPERTIES):
                seed_agreement.append({"test": test_id, **{name: properties[name] for name in SEED_AGREEMENT_PROPERTIES}})
    counts = {outcome: sum(test.outcome == outcome for test in outcomes) for outcome in ("passed", "failed", "skipped", "error")}
    return JunitResults(outcomes, counts, seed_agreement)


def read_coverage(path: Path | None) -> dict[str, Any] | None:
    """Line and branch percent over the measured files of a coverage.py JSON report (None without one)."""
    if path is None or not path.is_file():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    totals, files = report["totals"], sorted(report["files"])
    branches = totals.get("num_branches")
    return {
        "line_percent": 100.0 * totals["covered_lines"] / max(totals["num_statements"], 1),
        "branch_percent": None if branches is None else 100.0 * totals["covered_branches"] / max(branches, 1),
        "statements": totals["num_statements"],
        "missing_lines": totals["missing_lines"],
        "branches": branches,
        "missing_branches": totals.get("missing_branches"),
        "files": len(files),
        "measured_under": os.path.commonpath(files) if files else "",
    }


def read_mutation_results(path: Path) -> dict[str, Any] | None:
    """The mutation-testing results file (schema in the module docstring); None when absent, ValueError when malformed."""
    if not path.is_file():
        return None
    results = json.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in MUTATION_KEYS if key not in results]
    if missing:
        raise ValueError(f"{path}: missing key(s) {missing}; expected {list(MUTATION_KEYS)}.")
    return results


def article_keys(eu_ai_act: str) -> list[str]:
    """The section keys (article numbers, Annex IV as 11) that ``;``-separated EU AI Act references point to."""
    keys = []
    for reference in eu_ai_act.split(";"):
        match = _REFERENCE.match(reference)
        if match:
            keys.append(match["article"] or "11")
    return keys


def articles_with_requirements(matrix: Mapping[str, RequirementResult]) -> list[tuple[str, str, list[RequirementResult]]]:
    """Each article of :data:`ARTICLES` (key, heading) with the requirements whose references point to it."""
    return [
        (key, heading, [result for result in matrix.values() if key in article_keys(result.requirement.eu_ai_act)])
        for key, heading in ARTICLES
    ]
