# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``python -m spotanomaly2_safe_cli`` runs the command line."""

from spotanomaly2_safe_cli.main import main

raise SystemExit(main())
