# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The machine class a run belongs to: what decides whether its floating-point results are bit-identical.

Two runs of the same inputs are bit-identical when they share (measured, see README "Determinism"):

- the SIMD code NumPy dispatches to: its baseline and the dispatch targets enabled on this CPU
  (``numpy._core._multiarray_umath.__cpu_baseline__`` / ``__cpu_dispatch__`` / ``__cpu_features__``;
  ``NPY_DISABLE_CPU_FEATURES`` set before NumPy is imported turns targets off). NumPy's AVX-512 code for
  ``log``, ``exp``, ``power``, ``log1p``, ... differs from the C library's (used below AVX-512) in the last bit;
- the BLAS and OpenMP libraries threadpoolctl finds (library, version, threading layer and the core
  type OpenBLAS chose, e.g. ``Haswell``; not the thread count, which changes nothing [REQ-DET-002]);
- Python, the operating system, the C library and the CPU architecture;
- the versions of the runtime dependencies (numpy, pandas, scipy, scikit-learn, pandera).

The first two are the *CPU class*; the last is the *dependency set*. :func:`class_id` names a class
by its architecture, its NumPy dispatch targets and a short SHA-256 of all of it.
"""

import hashlib
import json
import platform
from typing import Any

import threadpoolctl
from numpy._core import _multiarray_umath

from spotanomaly2_safe_cli.versions import dependency_versions

__all__ = [
    "VERSION_KEYS",
    "avx512_dispatch_targets",
    "class_id",
    "current_machine_class",
    "numpy_cpu_dispatch",
    "same_versions",
]

# The part of a machine class that is the software, not the CPU: layer (b) needs these equal.
VERSION_KEYS = ("dependencies", "python", "system", "libc")


def numpy_cpu_dispatch() -> dict[str, list[str]]:
    """NumPy's compiled-in baseline and the dispatch targets it uses on this CPU (after ``NPY_DISABLE_CPU_FEATURES``)."""
    features = _multiarray_umath.__cpu_features__
    return {
        "baseline": list(_multiarray_umath.__cpu_baseline__),
        "dispatched": [target for target in _multiarray_umath.__cpu_dispatch__ if features.get(target)],
    }


def avx512_dispatch_targets() -> list[str]:
    """This NumPy build's AVX-512 dispatch targets enabled here: ``NPY_DISABLE_CPU_FEATURES`` set to them imitates AVX2.

    NumPy 2.4 names its x86-64 targets by microarchitecture level (``X86_V3`` is AVX2 + FMA3, ``X86_V4``
    AVX-512) and AVX-512 generations (``AVX512_ICL``, ``AVX512_SPR``); empty on a CPU without AVX-512 and on arm64.
    """
    return [target for target in numpy_cpu_dispatch()["dispatched"] if target == "X86_V4" or target.startswith("AVX512")]


def _blas_openmp() -> list[dict[str, Any]]:
    """threadpoolctl's libraries without what varies between runs of one class (thread count, install path)."""
    kept = ("user_api", "internal_api", "prefix", "version", "threading_layer", "architecture")
    libraries = [{key: library.get(key) for key in kept} for library in threadpoolctl.threadpool_info()]
    return sorted(libraries, key=lambda library: json.dumps(library, sort_keys=True))


def current_machine_class() -> dict[str, Any]:
    """This process's machine class (module docstring); JSON-serializable."""
    libc, libc_version = platform.libc_ver()
    return {
        "machine": platform.machine(),
        "numpy_cpu": numpy_cpu_dispatch(),
        "blas_openmp": _blas_openmp(),
        "system": platform.system(),
        "libc": f"{libc} {libc_version}".strip(),
        "python": platform.python_version(),
        # The library's own version is not part of the class: a release that changes no output changes no record.
        "dependencies": {name: version for name, version in dependency_versions().items() if name != "spotanomaly2-safe"},
    }


def class_id(machine_class: dict[str, Any]) -> str:
    """A readable, unique name: ``<architecture>-<NumPy dispatch targets>-<12 hex digits of SHA-256>``."""
    digest = hashlib.sha256(json.dumps(machine_class, sort_keys=True).encode()).hexdigest()[:12]
    targets = "+".join(machine_class["numpy_cpu"]["dispatched"]) or "baseline"
    return f"{machine_class['machine']}-{targets}-{digest}"


def same_versions(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """Whether two machine classes share the dependency set (they may differ in CPU class)."""
    return all(first.get(key) == second.get(key) for key in VERSION_KEYS)
