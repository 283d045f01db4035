"""``keepword propose``, ``keepword commit`` and ``keepword close``: the commit gate (W1) on
the command line, and the end of a commitment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    forecast_options,
    open_app,
)
from keepword.domain import wording
from keepword.domain.commitment import CommitmentState
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS

if TYPE_CHECKING:
    from keepword.reports.proposal import OptionLine
    from keepword.services import gate as gate_service


def propose(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project id.")],
    due: Annotated[
        datetime,
        typer.Option(formats=["%Y-%m-%d"], help="The date the client asks for (YYYY-MM-DD)."),
    ],
    confidence: Annotated[
        float | None,
        typer.Option(
            help="Confidence target (default: the project's proposed commitment's, else 0.85).",
            min=0.01,
            max=0.99,
            show_default=False,
        ),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated person ids to forecast with instead of the people allocated, "
            "each full time from the start.",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
    trials: TrialsOption = DEFAULT_TRIALS,
    seed: SeedOption = DEFAULT_SEED,
    out: Annotated[
        Path | None,
        typer.Option(
            help="File stem of the proposal: writes STEM.md and STEM.html "
            "(default: proposal-PROJECT).",
            show_default=False,
        ),
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(
            help="Also store the asked date as a proposed commitment with this id "
            "(an existing proposal of that id is updated).",
            show_default=False,
        ),
    ] = None,
    cut_line: Annotated[
        bool,
        typer.Option(
            "--cut-line",
            help="With --record: record the phases that fit by --due as the proposal, and "
            "the rest as a later one (ID-rest), due on the date at the confidence.",
        ),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Before promising a date: its odds, the date at the confidence, the cut line, the options."""
    from keepword.adapters.files import write_atomically

    # The proposal's templates (Jinja2) load here, not with every command.
    from keepword.reports import proposal as proposals
    from keepword.services import gate as gate_service

    keepword = open_app(ctx)
    people = None if team is None else tuple(p.strip() for p in team.split(",") if p.strip())
    if cut_line and record is None:
        raise typer.BadParameter("needs --record ID", param_hint="--cut-line")
    question = gate_service.GateQuestion(project, due.date(), confidence, people, record, cut_line)
    stem = out if out is not None else Path(f"proposal-{project}")
    files = [Path(f"{stem}.md"), Path(f"{stem}.html")]
    views: list[dict[str, Any]] = []  # the view the files were written from

    def write_files(asked: gate_service.Asked) -> None:
        # The files before the proposal is recorded: if they cannot be written, nothing is.
        view = proposals.proposal_view(asked.answer, asked.portfolio)
        write_atomically(files[0], proposals.render_markdown_view(view))
        write_atomically(files[1], proposals.render_html_view(view))
        views.append(view)

    asked = gate_service.ask(
        keepword.uow,
        question,
        forecast_options(keepword.settings.now(), as_of, trials, seed),
        actor=acting(keepword),
        now=keepword.settings.now(),
        before_recording=write_files,
    )
    answer = asked.answer
    if json:
        output.print_json({"answer": answer, "files": [str(f) for f in files]})
        return
    _print_answer(answer, views[0]["options"])
    if record is not None and cut_line:
        output.console.print(
            f"Recorded the cut line as proposed commitment {record}, and the rest as "
            f"{record}-rest (when there is a rest), due {answer.at_confidence}.",
            highlight=False,
        )
    elif record is not None:
        output.console.print(f"Recorded proposed commitment {record}.", highlight=False)
    output.console.print(f"Wrote {files[0]} and {files[1]}.", highlight=False)


def _print_answer(answer: gate_service.GateAnswer, options: Sequence[OptionLine]) -> None:
    percent = wording.percent
    colour = "green" if answer.meets_target else "red"
    output.console.print(
        f"[bold]{answer.project}[/]: {answer.project_name}, work from {answer.start} "
        f"({answer.trials:,} trials, seed {answer.seed})",
        highlight=False,
    )
    output.console.print(
        f"P(on time by {answer.due}): [{colour}]{percent(answer.on_time)}[/]; "
        f"whole scope {answer.p50} – {answer.p85} (P50–P85), "
        f"[bold]{answer.at_confidence}[/] at {percent(answer.confidence)}.",
        highlight=False,
    )
    phases = Table(
        title=f"Phases by {answer.due} at {percent(answer.confidence)} (each with those before)",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
    )
    phases.add_column("Phase", overflow="ellipsis", no_wrap=True, max_width=26)
    phases.add_column("Items", justify="right", min_width=5)
    phases.add_column("P50", no_wrap=True)
    phases.add_column("P85", no_wrap=True)
    phases.add_column("On time", justify="right", no_wrap=True)
    phases.add_column("Fits", no_wrap=True)
    for phase in answer.phases:
        phases.add_row(
            phase.name,
            str(phase.items),
            phase.through_p50.isoformat(),
            phase.through_p85.isoformat(),
            percent(phase.on_time, short=True),
            "[green]yes[/]" if phase.fits else "[red]no[/]",
        )
    output.console.print(phases)
    if answer.meets_target:
        output.console.print("The asked date already meets the target; nothing needs to change.")
        return
    ways = Table(
        title=f"Ways to reach {percent(answer.confidence)}",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
    )
    ways.add_column("Option", no_wrap=True)
    ways.add_column("What", ratio=1)
    ways.add_column("On time", justify="right", no_wrap=True)
    for line in options:
        style = "green" if line.reaches else "red"
        ways.add_row(line.label, line.text, f"[{style}]{percent(line.on_time, short=True)}[/]")
    output.console.print(ways)


def commit(
    ctx: typer.Context,
    commitment: Annotated[str, typer.Argument(help="Id of a proposed commitment.")],
    below_target: Annotated[
        str | None,
        typer.Option(
            "--below-target",
            help="Why it is promised though its odds are below its confidence target "
            "(needed then; recorded with the promise).",
        ),
    ] = None,
    trials: TrialsOption = DEFAULT_TRIALS,
    seed: SeedOption = DEFAULT_SEED,
    json: JsonOption = False,
) -> None:
    """Make a proposed commitment a promise, with today's forecast as its baseline.

    A promise is made now: its baseline is forecast from today ($KEEPWORD_NOW replays a day).
    Below its confidence target it needs --below-target "reason"; below
    $KEEPWORD_APPROVAL_BELOW only an executive may commit it.
    """
    from keepword.services import gate as gate_service

    keepword = open_app(ctx)
    options = forecast_options(keepword.settings.now(), None, trials, seed)
    result = gate_service.commit(
        keepword.uow,
        commitment,
        actor=acting(keepword),
        now=keepword.settings.now(),
        options=options,
        below_target_reason=below_target,
        approval_below=keepword.settings.approval_below,
    )
    committed = result.commitment
    if json:
        output.print_json(committed)
        return
    baseline = committed.baseline
    assert baseline is not None
    output.console.print(
        f"Committed {committed.id}: due {committed.due}, baseline of {baseline.forecast_on}: "
        f"{wording.percent(baseline.on_time)} on time, P50 {baseline.p50}, P85 {baseline.p85}, "
        f"{baseline.scope_items} items, {baseline.effort:.1f} person-days expected.",
        highlight=False,
    )
    if result.below_target:
        output.console.print(
            f"[yellow]Committed below its {wording.percent(committed.confidence)} target "
            f"({result.health.value.replace('_', ' ')}), because: "
            f"{baseline.below_target_reason}[/]",
            highlight=False,
        )


def approve(
    ctx: typer.Context,
    commitment: Annotated[str, typer.Argument(help="Id of a proposed commitment.")],
) -> None:
    """Approve a proposal whose odds are below $KEEPWORD_APPROVAL_BELOW (an executive), so
    that it may be committed."""
    from keepword.services import gate as gate_service

    keepword = open_app(ctx)
    approved = gate_service.approve(
        keepword.uow, commitment, actor=acting(keepword), now=keepword.settings.now()
    )
    output.console.print(
        f"Approved {approved.id}: it may now be committed (keepword commit {approved.id}).",
        highlight=False,
    )


def close(
    ctx: typer.Context,
    commitment: Annotated[str, typer.Argument(help="Commitment id.")],
    state: Annotated[
        str, typer.Argument(help="met, missed, renegotiated, or withdrawn (a proposal).")
    ],
) -> None:
    """End a commitment: met, missed or renegotiated; a proposal can be withdrawn."""
    from keepword.services import gate as gate_service

    try:
        closing = CommitmentState(state)
    except ValueError:
        raise typer.BadParameter(
            "use one of " + ", ".join(s.value for s in gate_service.CLOSING_STATES),
            param_hint="STATE",
        ) from None
    keepword = open_app(ctx)
    closed = gate_service.close_commitment(
        keepword.uow,
        commitment,
        closing,
        actor=acting(keepword),
        now=keepword.settings.now(),
    )
    output.console.print(
        f"{closed.id} is {closed.state.value}; it raises no more signals.", highlight=False
    )
