"""Messages to clients: the draft made for a signal, and the draft editor, whose playbook
check updates as you type; marking the message sent stops the clocks of the signals it
answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from keepword.bootstrap import Keepword
from keepword.domain.access import Action
from keepword.domain.text import MESSAGE_MAX
from keepword.drafts.render import team_renderer
from keepword.services import messages
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

MessageBody = Annotated[str, Form(max_length=MESSAGE_MAX)]


@router.post("/signals/{signal_id}/draft", dependencies=[allow(Action.DRAFT_MESSAGES)])
def draft_for_signal(signal_id: str, keepword: KeepwordDep, actor: ActorDep) -> RedirectResponse:
    moment = keepword.settings.now()
    draft = messages.draft_message(
        keepword.uow,
        team_renderer(),
        actor=actor,
        now=moment,
        signal=signal_id,
    )
    return RedirectResponse(f"/messages/{draft.message.id}", status_code=303)


@router.get("/messages/{message_id}.eml", dependencies=[allow(Action.VIEW_SIGNALS)])
def message_email(message_id: str, keepword: KeepwordDep) -> Response:
    """The message as stored, as a plain-text email (the same .eml as ``keepword draft
    --out``)."""
    return _email(keepword, messages.addressed_message(keepword.uow, message_id))


@router.post("/messages/{message_id}/email", dependencies=[allow(Action.DRAFT_MESSAGES)])
def typed_email(message_id: str, keepword: KeepwordDep, body: MessageBody = "") -> Response:
    """The draft with the body as typed in the editor, as a ready-to-send email for the
    lead's mail client; nothing is stored."""
    return _email(keepword, messages.addressed_message(keepword.uow, message_id, body))


def _email(keepword: Keepword, addressed: messages.Addressed) -> Response:
    from keepword.drafts.eml import email_message

    message = addressed.message
    email = email_message(
        message, sender=addressed.sender, to=addressed.to, date=keepword.settings.now()
    )
    return Response(
        email.as_string(),
        media_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{message.id}.eml"'},
    )


@router.get(
    "/messages/{message_id}",
    dependencies=[allow(Action.VIEW_SIGNALS)],
    response_class=HTMLResponse,
    name="message",
)
def message_page(request: Request, message_id: str, keepword: KeepwordDep) -> HTMLResponse:
    view = messages.message_view(keepword.uow, message_id)
    return render(request, "message.html", {"message": view.message, "report": view.report})


@router.post(
    "/messages/{message_id}/check",
    dependencies=[allow(Action.DRAFT_MESSAGES)],
    response_class=HTMLResponse,
)
def check_message(
    request: Request,
    message_id: str,
    keepword: KeepwordDep,
    body: MessageBody = "",
) -> HTMLResponse:
    """The playbook panel for the body as typed so far (the editor asks as you type)."""
    report = messages.check_text(keepword.uow, body, message=message_id)
    return render(request, "_playbook.html", {"report": report})


@router.post("/messages/{message_id}/send", dependencies=[allow(Action.SEND_MESSAGES)])
def send_message(
    message_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    body: MessageBody = "",
) -> RedirectResponse:
    sent = messages.send(
        keepword.uow, message_id, actor=actor, now=keepword.settings.now(), body=body
    )
    return RedirectResponse(f"/messages/{sent.message.id}", status_code=303)
