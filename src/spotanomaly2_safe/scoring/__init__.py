# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Scoring: scorers, threshold detector, normalizer and the pipeline (0.1.0 module paths kept)."""
