# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The release version, single-sourced for pyproject.toml and the fit record."""

__version__ = "0.2.0"
