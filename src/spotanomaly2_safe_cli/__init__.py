# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The shell around the kernel: command line, demo data, printing. All I/O lives here, never in the kernel.

The commands and shared helpers sit at the top (``main``, ``score``, ``demo``, ``files``, ``plots``,
``versions``); each capability has its folder: ``evidence``, ``trace``, ``reproduce``, ``scaleout``, ``quality``.
"""
