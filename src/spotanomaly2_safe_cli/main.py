# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``spotanomaly2-safe`` command line."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera
import scipy
import sklearn

from spotanomaly2_safe import __version__
from spotanomaly2_safe_cli.demo import run_demo

__all__ = ["dependency_versions", "main", "version_text"]


def dependency_versions() -> dict[str, str]:
    """The exact versions of the library and its runtime dependencies in use."""
    return {
        "spotanomaly2-safe": __version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "pandera": pandera.__version__,
    }


def version_text() -> str:
    """The library version and the exact versions of its runtime dependencies, on one line."""
    library, *dependencies = dependency_versions().items()
    return f"{library[0]} {library[1]} ({', '.join(f'{name} {version}' for name, version in dependencies)})"


def _add_evidence_parser(commands) -> None:
    evidence = commands.add_parser(
        "evidence", help="run the verification suite and render the EU AI Act evidence report (HTML, Markdown, plots, SBOM)"
    )
    evidence.add_argument("--out", type=Path, required=True, help="a new or empty folder for the report")
    evidence.add_argument("--project", type=Path, default=Path("."), help="the project root holding requirements_trace.csv (default: .)")
    evidence.add_argument("--junit", type=Path, help="render from this JUnit XML instead of running the suite")
    evidence.add_argument("--coverage", type=Path, help="coverage JSON to render with --junit")
    evidence.add_argument(
        "--scenario", action="append", dest="scenarios", metavar="NAME",
        help="recompute and plot only this reference scenario (repeatable; default: all; the others are reported as not recomputed)",
    )


def _run_evidence(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> int:
    # Imported here: the report's modules import golden, which imports this module, and the demo needs none of them.
    from spotanomaly2_safe_cli.evidence import render_evidence
    from spotanomaly2_safe_cli.golden import REFERENCE_SCENARIOS

    unknown = sorted(set(arguments.scenarios or ()) - set(REFERENCE_SCENARIOS))
    if unknown:
        parser.error(f"unknown --scenario {unknown}; the reference scenarios are {sorted(REFERENCE_SCENARIOS)}")
    if arguments.coverage is not None and arguments.junit is None:
        parser.error("--coverage is read only with --junit (without it, the suite is run and coverage measured)")
    for given in (arguments.junit, arguments.coverage):
        if given is not None and not given.is_file():
            parser.error(f"{given} is not a file")
    try:
        return render_evidence(arguments.out, arguments.project, arguments.scenarios or sorted(REFERENCE_SCENARIOS),
                               arguments.junit, arguments.coverage)
    except (OSError, ValueError) as error:
        # A missing project or results file, a used output folder, a malformed trace or results file, or a
        # conformity claim in the rendered text: said in one line, exit status 2, never a half-written report.
        parser.error(str(error))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spotanomaly2-safe", description="Forecast-residual anomaly scoring.")
    parser.add_argument("--version", action="store_true", help="print the library and dependency versions and exit")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("demo", help="score embedded synthetic data with injected anomalies and print a table")
    _add_evidence_parser(commands)
    arguments = parser.parse_args(argv)
    if arguments.version:
        print(version_text())
        return 0
    if arguments.command is None:
        parser.error("a command is required (demo or evidence)")
    if arguments.command == "evidence":
        return _run_evidence(parser, arguments)
    sys.stdout.write(run_demo())
    return 0
