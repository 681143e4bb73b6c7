# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The module path of the published 0.1.0's exceptions; the errors themselves live in :mod:`spotanomaly2_safe.errors`."""

from spotanomaly2_safe.errors import *  # noqa: F401,F403 -- re-export for 0.1.0 import paths
from spotanomaly2_safe.errors import __all__  # noqa: F401
