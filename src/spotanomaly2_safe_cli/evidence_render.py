# SPDX-FileCopyrightText: 2026 spotanomaly2-safe developers
# SPDX-License-Identifier: Apache-2.0
"""Render the evidence report with the Jinja2 templates shipped in ``spotanomaly2_safe_cli/templates``.

HTML is autoescaped (a test name or requirement statement can never inject markup); Markdown is not,
but every table cell passes the ``cell`` filter so a ``|`` or a line break cannot break the table.
Undefined template variables are errors, so a renamed field cannot silently render as blank.
"""

from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["REPORT_TEMPLATES", "markdown_cell", "render_text"]

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


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render one report template with ``context`` (the template reads everything from ``report``)."""
    return _ENVIRONMENT.get_template(template_name).render(context)
