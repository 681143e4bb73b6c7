# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Golden records, one per machine class, and the layered check of a run against them.

The golden file (``verification/golden_outputs.json``, format 2) holds ``records``: for each machine
class (:mod:`spotanomaly2_safe_cli.reproduce.machine_class`) its description, the output hash of every reference
scenario, when and why it was recorded, and the reference outputs themselves in a compressed NumPy
file beside it (``golden_reference_outputs/<class id>.npz``: row labels, output columns, fit record;
its SHA-256 is in the record). ``history`` lists every recording with its machine class and reason.

A run is checked in the first layer that applies (README "Determinism"):

- **(a)** a record of this machine class exists: every scenario must be ``identical`` (the hash);
- **(b)** otherwise, records with the same dependency versions (another CPU class): each scenario is
  compared with each such record's reference outputs (:func:`~spotanomaly2_safe_cli.reproduce.closeness.compare_outputs`)
  and gets its best verdict, ``identical``, ``within bound`` or ``differs``;
- **(c)** otherwise (other versions, Python or C library): the same comparison with every record; the
  differences are reported, no promise applies.

Recording (:func:`record_golden`) needs a reason and writes only this machine class's record. A class
without a record is added only when none of its outputs ``differs`` from a record with the same
dependency versions: a difference beyond the bound is a finding to explain, not a new reference.
"""

import datetime
import hashlib
import io
import json
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from spotanomaly2_safe_cli.reproduce.closeness import DIFFERS, IDENTICAL, RELATIVE_BOUND, VERDICTS, ScenarioOutputs, ScenarioVerdict, compare_outputs
from spotanomaly2_safe_cli.reproduce.machine_class import class_id, same_versions
from spotanomaly2_safe_cli.files import FileInputError

__all__ = ["GoldenFileError", "GoldenRecordError", "REFERENCE_FOLDER", "Reproduction", "check_reproduction", "load_golden", "record_golden"]

FORMAT = 2
REFERENCE_FOLDER = "golden_reference_outputs"
LAYERS = {
    "a": "(a) same machine class as a record: bit-identity is promised",
    "b": f"(b) another CPU class with the same dependency versions: every output within the relative bound {RELATIVE_BOUND:g} is promised",
    "c": "(c) no record with these dependency versions, Python and C library: differences are reported, no promise applies",
}


class GoldenRecordError(ValueError):
    """The golden file cannot be read or a recording is refused; the message says why and what to do."""


class GoldenFileError(GoldenRecordError, FileInputError):
    """The golden file or its reference outputs cannot be read, or were changed after recording (exit code 3)."""


class Reproduction(NamedTuple):
    """A run checked against the golden records: the layer, the records compared with, one verdict per scenario."""

    layer: str
    records: list[str]
    verdicts: dict[str, ScenarioVerdict]

    def worst(self) -> str:
        """The worst verdict over all scenarios (``identical`` when every scenario is)."""
        return max((verdict.verdict for verdict in self.verdicts.values()), key=VERDICTS.index, default=IDENTICAL)

    def statement(self) -> str:
        """Which layer the run reached, against which records, and the worst verdict."""
        return f"layer {LAYERS[self.layer]}; compared with record(s) {', '.join(self.records)}; worst verdict: {self.worst()}"


def load_golden(path: Path) -> dict[str, Any]:
    """The golden file; a format-1 file (one set of hashes, no machine class) gives no records, its history kept."""
    try:
        golden = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise GoldenFileError(f"cannot read the golden file {path}: {error}") from None
    if golden.get("format") != FORMAT:
        return {"format": FORMAT, "records": {}, "history": golden.get("history", [])}
    return golden


def _read_reference(folder: Path, record: Mapping[str, Any]) -> dict[str, ScenarioOutputs]:
    path = folder / record["reference_outputs"]
    try:
        data = path.read_bytes()
    except OSError as error:
        raise GoldenFileError(f"cannot read the reference outputs {path}: {error}") from None
    if hashlib.sha256(data).hexdigest() != record["reference_outputs_sha256"]:
        raise GoldenFileError(f"{path} does not have the SHA-256 its record states: it was changed after recording.")
    arrays = np.load(io.BytesIO(data), allow_pickle=False)
    outputs = {}
    for name in record["hashes"]:
        columns = {key.split("/", 1)[1]: arrays[key] for key in arrays.files if key.startswith(f"{name}/") and key.count("/") == 1}
        labels, fit_record = columns.pop("labels"), json.loads(str(columns.pop("fit_record")))
        outputs[name] = ScenarioOutputs(labels, columns, fit_record)
    return outputs


def _write_reference(path: Path, outputs: Mapping[str, ScenarioOutputs]) -> str:
    arrays = {}
    for name, scenario in outputs.items():
        arrays[f"{name}/labels"] = scenario.labels
        arrays[f"{name}/fit_record"] = np.array(json.dumps(scenario.fit_record, sort_keys=True, allow_nan=False))
        arrays |= {f"{name}/{column}": values for column, values in scenario.columns.items()}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def _verdicts(folder: Path, records: Mapping[str, Mapping[str, Any]], hashes: Mapping[str, str],
              outputs: Mapping[str, ScenarioOutputs], same_class: bool, only: Collection[str] | None = None) -> dict[str, ScenarioVerdict]:
    """Each scenario's best verdict over ``records`` (on its own class, only ``identical`` passes)."""
    if not records:
        return {}
    verdicts = {}
    references = {record_id: _read_reference(folder, record) for record_id, record in records.items()}
    names = sorted(set(hashes) | {name for record in records.values() for name in record["hashes"]})
    names = [name for name in names if only is None or name in only]
    for name in names:
        candidates = []
        for record_id, record in records.items():
            if name not in record["hashes"] or name not in hashes:
                side = "this run" if name not in hashes else f"record {record_id}"
                candidates.append(ScenarioVerdict(DIFFERS, 0, float("inf"), False, [], [f"no output of this scenario in {side}"]))
            elif record["hashes"][name] == hashes[name]:
                candidates.append(ScenarioVerdict(IDENTICAL, 0, 0.0, True, [], []))
            else:
                candidates.append(compare_outputs(references[record_id][name], outputs[name]))
        best = min(candidates, key=lambda verdict: VERDICTS.index(verdict.verdict))
        if same_class and name in hashes and any(record["hashes"].get(name) != hashes[name] for record in records.values()):
            # On its own machine class a run must be bit-identical: any other hash differs, however close.
            best = best._replace(verdict=DIFFERS, differences=[*best.differences, "output hash differs from this machine class's record"])
        verdicts[name] = best
    return verdicts


def check_reproduction(path: Path, machine_class: Mapping[str, Any], hashes: Mapping[str, str],
                       outputs: Mapping[str, ScenarioOutputs], only: Collection[str] | None = None) -> Reproduction:
    """Check a run (its hashes and outputs per scenario) against the golden file at ``path`` (module docstring).

    ``only``: check just these scenarios (the evidence report may recompute a subset).
    """
    records = load_golden(path)["records"]
    if not records:
        raise GoldenRecordError(f"{path} holds no record of reference outputs: record one with reproduce --record --reason \"...\".")
    own = class_id(dict(machine_class))
    if own in records:
        layer, chosen = "a", {own: records[own]}
    else:
        comparable = {key: record for key, record in records.items() if same_versions(record["machine_class"], dict(machine_class))}
        layer, chosen = ("b", comparable) if comparable else ("c", dict(records))
    return Reproduction(layer, sorted(chosen), _verdicts(path.parent, chosen, hashes, outputs, layer == "a", only))


def record_golden(path: Path, machine_class: Mapping[str, Any], hashes: Mapping[str, str],
                  outputs: Mapping[str, ScenarioOutputs], reason: str) -> dict[str, Any]:
    """Write this machine class's record (and its reference outputs) into the golden file; return the file's content."""
    if not reason.strip():
        raise GoldenRecordError("recording golden outputs needs --reason \"...\": what changed in the outputs, and why.")
    golden = load_golden(path) if path.exists() else {"format": FORMAT, "records": {}, "history": []}
    own, records = class_id(dict(machine_class)), golden["records"]
    if own not in records:
        comparable = {key: record for key, record in records.items() if same_versions(record["machine_class"], dict(machine_class))}
        differing = sorted(name for name, verdict in _verdicts(path.parent, comparable, hashes, outputs, False).items()
                           if verdict.verdict == DIFFERS)
        if differing:
            raise GoldenRecordError(
                f"refused: machine class {own} has no record, and its outputs of {', '.join(differing)} differ beyond the bound "
                f"from record(s) {', '.join(sorted(comparable))} of the same dependency versions; investigate (reproduce shows "
                "the rows) instead of recording, or re-record on the recorded class first if the change is deliberate."
            )
    previous = records.get(own, {}).get("hashes", {})
    changed = sorted(name for name in set(previous) | set(hashes) if previous.get(name) != hashes.get(name))
    recorded_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    reference = f"{REFERENCE_FOLDER}/{own}.npz"
    records[own] = {
        "machine_class": dict(machine_class), "recorded_at": recorded_at, "reason": reason, "changed": changed,
        "hashes": dict(sorted(hashes.items())), "reference_outputs": reference,
        "reference_outputs_sha256": _write_reference(path.parent / reference, outputs),
    }
    golden["records"] = dict(sorted(records.items()))
    golden["history"] = [*golden["history"], {"recorded_at": recorded_at, "machine_class": own, "reason": reason, "changed": changed}]
    path.write_text(json.dumps(golden, indent=2) + "\n", encoding="utf-8")
    return golden
