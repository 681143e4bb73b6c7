# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``spotanomaly2-safe`` command line: ``score``, ``demo``, ``reproduce`` and ``--version``.

An error is reported as one line ``spotanomaly2-safe: error: <what, where>`` on stderr, or with
``--json-errors`` as one JSON object ``{"error", "reason", "message", "exit_code"}``; the exit code
per error class is the table in :mod:`spotanomaly2_safe_cli.score`.
"""

import argparse
import json
import sys
from collections.abc import Sequence

from spotanomaly2_safe import SpotAnomalySafeError
from spotanomaly2_safe_cli.demo import run_demo
from spotanomaly2_safe_cli.files import FileInputError, OutputError
from spotanomaly2_safe_cli.golden import add_reproduce_arguments, run_reproduce
from spotanomaly2_safe_cli.score import add_score_arguments, exit_code_of, run_score
from spotanomaly2_safe_cli.versions import version_text

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spotanomaly2-safe", description="Forecast-residual anomaly scoring.")
    parser.add_argument("--version", action="store_true", help="print the library and dependency versions and exit")
    commands = parser.add_subparsers(dest="command", metavar="{score,demo,reproduce}")
    add_score_arguments(commands.add_parser("score", help="fit on training files, score test files, write scores, flags, fit record"))
    commands.add_parser("demo", help="score embedded synthetic data with injected anomalies and print a table")
    add_reproduce_arguments(commands.add_parser("reproduce", help="re-run the golden scenarios and compare their output hashes"))
    return parser


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
        parser.error("a command is required (score, demo or reproduce)")
    if arguments.command == "demo":
        sys.stdout.write(run_demo())
        return 0
    if arguments.command == "reproduce":
        return run_reproduce(arguments)
    try:
        run_score(arguments)
    except (FileInputError, OutputError, SpotAnomalySafeError) as error:
        return _report(error, arguments.json_errors)
    return 0
