# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Where the evidence was produced: git commit, environment, tool versions and a CycloneDX SBOM.

Nothing here may stop the report: a missing git, an unreadable version or a failing SBOM tool becomes
a stated gap (``"unknown"``, or an error message the report shows in red), never an omission.
"""

import subprocess
import sys
from importlib import metadata
from pathlib import Path

__all__ = ["EVIDENCE_TOOLS", "git_identity", "tool_versions", "write_sbom"]

EVIDENCE_TOOLS = ("pytest", "pytest-cov", "coverage", "hypothesis", "jinja2", "junitparser", "matplotlib", "cyclonedx-bom")


def _git(project: Path, *arguments: str) -> str | None:
    try:
        result = subprocess.run(["git", *arguments], cwd=project, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def git_identity(project: Path) -> dict[str, str | bool | None]:
    """The commit checked out (``"unknown"`` outside git) and whether the working tree has uncommitted changes."""
    commit = _git(project, "rev-parse", "HEAD")
    status = _git(project, "status", "--porcelain")
    return {"commit": commit or "unknown", "uncommitted_changes": None if status is None else bool(status)}


def tool_versions() -> dict[str, str]:
    """Installed versions of the tools that produced this evidence (``"not installed"`` when absent)."""
    versions = {}
    for name in EVIDENCE_TOOLS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_sbom(path: Path) -> str | None:
    """Write a CycloneDX JSON SBOM of the running Python environment; return why it failed, or None."""
    command = [sys.executable, "-m", "cyclonedx_py", "environment", "--output-format", "JSON", "--output-file", str(path), sys.executable]
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except OSError as error:
        return f"cyclonedx-py could not start: {error}"
    if result.returncode != 0 or not path.is_file():
        return f"cyclonedx-py environment exited with {result.returncode}: {result.stderr.strip()[-500:]}"
    return None
