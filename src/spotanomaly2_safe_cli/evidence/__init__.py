# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""The evidence report (``spotanomaly2-safe evidence``): one folder an auditor reads, built from a suite run.

``command`` runs the suite (or reads given JUnit/coverage results) and writes the report as one set;
``inputs`` reads the JUnit XML, coverage JSON and mutation results; ``scenarios`` recomputes and plots the
reference scenarios against the golden records; ``environment`` states where the evidence was produced (git,
tool versions, SBOM); ``report`` builds the traceability section and the verdict; ``render`` fills the
Jinja2 templates in ``templates/``. Needs the ``evidence`` extra; the command line imports it only
for the ``evidence`` command.
"""
