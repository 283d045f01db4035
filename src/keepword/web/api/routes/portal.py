"""API routes: the client portal, a client user's own organisation's projects, read-only.

The schemas hold what :mod:`keepword.services.portal` lets a client see and nothing more; a
project of another organisation is answered 404 exactly as one that does not exist.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import Field

from keepword.domain.access import Action
from keepword.domain.communications import StepStatus
from keepword.services import portal as portal_service
from keepword.web.api.schemas import Probability, Public, UtcDateTime
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["portal"])


class PortalRangePublic(Public):
    p50: date = Field(description="50 % likely to be done by this day.")
    p85: date = Field(description="85 % likely to be done by this day.")


class PortalCommitmentPublic(Public):
    id: str
    title: str
    due: date = Field(description="The day promised.")
    confidence: Probability = Field(description="The confidence the promise was made at.")
    state: str = Field(description="promised, met, missed or renegotiated.")
    is_open: bool = Field(description="Still promised; false once met, missed or renegotiated.")
    scope: list[str] = Field(description="The phases promised, by name; empty: the whole project.")
    forecast: PortalRangePublic | None = Field(
        description="When it is expected; null once the promise has ended or none is shared."
    )
    basis: str | None = Field(
        description="'current forecast', or 'as last shared' while the team has news to tell."
    )
    as_of: date | None = Field(description="The day the range was forecast.")
    forecast_as_of_label: str = Field(description="Which range this is, in words.")


class PortalPhasePublic(Public):
    name: str
    done: int = Field(description="Items of the phase done.")
    total: int = Field(description="Items of the phase in all.")


class PortalMessagePublic(Public):
    subject: str
    body: str = Field(description="Markdown, as sent.")
    sent_at: UtcDateTime


class PortalStepPublic(Public):
    action: str
    due: UtcDateTime
    status: StepStatus
    done_at: UtcDateTime | None


class PortalIncidentPublic(Public):
    title: str
    occurred_at: UtcDateTime
    impact: str = Field(description="What it did to the client.")
    own_factors: list[str] = Field(description="The team's own contributing factors.")
    steps: list[PortalStepPublic] = Field(description="The recovery steps, by due time.")


class PortalProjectSummaryPublic(Public):
    id: str
    name: str
    start: date
    done: int = Field(description="Items done.")
    total: int = Field(description="Items in all.")
    commitments: list[PortalCommitmentPublic]


class PortalProjectPublic(Public):
    id: str
    name: str
    client: str = Field(description="The organisation's name.")
    start: date
    commitments: list[PortalCommitmentPublic]
    phases: list[PortalPhasePublic] = Field(description="The plan's phases, in order.")
    messages: list[PortalMessagePublic] = Field(description="Messages sent, newest first.")
    incidents: list[PortalIncidentPublic] = Field(description="Newest first.")


@router.get("/portal/projects", dependencies=[allow(Action.VIEW_PORTAL)])
def list_portal_projects(
    keepword: KeepwordDep, actor: ActorDep
) -> list[PortalProjectSummaryPublic]:
    """The caller's organisation's projects, each with its promises as date ranges."""
    home = portal_service.portal_projects(keepword.uow, actor=actor, now=keepword.settings.now())
    return [PortalProjectSummaryPublic.model_validate(p) for p in home.projects]


@router.get("/portal/projects/{project_id}", dependencies=[allow(Action.VIEW_PORTAL)])
def get_portal_project(
    project_id: str, keepword: KeepwordDep, actor: ActorDep
) -> PortalProjectPublic:
    """One of the caller's organisation's projects: promises, plan, messages sent, incidents."""
    view = portal_service.portal_project(
        keepword.uow, project_id, actor=actor, now=keepword.settings.now()
    )
    return PortalProjectPublic.model_validate(view)
