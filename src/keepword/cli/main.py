"""``keepword``: the entry point. It assembles the commands of every capability (each in
``cli/NAME.py``, as ``services/NAME.py`` holds its use cases) in the order a user works, and
holds those that set Keepword up: ``init``, ``db upgrade``, ``serve`` and ``demo``. Domain
errors become one clear line and exit code 1."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from typer.core import TyperGroup

from keepword import __version__
from keepword.cli import (
    accounts,
    gate,
    history,
    incidents,
    messages,
    output,
    plan,
    portfolio,
    projects,
    scenarios,
    signals,
)
from keepword.cli.context import (
    DbOption,
    HostOption,
    PortOption,
    WorkersOption,
    command_group,
    demo_settings,
    open_app,
    settings_of,
)
from keepword.config import (
    ALLOWED_HOSTS_VARIABLE,
    DATABASE_URL_VARIABLE,
    LOCAL_HOSTS,
    NOW_VARIABLE,
    Settings,
    load_settings,
)
from keepword.domain.errors import KeepwordError

if TYPE_CHECKING:
    from keepword.bootstrap import Keepword
    from keepword.services.demo import DemoLogin

EXIT_BAD_INPUT = 1
EXIT_BAD_USAGE = 2


class _InWorkflowOrder(TyperGroup):
    """Lists the commands as :data:`WORKFLOW` orders them; Typer would list every single
    command before every group of commands."""

    def list_commands(self, ctx: object) -> list[str]:
        return sorted(self.commands, key=[name for name, _ in WORKFLOW].index)


app = command_group(
    name="keepword",
    help="Keep the promises your team makes to clients: forecasts, risks, honest messages.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_InWorkflowOrder,
)
db_app = command_group(help="Manage the database schema.", no_args_is_help=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"keepword {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    db: DbOption = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Work on the demo: the database 'keepword demo' fills (demo.db unless --db) "
            "and the demo's day, Monday 2026-11-23 (unless $KEEPWORD_NOW).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    ctx.obj = demo_settings(db) if demo else load_settings(database=db)


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


def serve(
    ctx: typer.Context,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
) -> None:
    """Serve the web app until Ctrl-C."""
    _serve(open_app(ctx), host, port, workers)


def demo(
    ctx: typer.Context,
    serve: Annotated[bool, typer.Option(help="Serve the web app after loading.")] = True,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: WorkersOption = 1,
) -> None:
    """Load the demo portfolio into its own database (demo.db unless --db), show it as of its
    own day (Monday 2026-11-23, unless $KEEPWORD_NOW says otherwise), serve it."""
    from importlib import resources

    from keepword.adapters.planfile import read_plan
    from keepword.bootstrap import open_keepword
    from keepword.demo import DEMO_USERS
    from keepword.services.demo import start_demo

    # The stories are told as of the demo's Monday; the served app keeps that clock too.
    settings = demo_settings(ctx.find_root().params.get("db"))
    _upgrade(settings)
    keepword = open_keepword(settings)
    ctx.call_on_close(keepword.close)
    plan = resources.files("keepword.demo").joinpath("demo.yaml")
    with resources.as_file(plan) as path:
        portfolio = read_plan(path)
    moment = settings.now()
    # Loading forecasts every promise: several seconds, said on stderr while they pass.
    from rich.console import Console

    with Console(stderr=True).status(
        f"Loading the demo: {len(portfolio.projects)} projects, forecasting "
        f"{len(portfolio.commitments)} promises…"
    ):
        demo_started = start_demo(keepword.uow, portfolio, DEMO_USERS, now=moment)
    output.console.print(
        f"The demo portfolio as of {moment:%a %d %b %Y %H:%M} UTC "
        f"(set {NOW_VARIABLE} to see it on another day).",
        highlight=False,
    )
    output.console.print(output.portfolio_table(demo_started.table.rows, demo_started.table.odds))
    output.console.print(_demo_logins(demo_started.logins))
    if serve:
        _serve(keepword, host, port, workers)


def _demo_logins(logins: list[DemoLogin]) -> Table:
    table = Table("Log in as", "Role", "Password", title="Demo users (new passwords each run)")
    for login in logins:
        client = f" of {login.client}" if login.client else ""
        table.add_row(login.name, login.role.label + client, login.password)
    return table


def _check_free(host: str, port: int) -> None:
    """Refuse, before claiming to serve, an address another program is listening on."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror as error:
        raise KeepwordError(f"cannot serve on {host!r}: {error.strerror}") from None
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as error:
            raise KeepwordError(
                f"cannot serve on {host}:{port}: {error.strerror or error} (another program "
                "is listening there? stop it, or choose another --port)"
            ) from None


def _serve(keepword: Keepword, host: str, port: int, workers: int) -> None:
    import uvicorn

    from keepword.web.app import create_app

    settings = keepword.settings
    hosts = settings.hosts_when_serving_on(host)
    _check_free(host, port)
    output.console.print(f"Serving Keepword on http://{host}:{port} (Ctrl-C to stop)")
    if hosts == LOCAL_HOSTS and host not in LOCAL_HOSTS:
        output.console.print(
            f"It answers only requests for {', '.join(hosts)}: set {ALLOWED_HOSTS_VARIABLE} "
            "to the names people reach it by.",
            highlight=False,
        )
    trusted = list(settings.trusted_proxies)
    if workers > 1:
        # Each web process builds its own app from the environment: the same database,
        # clock and host names as this command was given.
        os.environ[DATABASE_URL_VARIABLE] = settings.database_url
        os.environ[ALLOWED_HOSTS_VARIABLE] = ",".join(hosts)
        if settings.fixed_now is not None:
            os.environ[NOW_VARIABLE] = settings.fixed_now.isoformat()
        keepword.close()
    uvicorn.run(
        create_app(keepword, allowed_hosts=hosts)
        if workers == 1
        else "keepword.web.app:app_from_environment",
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise; Keepword
        # believes it from the proxies it is told of only.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


# The order of ``keepword --help``: the order a user works in.
WORKFLOW: tuple[tuple[str, Callable[..., None] | typer.Typer], ...] = (
    ("init", init),
    ("load", portfolio.load),
    ("export", portfolio.export),
    ("portfolio", portfolio.portfolio),
    ("propose", gate.propose),
    ("approve", gate.approve),
    ("commit", gate.commit),
    ("close", gate.close),
    ("forecast", projects.forecast),
    ("chart", projects.chart),
    ("whatif", scenarios.what_if),
    ("scenario", scenarios.scenario_app),
    ("risks", signals.risks),
    ("draft", messages.draft),
    ("send", messages.send),
    ("check", messages.check),
    ("incident", incidents.incident_app),
    ("item", plan.item_app),
    ("time-off", plan.time_off),
    ("history", history.history_app),
    ("backtest", history.backtest),
    ("user", accounts.user_app),
    ("token", accounts.token_app),
    ("serve", serve),
    ("demo", demo),
    ("db", db_app),
)
for _name, _entry in WORKFLOW:
    if isinstance(_entry, typer.Typer):
        app.add_typer(_entry, name=_name)
    else:
        app.command(_name)(_entry)


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
        from sqlalchemy.exc import DBAPIError, SQLAlchemyError

        if not isinstance(error, SQLAlchemyError):
            raise
        # Every rule the database keeps is checked before writing; one that slips through
        # (or a database that cannot be reached) is told in a line, its transaction undone.
        cause = error.orig if isinstance(error, DBAPIError) else error
        reason = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        _fail(EXIT_BAD_INPUT, f"database error: {reason}; nothing was written")
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
