# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The ``"confirmation2"`` scenario suite: fresh seeds to confirm a candidate chosen on the tuning suite and SKAB.

Committed, with the rule that decides, before any detector ran on it (2026-11-26); sealed in ``SEALED_SUITES``
until its one run (2026-11-26, recorded in docs/detection_quality.md), spent now. Its seeds are the earlier generators' base seeds plus
``CONFIRMATION2_SEED_OFFSET`` = 5000, an offset no earlier suite used (0, 1000, 2000, 3000, 4000) and
outside the generated monitoring-like series of ``benchmarks/bench_adaptive_grid.py`` (random seeds 9000 to
9206). Two parts, each scenario named ``"<part>/<name>"``:

- ``"sixty_day/<kind>"``: the seven kinds of the tuning suite (:mod:`spotanomaly2_safe_cli.quality.scenarios`:
  three columns, 90 training days, 60 test days; seeds 101-107 + 5000), the shape of the two suites on which
  the adaptive recommendation lost event F1 to the previous recommendation;
- ``"monitoring/<name>"``: the eight monitoring-shaped series (:mod:`spotanomaly2_safe_cli.quality.scenarios_monitoring`:
  short heads, drift, a missed season, quantized series, long faults; seeds 201-208 + 5000).

The candidate it confirms and the rule that decides are in docs/detection_quality.md ("One-row spike scale").

>>> scenarios = make_confirmation2_scenarios()
>>> len(scenarios), scenarios[0].name, scenarios[7].name
(15, 'sixty_day/spikes', 'monitoring/short_head_100')
"""

from spotanomaly2_safe_cli.quality.scenarios import CONFIRMATION2_SEED_OFFSET, SCENARIO_NAMES, TEST_ROWS, Scenario, scenario_kind
from spotanomaly2_safe_cli.quality.scenarios_monitoring import make_monitoring_scenarios

__all__ = ["CONFIRMATION2_PARTS", "make_confirmation2_scenarios"]

CONFIRMATION2_PARTS = ("sixty_day", "monitoring")


def make_confirmation2_scenarios() -> list[Scenario]:
    """The seven sixty-day scenarios then the eight monitoring-shaped ones, from seeds + 5000; the same bytes on every call."""
    sixty_day = [scenario_kind(name, CONFIRMATION2_SEED_OFFSET, TEST_ROWS) for name in SCENARIO_NAMES]
    monitoring = make_monitoring_scenarios(CONFIRMATION2_SEED_OFFSET)
    return [s._replace(name=f"{part}/{s.name}") for part, group in zip(CONFIRMATION2_PARTS, (sixty_day, monitoring)) for s in group]
