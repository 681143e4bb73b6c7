# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""``spotanomaly2-safe score``: fit on training files, score test files, write scores, flags and the fit record.

Every failure is one line on stderr (or one JSON object with ``--json-errors``) and a distinct exit code:

====  ===========================  =====================================================================
code  error class                  when
====  ===========================  =====================================================================
0     -                            scores, flags and fit record written
2     usage                        a command-line option is missing or malformed (argparse), or two
                                   outputs (or an output and an input) name the same file (UsageError)
3     FileInputError               an input file is missing, unreadable, of unknown type, or its index
                                   column does not parse
4     InvalidInputError            the data break a contract (NaN, inf, text, mismatched labels, ...)
5     InsufficientDataException    too few (distinct) training rows for the scorer
6     InvalidParameterError        a detector parameter is unknown, foreign or out of range
7     OutputError                  an output exists (no ``--force``), its folder is missing or not
                                   writable, or its type is unknown (checked before any work); or writing
                                   fails (e.g. the disk is full): then no output is changed
8     ClusterError                 ``--workers``/``--scheduler``: Dask is not installed, the cluster cannot
                                   be started or reached, or a worker died more often than the scheduler
                                   retries a task
130   interrupted                  SIGINT (Ctrl-C): the outputs are the complete old set or the complete
                                   new one
====  ===========================  =====================================================================

With ``--workers``/``--scheduler`` (:mod:`spotanomaly2_safe_cli.scaleout.dataset`) the test inputs are
Parquet datasets and the outputs Parquet datasets; code 4 then also covers partitions of actuals and
forecasts that do not line up (``index_mismatch``, checked before computing) and a contract broken inside
a partition (the message names the partition and row label), and code 6 a detector with ``min_duration``
or ``min_gap`` (alarms are not computed distributed; see :mod:`spotanomaly2_safe_cli.scaleout.partitioned`).

Scores, flags and fit record are written as one set (:func:`spotanomaly2_safe_cli.files.write_outputs`):
staged to hidden temporary files, then published together only after everything succeeded, so a
failed or interrupted run leaves the previous outputs (or none), never a mix of old and new.
"""

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spotanomaly2_safe import ForecastingAnomalyDetector, InsufficientDataException, InvalidParameterError, SpotAnomalySafeError
from spotanomaly2_safe.errors import Reason
from spotanomaly2_safe.parameters import reject_unknown_parameters
from spotanomaly2_safe_cli.files import (
    INDEX_TYPES,
    FileInputError,
    OutputError,
    UsageError,
    json_writer,
    read_table,
    require_distinct_paths,
    require_writable,
    table_writer,
    write_outputs,
)
from spotanomaly2_safe_cli.scaleout.dataset import ClusterError

__all__ = ["EXIT_CODES", "add_score_arguments", "exit_code_of", "run_score"]

# Most specific class first: InsufficientDataException is an InvalidInputError.
EXIT_CODES = (
    (FileInputError, 3),
    (InsufficientDataException, 5),
    (InvalidParameterError, 6),
    (SpotAnomalySafeError, 4),
    (OutputError, 7),
    (ClusterError, 8),
    (UsageError, 2),
    (KeyboardInterrupt, 130),
)
OUTPUTS = ("scores", "flags", "fit_record")
INPUTS = (("train_actuals", "y_true_train"), ("train_forecasts", "y_pred_train"), ("test_actuals", "y_true_test"), ("test_forecasts", "y_pred_test"))


def exit_code_of(error: Exception) -> int:
    """The documented exit code of an error (see the module docstring)."""
    return next(code for error_class, code in EXIT_CODES if isinstance(error, error_class))


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1; got {text!r}")
    return int(text)


def add_score_arguments(parser: argparse.ArgumentParser) -> None:
    files = parser.add_argument_group("input files (CSV or Parquet)")
    for option, argument in INPUTS:
        files.add_argument(f"--{option.replace('_', '-')}", type=Path, required=True, metavar="FILE", help=f"{argument}")
    files.add_argument("--index-column", required=True, help="the column holding the row labels (time stamps)")
    files.add_argument("--index-type", choices=INDEX_TYPES, default="datetime", help="how to parse it (default: ISO 8601 datetime)")
    detector = parser.add_argument_group("detector (the parameters of ForecastingAnomalyDetector)")
    detector.add_argument("--config", type=Path, help="a JSON object of ForecastingAnomalyDetector parameters")
    detector.add_argument("--scorer", dest="scorer_name", help="scorer_name, e.g. KMeansScorer")
    detector.add_argument("--scorer-param", action="append", default=[], metavar="KEY=VALUE", help="a scorer parameter (VALUE as JSON)")
    detector.add_argument("--high-quantile", type=float)
    detector.add_argument("--normalization-quantile", type=float)
    detector.add_argument("--normalization")
    detector.add_argument("--no-normalize", dest="normalize_scores", action="store_false", default=None)
    outputs = parser.add_argument_group("outputs (written atomically, only on success)")
    outputs.add_argument("--scores", type=Path, required=True, metavar="FILE", help="anomaly_score(_normalized) (.csv/.parquet)")
    outputs.add_argument("--flags", type=Path, required=True, metavar="FILE", help="anomaly_flag (.csv/.parquet)")
    outputs.add_argument("--fit-record", type=Path, required=True, metavar="FILE", help="the fit record (.json)")
    outputs.add_argument("--force", action="store_true", help="overwrite existing outputs")
    cluster = parser.add_argument_group("scale-out on Dask (pip install 'spotanomaly2-safe[dask]')").add_mutually_exclusive_group()
    cluster.add_argument("--workers", type=_positive_int, metavar="N", help="score on a local Dask cluster of N worker processes; "
                         "the test inputs and the --scores/--flags outputs are then Parquet datasets (folders or globs)")
    cluster.add_argument("--scheduler", metavar="ADDRESS", help="as --workers, on the existing Dask cluster at ADDRESS")
    parser.add_argument("--json-errors", action="store_true", help="report an error as one JSON object on stderr")


def _detector_parameters(arguments: argparse.Namespace) -> dict[str, Any]:
    parameters: dict[str, Any] = {}
    if arguments.config is not None:
        try:
            parameters = json.loads(arguments.config.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise FileInputError(f"{arguments.config}: not a readable JSON file: {error}") from None
        if not isinstance(parameters, dict):
            raise FileInputError(f"{arguments.config}: must hold a JSON object of detector parameters.")
    for name in ("scorer_name", "high_quantile", "normalization_quantile", "normalization", "normalize_scores"):
        if getattr(arguments, name) is not None:
            parameters[name] = getattr(arguments, name)
    for item in arguments.scorer_param:
        key, separator, value = item.partition("=")
        if not separator:
            raise InvalidParameterError(f"--scorer-param {item!r} must be KEY=VALUE.", reason=Reason.INVALID_PARAMETER)
        parameters.setdefault("scorer_params", {})[key] = _json_value(value)
    reject_unknown_parameters("ForecastingAnomalyDetector", ForecastingAnomalyDetector.parameter_constraints, parameters)
    return parameters


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"spotanomaly2-safe: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _naming_files(arguments: argparse.Namespace, inputs: tuple) -> Iterator[None]:
    """Re-raise a kernel error with the files behind its argument names (y_true_train = ...)."""
    try:
        yield
    except SpotAnomalySafeError as error:
        files = ", ".join(f"{argument} = {getattr(arguments, option)}" for option, argument in inputs)
        raise type(error)(f"{error} [{files}]", reason=error.reason) from None


def _run_score_datasets(arguments: argparse.Namespace, detector: ForecastingAnomalyDetector) -> None:
    from spotanomaly2_safe_cli.scaleout.dataset import cluster_client, read_dataset, score_datasets

    with cluster_client(arguments.workers, arguments.scheduler):
        test = [read_dataset(str(getattr(arguments, option)), arguments.index_column, arguments.index_type) for option, _ in INPUTS[2:]]
        with _naming_files(arguments, INPUTS[2:]):
            _progress(f"scoring {test[0].npartitions} partitions on Dask")
            score_datasets(detector, *test, [arguments.scores, arguments.flags], also=[(arguments.fit_record, json_writer(detector.fit_record_))])


def run_score(arguments: argparse.Namespace) -> None:
    """Read, fit, score and write (see the module docstring); raises the errors of the exit-code table."""
    distributed = arguments.workers is not None or arguments.scheduler is not None
    require_distinct_paths(
        {f"--{option.replace('_', '-')}": getattr(arguments, option) for option in OUTPUTS},
        {f"--{option.replace('_', '-')}": getattr(arguments, option) for option, _ in INPUTS},
    )
    if distributed:
        from spotanomaly2_safe_cli.scaleout.dataset import require_writable_datasets

        require_writable_datasets([arguments.scores, arguments.flags], arguments.force)
        require_writable([arguments.fit_record], arguments.force)
    else:
        require_writable([arguments.scores, arguments.flags, arguments.fit_record], arguments.force)
    detector = ForecastingAnomalyDetector(**_detector_parameters(arguments))
    frames = {}
    for step, (option, argument) in enumerate(INPUTS[:2] if distributed else INPUTS, start=1):
        _progress(f"reading {argument} from {getattr(arguments, option)} ({step}/4)")
        frames[argument] = read_table(getattr(arguments, option), arguments.index_column, arguments.index_type)
    with _naming_files(arguments, INPUTS[:2]):
        _progress(f"fitting on {len(frames['y_true_train']):,} training rows")
        detector.fit(frames["y_true_train"], frames["y_pred_train"])
    if distributed:
        _run_score_datasets(arguments, detector)
        return
    with _naming_files(arguments, INPUTS[2:]):
        _progress(f"scoring {len(frames['y_true_test']):,} test rows")
        scores_df, flags_df = detector.score_and_detect(frames["y_true_test"], frames["y_pred_test"])
    _progress("writing outputs")
    write_outputs([
        (arguments.scores, table_writer(arguments.scores, scores_df)),
        (arguments.flags, table_writer(arguments.flags, flags_df)),
        (arguments.fit_record, json_writer(detector.fit_record_)),
    ])
