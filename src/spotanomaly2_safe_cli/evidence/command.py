# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``spotanomaly2-safe evidence --out DIR``: run the verification suite and render the evidence report.

Into a new or empty ``DIR``: ``junit.xml`` and ``coverage.json`` (the run's results, or copies of the
files given with ``--junit`` / ``--coverage``), ``pytest-output.txt`` (when the suite was run here),
``evidence.html``, ``evidence.md``, one PNG per reference scenario, ``sbom.cdx.json`` and, last,
``SHA256SUMS`` (``sha256sum -c`` format) over every other file, the report included: a report cannot
hold its own hash. Failing tests never stop the rendering; the exit code is 0 only when the report's
verdict is a pass (:mod:`spotanomaly2_safe_cli.evidence.report`), else 1.

The folder appears whole or not at all: everything is written into a hidden ``.DIR.partial-*`` folder
beside ``DIR``, renamed to ``DIR`` only when the report is complete, and removed on any failure (a
malformed ``--junit`` or ``--coverage`` file is a :class:`~spotanomaly2_safe_cli.files.FileInputError`,
a used ``DIR`` an :class:`~spotanomaly2_safe_cli.files.OutputError`; nothing is left in ``DIR``).

Detection quality (not part of the verdict): the recommended adaptive configuration and the previous
recommendation on every unsealed scenario suite, and the recommended configuration on SKAB when the SKAB
folder ``SKAB_DATA`` (``../shared/data/skab`` from the project root) holds it; otherwise the report says
the SKAB data are not available (or unreadable, with the error).
"""

import datetime
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from junitparser import JUnitXmlError

from spotanomaly2_safe_cli.evidence.environment import git_identity, tool_versions, write_sbom
from spotanomaly2_safe_cli.evidence.inputs import read_coverage, read_junit, read_mutation_results
from spotanomaly2_safe_cli.evidence.render import REPORT_TEMPLATES, render_text
from spotanomaly2_safe_cli.evidence.report import DISCLAIMER, trace_section, verdict_failures
from spotanomaly2_safe_cli.evidence.scenarios import scenario_evidence
from spotanomaly2_safe_cli.files import FileInputError, OutputError
from spotanomaly2_safe_cli.reproduce.golden import GOLDEN_FILE, environment
from spotanomaly2_safe_cli.quality.evaluation import ADAPTIVE_RECOMMENDED, RECOMMENDED, TARGETS, describe, skab_quality, suite_quality
from spotanomaly2_safe_cli.quality.scenarios import unsealed_suites
from spotanomaly2_safe_cli.quality.skab import PUBLISHED, SkabDataMissing
from spotanomaly2_safe_cli.quality.skab import TARGETS as SKAB_TARGETS

__all__ = ["CHECKSUMS", "MUTATION_FILE", "SKAB_DATA", "render_evidence", "run_test_suite", "sha256_file", "write_checksums"]

CHECKSUMS = "SHA256SUMS"
MUTATION_FILE = Path("verification") / "mutation_results.json"
# The SKAB folder (GPL-3.0 data, read at run time, never copied), relative to the project root.
SKAB_DATA = Path("..") / "shared" / "data" / "skab"
# Detection-quality rows of the report: label -> configuration, the recommended one first.
QUALITY_CONFIGURATIONS = {"recommended (adaptive)": ADAPTIVE_RECOMMENDED, "previous recommendation": RECOMMENDED}


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_test_suite(project: Path, out: Path) -> int:
    """Run ``python -m pytest`` in ``project`` writing JUnit XML and coverage JSON into ``out``; echo and keep its output."""
    command = [sys.executable, "-m", "pytest", f"--junitxml={out / 'junit.xml'}",
               f"--cov-report=json:{out / 'coverage.json'}", "--cov-report=term-missing:skip-covered"]
    with (out / "pytest-output.txt").open("w", encoding="utf-8") as log, \
            subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            log.write(line)
    return process.returncode


def write_checksums(out: Path) -> str:
    """Write ``SHA256SUMS`` over every file in ``out`` except itself, sorted by name; return its text."""
    lines = [f"{sha256_file(path)}  {path.name}\n" for path in sorted(out.iterdir()) if path.is_file() and path.name != CHECKSUMS]
    text = "".join(lines)
    (out / CHECKSUMS).write_text(text, encoding="utf-8")
    return text


def _take_input(source: Path | None, out: Path, name: str) -> Path | None:
    """Copy a given results file into ``out`` so the folder holds (and SHA256SUMS covers) exactly what was rendered."""
    if source is None:
        return None
    shutil.copyfile(source, out / name)
    return out / name


def _golden(project: Path, out: Path, scenarios: Sequence[str]) -> dict:
    return {"file": str(GOLDEN_FILE), **scenario_evidence(out, project / GOLDEN_FILE, scenarios)}


def _mutation(project: Path) -> dict:
    try:
        return {"file": str(MUTATION_FILE), "results": read_mutation_results(project / MUTATION_FILE), "error": None}
    except (ValueError, json.JSONDecodeError) as error:
        return {"file": str(MUTATION_FILE), "results": None, "error": f"Mutation results unreadable: {error}"}


@functools.cache
def _suite_quality(suite: str, label: str) -> dict:  # deterministic (the suites are fixed bytes), so computed once per process
    return {"configuration": label, **suite_quality(suite, QUALITY_CONFIGURATIONS[label])}


def _skab(project: Path) -> dict:
    """The recommended configuration's SKAB figures when the SKAB folder exists under ``project`` (``SKAB_DATA``), else why not."""
    folder = (project / SKAB_DATA).resolve()
    base = {"folder": str(folder), "targets": SKAB_TARGETS, "published": PUBLISHED}
    try:
        result = skab_quality(folder, ADAPTIVE_RECOMMENDED)
    except SkabDataMissing as error:
        return {**base, "error": f"SKAB data not available ({error})."}
    except (OSError, ValueError, KeyError) as error:  # a file that is not a SKAB run: said, not fatal to the report
        return {**base, "error": f"SKAB data unreadable: {type(error).__name__}: {error}"}
    names = {"all": "all runs", **{key: " + ".join(groups) for key, groups in result["splits"].items()}}
    rows = [{"name": names[key], "f1": metrics.f1, "far": metrics.far, "mar": metrics.mar, "met": result["targets_met"][key]}
            for key, metrics in result["metrics"].items()]
    return {**base, "error": None, "runs": result["runs"], "test_rows": result["test_rows"], "rows": rows}


def _quality(project: Path) -> dict:
    """Detection quality of the recommended and the previous configuration on every unsealed suite, and on SKAB (not part of the verdict)."""
    return {"configurations": {label: describe(configuration) for label, configuration in QUALITY_CONFIGURATIONS.items()},
            "targets": TARGETS,
            "rows": [_suite_quality(suite, label) for suite in unsealed_suites() for label in QUALITY_CONFIGURATIONS],
            "skab": _skab(project)}


def _identity(project: Path, suite: str, junit_path: Path, coverage_path: Path | None) -> dict:
    """Which code, when, and which result files (by SHA-256) the report is about."""
    has_coverage = coverage_path is not None and coverage_path.is_file()
    return {
        **git_identity(project),
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "suite": suite,
        "junit": {"file": junit_path.name, "sha256": sha256_file(junit_path)},
        "coverage": {"file": coverage_path.name, "sha256": sha256_file(coverage_path)} if has_coverage else None,
    }


def _read_results(junit_path: Path, coverage_path: Path | None, given: tuple[Path | None, Path | None]) -> tuple[Any, dict | None]:
    """The JUnit results and coverage figures, or a FileInputError naming the (given) file that does not parse."""
    junit_name, coverage_name = (source or path for source, path in zip(given, (junit_path, coverage_path)))
    # lxml's XMLSyntaxError is a SyntaxError; junitparser raises JUnitXmlError on a root that is not JUnit.
    unreadable = (SyntaxError, ValueError, KeyError, TypeError, AttributeError, JUnitXmlError)
    try:
        junit_results = read_junit(junit_path)
    except unreadable as error:
        raise FileInputError(f"{junit_name}: not a readable JUnit XML file: {error}") from None
    try:
        return junit_results, read_coverage(coverage_path)
    except unreadable as error:
        raise FileInputError(f"{coverage_name}: not a readable coverage JSON file: {error}") from None


def render_evidence(out: Path, project: Path, scenarios: Sequence[str], junit: Path | None = None, coverage: Path | None = None) -> int:
    """Produce the report folder ``out`` (module docstring) for ``project``; return 0 when its verdict is a pass, else 1."""
    if not (project / "requirements_trace.csv").is_file():
        raise FileInputError(f"{project} holds no requirements_trace.csv: pass the project root with --project.")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputError(f"{out} is not empty: choose a new or empty folder, so it holds one run's evidence only.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    except OSError as error:
        raise OutputError(f"{out}: cannot be written: {error.strerror or error}.") from None
    try:
        verdict_ok, verdict, checksums = _render_into(staging, project, scenarios, junit, coverage)
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"Evidence report written to {out}: {verdict}\n{CHECKSUMS}:\n{checksums}", end="")
    return 0 if verdict_ok else 1


def _render_into(out: Path, project: Path, scenarios: Sequence[str], junit: Path | None, coverage: Path | None) -> tuple[bool, str, str]:
    """Write the whole report into the (staging) folder ``out``; return (verdict ok, verdict, SHA256SUMS text)."""
    if junit is None:
        exit_code = run_test_suite(project, out)
        suite = f"python -m pytest run by this command in {project.resolve()}: exit code {exit_code}"
        junit_path, coverage_path = out / "junit.xml", out / "coverage.json"
    else:
        exit_code = None
        suite = f"not run by this command: rendered from existing results ({junit.name}{', ' + coverage.name if coverage else ''})"
        junit_path, coverage_path = _take_input(junit, out, "junit.xml"), _take_input(coverage, out, "coverage.json")
    if not junit_path.is_file():
        raise FileNotFoundError("The test run wrote no junit.xml; its output is printed above.")
    junit_results, coverage_figures = _read_results(junit_path, coverage_path, (junit, coverage))
    report = {"title": "spotanomaly2-safe verification evidence", "disclaimer": DISCLAIMER, **trace_section(project, junit_results)}
    report["golden"] = _golden(project, out, scenarios)
    sbom_error = write_sbom(out / "sbom.cdx.json")
    report |= {
        "identity": _identity(project, suite, junit_path, coverage_path),
        "checksums_note": f"The SHA-256 of this report and of every other file in its folder is in {CHECKSUMS} beside it "
                          f"(a report cannot contain its own hash); check with: sha256sum -c {CHECKSUMS}",
        "seed_agreement": junit_results.seed_agreement,
        "coverage": coverage_figures,
        "mutation": _mutation(project),
        "quality": _quality(project),
        "environment": environment(),
        "tools": tool_versions(),
        "sbom": {"file": "sbom.cdx.json", "error": sbom_error},
    }
    failures = verdict_failures(report, junit_results.counts, exit_code)
    report["verdict_ok"] = not failures
    report["verdict"] = "Verdict of this run: PASS." if not failures else f"Verdict of this run: FAIL ({'; '.join(failures)})."
    # Both rendered before either is written: a refused text leaves no report at all, not half of one.
    texts = {output_name: render_text(template_name, {"report": report}) for output_name, template_name in REPORT_TEMPLATES.items()}
    for output_name, text in texts.items():
        (out / output_name).write_text(text, encoding="utf-8")
    return report["verdict_ok"], report["verdict"], write_checksums(out)
