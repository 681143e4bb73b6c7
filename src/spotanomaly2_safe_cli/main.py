# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``spotanomaly2-safe`` command line: ``score``, ``demo``, ``reproduce``, ``evidence`` and ``--version``.

An error is reported as one line ``spotanomaly2-safe: error: <what, where>`` on stderr, or with
``--json-errors`` as one JSON object ``{"error", "reason", "message", "exit_code"}``; the exit code
per error class is the table in :mod:`spotanomaly2_safe_cli.score`.
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from spotanomaly2_safe import SpotAnomalySafeError
from spotanomaly2_safe_cli.demo import run_demo
from spotanomaly2_safe_cli.files import FileInputError, OutputError
from spotanomaly2_safe_cli.golden import add_reproduce_arguments, run_reproduce
from spotanomaly2_safe_cli.score import add_score_arguments, exit_code_of, run_score
from spotanomaly2_safe_cli.score_dataset import ClusterError
from spotanomaly2_safe_cli.versions import version_text

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spotanomaly2-safe", description="Forecast-residual anomaly scoring.")
    parser.add_argument("--version", action="store_true", help="print the library and dependency versions and exit")
    commands = parser.add_subparsers(dest="command", metavar="{score,demo,reproduce,evidence}")
    add_score_arguments(commands.add_parser("score", help="fit on training files, score test files, write scores, flags, fit record"))
    demo = commands.add_parser("demo", help="score embedded synthetic data with injected anomalies and print a table")
    demo.add_argument("--plot", type=Path, metavar="FILE", help="also write a PNG of scores, threshold and flags (needs the plot extra)")
    demo.add_argument("--force", action="store_true", help="overwrite an existing plot file")
    add_reproduce_arguments(commands.add_parser("reproduce", help="re-run the golden scenarios and compare their output hashes"))
    _add_evidence_parser(commands)
    return parser


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
    # Imported here: rendering needs the evidence extra (jinja2, matplotlib, ...), which the other commands do not.
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


def _report(error: Exception, json_errors: bool) -> int:
    code = exit_code_of(error)
    if json_errors:
        reason = getattr(error, "reason", None)
        document = {"error": type(error).__name__, "reason": reason and reason.value, "message": str(error), "exit_code": code}
        print(json.dumps(document), file=sys.stderr)
    else:
        print(f"spotanomaly2-safe: error: {' '.join(str(error).split())}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.version:
        print(version_text())
        return 0
    if arguments.command is None:
        parser.error("a command is required (score, demo, reproduce or evidence)")
    if arguments.command == "demo":
        try:
            sys.stdout.write(run_demo(arguments.plot, arguments.force))
        except OutputError as error:
            return _report(error, json_errors=False)
        return 0
    if arguments.command == "evidence":
        return _run_evidence(parser, arguments)
    if arguments.command == "reproduce":
        return run_reproduce(arguments)
    try:
        run_score(arguments)
    except (FileInputError, OutputError, ClusterError, SpotAnomalySafeError) as error:
        return _report(error, arguments.json_errors)
    return 0
