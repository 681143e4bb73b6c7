# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``spotanomaly2-safe`` command line: ``score``, ``demo``, ``reproduce``, ``evidence`` and ``--version``.

An error of any command is reported as one line ``spotanomaly2-safe: error: <what, where>`` on stderr,
or with ``score --json-errors`` as one JSON object ``{"error", "reason", "message", "exit_code"}``; the
exit code per error class is the table in :mod:`spotanomaly2_safe_cli.score` (3 input file, 7 output,
2 usage, 130 interrupted, ...). ``reproduce`` and ``evidence`` raise plain OSError or ValueError for
what the table does not name: a file that cannot be read is then code 3, any other refusal (a missing
``--reason``, a conformity claim in the report, a missing extra) code 2. Only argparse's own usage
errors keep argparse's form (a usage line, then the error; code 2).
"""

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from spotanomaly2_safe import SpotAnomalySafeError
from spotanomaly2_safe_cli.demo import run_demo
from spotanomaly2_safe_cli.files import FileInputError, OutputError, UsageError
from spotanomaly2_safe_cli.reproduce.golden import add_reproduce_arguments, run_reproduce
from spotanomaly2_safe_cli.score import add_score_arguments, exit_code_of, run_score
from spotanomaly2_safe_cli.scaleout.dataset import ClusterError
from spotanomaly2_safe_cli.versions import version_text

__all__ = ["main"]

# What every command reports as one line (exit codes in spotanomaly2_safe_cli.score.EXIT_CODES).
_REPORTED = (FileInputError, OutputError, ClusterError, UsageError, SpotAnomalySafeError, KeyboardInterrupt)
# reproduce and evidence only: errors of the standard library that the table does not name.
_UNCLASSIFIED = ((OSError, FileInputError), (ValueError, UsageError))


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
    from spotanomaly2_safe_cli.reproduce.golden import REFERENCE_SCENARIOS

    unknown = sorted(set(arguments.scenarios or ()) - set(REFERENCE_SCENARIOS))
    if unknown:
        parser.error(f"unknown --scenario {unknown}; the reference scenarios are {sorted(REFERENCE_SCENARIOS)}")
    if arguments.coverage is not None and arguments.junit is None:
        parser.error("--coverage is read only with --junit (without it, the suite is run and coverage measured)")
    for given in (arguments.junit, arguments.coverage):
        if given is not None and not given.is_file():
            parser.error(f"{given} is not a file")
    try:  # imported here: rendering needs the evidence extra (jinja2, matplotlib, ...), which the other commands do not
        from spotanomaly2_safe_cli.evidence.command import render_evidence
    except ImportError as error:
        raise UsageError(f"evidence needs the evidence extra: pip install 'spotanomaly2-safe[evidence]' ({error}).") from None
    return render_evidence(arguments.out, arguments.project, arguments.scenarios or sorted(REFERENCE_SCENARIOS),
                           arguments.junit, arguments.coverage)


def _classified(error: Exception) -> Exception:
    """A standard-library error of reproduce or evidence as the CLI error class whose exit code it gets."""
    return next(cli_class(str(error)) for builtin, cli_class in _UNCLASSIFIED if isinstance(error, builtin))


def _report(error: BaseException, json_errors: bool) -> int:
    code = exit_code_of(error)
    if isinstance(error, KeyboardInterrupt):
        error = KeyboardInterrupt("interrupted; outputs are either all written or all as before")
    if json_errors:
        reason = getattr(error, "reason", None)
        document = {"error": type(error).__name__, "reason": reason and reason.value, "message": str(error), "exit_code": code}
        print(json.dumps(document), file=sys.stderr)
    else:
        print(f"spotanomaly2-safe: error: {' '.join(str(error).split())}", file=sys.stderr)
    return code


def _dispatch(parser: argparse.ArgumentParser, arguments: argparse.Namespace) -> int:
    if arguments.command == "demo":
        sys.stdout.write(run_demo(arguments.plot, arguments.force))
        return 0
    if arguments.command == "score":
        run_score(arguments)
        return 0
    try:
        return _run_evidence(parser, arguments) if arguments.command == "evidence" else run_reproduce(arguments)
    except _REPORTED:
        raise
    except (OSError, ValueError) as error:
        raise _classified(error) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.version:
        print(version_text())
        return 0
    if arguments.command is None:
        parser.error("a command is required (score, demo, reproduce or evidence)")
    try:
        return _dispatch(parser, arguments)
    except _REPORTED as error:
        return _report(error, getattr(arguments, "json_errors", False))
