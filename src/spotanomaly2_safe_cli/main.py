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

__all__ = ["main", "version_text"]


def version_text() -> str:
    """The library version and the exact versions of its runtime dependencies."""
    return (
        f"spotanomaly2-safe {__version__} (numpy {np.__version__}, pandas {pd.__version__}, scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, pandera {pandera.__version__})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spotanomaly2-safe", description="Forecast-residual anomaly scoring.")
    parser.add_argument("--version", action="version", version=version_text())
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="score embedded synthetic data with injected anomalies and print a table")
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        sys.stdout.write(run_demo())
    return 0
