# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Every test names the requirement it verifies; a name missing from requirements_trace.csv fails collection.

Docstring examples (doctests) verify REQ-TRN-002 and get that marker here.
"""

import csv
from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem

TRACE_FILE = Path(__file__).parent / "requirements_trace.csv"
DOCTEST_REQUIREMENT = "REQ-TRN-002"


def known_requirements() -> set[str]:
    with TRACE_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["req_id"] for row in csv.DictReader(handle)}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    known = known_requirements()
    problems = []
    for item in items:
        if isinstance(item, DoctestItem):
            item.add_marker(pytest.mark.requirement(DOCTEST_REQUIREMENT))
        names = [marker.args[0] for marker in item.iter_markers("requirement") if marker.args]
        if not names:
            problems.append(f"{item.nodeid}: no @pytest.mark.requirement")
        problems.extend(f"{item.nodeid}: unknown requirement {name!r}" for name in names if name not in known)
    if problems:
        raise pytest.UsageError("Requirement markers:\n" + "\n".join(problems))
