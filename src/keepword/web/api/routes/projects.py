"""API routes: the projects, one project's plan, its forecast and its charts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from keepword.domain.access import Action
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS
from keepword.services import portfolio as portfolio_service
from keepword.services import projects
from keepword.web.api.schemas import (
    AsOf,
    CommitmentDetail,
    FinishPublic,
    Probability,
    Public,
    Seed,
    SharePublic,
    Trials,
    WorkItemPublic,
)
from keepword.web.charts import charts_of
from keepword.web.rendering import KeepwordDep
from keepword.web.security import allow

router = APIRouter(tags=["projects"])


class ProjectSummary(Public):
    id: str
    name: str
    client_id: str
    client: str
    lead: str | None
    start: date
    items: int
    done: int
    commitments: list[str]


class ProjectPhase(Public):
    id: str
    name: str


class StaffingPublic(Public):
    person: str
    person_name: str
    fraction: float = Field(gt=0, le=1)
    start: date
    end: date
    over_allocation: bool


class DependencyPublic(Public):
    id: str
    name: str
    unstable: bool
    note: str


class ProjectDetail(Public):
    id: str
    name: str
    client_id: str
    client: str
    lead: str | None
    start: date
    disclosure_target: int | None = Field(description="Working days; null: the default, 1.")
    phases: list[ProjectPhase]
    items: list[WorkItemPublic]
    allocations: list[StaffingPublic]
    commitments: list[CommitmentDetail]
    dependencies: list[DependencyPublic]


def _summary(portfolio: Portfolio, project_id: str) -> ProjectSummary:
    project = portfolio.project(project_id)
    return ProjectSummary(
        id=project.id,
        name=project.name,
        client_id=project.client,
        client=portfolio.client(project.client).name,
        lead=project.lead,
        start=project.start,
        items=len(project.items),
        done=sum(1 for i in project.items if i.status is ItemStatus.DONE),
        commitments=[c.id for c in portfolio.commitments if c.project == project.id],
    )


@router.get("/projects", dependencies=[allow(Action.VIEW_PORTFOLIO)])
def list_projects(keepword: KeepwordDep) -> list[ProjectSummary]:
    """Every project with its client, lead, size and commitments."""
    stored = portfolio_service.current_portfolio(keepword.uow)
    return [_summary(stored, p.id) for p in stored.projects]


@router.get("/projects/{project_id}", dependencies=[allow(Action.VIEW_PORTFOLIO)])
def get_project(project_id: str, keepword: KeepwordDep) -> ProjectDetail:
    """One project: its phases, items with their status, allocations and commitments."""
    stored = portfolio_service.current_portfolio(keepword.uow)
    project = stored.project(project_id)
    names = {p.id: p.name for p in stored.people}
    return ProjectDetail(
        id=project.id,
        name=project.name,
        client_id=project.client,
        client=stored.client(project.client).name,
        lead=project.lead,
        start=project.start,
        disclosure_target=project.disclosure_target,
        phases=[ProjectPhase.model_validate(p) for p in project.phases],
        items=[WorkItemPublic.model_validate(i) for i in project.items],
        allocations=[
            StaffingPublic(
                person=a.person,
                person_name=names.get(a.person, a.person),
                fraction=a.fraction,
                start=a.start,
                end=a.end,
                over_allocation=a.over_allocation,
            )
            for a in stored.allocations
            if a.project == project.id
        ],
        commitments=[
            CommitmentDetail.model_validate(c)
            for c in stored.commitments
            if c.project == project.id
        ],
        dependencies=[DependencyPublic.model_validate(d) for d in project.dependencies],
    )


class ItemsByPublic(Public):
    date: date
    remaining: int
    p50: int = Field(description="Items done by the date at the median.")
    at_confidence: int = Field(description="At least this many, at the confidence asked.")


class ForecastPublic(Public):
    project: str
    mode: str = Field(description="estimate, throughput, or done when nothing remains.")
    start: date
    trials: int
    seed: int
    confidence: Probability
    whole: FinishPublic
    phases: list[FinishPublic]
    commitments: list[FinishPublic]
    cut_lines: dict[str, list[str]] = Field(
        description="For each commitment, the phases in order that are done by its due date "
        "at the confidence."
    )
    critical_items: list[SharePublic] = Field(description="How often each item decides it.")
    critical_people: list[SharePublic] = Field(description="How often each person decides it.")
    idle_people: list[SharePublic]
    evidence: str
    items_by: ItemsByPublic | None


@router.get("/projects/{project_id}/forecast", dependencies=[allow(Action.VIEW_PORTFOLIO)])
def get_forecast(
    project_id: str,
    keepword: KeepwordDep,
    trials: Trials = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
    confidence: Annotated[
        float,
        Query(gt=0, lt=1, description="Confidence for cut lines and target dates, in (0, 1)."),
    ] = DEFAULT_CONFIDENCE,
    as_of: AsOf = None,
    by: Annotated[
        date | None, Query(description="Also answer how many remaining items are done by then.")
    ] = None,
) -> ForecastPublic:
    """P50/P85/P95 of the whole project, each phase and each commitment, their odds of being
    on time, and the items and people that decide the date."""
    options = ForecastOptions(
        as_of or keepword.settings.now().date(), trials, seed, confidence, by=by
    )
    forecast = projects.project_forecast(keepword.uow, project_id, options)
    return ForecastPublic.model_validate(forecast)


class ChartPublic(Public):
    name: str = Field(description="Unique on a page: burn-up-PROJECT, finish-PROJECT.")
    title: str
    description: str = Field(description="The chart in words, for those who cannot see it.")
    spec: dict[str, Any] = Field(description="A Vega-Lite specification, data included.")


@router.get("/projects/{project_id}/charts", dependencies=[allow(Action.VIEW_PORTFOLIO)])
def get_charts(project_id: str, keepword: KeepwordDep) -> list[ChartPublic]:
    """The project page's charts as Vega-Lite: the burn-up with the forecast fan, then the
    finish-week distribution, against the earliest promise still open."""
    return [ChartPublic.model_validate(chart) for chart in charts_of(keepword, project_id)]
