"""What every command shares: options, settings, the opened application, the clock.

The command modules import only Typer, Rich and the light domain modules at start: a
service, the database or the forecast engine is imported by the command that uses it, so
that ``keepword --help`` and a typo answer at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from keepword.config import USER_VARIABLE, Settings, load_settings
from keepword.domain.access import Action, Actor, Role, authorize
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.domain.errors import KeepwordError
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS

if TYPE_CHECKING:
    from keepword.bootstrap import Keepword
    from keepword.domain.forecast import ForecastOptions

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file path (default: $KEEPWORD_DATABASE_URL, "
        "else keepword.db in the user's data directory).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def command_group(help: str, **options: object) -> typer.Typer:
    """A group of commands whose help is printed as plain text.

    Typer's boxed help imports Rich's Markdown renderer and its traceback module, about
    0.1 s that every ``--help`` and mistyped option would wait for.
    """
    return typer.Typer(help=help, rich_markup_mode=None, add_completion=False, **options)  # type: ignore[arg-type]


HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)]
WorkersOption = Annotated[
    int,
    typer.Option(
        help="Web processes answering requests; one per core serves the most people at once.",
        min=1,
        max=64,
    ),
]


def demo_settings(db: str | None) -> Settings:
    """The demo's settings, the same for ``keepword demo`` and ``keepword --demo COMMAND``:
    its own database (``--db``, else ``$KEEPWORD_DATABASE_URL``, else demo.db in the data
    directory) and its clock (``$KEEPWORD_NOW``, else the Monday its stories are told on)."""
    from keepword.demo import DEMO_NOW

    settings = load_settings(database=db, default_database="demo.db")
    return replace(settings, fixed_now=settings.fixed_now or DEMO_NOW)


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def acting(keepword: Keepword) -> Actor:
    """Who the CLI acts as: the stored user ``$KEEPWORD_USER`` names, with their role, or
    else the operator, as an admin (whoever can open the database can change anything)."""
    name = keepword.settings.user
    if name is None:
        return Actor(keepword.settings.actor, Role.ADMIN)
    with keepword.uow() as work:
        user = work.users.get(name)
    if user is None or user.disabled:
        raise KeepwordError(f"{USER_VARIABLE}={name!r} is not an active user")
    return user.actor


def open_app(ctx: typer.Context) -> Keepword:
    from keepword.bootstrap import open_keepword

    keepword = open_keepword(settings_of(ctx))
    ctx.call_on_close(keepword.close)
    if keepword.settings.user is not None:
        # Every command reads the portfolio: a client user has the portal, not the CLI.
        authorize(acting(keepword), Action.VIEW_PORTFOLIO)
    return keepword


AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Forecast as if today were this date (YYYY-MM-DD; default: today).",
        show_default=False,
    ),
]
TrialsOption = Annotated[int, typer.Option(help="Monte Carlo trials.", min=100, max=1_000_000)]
SeedOption = Annotated[int, typer.Option(help="Random seed: the same seed gives the same answer.")]
ConfidenceOption = Annotated[
    float, typer.Option(help="Confidence for cut lines and target dates.", min=0.01, max=0.99)
]


def forecast_options(
    now: datetime,
    as_of: datetime | None,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    confidence: float = DEFAULT_CONFIDENCE,
    by: datetime | None = None,
) -> ForecastOptions:
    from keepword.domain.forecast import ForecastOptions

    today = as_of.date() if as_of else now.date()
    return ForecastOptions(today, trials, seed, confidence, by=by.date() if by else None)
