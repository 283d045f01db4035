"""API routes: the event history, of the whole portfolio or of one project."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from keepword.domain.access import Action
from keepword.services import history
from keepword.web.api.schemas import EventPublic
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["history"])

Limit = Annotated[int, Query(ge=1, le=1000, description="How many events, newest first.")]


@router.get("/events", dependencies=[allow(Action.VIEW_PORTFOLIO)])
def list_events(
    keepword: KeepwordDep,
    actor: ActorDep,
    limit: Limit = 50,
    entity: Annotated[
        str | None, Query(description="Only events of this kind of entity (item, commitment, …).")
    ] = None,
) -> list[EventPublic]:
    """The event history, newest first: only the kinds of record the caller may read
    (signals and messages need the right to view them)."""
    events = history.recent_events(keepword.uow, limit, entity, actor=actor)
    return [EventPublic.model_validate(e) for e in events]


@router.get("/projects/{project_id}/events", dependencies=[allow(Action.VIEW_PORTFOLIO)])
def project_events(
    project_id: str, keepword: KeepwordDep, actor: ActorDep, limit: Limit = 50
) -> list[EventPublic]:
    """The events about one project, newest first: the project, its items and history, its
    allocations, commitments, signals, messages, incidents and scenarios applied to it, of
    those the caller may read."""
    events = history.project_events(keepword.uow, project_id, limit, actor=actor)
    return [EventPublic.model_validate(e) for e in events]
