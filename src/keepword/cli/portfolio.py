"""``keepword load``, ``keepword export`` and ``keepword portfolio``: the whole portfolio in
and out, and every commitment with its odds."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keepword.cli import output
from keepword.cli.context import AsOfOption, JsonOption, acting, open_app
from keepword.domain.errors import InvalidPortfolio, KeepwordError

if TYPE_CHECKING:
    from keepword.services.portfolio import LoadResult


def load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Plan file (YAML), the whole portfolio or a part.")],
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Make the stored portfolio equal to the file: remove what it does not hold "
            "(lists what would go and asks first).",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="With --replace: remove without asking.")
    ] = False,
) -> None:
    """Merge a plan file into the stored portfolio, all or nothing: what it names is created
    or changed, nothing it does not name is removed (unless --replace)."""
    from keepword.adapters.planfile import located, read_plan
    from keepword.services import portfolio as portfolio_service

    portfolio = read_plan(file, partial=not replace)
    keepword = open_app(ctx)

    def run(dry: bool) -> portfolio_service.LoadResult:
        try:
            return portfolio_service.load_portfolio(
                keepword.uow,
                portfolio,
                actor=acting(keepword),
                now=keepword.settings.now(),
                replace_all=replace,
                dry_run=dry,
            )
        except InvalidPortfolio as error:
            raise located(file, error.problems) from None

    if replace and not (dry_run or yes):
        preview = run(dry=True)
        if preview.removals:
            _print_removals(preview)
            if not sys.stdin.isatty():
                raise KeepwordError(
                    f"--replace would remove {_count(preview.removed, 'entries')}; "
                    "run again with --yes to remove them, or without --replace to merge"
                )
            typer.confirm("Remove them?", abort=True)
    result = run(dry=dry_run)
    _print_load(file, result)


def _print_removals(result: LoadResult) -> None:
    verb = "would remove" if result.dry_run else "removes"
    output.console.print(f"Loading with --replace {verb}:", highlight=False)
    by_kind: dict[str, list[str]] = {}
    for entity, entity_id in result.removals:
        by_kind.setdefault(entity, []).append(entity_id)
    for entity, ids in by_kind.items():
        if entity == "item":  # many per project: counted by project
            per_project = Counter(i.partition("/")[0] for i in ids)
            shown = ", ".join(f"{n} of {project}" for project, n in per_project.items())
            plural = "items"
        else:
            shown = ", ".join(ids)
            plural = _PLURAL.get(entity, f"{entity}s")
        output.console.print(f"  {plural} ({len(ids)}): {shown}", highlight=False)


def _print_load(file: Path, result: LoadResult) -> None:
    counts = ", ".join(_count(n, what) for what, n in result.counts.items())
    if result.dry_run:
        output.console.print(f"Dry run of {file}, nothing written. It would leave {counts}.")
    else:
        output.console.print(f"Loaded {file}: {counts}.")
    if result.unchanged:
        output.console.print("Nothing changed." if not result.dry_run else "Nothing would change.")
    else:
        would = "would be " if result.dry_run else ""
        output.console.print(
            f"{result.created} {would}created, {result.changed} {would}changed, "
            f"{result.removed} {would}removed"
            + ("." if result.dry_run else " (see 'keepword history')."),
            highlight=False,
        )
    if result.dry_run and result.removals:
        _print_removals(result)
    if result.kept:
        output.console.print(
            f"Kept {_count(result.kept, 'stored entries')} the file does not name "
            "(--replace removes them).",
            highlight=False,
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


_PLURAL = {"person": "people", "history": "histories of completed items"}
_SINGULAR = {
    "people": "person",
    "completed items": "completed item",
    "entries": "entry",
    "stored entries": "stored entry",
}


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
