"""``keepword draft``, ``keepword send`` and ``keepword check``: messages to clients, drafted
from the facts, checked against the playbook, recorded as sent."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keepword.cli import output
from keepword.cli.context import AsOfOption, JsonOption, acting, forecast_options, open_app
from keepword.config import TEMPLATES_VARIABLE
from keepword.domain.communications import CommunicationKind
from keepword.domain.errors import InvalidValue, KeepwordError

if TYPE_CHECKING:
    from keepword.domain.playbook import Finding, PlaybookReport

KINDS = ", ".join(k.value for k in CommunicationKind)
KindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        help=f"What kind of message: {KINDS} (default: delay, or recovery after an incident).",
        show_default=False,
    ),
]


def _kind(value: str | None, option: str = "--kind") -> CommunicationKind | None:
    if value is None:
        return None
    try:
        return CommunicationKind(value)
    except ValueError:
        raise typer.BadParameter(f"use one of {KINDS}", param_hint=option) from None


def draft(
    ctx: typer.Context,
    signal: Annotated[
        str | None, typer.Option(help="Draft the message that discloses this signal.")
    ] = None,
    commitment: Annotated[
        str | None,
        typer.Option(help="Draft about this commitment (answers its undisclosed signals)."),
    ] = None,
    kind: KindOption = None,
    incident: Annotated[
        str | None, typer.Option(help="Draft the recovery message for this incident.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Also write STEM.md (Markdown) and STEM.eml (ready to send).",
            metavar="STEM",
            show_default=False,
        ),
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option(
            envvar=TEMPLATES_VARIABLE,
            help="The team's templates; same-named files replace the packaged ones "
            f"(default: ${TEMPLATES_VARIABLE}).",
            show_default=False,
        ),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            help="The client's address for the .eml (default: from the client's contact).",
            show_default=False,
        ),
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Draft an honest message to the client from the facts, check it, and store it unsent."""
    from keepword.adapters.files import write_atomically

    # Jinja2 and the email package load here, not with every command.
    from keepword.drafts.eml import email_message
    from keepword.drafts.render import JinjaRenderer
    from keepword.services import messages

    chosen = _kind(kind)
    if signal is None and commitment is None and incident is None:
        raise typer.BadParameter("give --signal, --commitment or --incident")
    stem = _stem(out)
    renderer = JinjaRenderer(templates)
    keepword = open_app(ctx)
    moment = keepword.settings.now()
    try:
        result = messages.draft_message(
            keepword.uow,
            renderer,
            options=forecast_options(moment, as_of),
            actor=acting(keepword),
            now=moment,
            signal=signal,
            commitment=commitment,
            kind=chosen,
            incident=incident,
            to=to,
        )
    except InvalidValue as error:
        if error.field == "to":
            raise typer.BadParameter(error.message, param_hint="--to") from None
        raise
    message = result.message
    sys.stdout.write(f"Subject: {message.subject}\n\n{message.body}\n")
    _print_report(result.report, "the draft")
    answers = ", ".join(message.answers) or "no open signal"
    output.console.print(
        f"Stored draft {message.id} (not sent; answers {answers}). Once it has gone to the "
        f"client: keepword send {message.id}",
        highlight=False,
    )
    if stem is None:
        return
    facts = result.facts
    email = email_message(message, sender=result.sender, to=result.to, date=moment)
    markdown, eml = stem.with_name(f"{stem.name}.md"), stem.with_name(f"{stem.name}.eml")
    write_atomically(markdown, f"# {message.subject}\n\n{message.body}")
    # RFC 5322 wants CRLF line ends; the standard library writes LF, which mail tools accept,
    # so the file is written as generated (and byte-for-byte what smtplib would send).
    write_atomically(eml, email.as_string())
    output.console.print(f"Wrote {markdown} and {eml}.", highlight=False)
    for missing, why in (
        (result.to is None, f"no To: address (the contact is {facts.contact!r}; pass --to)"),
        (
            result.sender is None,
            f"no From: address ({facts.lead or 'the project has no lead'} has no email)",
        ),
    ):
        if missing:
            sys.stderr.write(f"keepword: warning: {eml}: {why}\n")


def _stem(out: Path | None) -> Path | None:
    # Checked before anything is stored, so that a bad path leaves nothing behind.
    if out is None:
        return None
    if out.name in ("", ".", ".."):
        raise typer.BadParameter(f"{out} is not a file name stem", param_hint="--out")
    if not out.parent.is_dir():
        raise KeepwordError(f"{out.parent}: no such directory")
    return out


def send(
    ctx: typer.Context,
    message_id: Annotated[str, typer.Argument(help="The drafted message's id (M-1, …).")],
    body: Annotated[
        Path | None,
        typer.Option(
            help="The body as it was sent, if edited (Markdown or plain text).", show_default=False
        ),
    ] = None,
) -> None:
    """Record that a drafted message went to the client; the signals it answers are disclosed."""
    from keepword.services import messages

    text = _read(body) if body is not None else None
    keepword = open_app(ctx)
    result = messages.send(
        keepword.uow,
        message_id,
        body=text,
        actor=acting(keepword),
        now=keepword.settings.now(),
    )
    for finding in result.warnings:
        where = f"{body}:{finding.line}" if finding.line else str(body)
        sys.stderr.write(f"keepword: warning: {where}: {_finding_text(finding)}\n")
    sent_at = result.message.sent_at
    assert sent_at is not None
    output.console.print(
        f"Recorded {result.message.id} as sent at {sent_at:%Y-%m-%d %H:%M} UTC.", highlight=False
    )
    for disclosure in result.disclosed:
        verdict = "past" if disclosure.overdue else "within"
        output.console.print(
            f"{disclosure.signal}: disclosed, clock stopped after "
            f"{disclosure.latency_hours:.1f} h ({verdict} its deadline of "
            f"{disclosure.deadline:%Y-%m-%d %H:%M} UTC).",
            highlight=False,
        )
    for signal in result.already_disclosed:
        output.console.print(f"{signal}: already disclosed by an earlier message.")
    for signal in result.stale:
        output.console.print(
            f"[yellow]Warning[/]: {signal} changed after this message was drafted; "
            "tell the client what is new (see 'keepword risks --all').",
            highlight=False,
        )
    if not result.message.answers:
        output.console.print("It answered no signal, so no clock stopped.")


def check(
    file: Annotated[Path, typer.Argument(help="The message to check ('-' for standard input).")],
    kind: Annotated[
        str, typer.Option(help=f"The kind of message, for what it must contain: {KINDS}.")
    ] = CommunicationKind.DELAY.value,
    json: JsonOption = False,
) -> None:
    """Check a message against the playbook; exit 1 when it lacks something or says what it
    should not."""
    from keepword.domain.playbook import check as playbook

    chosen = _kind(kind)
    assert chosen is not None
    report = playbook(_read(file), kind=chosen)
    if json:
        output.print_json(report)
    else:
        name = "standard input" if str(file) == "-" else str(file)
        _print_report(report, name)
    if not report.clean:
        raise typer.Exit(1)


def _read(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise KeepwordError(f"{file}: {getattr(error, 'strerror', None) or error}") from None


def _finding_text(finding: Finding) -> str:
    from keepword.domain.playbook import FindingKind

    if finding.kind is FindingKind.AVOID:
        return f'{finding.message}: "{finding.phrase}"'
    return finding.message + (f' ("{finding.phrase}")' if finding.phrase else "")


def _print_report(report: PlaybookReport, name: str) -> None:
    if report.clean:
        output.console.print(
            f"Playbook check of {name} ({report.kind.value}): clean.", highlight=False
        )
        return
    output.console.print(
        f"Playbook check of {name} ({report.kind.value}): {len(report.findings)} to fix.",
        highlight=False,
    )
    for finding in report.findings:
        where = f"line {finding.line}" if finding.line else finding.kind.value
        output.console.print(f"  {where}: {_finding_text(finding)}", highlight=False)
