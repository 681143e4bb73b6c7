# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Requirements traceability: every requirement in ``requirements_trace.csv`` has passing tests, and back.

``matrix`` reads the trace file, builds the requirement <-> test matrix and lists what makes a run
untraceable; ``plugin`` is the pytest plugin (enabled by the root ``conftest.py``) that checks each test's
``requirement`` marker at collection and the whole matrix at the end of a full run. The evidence report
builds its traceability section from the same matrix.
"""
