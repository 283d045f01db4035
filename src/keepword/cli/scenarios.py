"""``keepword whatif`` and ``keepword scenario list|apply``: try a scenario in memory, then
make it real."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from keepword.cli import output
from keepword.cli.context import (
    AsOfOption,
    JsonOption,
    SeedOption,
    TrialsOption,
    acting,
    command_group,
    open_app,
)
from keepword.domain.events import snapshot
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS

if TYPE_CHECKING:
    from keepword.services import scenarios

scenario_app = command_group(help="Scenarios: try them with 'whatif', then apply one.")


def what_if(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario id (see 'keepword scenario list').")],
    as_of: AsOfOption = None,
    trials: TrialsOption = DEFAULT_TRIALS,
    seed: SeedOption = DEFAULT_SEED,
    json: JsonOption = False,
) -> None:
    """Try a scenario in memory: every commitment it touches before and after, most harmed
    first, and what can still progress. Nothing is saved."""
    from keepword.services import scenarios

    keepword = open_app(ctx)
    result = scenarios.try_scenario(
        keepword.uow,
        scenario,
        now=keepword.settings.now(),
        as_of=as_of.date() if as_of else None,
        trials=trials,
        seed=seed,
    )
    if json:
        output.print_json(
            {
                "scenario": result.scenario.id,
                "window": result.window,
                "touched": result.touched,
                "commitments": [
                    {**snapshot(d), "harm": round(d.harm, 4), "slip_days": d.slip_days}
                    for d in result.diffs
                ],
                "still_progressing": result.progress,
            }
        )
        return
    output.console.print(f"[bold]What if:[/] {result.scenario.name}", highlight=False)
    if result.window:
        first, last = result.window
        output.console.print(f"From {first} to {last}; nothing is saved.", highlight=False)
    output.console.print(_diff_table(result))
    if result.progress:
        output.console.print(_progress_table(result))
    else:
        output.console.print("Nobody left on the touched projects has free days in the window.")
    output.console.print(f"Make it real with: keepword scenario apply {result.scenario.id}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _diff_table(result: scenarios.WhatIf) -> Table:
    table = Table(
        title="Commitments touched, most harmed first", title_justify="left", box=box.SIMPLE_HEAD
    )
    table.add_column("Commitment", overflow="fold", max_width=28)
    table.add_column("Due", no_wrap=True)
    table.add_column("On time", justify="right", no_wrap=True)
    table.add_column("P85", no_wrap=True)
    table.add_column("Health", no_wrap=True)
    for d in result.diffs:
        slip = d.slip_days
        moved = "" if not slip else f" ({'+' if slip > 0 else ''}{slip} d)"
        table.add_row(
            d.commitment,
            str(d.due),
            f"{_pct(d.before.on_time)} → {_pct(d.after.on_time)}",
            f"{d.before.p85 or '—'} → {d.after.p85 or '—'}{moved}",
            output.health_text(d.before.health)
            + ("" if not d.health_changed else " → " + output.health_text(d.after.health)),
        )
    return table


def _progress_table(result: scenarios.WhatIf) -> Table:
    table = Table(title="What can still progress", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Person", no_wrap=True)
    table.add_column("Project", no_wrap=True)
    table.add_column("Free days", justify="right")
    table.add_column("Could take", overflow="fold")
    for p in result.progress:
        table.add_row(p.name, p.project, f"{p.free_days:.1f}", "; ".join(t for _, t in p.items))
    return table


@scenario_app.command("list")
def scenario_list(ctx: typer.Context, json: JsonOption = False) -> None:
    """The scenarios not yet applied."""
    from keepword.services import scenarios

    saved = scenarios.list_scenarios(open_app(ctx).uow)
    if json:
        output.print_json(saved)
        return
    for scenario in saved:
        output.console.print(
            f"[bold]{scenario.id}[/]: {scenario.name} ({len(scenario.changes)} changes)",
            highlight=False,
        )


@scenario_app.command("apply")
def scenario_apply(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Scenario id.")],
) -> None:
    """Make a scenario real, now: its changes become events, forecasts and signals follow."""
    from keepword.services import scenarios

    keepword = open_app(ctx)
    moment = keepword.settings.now()
    applied = scenarios.apply_saved(
        keepword.uow, scenario, actor=acting(keepword), now=moment, today=moment.date()
    )
    output.console.print(
        f"Applied {scenario}: {len(applied.changes)} changes recorded, "
        f"{len(applied.signals_raised)} signals raised (see 'keepword risks').",
        highlight=False,
    )
