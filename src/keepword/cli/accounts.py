"""``keepword user add|passwd|disable|list`` and ``keepword token add|list|revoke``.

They act as whoever the CLI acts as (:func:`~keepword.cli.context.acting`), so only an admin
manages users, as on the admin page. Passwords are asked for without echo, or read from
standard input with ``--password-stdin`` (one line) for scripts; never taken as an argument,
where they would land in the shell's history.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from keepword.cli import output
from keepword.cli.context import JsonOption, acting, command_group, open_app
from keepword.config import USER_VARIABLE
from keepword.domain.access import Role
from keepword.domain.errors import KeepwordError

user_app = command_group(help="Users: who may log in, and with which role.", no_args_is_help=True)
token_app = command_group(
    help="Personal access tokens for the JSON API, of the user the CLI acts as.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The user's name (what they log in with).")]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise KeepwordError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("add")
def add(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[Role, typer.Option(help="What they may do (see docs/access.md).")],
    client: Annotated[
        str | None, typer.Option(help="For a client user: the id of their client.")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Add a user who can log in to the web app (and be acted as with $KEEPWORD_USER)."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    actor = acting(keepword)
    password = _password(password_stdin)
    user = accounts.add_user(
        keepword.uow,
        name,
        role,
        password,
        organisation=client,
        actor=actor,
        now=keepword.settings.now(),
    )
    of = f" of {user.organisation}" if user.organisation else ""
    output.console.print(f"Added {user.name}, {user.role.label}{of}.", highlight=False)


@user_app.command("passwd")
def passwd(ctx: typer.Context, name: NameArgument, password_stdin: PasswordStdin = False) -> None:
    """Give a user a new password; every session of theirs ends."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    actor = acting(keepword)
    accounts.set_password(
        keepword.uow, name, _password(password_stdin), actor=actor, now=keepword.settings.now()
    )
    output.console.print(f"{name} has a new password; their sessions ended.", highlight=False)


@user_app.command("disable")
def disable(ctx: typer.Context, name: NameArgument) -> None:
    """Stop a user logging in; their sessions end and their tokens stop working."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    accounts.disable_user(keepword.uow, name, actor=acting(keepword), now=keepword.settings.now())
    output.console.print(f"{name} is disabled; their sessions ended.", highlight=False)


@user_app.command("list")
def list_users(ctx: typer.Context, json: JsonOption = False) -> None:
    """Every user, their role and client, and whether they are active."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    users = accounts.list_users(keepword.uow, actor=acting(keepword))
    if json:
        output.print_json(
            [
                {
                    "name": u.name,
                    "role": u.role.value,
                    "client": u.organisation,
                    "active": not u.disabled,
                    "created_at": u.created_at.isoformat(),
                }
                for u in users
            ]
        )
        return
    table = Table("Name", "Role", "Client", "State", "Since")
    for u in users:
        state = "disabled" if u.disabled else "active"
        table.add_row(
            u.name, u.role.label, u.organisation or "—", state, f"{u.created_at:%d %b %Y}"
        )
    output.console.print(table)


@token_app.command("add")
def token_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="What the token is for.")]
) -> None:
    """Make a token; it is printed once and not kept (only its digest is)."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    if keepword.settings.user is None:  # the operator is no stored user a token could be of
        raise KeepwordError(f"a token is a user's: set {USER_VARIABLE} to the user it is for")
    token, secret = accounts.create_token(
        keepword.uow, name, actor=acting(keepword), now=keepword.settings.now()
    )
    output.console.print(f"Token {token.id} ({token.name}), shown once:", highlight=False)
    print(secret)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """The tokens of the user the CLI acts as."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    table = Table("Id", "Name", "Made", "Last used", "State")
    for t in accounts.tokens_of(keepword.uow, actor=acting(keepword)):
        used = f"{t.last_used_at:%d %b %Y %H:%M}" if t.last_used_at else "never"
        state = "revoked" if t.revoked_at else "active"
        table.add_row(t.id, t.name, f"{t.created_at:%d %b %Y}", used, state)
    output.console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[str, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke a token: requests with it are refused from now on."""
    from keepword.services import accounts

    keepword = open_app(ctx)
    accounts.revoke_token(
        keepword.uow, token_id, actor=acting(keepword), now=keepword.settings.now()
    )
    output.console.print(f"Token {token_id} is revoked.", highlight=False)
