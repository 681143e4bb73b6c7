# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Requirements <-> tests, traced both ways: the matrix and the rules that make a run fail.

A run is traceable when every requirement in ``requirements_trace.csv`` has at least one test and all
of its tests passed, every test names only known requirements, every public kernel name appears (as a
word) in some requirement's statement, and every requirement ID cited in a document exists. The pytest
plugin (:mod:`spotanomaly2_safe_cli.trace.plugin`) and the evidence report both build the matrix here.

>>> requirements = [Requirement("REQ-A-001", "t", "X shall hold.", "correctness", "Art.15(1)", "test", "H1")]
>>> matrix = build_matrix(requirements, [TestOutcome("test_x", "passed", ("REQ-A-001",))])
>>> matrix["REQ-A-001"].status
'pass'
>>> traceability_problems(matrix, [TestOutcome("test_y", "passed", ("REQ-B-009",))], ["X", "Y"])
["test_y names unknown requirement 'REQ-B-009'", "public name 'Y' is named in no requirement statement"]
"""

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "REQUIREMENT_ID",
    "Requirement",
    "RequirementResult",
    "TestOutcome",
    "build_matrix",
    "cited_requirement_ids",
    "format_matrix",
    "load_requirements",
    "traceability_problems",
]

COLUMNS = ("req_id", "title", "statement", "category", "eu_ai_act", "verification", "risk")
CATEGORIES = ("contract", "determinism", "correctness", "robustness", "transparency", "performance", "streaming", "evidence")
VERIFICATION_METHODS = ("test", "inspection", "analysis")
REQUIREMENT_ID = re.compile(r"\bREQ-[A-Z]{3}-\d{3}\b")


@dataclass(frozen=True)
class Requirement:
    """One row of ``requirements_trace.csv``; ``eu_ai_act`` may list several references separated by ``;``."""

    req_id: str
    title: str
    statement: str
    category: str
    eu_ai_act: str
    verification: str
    risk: str

    @property
    def articles(self) -> list[str]:
        return [part.strip() for part in self.eu_ai_act.split(";") if part.strip()]


@dataclass(frozen=True)
class TestOutcome:
    """One test's result in this run: ``outcome`` is pytest's ("passed", "failed", "skipped", "error")."""

    test_id: str
    outcome: str
    requirements: tuple[str, ...]


@dataclass
class RequirementResult:
    requirement: Requirement
    outcomes: list[TestOutcome] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``pass`` when it has tests and all passed, ``untested`` with none, else ``fail``."""
        if not self.outcomes:
            return "untested"
        return "pass" if all(outcome.outcome == "passed" for outcome in self.outcomes) else "fail"


def load_requirements(path: Path) -> list[Requirement]:
    """Read and check the trace file: the exact columns, unique well-formed IDs, known categories and methods."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: columns must be {list(COLUMNS)}; found {reader.fieldnames}.")
        requirements = []
        for row in reader:
            if None in row or None in row.values():  # csv puts surplus fields under None and fills short rows with None
                fields = len(COLUMNS) - list(row.values()).count(None) + len(row.get(None) or ())
                raise ValueError(f"{path} line {reader.line_num}: {fields} fields where {len(COLUMNS)} are needed; "
                                 "inside a field write ';', not ','.")
            requirements.append(Requirement(**row))
    seen: set[str] = set()
    for line, requirement in enumerate(requirements, start=2):
        problems = []
        if not REQUIREMENT_ID.fullmatch(requirement.req_id):
            problems.append("an ID of the form REQ-ABC-001")
        if requirement.req_id in seen:
            problems.append("an ID not used before")
        if requirement.category not in CATEGORIES:
            problems.append(f"a category in {CATEGORIES}")
        if requirement.verification not in VERIFICATION_METHODS:
            problems.append(f"a verification method in {VERIFICATION_METHODS}")
        if " shall " not in f" {requirement.statement} " or not requirement.eu_ai_act or not requirement.risk:
            problems.append("a 'shall' statement, an EU AI Act reference and a risk")
        if problems:
            raise ValueError(f"{path} line {line} ({requirement.req_id!r}) needs {'; '.join(problems)}.")
        seen.add(requirement.req_id)
    return requirements


def build_matrix(requirements: Sequence[Requirement], outcomes: Iterable[TestOutcome]) -> dict[str, RequirementResult]:
    """Each requirement with the outcomes of the tests that name it, in the trace file's order."""
    matrix = {requirement.req_id: RequirementResult(requirement) for requirement in requirements}
    for outcome in outcomes:
        for req_id in outcome.requirements:
            if req_id in matrix:
                matrix[req_id].outcomes.append(outcome)
    return matrix


def traceability_problems(
    matrix: Mapping[str, RequirementResult], outcomes: Iterable[TestOutcome], public_names: Iterable[str]
) -> list[str]:
    """Every way the run is not traceable, as sentences (empty when it is)."""
    problems = []
    for req_id, result in matrix.items():
        if result.status == "untested":
            problems.append(f"{req_id} has no test")
        elif result.status == "fail":
            bad = [f"{outcome.test_id} ({outcome.outcome})" for outcome in result.outcomes if outcome.outcome != "passed"]
            problems.append(f"{req_id} has tests that did not pass: {', '.join(bad)}")
    for outcome in outcomes:
        if not outcome.requirements:
            problems.append(f"{outcome.test_id} names no requirement")
        problems.extend(
            f"{outcome.test_id} names unknown requirement {req_id!r}" for req_id in outcome.requirements if req_id not in matrix
        )
    statements = " ".join(result.requirement.statement for result in matrix.values())
    for name in public_names:
        if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", statements):
            problems.append(f"public name {name!r} is named in no requirement statement")
    return problems


def cited_requirement_ids(text: str) -> set[str]:
    """The requirement IDs a document cites (ranges such as ``REQ-CON-001 … REQ-CON-011`` name their ends)."""
    return set(REQUIREMENT_ID.findall(text))


def format_matrix(matrix: Mapping[str, RequirementResult]) -> str:
    """A plain-text table: requirement, EU AI Act references, tests, passed, status."""
    lines = [f"{'requirement':<12} {'EU AI Act':<28} {'tests':>5} {'passed':>6}  status"]
    for req_id, result in matrix.items():
        passed = sum(outcome.outcome == "passed" for outcome in result.outcomes)
        articles = "; ".join(result.requirement.articles)
        lines.append(f"{req_id:<12} {articles:<28.28} {len(result.outcomes):>5} {passed:>6}  {result.status.upper()}")
    return "\n".join(lines)
