# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``spotanomaly2-safe`` command line."""

import argparse
import sys
from collections.abc import Sequence

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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spotanomaly2-safe", description="Forecast-residual anomaly scoring.")
    parser.add_argument("--version", action="store_true", help="print the library and dependency versions and exit")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("demo", help="score embedded synthetic data with injected anomalies and print a table")
    arguments = parser.parse_args(argv)
    if arguments.version:
        print(version_text())
        return 0
    if arguments.command is None:
        parser.error("a command is required (demo)")
    if arguments.command == "demo":
        sys.stdout.write(run_demo())
    return 0
