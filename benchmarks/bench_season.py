# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Detection quality of the adaptive method's seasonal term (``season_period``): where a season is missed, and where not.

The recommendation does not change (the period is the user's knowledge), so no fresh suite is spent: the figures
come from series of the generated kinds, scored by ``recommended_detector(**overrides)`` with the flags
post-processed as the suites are (``min_duration=1``, ``min_gap=48``), summed over the series
(:func:`spotanomaly2_safe_cli.quality.evaluation.quality_row`: event F1, recall, false-alarm bursts per 10,000 rows).

- ``daily``: the ``missed_season`` kind of the monitoring suite (hourly, 500 training + 8,760 test rows; a daily
  season of 4 noise units and a weekly one of 2 that the forecast misses; level shifts, variance bursts, a stuck
  sensor) from the seed offsets of the monitoring, confirmation2 and confirmation3 suites (4000, 5000, 6000) and
  ``--seeds`` new offsets (10,000 + i; no suite, benchmark or study used them): no term against ``season_period=24``.
- ``weekly``: the same series with 1,008 training rows (six weeks), so that a weekly period fits
  (``season_period=168`` needs ``baseline_size`` and ``reset_after`` >= 504 and 504 training rows): no term (baseline
  500 and 1,008), ``season_period=24`` and ``season_period=168`` (baseline 1,008, ``reset_after`` 504).
- ``cost``: a period that is not there: every other kind of the monitoring suite (their daily season is in the
  forecast, so the residuals have none) from the same offsets, and the seven sixty-day kinds of the tuning suite, with
  and without ``season_period=24``.

    python benchmarks/bench_season.py               # all three parts, 3 + 7 seed offsets
    python benchmarks/bench_season.py --seeds 0 --parts daily
    python benchmarks/bench_season.py --parts cost --per-kind  # the cost part also per monitoring kind
    python benchmarks/bench_season.py --held-out 10 --parts daily weekly   # the held-out check (offsets 30,000 + i)
"""

import argparse
from collections.abc import Mapping, Sequence

import numpy as np

from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe_cli.quality.evaluation import adaptive_flags_and_scores, quality_row
from spotanomaly2_safe_cli.quality.scenarios import Scenario, make_scenarios
from spotanomaly2_safe_cli.quality.scenarios_monitoring import _BUILDERS, _build, make_monitoring_scenarios

SUITE_OFFSETS = (4000, 5000, 6000)
NEW_OFFSET = 10_000
HELD_OUT_OFFSET = 30_000  # --held-out: offsets first run after the term's lower median and spread floor were fixed
ALARMS = {"min_duration": 1, "min_gap": 48}
WEEKLY = {"season_period": 168, "baseline_size": 1008, "reset_after": 504}
_ONE = np.array([1.0])


def missed_season(offset: int, train_rows: int = 500) -> Scenario:
    """The monitoring suite's ``missed_season`` kind from base seed 205 + ``offset`` with ``train_rows`` training rows."""
    return _build("missed_season", 205, train_rows=train_rows, test_rows=365 * 24, level=_ONE * 30, noise=_ONE, missed_daily=4.0,
                  missed_weekly=2.0, kinds=("level_shift",) * 3 + ("variance_burst",) * 2 + ("stuck_sensor",), seed_offset=offset)


def figures(scenarios: Sequence[Scenario], overrides: Mapping) -> dict:
    raw = [adaptive_flags_and_scores(scenario, overrides) for scenario in scenarios]
    return quality_row(scenarios, [postprocess_flags(flags, **ALARMS) for flags, _ in raw], [scores for _, scores in raw])


def print_rows(part: str, scenarios: Sequence[Scenario], configurations: Sequence[Mapping]) -> None:
    rows = sum(scenario.labels.size for scenario in scenarios)
    print(f"\n{part}: {len(scenarios)} series, {rows:,} test rows")
    print(f"{'overrides':<64} {'event F1':>8} {'recall':>7} {'bursts/10k':>10} {'point F1':>8}")
    for overrides in configurations:
        row = figures(scenarios, overrides)
        label = ", ".join(f"{key}={value}" for key, value in overrides.items()) or "none (recommended_detector())"
        print(f"{label:<64} {row['event_f1']:8.3f} {row['recall']:7.3f} {row['false_bursts_per_10k']:10.2f} {row['point_f1']:8.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=7, help="new seed offsets besides the three suites' (10,000 + i)")
    parser.add_argument("--held-out", type=int, default=0, metavar="N",
                        help="instead, only the N offsets 30,000 + i (chosen after the term's design was fixed: a held-out check)")
    parser.add_argument("--parts", nargs="+", choices=("daily", "weekly", "cost"), default=["daily", "weekly", "cost"])
    parser.add_argument("--per-kind", action="store_true", help="also print the cost part per monitoring kind")
    arguments = parser.parse_args()
    offsets = [*SUITE_OFFSETS, *(NEW_OFFSET + i for i in range(arguments.seeds))]
    if arguments.held_out:
        offsets = [HELD_OUT_OFFSET + i for i in range(arguments.held_out)]
    if "daily" in arguments.parts:
        print_rows("daily (missed_season, 500 training rows)", [missed_season(offset) for offset in offsets], [{}, {"season_period": 24}])
    if "weekly" in arguments.parts:
        print_rows("weekly (missed_season, 1,008 training rows)", [missed_season(offset, 1008) for offset in offsets],
                   [{}, {"baseline_size": 1008}, {"season_period": 24}, WEEKLY])
    if "cost" in arguments.parts:
        others = [name for name in _BUILDERS if name != "missed_season"]
        monitoring = [scenario for offset in offsets for scenario in make_monitoring_scenarios(offset) if scenario.name in others]
        print_rows("cost (monitoring kinds without a missed season)", monitoring, [{}, {"season_period": 24}])
        for name in others if arguments.per_kind else ():
            print_rows(f"cost, kind {name}", [scenario for scenario in monitoring if scenario.name == name], [{}, {"season_period": 24}])
        print_rows("cost (tuning suite, sixty-day kinds)", make_scenarios("tuning"), [{}, {"season_period": 24}])


if __name__ == "__main__":
    main()
