# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Render the evidence report with the Jinja2 templates shipped in ``spotanomaly2_safe_cli/templates``.

HTML is autoescaped (a test name or requirement statement can never inject markup); Markdown is not,
but every table cell passes the ``cell`` filter so a ``|`` or a line break cannot break the table.
Undefined template variables are errors, so a renamed field cannot silently render as blank.

The report states what was verified and where; conformity is the provider's assessment, not a
library's. A rendered text holding a word of :data:`CONFORMITY_CLAIMS` (from a template, a requirement
statement or a test name) is refused with a ValueError instead of being written.
"""

import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["CONFORMITY_CLAIMS", "REPORT_TEMPLATES", "check_wording", "markdown_cell", "render_text"]

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


_ENVIRONMENT = Environment(
    loader=PackageLoader("spotanomaly2_safe_cli", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_ENVIRONMENT.filters["cell"] = markdown_cell


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
    text = _ENVIRONMENT.get_template(template_name).render(context)
    check_wording(text, template_name)
    return text
