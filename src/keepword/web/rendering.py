"""What every page shares: the templates, their filters, and the running Keepword."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markdown_it import MarkdownIt
from markupsafe import Markup

from keepword import __version__
from keepword.bootstrap import Keepword
from keepword.domain.access import Action
from keepword.domain.wording import day, percent
from keepword.services.signals import clock_text
from keepword.web.security import caller_of, csrf_token_of

HERE = Path(__file__).parent

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["day"] = day
templates.env.filters["percent"] = percent
templates.env.filters["short_percent"] = lambda value: percent(value, short=True)
templates.env.globals["version"] = __version__
templates.env.globals["clock_text"] = clock_text
# A path, never a URL built from the request's Host header, which the sender chooses.
templates.env.globals["static_url"] = lambda path: f"/static/{path}"


def _when(value: datetime) -> str:
    return f"{day(value.date())} {value:%H:%M} UTC"


templates.env.filters["when"] = _when


_PROBABILITIES = ("on_time", "target", "confidence", "odds")


def _evidence(key: str, value: object) -> str:
    """A signal's evidence value as a person reads it: odds as percentages, days as dates."""
    if isinstance(value, float) and 0 <= value <= 1 and any(p in key for p in _PROBABILITIES):
        return percent(value)
    if isinstance(value, str):
        try:
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


templates.env.filters["evidence"] = _evidence

# A message as its reader sees it: headings, lists, emphasis. HTML typed into a message is
# shown as text, never run, and links to anything but the web and mail are dropped.
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


def _markdown(text: str) -> Markup:
    return Markup(_MARKDOWN.render(text))  # safe: markdown-it escapes any HTML typed


templates.env.filters["markdown"] = _markdown


def keepword_of(request: Request) -> Keepword:
    """The Keepword the app was created over."""
    keepword: Keepword = request.app.state.keepword
    return keepword


async def _keepword_dependency(request: Request) -> Keepword:
    # async: FastAPI runs a plain function dependency in a worker thread, a hop per request
    # for what reads one attribute.
    return keepword_of(request)


KeepwordDep = Annotated[Keepword, Depends(_keepword_dependency)]


# The main navigation: each page with the action it needs; a role sees the ones it may open.
NAVIGATION = (
    ("/", "Portfolio", Action.VIEW_PORTFOLIO),
    ("/gate", "Commit gate", Action.CHECK_GATE),
    ("/whatif", "What-if", Action.TRY_WHATIF),
    ("/signals", "Signals", Action.VIEW_SIGNALS),
    ("/incidents", "Incidents", Action.VIEW_INCIDENTS),
    ("/plan", "Plan", Action.VIEW_PORTFOLIO),
    ("/admin/users", "Users", Action.MANAGE_USERS),
    ("/portal", "Your projects", Action.VIEW_PORTAL),
)


def _shared(request: Request) -> dict[str, Any]:
    # What every page shows or needs: the clock, who is logged in, the token forms carry.
    caller = caller_of(request)
    actor = caller.actor if caller else None
    return {
        "now": keepword_of(request).settings.now(),
        "actor": actor,
        "nav": [(href, label) for href, label, action in NAVIGATION if actor and actor.may(action)],
        # Pages offer only what the reader may do: a link that answers 403 is not offered.
        "may": lambda action: actor is not None and actor.may(action),
        "Action": Action,
        "csrf_token": csrf_token_of(request),
    }


def render_text(request: Request, name: str, context: dict[str, Any]) -> str:
    """Template ``name`` rendered to a string, as :func:`render` would send it."""
    return templates.get_template(name).render({"request": request, **_shared(request), **context})


def render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render template ``name`` with ``context``, the app's clock as ``now`` and the caller."""
    return templates.TemplateResponse(
        request, name, {**_shared(request), **context}, status_code=status_code
    )
