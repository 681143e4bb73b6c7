# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``spotanomaly2-safe score --workers/--scheduler`` on Parquet datasets, and the README's scale-out example."""

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster, WorkerPlugin

from spotanomaly2_safe import ForecastingAnomalyDetector
from spotanomaly2_safe_cli.main import main

from frames import make_frames

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, Client(cluster) as connected:
        yield connected


def _inputs(folder: Path, data=None, forecast_partitions: int = 3) -> list[str]:
    """Training CSV files and test Parquet datasets (3 partitions of actuals) as command-line arguments."""
    data = data or make_frames(n_test=300)
    for name, frame in (("train-actuals", data.y_true_train), ("train-forecasts", data.y_pred_train)):
        frame.rename_axis("timestamp").reset_index().to_csv(folder / f"{name}.csv", index=False)
    for name, frame, npartitions in (("test-actuals", data.y_true_test, 3), ("test-forecasts", data.y_pred_test, forecast_partitions)):
        dd.from_pandas(frame.rename_axis("timestamp"), npartitions=npartitions).to_parquet(folder / name)
    return ["--train-actuals", str(folder / "train-actuals.csv"), "--train-forecasts", str(folder / "train-forecasts.csv"),
            "--test-actuals", str(folder / "test-actuals"), "--test-forecasts", str(folder / "test-forecasts"), "--index-column", "timestamp"]


def _outputs(folder: Path) -> list[str]:
    return ["--scores", str(folder / "scores"), "--flags", str(folder / "flags"), "--fit-record", str(folder / "fit.json")]


def _run(capsys, *arguments: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["score", *arguments])
    return code, capsys.readouterr().err


@pytest.mark.requirement("REQ-SCL-007")
@pytest.mark.parametrize("cluster_option", ["--scheduler", "--workers"])
def test_score_on_datasets_writes_what_the_in_memory_api_returns(tmp_path, capsys, client, cluster_option):
    cluster = ["--scheduler", client.scheduler.address] if cluster_option == "--scheduler" else ["--workers", "1"]
    code, error = _run(capsys, *_inputs(tmp_path), "--scorer", "RobustZScorer", *_outputs(tmp_path), *cluster)
    assert code == 0, error
    data = make_frames(n_test=300)
    detector = ForecastingAnomalyDetector("RobustZScorer")
    scores_df, flags_df = detector.fit_score_detect(*data)
    assert sorted(path.name for path in (tmp_path / "scores").iterdir()) == [f"part.0000{number}.parquet" for number in range(3)]
    for folder, expected in (("scores", scores_df), ("flags", flags_df)):
        written = pd.read_parquet(tmp_path / folder).set_index("timestamp")
        np.testing.assert_array_equal(written.to_numpy(), expected.to_numpy())
        assert list(written.columns) == list(expected.columns) and (written.index == expected.index).all()
    record = json.loads((tmp_path / "fit.json").read_text(encoding="utf-8"))
    assert record["training_residuals_sha256"] == detector.fit_record_["training_residuals_sha256"]
    assert not list(tmp_path.glob(".*"))  # no temporary folder left behind


def _nan_in_last_partition(folder: Path) -> list[str]:
    data = make_frames(n_test=300)
    broken = data.y_true_test.copy()
    broken.iloc[-5, 0] = np.nan
    return _inputs(folder, data._replace(y_true_test=broken))


CLUSTER_ERRORS = [
    ("misaligned", lambda folder: _inputs(folder, forecast_partitions=2), [], 4, "index_mismatch"),
    ("nan-in-a-partition", _nan_in_last_partition, [], 4, "missing_value"),
    ("alarm-settings", _inputs, ["--config", "alarms.json"], 6, "invalid_parameter"),
]


@pytest.mark.requirement("REQ-SCL-007")
@pytest.mark.parametrize(("case", "inputs", "extra", "code", "reason"), CLUSTER_ERRORS, ids=[case[0] for case in CLUSTER_ERRORS])
def test_score_on_datasets_reports_errors_with_their_exit_code_and_writes_nothing(tmp_path, capsys, client, case, inputs, extra, code, reason):
    (tmp_path / "alarms.json").write_text(json.dumps({"scorer_name": "NormScorer", "min_gap": 3}), encoding="utf-8")
    extra = [str(tmp_path / item) if item.endswith(".json") else item for item in extra]
    found, error = _run(capsys, *inputs(tmp_path), *_outputs(tmp_path), *extra, "--scheduler", client.scheduler.address, "--json-errors")
    assert found == code and json.loads(error)["reason"] == reason
    assert not (tmp_path / "scores").exists() and not (tmp_path / "flags").exists() and not (tmp_path / "fit.json").exists()
    assert not list(tmp_path.glob(".scores*")) and not list(tmp_path.glob(".flags*"))


@pytest.mark.requirement("REQ-SCL-007")
def test_existing_output_dataset_is_kept_unless_forced(tmp_path, capsys, client):
    arguments = [*_inputs(tmp_path), *_outputs(tmp_path), "--scheduler", client.scheduler.address]
    (tmp_path / "scores").mkdir()
    (tmp_path / "scores" / "keep.txt").write_text("keep me", encoding="utf-8")
    code, error = _run(capsys, *arguments)
    assert code == 7 and "exists already; pass --force" in error and (tmp_path / "scores" / "keep.txt").exists()
    assert _run(capsys, *arguments, "--force")[0] == 0
    assert sorted(path.name for path in (tmp_path / "scores").iterdir()) == [f"part.0000{number}.parquet" for number in range(3)]
    assert not list(tmp_path.glob(".*"))


@pytest.mark.requirement("REQ-SCL-008")
def test_readme_scale_out_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scaling out"):]
    snippet = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    (tmp_path / "example.py").write_text(snippet, encoding="utf-8")
    result = subprocess.run([sys.executable, str(tmp_path / "example.py")], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert re.fullmatch(r"\d+ of 200 rows flagged; identical to in-memory: True\n", result.stdout)


@pytest.mark.requirement("REQ-SCL-008")
def test_scaleout_benchmark_script_prints_every_row(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_scaleout.py"), "--rows", "20000", "--columns", "3", "--partitions", "3",
         "--in-memory-rows", "10000", "--series", "4", "--series-rows", "400", "--tmp", str(tmp_path)],
        capture_output=True, text=True, check=True,
    )
    lines = result.stdout.splitlines()
    for label in ("distributed Parquet -> score -> Parquet", "in memory, one process", "many series fitted + scored"):
        row = next(line for line in lines if line.startswith(label))
        assert float(re.search(r" ([\d,.]+) (rows|series)/s", row).group(1).replace(",", "")) > 0
    assert float(next(line for line in lines if line.startswith("ratio distributed / in memory")).split()[-1]) > 0
    assert sum(line.startswith("peak resident memory of worker") for line in lines) == 2
    assert "4 fitted, 0 errors" in result.stdout and list(tmp_path.iterdir()) == []  # the generated data is deleted


@pytest.mark.requirement("REQ-SCL-007")
def test_unreachable_scheduler_exits_8_and_writes_nothing(tmp_path, capsys):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    code, error = _run(capsys, *_inputs(tmp_path), *_outputs(tmp_path), "--scheduler", address)
    assert code == 8 and f"cannot start or reach the Dask scheduler {address}" in error
    assert not (tmp_path / "scores").exists() and not (tmp_path / "flags").exists() and not (tmp_path / "fit.json").exists()


@pytest.mark.requirement("REQ-SCL-007")
def test_a_part_written_while_a_failed_run_is_cleaned_up_leaves_nothing_behind(tmp_path, monkeypatch):
    """After one task fails, other workers may still write parts while the staging folder is removed.

    The late part is written at the worst moment: when the cleanup removes a folder (after listing its
    files). Removing the staging folder in place would then fail with the folder not empty and leave it.
    """
    from spotanomaly2_safe_cli.scaleout import dataset as score_dataset

    staging = Path(tempfile.mkdtemp(prefix=".scores.partial-", dir=tmp_path))
    score_dataset._write_part(pd.DataFrame({"a": [1.0]}), staging / "part.00000.parquet")
    late_writes = []
    remove_folder = os.rmdir

    def rmdir_after_a_late_part(path, *arguments, **keywords):
        if not late_writes:
            try:
                score_dataset._write_part(pd.DataFrame({"a": [2.0]}), staging / "part.00001.parquet")
                late_writes.append("written")
            except score_dataset.OutputError:  # the OSError of a vanished folder, as the CLI's output error
                late_writes.append("refused")
        return remove_folder(path, *arguments, **keywords)

    monkeypatch.setattr(os, "rmdir", rmdir_after_a_late_part)
    score_dataset._discard(staging)
    assert late_writes == ["refused"]
    assert not list(tmp_path.iterdir())


class _ExitWhenScoring(WorkerPlugin):
    """A worker plugin that ends its worker process the moment a partition starts being scored."""

    def transition(self, key, start, finish, **keywords):
        if finish == "executing" and "_score_partition" in str(key):
            os._exit(1)


@pytest.mark.requirement("REQ-SCL-007")
def test_workers_lost_beyond_the_retries_exit_8_and_write_nothing(tmp_path, capsys):
    """Every worker that starts scoring dies; with no retries allowed the scheduler gives up (KilledWorker)."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as connected:
        connected.register_plugin(_ExitWhenScoring(), name="exit-when-scoring")
        code, error = _run(capsys, *_inputs(tmp_path), *_outputs(tmp_path), "--scheduler", cluster.scheduler_address, "--json-errors")
    document = json.loads(error)
    assert code == 8 and document["error"] == "ClusterError" and "a worker died more often than the scheduler retries" in document["message"]
    assert not list(tmp_path.glob("scores*")) and not list(tmp_path.glob("flags*")) and not list(tmp_path.glob(".*"))
    assert not (tmp_path / "fit.json").exists()


@pytest.mark.requirement("REQ-SCL-007")
def test_an_empty_parquet_file_in_a_dataset_loses_no_row(tmp_path, capsys, client):
    """dask's reader drops a file with no rows; every other row is scored as in memory."""
    arguments = _inputs(tmp_path)
    for name in ("test-actuals", "test-forecasts"):
        first = sorted((tmp_path / name).glob("*.parquet"))[0]
        pd.read_parquet(first).iloc[:0].to_parquet(tmp_path / name / "part.99.parquet")
    code, error = _run(capsys, *arguments, *_outputs(tmp_path), "--scheduler", client.scheduler.address)
    assert code == 0, error
    data = make_frames(n_test=300)
    _, flags_df = ForecastingAnomalyDetector().fit_score_detect(*data)
    written = pd.read_parquet(tmp_path / "flags").set_index("timestamp")
    np.testing.assert_array_equal(written.to_numpy(), flags_df.to_numpy())
    assert (written.index == flags_df.index).all()


@pytest.mark.requirement("REQ-CLI-005")
def test_dataset_run_that_fails_at_the_fit_record_restores_the_previous_folders(tmp_path, capsys, client, monkeypatch):
    inputs, cluster = _inputs(tmp_path), ["--scheduler", client.scheduler.address]
    assert _run(capsys, *inputs, "--scorer", "NormScorer", *_outputs(tmp_path), *cluster)[0] == 0
    before = {path.relative_to(tmp_path): path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file()}
    real_replace = os.replace

    def failing_fit_record(source, target, *args, **kwargs):  # the folders are published first, then this fails
        if str(target).endswith("fit.json") and ".partial" in str(source):
            raise OSError(28, os.strerror(28))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_fit_record)
    code, error = _run(capsys, *inputs, "--scorer", "RobustZScorer", *_outputs(tmp_path), *cluster, "--force")
    assert code == 7 and error.count("\n") == 1 and "No space left on device; no output was changed" in error
    after = {path.relative_to(tmp_path): path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file()}
    assert after == before  # scores and flags folders and fit record all as before; no hidden folder left
