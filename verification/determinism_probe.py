# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Print the output hash of every reference scenario as JSON: run in fresh processes and compared."""

import json

from spotanomaly2_safe_cli.reproduce.golden import compute_hashes

if __name__ == "__main__":
    print(json.dumps(compute_hashes(), sort_keys=True))
