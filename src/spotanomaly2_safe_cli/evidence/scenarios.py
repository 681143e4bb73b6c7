# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Determinism and behaviour on the reference scenarios: outputs recomputed now, checked, and one plot each.

Each scenario of :data:`spotanomaly2_safe_cli.reproduce.golden.REFERENCE_SCENARIOS` that is selected is fitted and
scored once; its outputs are checked against the golden records (:mod:`spotanomaly2_safe_cli.reproduce.records`,
the rule ``reproduce`` and the golden test use: layer (a), (b) or (c), a verdict per scenario), and its
test scores are plotted with the threshold and the flagged rows. A scenario not selected is shown as
not recomputed.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spotanomaly2_safe_cli.reproduce.golden import REFERENCE_SCENARIOS, output_hash, run_scenario, scenario_outputs
from spotanomaly2_safe_cli.reproduce.records import LAYERS, GoldenRecordError, check_reproduction, load_golden
from spotanomaly2_safe_cli.reproduce.machine_class import class_id, current_machine_class
from spotanomaly2_safe_cli.plots import plot_scores

__all__ = ["NOT_RECOMPUTED", "scenario_evidence"]

NOT_RECOMPUTED = "not recomputed"


def scenario_evidence(out: Path, golden_path: Path, selected: Sequence[str]) -> dict[str, Any]:
    """Recompute and plot the ``selected`` scenarios into ``out``; check them against the golden file.

    Returns the machine class, the layer reached (or the error that prevented the check) and one row per
    reference or recorded scenario: recorded and recomputed hash, verdict, and the plot's facts.
    """
    hashes, outputs, plotted = {}, {}, {}
    for name in selected:
        detector, scores_df, flags_df, _ = run_scenario(name)
        hashes[name] = output_hash(scores_df, flags_df, detector.fit_record_)
        outputs[name] = scenario_outputs(scores_df, flags_df, detector.fit_record_)
        plotted[name] = {
            "plot": f"scenario-{name}.png",
            "threshold": detector.detector.threshold,
            "flagged": int(np.sum(flags_df["anomaly_flag"].to_numpy())),
            "rows": len(flags_df),
            "scorer": detector.scorer_name,
        }
        plot_scores(scores_df, flags_df, detector.detector.threshold, f"{name}: {detector.scorer_name}", out / plotted[name]["plot"])
    machine_class = current_machine_class()
    try:
        records = load_golden(golden_path)["records"] if golden_path.is_file() else {}
        result = check_reproduction(golden_path, machine_class, hashes, outputs, only=selected) if records else None
    except GoldenRecordError as error:
        records, result, error_text = {}, None, str(error)
    else:
        error_text = None if records else f"No golden record in {golden_path.name}: recomputed outputs have nothing to be compared with."
    recorded = {name: record["hashes"][name] for record_id, record in records.items() if result and record_id in result.records
                for name in record["hashes"]}
    rows = []
    for name in sorted(set(REFERENCE_SCENARIOS) | set(recorded)):
        verdict = result.verdicts.get(name) if result else None
        status = NOT_RECOMPUTED if name not in hashes else verdict.verdict if verdict else "not checked"
        rows.append({"name": name, "golden": recorded.get(name, ""), "computed": hashes.get(name, ""), "status": status,
                     "detail": verdict.summary() if verdict else "", **plotted.get(name, {})})
    return {
        "machine_class": class_id(machine_class),
        "layer": f"{LAYERS[result.layer]}; worst verdict of the recomputed scenarios: {result.worst()}" if result else None,
        "records": result.records if result else [],
        "error": error_text,
        "rows": rows,
    }
