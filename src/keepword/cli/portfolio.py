"""``keepword load``, ``keepword export`` and ``keepword portfolio``: the whole portfolio in
and out, and every commitment with its odds."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from keepword.cli import output
from keepword.cli.context import AsOfOption, JsonOption, acting, open_app
from keepword.domain.errors import InvalidPortfolio


def load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Plan file (YAML) holding the whole portfolio.")],
) -> None:
    """Validate a plan file and make the stored portfolio equal to it, all or nothing."""
    from keepword.adapters.planfile import located, read_plan
    from keepword.services import portfolio as portfolio_service

    portfolio = read_plan(file)
    keepword = open_app(ctx)
    try:
        result = portfolio_service.load_portfolio(
            keepword.uow, portfolio, actor=acting(keepword), now=keepword.settings.now()
        )
    except InvalidPortfolio as error:
        raise located(file, error.problems) from None
    counts = ", ".join(_count(n, what) for what, n in result.counts.items())
    output.console.print(f"Loaded {file}: {counts}.")
    if result.unchanged:
        output.console.print("Nothing changed.")
    else:
        output.console.print(
            f"{result.created} created, {result.changed} changed, {result.removed} removed "
            "(see 'keepword history')."
        )
    if result.signals:
        output.console.print(
            f"{_count(result.signals, 'risk signals')} raised (see 'keepword risks')."
        )


def export(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Where to write the plan file (default: stdout).")
    ] = None,
) -> None:
    """Write the stored portfolio as a plan file."""
    from keepword.adapters.files import write_atomically
    from keepword.adapters.planfile import write_plan
    from keepword.services import portfolio as portfolio_service

    text = write_plan(portfolio_service.current_portfolio(open_app(ctx).uow))
    if file is None:
        sys.stdout.write(text)
        return
    write_atomically(file, text)
    output.console.print(f"Wrote {file}.", highlight=False)


_SINGULAR = {"people": "person", "completed items": "completed item"}


def _count(n: int, plural: str) -> str:
    """``1 client``, ``2 clients``, ``1 person``."""
    return f"{n} {plural if n != 1 else _SINGULAR.get(plural, plural.removesuffix('s'))}"


def portfolio(ctx: typer.Context, as_of: AsOfOption = None, json: JsonOption = False) -> None:
    """List every commitment: client, project, due date, state, and its forecast odds."""
    from keepword.services import portfolio as portfolio_service

    keepword = open_app(ctx)
    table = portfolio_service.commitment_table(
        keepword.uow, now=keepword.settings.now(), as_of=as_of.date() if as_of else None
    )
    rows, odds = table.rows, table.odds
    if json:
        output.print_json(
            [
                {**row, "forecast": odds.get(row["commitment_id"])}
                for row in output.rows_as_json(rows)
            ]
        )
    else:
        output.console.print(output.portfolio_table(rows, odds))
