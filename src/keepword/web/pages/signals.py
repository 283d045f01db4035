"""Signals with their disclosure clocks, and the draft editor: the playbook check updates as
you type, and marking the message sent stops the clocks of the signals it answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from keepword.domain.access import Action
from keepword.domain.text import MESSAGE_MAX
from keepword.drafts.render import team_renderer
from keepword.services import drafts, records, watch
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

MessageBody = Annotated[str, Form(max_length=MESSAGE_MAX)]


@router.get(
    "/signals",
    dependencies=[allow(Action.VIEW_SIGNALS)],
    response_class=HTMLResponse,
    name="signals",
)
def signals_page(
    request: Request,
    keepword: KeepwordDep,
    commitment: Annotated[str | None, Query()] = None,
    disclosed: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    views = records.stored_signals(
        keepword.uow, keepword.settings.now(), include_disclosed=disclosed
    )
    if commitment:
        views = [v for v in views if v.signal.commitment == commitment]
    return render(
        request,
        "signals.html",
        {"views": views, "commitment": commitment, "disclosed": disclosed},
    )


@router.get(
    "/signals/{signal_id}",
    dependencies=[allow(Action.VIEW_SIGNALS)],
    response_class=HTMLResponse,
    name="signal",
)
def signal_page(request: Request, signal_id: str, keepword: KeepwordDep) -> HTMLResponse:
    view = records.signal_view(keepword.uow, signal_id, keepword.settings.now())
    messages = [m for m in records.messages(keepword.uow) if signal_id in m.answers]
    return render(request, "signal.html", {"view": view, "messages": messages})


@router.post("/signals/{signal_id}/draft", dependencies=[allow(Action.DRAFT_MESSAGES)])
def draft_for_signal(signal_id: str, keepword: KeepwordDep, actor: ActorDep) -> RedirectResponse:
    moment = keepword.settings.now()
    draft = drafts.draft_message(
        keepword.uow,
        team_renderer(),
        options=watch.watch_options(moment),
        actor=actor,
        now=moment,
        signal=signal_id,
    )
    return RedirectResponse(f"/messages/{draft.message.id}", status_code=303)


@router.get(
    "/messages/{message_id}",
    dependencies=[allow(Action.VIEW_SIGNALS)],
    response_class=HTMLResponse,
    name="message",
)
def message_page(request: Request, message_id: str, keepword: KeepwordDep) -> HTMLResponse:
    message = drafts.find_message(keepword.uow, message_id)
    report = drafts.check_edited(message, message.body)
    return render(request, "message.html", {"message": message, "report": report})


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
    message = drafts.find_message(keepword.uow, message_id)
    report = drafts.check_edited(message, body)
    return render(request, "_playbook.html", {"report": report})


@router.post("/messages/{message_id}/send", dependencies=[allow(Action.SEND_MESSAGES)])
def send_message(
    message_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    body: MessageBody = "",
) -> RedirectResponse:
    message = drafts.find_message(keepword.uow, message_id)
    edited = body.replace("\r\n", "\n")
    sent = drafts.send(
        keepword.uow,
        message_id,
        actor=actor,
        now=keepword.settings.now(),
        body=edited if edited.strip() and edited != message.body else None,
    )
    return RedirectResponse(f"/messages/{sent.message.id}", status_code=303)
