"""``keepword``: the entry point. Domain errors become one clear line and exit code 1."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from keepword import __version__
from keepword.cli import charts, gate, messages, output, plan, users, watching
from keepword.cli.context import (
    AsOfOption,
    ConfidenceOption,
    DbOption,
    HostOption,
    JsonOption,
    PortOption,
    SeedOption,
    TrialsOption,
    acting,
    command_group,
    forecast_options,
    open_app,
    settings_of,
)
from keepword.config import (
    ALLOWED_HOSTS_VARIABLE,
    LOCAL_HOSTS,
    NOW_VARIABLE,
    Settings,
    load_settings,
)
from keepword.domain.access import Actor, Role
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.domain.errors import InvalidPortfolio, KeepwordError
from keepword.domain.project import CompletedItem
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS

if TYPE_CHECKING:
    from keepword.adapters import histories
    from keepword.bootstrap import Keepword

EXIT_BAD_INPUT = 1
EXIT_BAD_USAGE = 2

app = command_group(
    name="keepword",
    help="Keep the promises your team makes to clients: forecasts, risks, honest messages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = command_group(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")
app.command("whatif")(watching.what_if)
app.add_typer(watching.scenario_app, name="scenario")
app.command("risks")(watching.risks_command)
app.add_typer(plan.item_app, name="item")
app.command("time-off")(plan.time_off)
app.command()(plan.close)
app.command()(messages.draft)
app.command()(messages.send)
app.command()(messages.check)
app.add_typer(messages.incident_app, name="incident")
app.command()(gate.propose)
app.command()(gate.commit)
app.command()(charts.chart)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"keepword {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    db: DbOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = load_settings(database=db)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (or bring it up to date)."""
    _upgrade(settings_of(ctx))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database schema to this version of Keepword."""
    _upgrade(settings_of(ctx))


def _upgrade(settings: Settings) -> None:
    from keepword.adapters.database.engine import make_engine
    from keepword.adapters.database.migrate import upgrade

    engine = make_engine(settings.database_url)
    try:
        before, after = upgrade(engine)
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        output.console.print(f"Database {where} is up to date (schema {after}).")
    else:
        output.console.print(f"Database {where} is ready (schema {before or 'empty'} → {after}).")


@app.command()
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


@app.command()
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


@app.command()
def portfolio(ctx: typer.Context, as_of: AsOfOption = None, json: JsonOption = False) -> None:
    """List every commitment: client, project, due date, state, and its forecast odds."""
    from keepword.services import portfolio as portfolio_service
    from keepword.services import watch

    keepword = open_app(ctx)
    moment = keepword.settings.now()
    stored, cached = watch.current_state(keepword.uow, forecast_options(moment, as_of), now=moment)
    rows = portfolio_service.commitment_rows(stored)
    odds = watch.as_commitment_odds(cached)
    if json:
        output.print_json(
            [
                {**row, "forecast": odds.get(row["commitment_id"])}
                for row in output.rows_as_json(rows)
            ]
        )
    else:
        output.console.print(output.portfolio_table(rows, odds))


@app.command()
def forecast(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project id.")],
    trials: TrialsOption = DEFAULT_TRIALS,
    seed: SeedOption = DEFAULT_SEED,
    confidence: ConfidenceOption = DEFAULT_CONFIDENCE,
    as_of: AsOfOption = None,
    by: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Also answer how many of the remaining items are done by this date.",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """P50/P85/P95 dates of a project's phases and commitments, and their odds of being on time."""
    from keepword.services import forecasting
    from keepword.services import portfolio as portfolio_service

    stored = portfolio_service.current_portfolio(open_app(ctx).uow)
    result = forecasting.forecast_project(
        stored,
        project,
        forecast_options(settings_of(ctx).now(), as_of, trials, seed, confidence, by),
    )
    if json:
        output.print_json(result)
        return
    for table in output.forecast_tables(result):
        output.console.print(table)
    if result.items_by is not None:
        by_date = result.items_by
        output.console.print(
            f"By {by_date.date}: {by_date.p50} of the {by_date.remaining} remaining items at "
            f"the median, at least {by_date.at_confidence} with {result.confidence:.0%} "
            "confidence."
        )
    output.console.print(f"[dim]Evidence: {result.evidence}.[/]")


history_app = command_group(
    help="The event history, and the import of completed-item histories.",
    invoke_without_command=True,
)
app.add_typer(history_app, name="history")
HOURS_PER_DAY = 8.0


@history_app.callback()
def history(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many events to show.", min=1)] = 50,
    entity: Annotated[
        str | None, typer.Option(help="Only events of this kind of entity (item, commitment, …).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Show the event history, newest first."""
    from keepword.services import history

    if ctx.invoked_subcommand is not None:
        return
    keepword = open_app(ctx)
    events = history.recent_events(keepword.uow, limit, entity, actor=acting(keepword))
    if json:
        output.print_json(events)
    else:
        output.console.print(output.events_table(events))


@history_app.command("import")
def history_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV of completed items (docs/forecasting.md).")],
    project: Annotated[str, typer.Option(help="Project whose history this is.")],
    hours_per_day: Annotated[
        float, typer.Option(help="Hours in a person-day, to turn estimate/actual hours into days.")
    ] = HOURS_PER_DAY,
) -> None:
    """Load completed items into a project's history; rows that cannot be read are listed."""
    from keepword.services import history as history_service

    read = _read_history(file)
    items = [_completed(item, hours_per_day) for item in read.items]
    keepword = open_app(ctx)
    result = history_service.import_history(
        keepword.uow, project, items, actor=acting(keepword), now=keepword.settings.now()
    )
    for problem in read.rejected:
        sys.stderr.write(f"keepword: warning: {file}:{problem.line}: rejected: {problem.message}\n")
    output.console.print(
        f"Imported {len(items)} rows of {file} into {project}: {result.added} new, "
        f"{result.updated} changed, {result.unchanged} as before; {result.total} completed "
        f"items in its history. {len(read.rejected)} rows rejected"
        + (f", {len(read.notes)} noted (e.g. done before started)." if read.notes else "."),
        highlight=False,
    )


def _read_history(file: Path) -> histories.History:
    from keepword.adapters import histories

    try:
        return histories.read_history(file)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise KeepwordError(f"{file}: {getattr(error, 'strerror', None) or error}") from None


def _completed(item: histories.HistoryItem, hours_per_day: float) -> CompletedItem:
    def days(hours: float | None) -> float | None:
        return hours / hours_per_day if hours else None

    # Real histories hold items "done" before they "started" (clean-ups, time zones): the
    # done date is what throughput counts, so the start is left out rather than the item.
    started = item.started if item.started and item.started <= item.done else None
    return CompletedItem(
        item.item_id,
        item.done,
        started,
        item.kind or None,
        days(item.estimate_hours),
        days(item.actual_hours),
    )


@app.command()
def backtest(
    file: Annotated[Path, typer.Argument(help="CSV of completed items to replay.")],
    trials: Annotated[int, typer.Option(help="Monte Carlo trials per origin.", min=100)] = 4000,
    seed: SeedOption = DEFAULT_SEED,
    model: Annotated[
        str,
        typer.Option(
            help="recalibrated (the forecasts' own model), calibrated, or plain resampling.",
        ),
    ] = "recalibrated",
    json: JsonOption = False,
) -> None:
    """Replay a real history: forecast from every origin and score coverage and pinball loss."""
    import numpy as np
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from keepword.forecast import backtest as backtests

    if model not in backtests.MODELS:
        raise typer.BadParameter(f"use one of {', '.join(backtests.MODELS)}", param_hint="--model")
    read = _read_history(file)
    done = read.done_dates(exclude_kinds=("bot",))
    if not done:
        raise KeepwordError(f"{file}: no completed items to replay")
    project = read.items[0].project or file.stem
    with Progress(
        TextColumn("backtest {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(project, total=None)

        def advance(done_origins: int, origins: int) -> None:
            bar.update(task, completed=done_origins, total=origins)

        result = backtests.backtest(
            done, np.random.default_rng(seed), model=model, trials=trials, progress=advance
        )
    if json:
        output.print_json(output.backtest_json(project, result))
    else:
        output.console.print(output.backtest_table(project, result))


@app.command()
def serve(ctx: typer.Context, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the web app until Ctrl-C."""
    _serve(open_app(ctx), host, port)


@app.command()
def demo(
    ctx: typer.Context,
    serve: Annotated[bool, typer.Option(help="Serve the web app after loading.")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Load the demo portfolio into its own database (demo.db unless --db), show it as of its
    own day (Monday 2026-11-23, unless $KEEPWORD_NOW says otherwise), serve it."""
    from importlib import resources

    from keepword.adapters.planfile import read_plan
    from keepword.bootstrap import open_keepword
    from keepword.demo import DEMO_NOW
    from keepword.services import portfolio as portfolio_service
    from keepword.services import watch

    settings = settings_of(ctx)
    if ctx.find_root().params.get("db") is None and not os.environ.get("KEEPWORD_DATABASE_URL"):
        settings = load_settings(default_database="demo.db")
    # The stories are told as of the demo's Monday; the served app keeps that clock too.
    settings = replace(settings, fixed_now=settings.fixed_now or DEMO_NOW)
    _upgrade(settings)
    keepword = open_keepword(settings)
    ctx.call_on_close(keepword.close)
    plan = resources.files("keepword.demo").joinpath("demo.yaml")
    with resources.as_file(plan) as path:
        portfolio = read_plan(path)
    moment = settings.now()
    portfolio_service.load_portfolio(
        keepword.uow, portfolio, actor=Actor("demo", Role.ADMIN), now=moment
    )
    rows = portfolio_service.commitment_rows(portfolio)
    options = watch.watch_options(moment)
    odds = watch.as_commitment_odds(watch.current_odds(keepword.uow, options, now=moment))
    output.console.print(
        f"The demo portfolio as of {moment:%a %d %b %Y %H:%M} UTC "
        f"(set {NOW_VARIABLE} to see it on another day).",
        highlight=False,
    )
    output.console.print(output.portfolio_table(rows, odds))
    output.console.print(_demo_logins(keepword, moment))
    if serve:
        _serve(keepword, host, port)


def _demo_logins(keepword: Keepword, moment: datetime) -> Table:
    """Each demo user gets a fresh random password, printed here once."""
    import secrets

    from keepword.demo import DEMO_USERS
    from keepword.services import accounts

    operator = Actor("demo", Role.ADMIN)
    with keepword.uow() as work:
        existing = {u.name for u in work.users.all()}
    table = Table("Log in as", "Role", "Password", title="Demo users (new passwords each run)")
    for name, role, client in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        if name in existing:
            accounts.set_password(keepword.uow, name, password, actor=operator, now=moment)
        else:
            accounts.add_user(
                keepword.uow, name, role, password, organisation=client, actor=operator, now=moment
            )
        table.add_row(name, role.label + (f" of {client}" if client else ""), password)
    return table


def _serve(keepword: Keepword, host: str, port: int) -> None:
    import uvicorn

    from keepword.web.app import create_app

    settings = keepword.settings
    hosts = settings.hosts_when_serving_on(host)
    output.console.print(f"Serving Keepword on http://{host}:{port} (Ctrl-C to stop)")
    if hosts == LOCAL_HOSTS and host not in LOCAL_HOSTS:
        output.console.print(
            f"It answers only requests for {', '.join(hosts)}: set {ALLOWED_HOSTS_VARIABLE} "
            "to the names people reach it by.",
            highlight=False,
        )
    trusted = list(settings.trusted_proxies)
    uvicorn.run(
        create_app(keepword, allowed_hosts=hosts),
        host=host,
        port=port,
        log_level="warning",
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise; Keepword
        # believes it from the proxies it is told of only.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors print one line each on stderr and exit 1 (input) or 2 (usage)."""
    command = typer.main.get_command(app)
    try:
        code = command.main(argv, prog_name="keepword", standalone_mode=False)
    except typer.Abort:
        _fail(130, "aborted")
    except KeepwordError as error:
        _fail(EXIT_BAD_INPUT, *str(error).splitlines())
    except OSError as error:
        # A file that cannot be read or written: say which, and why, in one line.
        where = f"{error.filename}: " if error.filename else ""
        _fail(EXIT_BAD_INPUT, f"{where}{error.strerror or error}")
    except typer.TyperException as error:
        # Typer's own errors: bad usage carries exit code 2 and the context of the command.
        code = getattr(error, "exit_code", EXIT_BAD_USAGE)
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        message = " ".join(message.split())  # Click lists an option's choices one a line
        context = getattr(error, "ctx", None)
        if code == EXIT_BAD_USAGE:
            message += f" (see '{context.command_path if context else 'keepword'} --help')"
        _fail(code, message)
    except KeyboardInterrupt:
        _fail(130, "interrupted")
    except Exception as error:
        # SQLAlchemy loads with the commands that use the database, not to answer --help.
        from sqlalchemy.exc import OperationalError

        if not isinstance(error, OperationalError):
            raise
        _fail(EXIT_BAD_INPUT, f"database error: {str(error.orig).strip().splitlines()[0]}")
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The ``keepword`` command: :func:`main`, then an exit that skips the interpreter's
    teardown.

    Freeing every loaded module one by one takes about a tenth of a second that nobody
    needs: the command has finished, its files and database connections are closed, and
    what it printed is flushed here. Tests call :func:`main`, which exits normally.
    """
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exit_:
        code = exit_.code
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `keepword portfolio | head`: the reader left early
        pass
    if isinstance(code, str):
        sys.stderr.write(f"{code}\n")
        sys.stderr.flush()
        code = 1
    os._exit(code or 0)


def _fail(code: int, *lines: str) -> None:
    for line in lines:
        sys.stderr.write(f"keepword: error: {line}\n")
    sys.exit(code)
