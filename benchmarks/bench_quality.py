# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Detection quality on the scenario suite: every scorer x threshold x alarm post-processing.

Each configuration is evaluated as :mod:`spotanomaly2_safe_cli.quality.evaluation` describes (the same functions
the evidence report uses): fitted per scenario on its training frames, test flags post-processed,
counts summed over scenarios; event F1, recall, precision, false-alarm bursts per 10,000 test rows,
and the mean point-wise F1 and average precision. No point-adjust.

The published 0.1.0 defaults (KMeansScorer, high_quantile 0.99) run the same way in a separate,
benchmark-only virtual environment (set it up as described in ``run_published_010.py``); the
scenario arrays are handed over in an ``.npz`` file. Without that environment its row says so.

    python benchmarks/bench_quality.py                     # full table
    python benchmarks/bench_quality.py --quick             # recommended configuration and 0.1.0 only
    python benchmarks/bench_quality.py --quick --suite held_out    # the same on scenarios from unseen seeds
    python benchmarks/bench_quality.py --quick --suite operations  # unseen seeds, a year of test rows each
    python benchmarks/bench_quality.py --quick --suite confirmation  # shaped like operations, seeds + 3000
    python benchmarks/bench_quality.py --venv010 /tmp/venv010
    python benchmarks/bench_quality.py --quick --suite confirmation --configuration adaptive  # adds the adaptive row
    python benchmarks/bench_quality.py --quick --suite tuning --configuration candidate  # and the spike-scale candidate's

``--configuration adaptive`` adds the recommended configuration of issue 16 (``recommended_detector()``,
flags post-processed with ``min_gap=48``: ``evaluation.ADAPTIVE_RECOMMENDED``) and prints its per-scenario
table; the previous recommendation stays in the table for comparison.

Sealed suites (``SEALED_SUITES``, none today; ``confirmation4`` had its one run on 2026-11-26): no detector runs on them, and this script refuses them, until
their one run, made once, naming the suite explicitly (``monitoring``, ``confirmation2`` and ``confirmation3`` had theirs on
2026-11-26, the latter as):

    python benchmarks/bench_quality.py --quick --suite confirmation2 --configuration candidate --run-sealed

The resolution-rule confirmation (``confirmation3``, sealed until its one run on 2026-11-26, spent now;
docs/detection_quality.md, "Resolution rule: the confirmation3 protocol") ran the adaptive recommendation under each kernel, the old rule's kernel first
(main at 0fa157d, put first on ``PYTHONPATH``), then the new one; the header names the kernel and its rules:

    PYTHONPATH=/tmp/kernel_0fa157d python benchmarks/bench_quality.py --quick --suite confirmation3 --configuration adaptive --run-sealed
    python benchmarks/bench_quality.py --quick --suite confirmation3 --configuration adaptive --run-sealed

``--configuration candidate`` prints the spike-scale candidate (``recommended_detector(spike_risk=2e-4)``) beside
the adaptive recommendation; since that candidate became the recommendation the two rows are the same.
``--configuration screen`` prints the training-screen candidate (``recommended_detector(screen_risk=0.01)``) the same
way; its confirmation suite (``confirmation4``, sealed until then; docs/detection_quality.md, "Training screen: the
confirmation4 protocol") had its one run (2026-11-26; the rule was met, and the candidate is the recommendation
now, so the two rows are the same) as:

    python benchmarks/bench_quality.py --quick --suite confirmation4 --configuration screen --run-sealed

then records the result in docs/detection_quality.md, pass or fail, and removes the suite from
``SEALED_SUITES``: after that run the suite is spent (seen), like the confirmation suite, and is never
used to choose or tune anything. ``--run-sealed`` is refused without an explicit ``--suite`` naming a
sealed suite.
"""

import argparse
import itertools
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import spotanomaly2_safe
from spotanomaly2_safe import SpotAnomalySafeError
from spotanomaly2_safe.adaptive import spread
from spotanomaly2_safe.alarms import postprocess_flags
from spotanomaly2_safe.evaluation import event_scores
from spotanomaly2_safe_cli.quality.evaluation import ADAPTIVE_RECOMMENDED, SCREEN_CANDIDATE, SPIKE_CANDIDATE, describe
from spotanomaly2_safe_cli.quality.evaluation import RECOMMENDED as RECOMMENDED_CONFIGURATION
from spotanomaly2_safe_cli.quality.evaluation import adaptive_flags_and_scores as _adaptive_flags_and_scores
from spotanomaly2_safe_cli.quality.evaluation import flags_and_scores as _flags_and_scores
from spotanomaly2_safe_cli.quality.evaluation import quality_row
from spotanomaly2_safe_cli.quality.scenarios import SEALED_SUITES, SUITES, make_scenarios

SCORERS = {
    "KMeans(k=3)": ("KMeansScorer", {"n_clusters": 3}),
    "IsolationForest": ("IsolationForestScorer", {}),
    "Norm(ord=2)": ("NormScorer", {}),
    "Robust(max)": ("RobustZScorer", {}),
    "Robust(l2)": ("RobustZScorer", {"aggregation": "l2"}),
    "Robust(max),w=6 mean": ("RobustZScorer", {"window": 6, "window_agg": "mean"}),
    "Robust(l2),w=6 mean": ("RobustZScorer", {"aggregation": "l2", "window": 6, "window_agg": "mean"}),
}
THRESHOLDS = {
    "quantile 0.99": {"threshold_method": "quantile", "high_quantile": 0.99},
    "pot risk 1e-3": {"threshold_method": "pot", "risk": 1e-3},
    "pot risk 1e-4": {"threshold_method": "pot", "risk": 1e-4},
}
POSTPROCESSING = {
    "none": {"min_duration": 1, "min_gap": 0},
    "gap 24": {"min_duration": 1, "min_gap": 24},
    "gap 48": {"min_duration": 1, "min_gap": 48},
    "dur 2, gap 48": {"min_duration": 2, "min_gap": 48},
}
RECOMMENDED = ("Robust(l2),w=6 mean", "pot risk 1e-3", "gap 48")
# The row marked recommended here is the configuration the evidence report and the model card state.
assert (*SCORERS[RECOMMENDED[0]], THRESHOLDS[RECOMMENDED[1]], POSTPROCESSING[RECOMMENDED[2]]) == tuple(RECOMMENDED_CONFIGURATION)
SUITE_TITLES = {
    "tuning": "tuning suite (the recommended configuration was chosen here)",
    "held_out": "held-out suite (seeds + 1000, never tuned on)",
    "operations": "operations suite (seeds + 2000, one year of test rows per scenario, never tuned on)",
    "confirmation": "confirmation suite (seeds + 3000, shaped like operations; seeds fixed before any run)",
    "monitoring": "monitoring suite (seeds + 4000, eight monitoring-shaped series; sealed until its one run, spent after)",
    "confirmation2": "confirmation2 suite (seeds + 5000: the seven sixty-day kinds and the eight monitoring-shaped series; "
                     "sealed until its one run, spent now)",
    "confirmation3": "confirmation3 suite (quantized columns with float noise and their clean twins, seeds 7301-7310 and jitter "
                     "seeds + 70,000; the sixty-day and monitoring-shaped kinds from seeds + 6000; sealed until its one run, spent now)",
    "confirmation4": "confirmation4 suite (sixteen monitoring-shaped series with a training glitch and their clean twins, seeds "
                     "7401-7416 and glitch seeds + 70,000; sealed until its one run, spent now)",
}


def refusal(suite: str | None, run_sealed: bool) -> str | None:
    """Why the command line may not run (``suite`` None: not given), or None: the sealed-suite rule of the module docstring."""
    if run_sealed and suite is None:
        return "--run-sealed needs the sealed suite named explicitly with --suite"
    if run_sealed and suite not in SEALED_SUITES:
        return f"--run-sealed is only for a sealed suite ({', '.join(sorted(SEALED_SUITES)) or 'none now'}); {suite!r} is not sealed"
    if suite in SEALED_SUITES and not run_sealed:
        return (f"the {suite!r} suite is sealed: it is run once, by the coordinator, with --run-sealed "
                "(see this script's docstring); after that run it is spent")
    return None


def published_010(scenarios, venv: Path) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    with tempfile.TemporaryDirectory() as folder:
        arrays = {}
        for s in scenarios:  # run_published_010.py splits keys at "/": a "<part>/<name>" scenario is passed as "<part>:<name>"
            for part, frame in zip(("train_true", "train_pred", "test_true", "test_pred"), s[1:5]):
                arrays[f"{_key(s.name)}/{part}"] = frame.to_numpy()
        np.savez(Path(folder) / "in.npz", **arrays)
        runner = Path(__file__).with_name("run_published_010.py")
        subprocess.run([str(python), str(runner), str(Path(folder) / "in.npz"), str(Path(folder) / "out.npz")], check=True, cwd=folder)
        outputs = np.load(Path(folder) / "out.npz")
        return [outputs[f"{_key(s.name)}/flags"] for s in scenarios], [outputs[f"{_key(s.name)}/scores"] for s in scenarios]


def _key(name: str) -> str:
    return name.replace("/", ":")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv010", type=Path, default=Path("/tmp/venv010"))
    parser.add_argument("--quick", action="store_true", help="only the recommended configuration and 0.1.0")
    parser.add_argument("--suite", choices=tuple(SUITES), default=None,
                        help="tuning (default; the previous recommendation was chosen here), held_out, operations, confirmation; "
                             "a sealed suite only with --run-sealed")
    parser.add_argument("--configuration", choices=("previous", "adaptive", "candidate", "screen"), default="previous",
                        help="adaptive: add the recommended adaptive configuration's row and per-scenario table; candidate: "
                             "also the spike-scale candidate's, and for a suite in parts each part's rows; screen: the same "
                             "with the training-screen candidate (recommended_detector(screen_risk=0.01))")
    parser.add_argument("--run-sealed", action="store_true", help="the one run of a sealed suite named by --suite (docstring)")
    arguments = parser.parse_args()
    problem = refusal(arguments.suite, arguments.run_sealed)
    if problem:
        print(f"bench_quality.py: {problem}", file=sys.stderr)
        sys.exit(2)
    arguments.suite = arguments.suite or "tuning"
    scenarios = make_scenarios(arguments.suite)
    print(SUITE_TITLES[arguments.suite])
    print(f"kernel: {Path(spotanomaly2_safe.__file__).parent}; resolution rules {spread.RESOLUTION_RULES}")
    header = f"{'configuration':<58}{'event F1':>9}{'recall':>8}{'precision':>10}{'FA bursts/10k':>14}{'point F1':>9}{'AP':>7}"
    print(f"{len(scenarios)} scenarios, {sum(s.labels.size for s in scenarios)} test rows, {sum(len(_windows(s)) for s in scenarios)} labelled windows\n")
    print(header)
    baseline = published_010(scenarios, arguments.venv010)
    if baseline is None:
        print(f"{'spotanomaly2-safe 0.1.0 defaults':<58}  (no 0.1.0 venv at {arguments.venv010}; see run_published_010.py)")
    else:
        _print("spotanomaly2-safe 0.1.0 defaults (KMeans k=3, q 0.99)", quality_row(scenarios, *baseline))
    combos = [RECOMMENDED[:2]] if arguments.quick else itertools.product(SCORERS, THRESHOLDS)
    for scorer_key, threshold_key in combos:
        scorer, params = SCORERS[scorer_key]
        try:
            raw = [_flags_and_scores(s, scorer, params, THRESHOLDS[threshold_key]) for s in scenarios]
        except SpotAnomalySafeError as error:  # e.g. a short training head: the refusal is the result, stated
            print(f"{f'{scorer_key} | {threshold_key}':<58}  refused: {type(error).__name__} ({error.reason.value}): {error}")
            continue
        for post_key, post in POSTPROCESSING.items():
            if arguments.quick and post_key != RECOMMENDED[2]:
                continue
            flags = [postprocess_flags(f, **post) for f, _ in raw]
            mark = " *" if (scorer_key, threshold_key, post_key) == RECOMMENDED else ""
            _print(f"{scorer_key} | {threshold_key} | {post_key}{mark}", quality_row(scenarios, flags, [s for _, s in raw]))
    if arguments.configuration in ("candidate", "screen"):
        candidate = {"candidate": ("candidate: recommended(spike_risk=2e-4) | gap 48 c", SPIKE_CANDIDATE),
                     "screen": ("candidate: recommended(screen_risk=0.01) | gap 48 c", SCREEN_CANDIDATE)}[arguments.configuration]
        _candidate_tables(scenarios, baseline, *candidate)
        return
    if arguments.configuration == "adaptive":
        raw = [_adaptive_flags_and_scores(s, ADAPTIVE_RECOMMENDED.overrides) for s in scenarios]
        flags = [postprocess_flags(f, **ADAPTIVE_RECOMMENDED.alarms) for f, _ in raw]
        _print("adaptive: recommended_detector() | gap 48 +", quality_row(scenarios, flags, [s for _, s in raw]))
        for part in sorted({s.name.split("/")[0] for s in scenarios if "/" in s.name}):
            chosen = [i for i, s in enumerate(scenarios) if s.name.startswith(f"{part}/")]
            subset = [scenarios[i] for i in chosen]
            print(f"part {part}: {len(subset)} scenarios, {sum(s.labels.size for s in subset)} test rows, "
                  f"{sum(len(_windows(s)) for s in subset)} labelled windows")
            _print(f"  {part}: recommended_detector() | gap 48 +", quality_row(subset, [flags[i] for i in chosen], [raw[i][1] for i in chosen]))
        print(f"\n+ recommended configuration (issue 16): {describe(ADAPTIVE_RECOMMENDED)}")
        print("* previous recommendation; AP is of the raw score, so it is the same for every post-processing.\n")
        _per_scenario_adaptive(scenarios, flags)
        return
    print("\n* previous recommendation; AP is of the raw score, so it is the same for every post-processing.\n")
    _per_scenario(scenarios)


def _candidate_tables(scenarios, baseline, candidate_label: str, candidate) -> None:
    """The adaptive recommendation and a candidate on the whole suite and on each part (names "<part>/<name>")."""
    adaptive = {"adaptive: recommended_detector() | gap 48 +": ADAPTIVE_RECOMMENDED, candidate_label: candidate}
    raw = {label: [_adaptive_flags_and_scores(s, configuration.overrides) for s in scenarios] for label, configuration in adaptive.items()}
    parts = sorted({s.name.split("/")[0] for s in scenarios if "/" in s.name})
    for part in [None, *parts]:
        chosen = [i for i, s in enumerate(scenarios) if part is None or s.name.startswith(f"{part}/")]
        subset = [scenarios[i] for i in chosen]
        if part is not None:
            print(f"\npart {part}: {len(subset)} scenarios, {sum(s.labels.size for s in subset)} test rows, "
                  f"{sum(len(_windows(s)) for s in subset)} labelled windows")
            if baseline is not None:
                _print("spotanomaly2-safe 0.1.0 defaults (KMeans k=3, q 0.99)",
                       quality_row(subset, [baseline[0][i] for i in chosen], [baseline[1][i] for i in chosen]))
            scorer, params = SCORERS[RECOMMENDED[0]]
            try:
                previous = [_flags_and_scores(s, scorer, params, THRESHOLDS[RECOMMENDED[1]]) for s in subset]
                _print("Robust(l2),w=6 mean | pot risk 1e-3 | gap 48 *",
                       quality_row(subset, [postprocess_flags(f, **POSTPROCESSING[RECOMMENDED[2]]) for f, _ in previous], [x for _, x in previous]))
            except SpotAnomalySafeError as error:
                print(f"{'Robust(l2),w=6 mean | pot risk 1e-3 | gap 48 *':<58}  refused: {type(error).__name__} ({error.reason.value}): {error}")
        for label, configuration in adaptive.items():
            flags = [postprocess_flags(raw[label][i][0], **configuration.alarms) for i in chosen]
            _print(label, quality_row(subset, flags, [raw[label][i][1] for i in chosen]))
    print(f"\n+ recommended configuration (issue 16): {describe(ADAPTIVE_RECOMMENDED)}")
    print(f"c candidate: {describe(candidate)}")
    print("* previous recommendation; AP is of the raw score (the window score for both adaptive rows).\n")
    print(f"per scenario (windows / hit / false bursts):\n{'scenario':<42}{'windows':>8}{'hit +':>7}{'false +':>9}{'hit c':>7}{'false c':>9}")
    for i, scenario in enumerate(scenarios):
        events = [event_scores(scenario.labels, postprocess_flags(raw[label][i][0], **configuration.alarms))
                  for label, configuration in adaptive.items()]
        print(f"{scenario.name:<42}{events[0].n_windows:>8}{events[0].n_hit_windows:>7}{events[0].n_false_bursts:>9}"
              f"{events[1].n_hit_windows:>7}{events[1].n_false_bursts:>9}")


def _per_scenario_adaptive(scenarios, alarms: list) -> None:
    """Per scenario: windows, hit windows and false bursts of the adaptive recommendation's post-processed flags ``alarms``."""
    width = max(24, 2 + max(len(s.name) for s in scenarios))
    print(f"recommended adaptive configuration per scenario:\n{'scenario':<{width}}{'windows':>8}{'hit':>5}{'false bursts':>13}")
    for scenario, flags in zip(scenarios, alarms):
        events = event_scores(scenario.labels, flags)
        print(f"{scenario.name:<{width}}{events.n_windows:>8}{events.n_hit_windows:>5}{events.n_false_bursts:>13}")


def _per_scenario(scenarios) -> None:
    scorer, params = SCORERS[RECOMMENDED[0]]
    print(f"recommended configuration per scenario:\n{'scenario':<24}{'windows':>8}{'hit':>5}{'false bursts':>13}")
    for scenario in scenarios:
        try:
            flags, _ = _flags_and_scores(scenario, scorer, params, THRESHOLDS[RECOMMENDED[1]])
        except SpotAnomalySafeError as error:
            print(f"{scenario.name:<24}  refused: {type(error).__name__} ({error.reason.value})")
            continue
        events = event_scores(scenario.labels, postprocess_flags(flags, **POSTPROCESSING[RECOMMENDED[2]]))
        print(f"{scenario.name:<24}{events.n_windows:>8}{events.n_hit_windows:>5}{events.n_false_bursts:>13}")


def _windows(scenario) -> list:
    edges = np.diff(np.concatenate([[0], scenario.labels, [0]]))
    return list(np.flatnonzero(edges == 1))


def _print(label: str, row: dict) -> None:
    print(f"{label:<58}{row['event_f1']:>9.3f}{row['recall']:>8.3f}{row['precision']:>10.3f}"
          f"{row['false_bursts_per_10k']:>14.1f}{row['point_f1']:>9.3f}{row['average_precision']:>7.3f}")


if __name__ == "__main__":
    main()
