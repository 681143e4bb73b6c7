# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Cross-machine reproducibility (``spotanomaly2-safe reproduce``): golden outputs and how close a run comes.

``golden`` defines the reference scenarios, their output hashes and the ``reproduce`` command;
``records`` reads and writes the golden file (one record per machine class, with the reference outputs)
and decides the layer a run reached; ``closeness`` compares one scenario's outputs with its recorded ones
(``identical``, ``within bound``, ``differs``); ``machine_class`` names the machine class (CPU dispatch
targets, BLAS/OpenMP, dependency versions) that bit-identity is promised for.
"""
