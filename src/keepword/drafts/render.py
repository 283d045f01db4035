"""Render draft facts with Jinja2: the packaged templates, or a team's own of the same name.

A team's directory (``--templates DIR`` or ``$KEEPWORD_TEMPLATES``) is searched first, so a
``delay.md.j2`` there replaces the packaged one and the others still come from the package.
A template may set ``subject`` with ``{% set subject = ... %}``; the rest is the body.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

import jinja2

from keepword.config import TEMPLATES_VARIABLE
from keepword.domain.client_wording import as_percent, call_time, call_times, due_time, longdate
from keepword.domain.errors import KeepwordError
from keepword.domain.wording import and_list
from keepword.services.message_facts import DraftFacts
from keepword.services.messages import Rendered


class TemplateProblem(KeepwordError):
    """A template cannot be found, read or rendered."""


def team_renderer() -> JinjaRenderer:
    """The renderer of the team's own templates in ``$KEEPWORD_TEMPLATES``, if it is set,
    over the packaged ones: what the web app and the API draft with."""
    override = os.environ.get(TEMPLATES_VARIABLE)
    return JinjaRenderer(Path(override) if override else None)


class JinjaRenderer:
    """The drafts' renderer: packaged templates, overridden by a team's directory."""

    def __init__(self, override: Path | None = None) -> None:
        if override is not None and not override.is_dir():
            raise TemplateProblem(f"{override}: not a directory of templates")
        loaders: list[jinja2.BaseLoader] = []
        if override is not None:
            loaders.append(jinja2.FileSystemLoader(str(override)))
        loaders.append(jinja2.PackageLoader("keepword.drafts", "templates"))
        # Markdown, not HTML: nothing to escape. Strict: a misspelt variable is an error.
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.environment.filters.update(
            # The filter names are the templates' (docs/drafts.md): a team's own use them too.
            longdate=longdate,
            percent=as_percent,
            slot=call_time,
            slots=call_times,
            due_time=due_time,
            and_list=and_list,
        )

    def render(self, facts: DraftFacts) -> Rendered:
        name = f"{facts.kind.value}.md.j2"
        context = {f.name: getattr(facts, f.name) for f in dataclasses.fields(facts)}
        try:
            template = self.environment.get_template(name)
            module = template.make_module(context)
        except jinja2.TemplateNotFound:
            raise TemplateProblem(f"no template {name}") from None
        except jinja2.TemplateError as error:
            where = getattr(error, "filename", None) or name
            line = getattr(error, "lineno", None)
            raise TemplateProblem(
                f"{where}{f':{line}' if line else ''}: {error.message or error}"
            ) from None
        subject: Any = getattr(module, "subject", None)
        body = _tidy(str(module))
        return Rendered(" ".join(str(subject or _default_subject(facts)).split()), body)


def _default_subject(facts: DraftFacts) -> str:
    about = facts.commitment or facts.incident_title or facts.project
    return f"{about}: {facts.kind.value.replace('-', ' ')}"


def _tidy(text: str) -> str:
    # Conditional blocks leave runs of blank lines; a message has at most one between paragraphs.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def plain_text(markdown: str) -> str:
    """The Markdown body as an email's plain text: no heading marks, bold or backticks."""
    lines = []
    for line in markdown.splitlines():
        line = re.sub(r"^#{1,6}\s+", "", line)
        line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), line)
        lines.append(line.replace("`", ""))
    return "\n".join(lines).strip() + "\n"
