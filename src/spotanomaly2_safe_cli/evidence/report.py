# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Assemble what the evidence report says from the run's results: the template context and the verdict.

The verdict is a pass only when no test failed, errored or was skipped, every requirement passed, the
run is traceable (:func:`~spotanomaly2_safe_cli.trace.matrix.traceability_problems`, with the public
names and documents the project's pytest settings name), no recomputed reference scenario ``differs`` from
the golden records (``identical`` and ``within bound`` pass; the report states the layer reached), and the
test run (when this command ran it) exited with 0. Anything else is stated, never dropped. A scenario
without a golden record, or not recomputed, is shown in red but does not decide the verdict: the suite's
golden test (REQ-VER-003) fails on it, and the report may be rendered for a subset of scenarios.
"""

import importlib
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from spotanomaly2_safe_cli.evidence.inputs import JunitResults, articles_with_requirements
from spotanomaly2_safe_cli.trace.matrix import (
    RequirementResult,
    build_matrix,
    cited_requirement_ids,
    load_requirements,
    traceability_problems,
)

__all__ = ["DISCLAIMER", "trace_section", "verdict_failures"]

DISCLAIMER = (
    "This report is evidence for the provider's own conformity assessment under the EU AI Act: it states what "
    "was verified, how and where, for the exact run identified below. It does not state conformity; that "
    "assessment is the provider's."
)


def _requirement_row(result: RequirementResult) -> dict[str, Any]:
    """One requirement with its tests and status, as the templates show it."""
    requirement = result.requirement
    return {
        "id": requirement.req_id, "title": requirement.title, "statement": requirement.statement,
        "category": requirement.category, "refs": requirement.articles, "verification": requirement.verification,
        "risk": requirement.risk, "tests": len(result.outcomes),
        "passed": sum(outcome.outcome == "passed" for outcome in result.outcomes),
        "outcomes": result.outcomes, "status": result.status,
    }


def _pytest_settings(project: Path) -> Mapping[str, Any]:
    pyproject = project / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    return tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("pytest", {}).get("ini_options", {})


def _problems(project: Path, matrix: Mapping[str, RequirementResult], junit: JunitResults) -> list[str]:
    """The traceability plugin's checks, repeated on the JUnit results so a report from files gets them too."""
    settings = _pytest_settings(project)
    public_names, unimportable = [], []
    for module in settings.get("traceability_public_modules", []):
        try:
            public_names.extend(importlib.import_module(module).__all__)
        except ImportError as error:
            # Rendering runs outside the project's test environment; an unchecked rule is said, not skipped.
            unimportable.append(f"public module {module!r} could not be imported, so its names were not checked: {error}")
    problems = traceability_problems(matrix, junit.outcomes, public_names) + unimportable
    for document in settings.get("traceability_documents", []):
        cited = cited_requirement_ids((project / document).read_text(encoding="utf-8"))
        problems.extend(f"{document} cites unknown requirement {req_id!r}" for req_id in sorted(cited - set(matrix)))
    return problems


def _natural_key(text: str) -> list:
    """Sort H2 before H10: digit runs compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def _risks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    risks: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        risks.setdefault(row["risk"], []).append(row)
    return [
        {"risk": risk, "rows": members, "status": "pass" if all(row["status"] == "pass" for row in members) else "fail"}
        for risk, members in sorted(risks.items(), key=lambda item: _natural_key(item[0]))
    ]


def trace_section(project: Path, junit: JunitResults) -> dict[str, Any]:
    """Summary counts, problems, matrix, article sections and hazards for the requirements of ``project``."""
    matrix = build_matrix(load_requirements(project / "requirements_trace.csv"), junit.outcomes)
    rows = {req_id: _requirement_row(result) for req_id, result in matrix.items()}
    states = [row["status"] for row in rows.values()]
    articles = [
        {"key": key, "heading": heading, "rows": [rows[result.requirement.req_id] for result in results]}
        for key, heading, results in articles_with_requirements(matrix)
    ]
    return {
        "tests": {**junit.counts, "total": len(junit.outcomes)},
        "requirements": {**{state: states.count(state) for state in ("pass", "fail", "untested")}, "total": len(states)},
        "problems": _problems(project, matrix, junit),
        "matrix": list(rows.values()),
        "articles": articles,
        "articles_without_requirements": [article["heading"] for article in articles if not article["rows"]],
        "risks": _risks(list(rows.values())),
    }


def verdict_failures(report: Mapping[str, Any], test_counts: Mapping[str, int], exit_code: int | None) -> list[str]:
    """Why the run's verdict is not a pass (empty when it is); ``exit_code`` is None when the suite was not run here."""
    failures = [f"{count} test(s) {outcome}" for outcome, count in test_counts.items() if outcome != "passed" and count]
    failures += [f"{report['requirements'][state]} requirement(s) {state}" for state in ("fail", "untested") if report["requirements"][state]]
    if report["problems"]:
        failures.append(f"{len(report['problems'])} traceability problem(s)")
    failures += [f"reference scenario {row['name']}: {row['status']}" for row in report["golden"]["rows"] if row["status"] == "differs"]
    if exit_code:
        failures.append(f"the test run exited with {exit_code}")
    return failures
