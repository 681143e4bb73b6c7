# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
import subprocess
import sys
from pathlib import Path

import pytest

import spotanomaly2_safe
from spotanomaly2_safe_cli.demo import INJECTED, make_demo_data
from spotanomaly2_safe_cli.main import main

CONSOLE_SCRIPT = Path(sys.executable).with_name("spotanomaly2-safe")


@pytest.mark.requirement("REQ-CLI-001")
def test_demo_prints_injected_beside_flagged(capsys):
    assert main(["demo"]) == 0
    report = capsys.readouterr().out
    for _, length, column, kind, _ in INJECTED:
        assert any(kind in line and column in line for line in report.splitlines())
    assert "injected anomalies flagged: 4 of 4" in report


@pytest.mark.requirement("REQ-CLI-001")
def test_demo_data_and_report_are_identical_on_every_run(capsys):
    first, second = make_demo_data(), make_demo_data()
    for left, right in zip(first, second):
        assert left.equals(right)
    main(["demo"])
    main(["demo"])
    output = capsys.readouterr().out
    half = len(output) // 2
    assert output[:half] == output[half:]


@pytest.mark.requirement("REQ-CLI-001")
def test_console_script_prints_versions():
    result = subprocess.run([str(CONSOLE_SCRIPT), "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.startswith(f"spotanomaly2-safe {spotanomaly2_safe.__version__} (numpy ")
    for name in ("pandas", "scipy", "scikit-learn", "pandera"):
        assert name in result.stdout


@pytest.mark.requirement("REQ-CLI-001")
def test_module_entry_runs_demo():
    result = subprocess.run([sys.executable, "-m", "spotanomaly2_safe_cli", "demo"], capture_output=True, text=True, check=True)
    assert "injected anomalies flagged" in result.stdout


@pytest.mark.requirement("REQ-CLI-004")
def test_demo_writes_a_png_plot_and_keeps_an_existing_one(tmp_path, capsys):
    plot = tmp_path / "demo.png"
    assert main(["demo", "--plot", str(plot)]) == 0
    written = plot.read_bytes()
    assert written.startswith(b"\x89PNG\r\n\x1a\n") and f"plot written to {plot}" in capsys.readouterr().out
    assert main(["demo", "--plot", str(plot)]) == 7
    assert "exists already" in capsys.readouterr().err and plot.read_bytes() == written
    assert main(["demo", "--plot", str(plot), "--force"]) == 0
    assert [path.name for path in tmp_path.iterdir()] == ["demo.png"]  # no temporary file left behind
