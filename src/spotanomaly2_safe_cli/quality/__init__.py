# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Detection-quality evaluation: labelled scenario suites and the figures quoted for them.

``scenarios`` generates the deterministic scenario suites (forecast/actual pairs with labelled anomaly
windows) and ``scenarios_monitoring`` the sealed ``"monitoring"`` suite; ``evaluation`` fits and scores a
configuration on a suite and computes the event-level figures the benchmark prints, the evidence report
restates and the model card quotes; ``skab`` runs the SKAB benchmark's outlier-detection protocol on data
read at run time. Used by ``benchmarks/bench_quality.py``, ``benchmarks/bench_skab.py`` and the evidence report.
"""
