# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Every test names the requirement it verifies; a full run fails unless requirements and tests trace both ways.

The rules live in :mod:`spotanomaly2_safe_cli.trace.plugin`; its settings are in pyproject.toml.
"""

import os

from hypothesis import HealthCheck, Phase, settings

pytest_plugins = ["spotanomaly2_safe_cli.trace.plugin", "pytester"]

# One explicit, derandomized profile: the same examples in every run, so a red CI run reproduces locally.
settings.register_profile("ci", derandomize=True, deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, max_examples=200)
# Mutation testing (verification/mutation.py) reruns the tests once per mutant: fewer examples, still derandomized,
# and no shrinking (a failing example kills the mutant as it stands; shrinking it took over a minute per mutant).
settings.register_profile(
    "mutation", derandomize=True, deadline=None, max_examples=10, suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
