"""API routes: incidents (W3), with their recovery steps and the client's first contact."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import Field

from keepword.domain.access import Action
from keepword.domain.communications import StepStatus
from keepword.domain.text import LIST_MAX, TEXT_MAX
from keepword.services import incidents
from keepword.web.api.schemas import Line, ProjectFilter, Public, Ref, RequestBody, UtcDateTime
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["incidents"])


class StepPublic(Public):
    action: str
    due: UtcDateTime
    status: StepStatus
    done_at: UtcDateTime | None


class FirstContactPublic(Public):
    deadline: UtcDateTime = Field(
        description="One working day after the incident, on the lead's calendar."
    )
    state: incidents.FirstContactState = Field(
        description="met (done by the deadline), late (done after it), overdue (not done, "
        "past it) or open (not done, still in time)."
    )
    met: bool = Field(description="The client heard from the team in time.")
    done_at: UtcDateTime | None = Field(description="When the first contact was done.")


class IncidentPublic(Public):
    id: str
    project: str
    title: str
    occurred_at: UtcDateTime
    impact: str
    own_factors: list[str]
    steps: list[StepPublic] = Field(description="Recovery steps by due time; numbered from 1.")
    commitment: str | None
    recorded_at: UtcDateTime | None
    first_contact: FirstContactPublic = Field(description="The client's first contact.")


def _incident(view: incidents.IncidentView) -> IncidentPublic:
    incident, contact = view.incident, view.first_contact
    return IncidentPublic(
        id=incident.id,
        project=incident.project,
        title=incident.title,
        occurred_at=incident.occurred_at,
        impact=incident.impact,
        own_factors=list(incident.own_factors),
        steps=[StepPublic.model_validate(s) for s in incident.steps],
        commitment=incident.commitment,
        recorded_at=incident.recorded_at,
        first_contact=FirstContactPublic.model_validate(contact),
    )


@router.get("/incidents", dependencies=[allow(Action.VIEW_INCIDENTS)])
def list_incidents(keepword: KeepwordDep, project: ProjectFilter = None) -> list[IncidentPublic]:
    """Incidents, newest first, with their recovery steps and first-contact state."""
    views = incidents.incident_views(keepword.uow, keepword.settings.now(), project)
    return [_incident(v) for v in views]


@router.get("/incidents/{incident_id}", dependencies=[allow(Action.VIEW_INCIDENTS)])
def get_incident(incident_id: str, keepword: KeepwordDep) -> IncidentPublic:
    """One incident with its recovery steps and first-contact state."""
    return _incident(incidents.find_incident(keepword.uow, incident_id, keepword.settings.now()))


class StepRequest(RequestBody):
    action: str = Field(min_length=1, max_length=TEXT_MAX)
    due: UtcDateTime = Field(description="UTC; a time without a zone is taken as UTC.")


class IncidentRequest(RequestBody):
    project: Ref
    title: str = Field(min_length=1, max_length=TEXT_MAX, description="What went wrong.")
    impact: str = Field(
        min_length=1, max_length=TEXT_MAX, description="What it did to the client, in their terms."
    )
    own_factors: list[Line] = Field(
        default=[],
        max_length=LIST_MAX,
        description="The team's own contributing factors, never anyone else's.",
    )
    steps: list[StepRequest] = Field(
        default=[],
        max_length=LIST_MAX,
        description="Recovery steps; a first contact with the client is added if none is one.",
    )
    occurred_at: UtcDateTime | None = Field(default=None, description="Default: now.")
    commitment: Ref | None = Field(default=None, description="The commitment it hit.")


@router.post(
    "/incidents",
    dependencies=[allow(Action.RECORD_INCIDENTS)],
    status_code=status.HTTP_201_CREATED,
)
def record_incident(
    request: IncidentRequest, keepword: KeepwordDep, actor: ActorDep
) -> IncidentPublic:
    """Record an incident; a first contact with the client is added if no step is one."""
    recorded = incidents.record_incident(
        keepword.uow,
        request.project,
        request.title,
        request.impact,
        request.own_factors,
        [(s.action, s.due) for s in request.steps],
        request.occurred_at,
        request.commitment,
        actor=actor,
        now=keepword.settings.now(),
    )
    return _incident(recorded)


@router.post(
    "/incidents/{incident_id}/steps/{number}/done",
    dependencies=[allow(Action.RECORD_INCIDENTS)],
)
def step_done(
    incident_id: str,
    number: Annotated[int, Path(ge=1, description="Step number, from 1.")],
    keepword: KeepwordDep,
    actor: ActorDep,
) -> IncidentPublic:
    """Mark a recovery step done now."""
    after = incidents.step_done(
        keepword.uow, incident_id, number, actor=actor, now=keepword.settings.now()
    )
    return _incident(after)
