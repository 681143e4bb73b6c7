# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The exact versions of the library and its runtime dependencies in use (for ``--version`` and records)."""

import numpy as np
import pandas as pd
import pandera
import scipy
import sklearn

from spotanomaly2_safe import __version__

__all__ = ["dependency_versions", "version_text"]


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
