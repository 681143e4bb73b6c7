# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Render the evidence report with the Jinja2 templates shipped in ``spotanomaly2_safe_cli/evidence/templates``.

HTML is autoescaped (a test name or requirement statement can never inject markup). Markdown viewers
pass raw HTML through, so every value printed into the Markdown report has ``&``, ``<`` and ``>``
replaced by their character references (:func:`markdown_text`, the Markdown environment's ``finalize``):
a ``<script>`` in a requirement, test ID or failure message is shown as text, never run. Inside a code
span the references show literally, which is the price of the rule holding everywhere. Every table
cell also passes the ``cell`` filter so a ``|`` or a line break cannot break the table.
Undefined template variables are errors, so a renamed field cannot silently render as blank.

The report states what was verified and where; conformity is the provider's assessment, not a
library's. A rendered text holding a word of :data:`CONFORMITY_CLAIMS` (from a template, a requirement
statement or a test name) is refused with a ValueError instead of being written.
"""

import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

__all__ = ["CONFORMITY_CLAIMS", "REPORT_TEMPLATES", "check_wording", "markdown_cell", "markdown_text", "render_text"]

CONFORMITY_CLAIMS = ("compliant", "compliance", "certified", "certification")
_CLAIM = re.compile(rf"\b({'|'.join(CONFORMITY_CLAIMS)})\b", re.IGNORECASE)

# Output file name -> template name.
REPORT_TEMPLATES = {"evidence.html": "evidence.html.j2", "evidence.md": "evidence.md.j2"}


def markdown_cell(value: Any) -> str:
    """A value as one Markdown table cell: pipes escaped, line breaks as spaces.

    >>> markdown_cell("a | b\\nc")
    'a \\\\| b c'
    """
    return " ".join(str(value).split("\n")).replace("|", "\\|")


def markdown_text(value: Any) -> str:
    """A value as Markdown text that no viewer reads as HTML: ``&``, ``<`` and ``>`` as character references.

    >>> markdown_text("<script>alert('x')</script> & more")
    "&lt;script&gt;alert('x')&lt;/script&gt; &amp; more"
    """
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _environment(**options: Any) -> Environment:
    environment = Environment(
        loader=PackageLoader("spotanomaly2_safe_cli.evidence", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    environment.filters["cell"] = markdown_cell
    return environment


_HTML_ENVIRONMENT = _environment(autoescape=True)
_MARKDOWN_ENVIRONMENT = _environment(autoescape=False, finalize=markdown_text)


def check_wording(text: str, where: str) -> None:
    """Raise ValueError when ``text`` holds a word claiming conformity (case-insensitive, whole words).

    >>> check_wording("Verified: 12 requirements pass.", "summary")
    >>> check_wording("The library is Certified.", "summary")
    Traceback (most recent call last):
    ...
    ValueError: summary would claim conformity ('Certified'); the report states what was verified, never conformity.
    """
    claim = _CLAIM.search(text)
    if claim:
        raise ValueError(f"{where} would claim conformity ({claim.group()!r}); the report states what was verified, never conformity.")


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render one report template with ``context`` (the template reads everything from ``report``); wording checked."""
    environment = _HTML_ENVIRONMENT if template_name.endswith(".html.j2") else _MARKDOWN_ENVIRONMENT
    text = environment.get_template(template_name).render(context)
    check_wording(text, template_name)
    return text
