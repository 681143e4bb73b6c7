# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Mutation testing of the kernel: run mutmut, then write ``verification/mutation_results.json``.

Usage, from the repository root with the test environment active (``pip install mutmut==3.8.1``)::

    python verification/mutation.py                     # mutmut run over the whole kernel, then record
    python verification/mutation.py --retest-survivors  # rerun the mutants not killed, then record
    python verification/mutation.py --record            # record the results of the last mutmut run only

mutmut keeps each mutant's verdict in ``mutants/`` and only tests mutants without one (a changed kernel
function gets new mutants); delete ``mutants/`` for a run from scratch. A mutant killed once stays
killed when tests are added, so ``--retest-survivors`` after adding tests gives whole-kernel totals.

mutmut's configuration (what is mutated, which tests run) is ``[tool.mutmut]`` in pyproject.toml.
The results file follows the evidence schema (``spotanomaly2_safe_cli.evidence.inputs``):
``killed`` counts mutants a test failed on, ``timeout`` those that ran too long, and ``survived``
every other mutant (survived, no test reached it, suspicious), each listed in ``surviving_mutants``
with its location, the mutation and the reason it survives, taken from
``verification/mutation_reasons.json`` (mutant name -> mutation and reason). A reason whose recorded
mutation no longer matches the mutant is not used: the survivor is listed with an empty reason and
the script exits 1, so a stale explanation can never pass for a current one.
"""

import argparse
import ast
import datetime
import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNEL = Path("src") / "spotanomaly2_safe"
RESULTS = ROOT / "verification" / "mutation_results.json"
REASONS = ROOT / "verification" / "mutation_reasons.json"
KILLED, TIMEOUT = {"killed", "caught by type check"}, {"timeout"}
# Never recorded: a run that did not finish must be re-run, not reported.
UNFINISHED = {"not checked", "check was interrupted by user"}


def run_mutmut(mutant_names: list[str]) -> None:
    """``mutmut run`` (all mutants without a result, or the named ones) with the ``mutation`` hypothesis profile.

    One OpenMP/BLAS thread: mutmut forks a worker per mutant from a process that has already fitted
    KMeans, and a forked child waits forever on the parent's OpenMP thread pool.
    """
    threads = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    environment = {**os.environ, **threads, "HYPOTHESIS_PROFILE": "mutation"}
    command = [sys.executable, "-m", "mutmut", "run", "--max-children", "2", *mutant_names]
    subprocess.run(command, cwd=ROOT, env=environment, check=True)


def mutant_statuses() -> dict[str, tuple[str, str]]:
    """Mutant name -> (kernel file relative to the root, mutmut status), from mutmut's ``.meta`` files."""
    from mutmut.stats import status_by_exit_code  # imported here: the suite collects this file without mutmut

    statuses = {}
    for meta in sorted((ROOT / "mutants" / KERNEL).rglob("*.py.meta")):
        path = str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")
        for name, exit_code in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"].items():
            statuses[name] = (path, status_by_exit_code[exit_code])
    return statuses


def _function_lines(source: str, name: str) -> range:
    """The lines (decorators included) of the function or method mutmut's ``name`` was generated from."""
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    function, class_name = orig_function_and_class_names_from_key(name)
    scope = ast.parse(source)
    if class_name:
        scope = next(node for node in ast.walk(scope) if isinstance(node, ast.ClassDef) and node.name == class_name)
    node = next(node for node in ast.walk(scope) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == function)
    start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    return range(start, node.end_lineno + 1)


def describe(name: str, path: str) -> tuple[str, str]:
    """``path:line`` of the mutated line in the original source, and the mutation as ``old -> new``."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=path).splitlines()[2:]
    removed = [line[1:].strip() for line in diff if line.startswith("-")]
    added = [line[1:].strip() for line in diff if line.startswith("+")]
    source = (ROOT / path).read_text(encoding="utf-8")
    lines = source.splitlines()
    line = next(number for number in _function_lines(source, name) if lines[number - 1].strip() == removed[0])
    return f"{path}:{line}", f"{' / '.join(removed)} -> {' / '.join(added)}"


def results(statuses: dict[str, tuple[str, str]], reasons: dict[str, dict[str, str]]) -> dict:
    unfinished = sorted(name for name, (_, status) in statuses.items() if status in UNFINISHED)
    if unfinished:
        raise SystemExit(f"{len(unfinished)} mutant(s) not checked (e.g. {unfinished[0]}): finish `mutmut run` first.")
    killed = sum(status in KILLED for _, status in statuses.values())
    timeout = sum(status in TIMEOUT for _, status in statuses.values())
    surviving = []
    for name, (path, status) in sorted(statuses.items()):
        if status in KILLED | TIMEOUT:
            continue
        location, mutation = describe(name, path)
        known = reasons.get(name, {})
        reason = known.get("reason", "") if known.get("mutation") == mutation else ""
        if status != "survived" and reason:
            reason = f"{status}: {reason}"
        surviving.append({"location": location, "mutation": mutation, "reason": reason})
    return {
        "tool": "mutmut",
        "tool_version": importlib.metadata.version("mutmut"),
        "date": datetime.date.today().isoformat(),
        "commit": subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip(),
        "killed": killed,
        "survived": len(surviving),
        "timeout": timeout,
        "score": killed / len(statuses),
        "surviving_mutants": surviving,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--record", action="store_true", help="only record the results of the last mutmut run")
    mode.add_argument("--retest-survivors", action="store_true", help="rerun every mutant not killed (after adding tests), then record")
    arguments = parser.parse_args(argv)
    os.chdir(ROOT)  # mutmut reads pyproject.toml and mutants/ from the working directory
    if arguments.retest_survivors:
        run_mutmut(sorted(name for name, (_, status) in mutant_statuses().items() if status not in KILLED))
    elif not arguments.record:
        run_mutmut([])
    reasons = json.loads(REASONS.read_text(encoding="utf-8")) if REASONS.is_file() else {}
    recorded = results(mutant_statuses(), reasons)
    RESULTS.write_text(json.dumps(recorded, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    unexplained = [mutant for mutant in recorded["surviving_mutants"] if not mutant["reason"]]
    print(f"{RESULTS.relative_to(ROOT)}: killed {recorded['killed']}, survived {recorded['survived']}, "
          f"timeout {recorded['timeout']}, score {recorded['score']:.4f}; {len(unexplained)} survivor(s) without a reason")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
