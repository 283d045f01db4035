"""API routes: the portfolio, its projects, their forecasts, and the event history.

This module also holds the schemas the other API modules share (commitments, items, events,
forecast finishes), so that one thing has one name in the OpenAPI document.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from keepword.domain.access import Action
from keepword.domain.commitment import DEFAULT_CONFIDENCE, CommitmentState, Health
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus
from keepword.domain.text import ID_MAX, LIST_MAX, TEXT_MAX, refuse_nul
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS
from keepword.services import forecasting, history, portfolio
from keepword.services import portfolio as portfolio_service
from keepword.web.charts import charts_of
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter()

# --- shared schemas ------------------------------------------------------------------------

MAX_TRIALS = 100_000  # the CLI allows a million; a request should answer in seconds


def _as_utc(moment: datetime) -> datetime:
    # Keepword stores UTC only: a naive time is UTC, an aware one is shown in UTC ("…Z").
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
Probability = Annotated[float, Field(ge=0, le=1)]
# As the pages accept it: strictly between 0 and 1 (0 or 1 would ask for certainty).
CONFIDENCE_TEXT = "The odds wanted, strictly between 0 and 1."
Confidence = Annotated[float, Field(gt=0, lt=1, description=CONFIDENCE_TEXT)]

MIN_TRIALS = 100
MAX_SEED = 2**63 - 1  # numpy refuses a negative seed; a 64-bit integer is plenty
TRIALS_TEXT = "Monte Carlo trials."
SEED_TEXT = "Random seed, 0 or more: the same seed gives the same answer."

Trials = Annotated[int, Query(ge=MIN_TRIALS, le=MAX_TRIALS, description=TRIALS_TEXT)]
Seed = Annotated[int, Query(ge=0, le=MAX_SEED, description=SEED_TEXT)]
# The same bounds in a request body.
TrialsField = Annotated[int, Field(ge=MIN_TRIALS, le=MAX_TRIALS, description=TRIALS_TEXT)]
SeedField = Annotated[int, Field(ge=0, le=MAX_SEED, description=SEED_TEXT)]
AsOf = Annotated[
    date | None, Query(description="Forecast as if today were this date (default: today).")
]


# Every text field of a request body has a limit: one of these, or its own.
Ref = Annotated[str, Field(max_length=ID_MAX, description="The id of something stored.")]
Line = Annotated[str, Field(max_length=TEXT_MAX)]  # a name, title or note, as a plan file
Refs = Annotated[list[Ref], Field(max_length=LIST_MAX)]


class RequestBody(BaseModel):
    """Base of every request body: a field the schema does not name is refused (422 naming
    it), never ignored, so a misspelt field cannot pass for one left out; no text in it may
    hold a NUL character (each text field also has its own length limit)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Public(BaseModel):
    """Base of the API's response schemas: built from the domain's dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class EstimatePublic(Public):
    optimistic: float
    likely: float
    pessimistic: float


class WorkItemPublic(Public):
    id: str
    title: str
    phase: str | None
    skill: str | None
    estimate: EstimatePublic | None
    depends_on: list[str]
    status: ItemStatus
    started: date | None
    done: date | None
    added: date | None


class BaselinePublic(Public):
    forecast_on: date
    on_time: Probability
    p50: date
    p85: date
    scope_items: int
    effort: float = Field(description="Expected effort of the scope then, in person-days.")


class CommitmentDetail(Public):
    id: str
    project: str
    title: str
    due: date
    phases: list[str] = Field(description="The phases promised; empty for the whole project.")
    confidence: Probability
    state: CommitmentState
    made_by: str | None
    made_to: str | None
    made_on: date | None
    fixed_date: bool
    baseline: BaselinePublic | None


class EventPublic(Public):
    id: int | None
    at: UtcDateTime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any = Field(description="The entity before the change (JSON), null if created.")
    after: Any = Field(description="The entity after the change (JSON), null if removed.")


class FinishPublic(Public):
    id: str
    name: str
    items: int = Field(description="Remaining items in this scope.")
    p50: date
    p85: date
    p95: date
    due: date | None
    on_time: Probability | None
    at_confidence: date | None


class SharePublic(Public):
    id: str
    name: str
    value: float


# --- portfolio -----------------------------------------------------------------------------


class PortfolioRow(Public):
    commitment_id: str
    commitment: str
    project_id: str
    project: str
    client_id: str
    client: str
    lead: str | None
    due: date
    state: CommitmentState
    confidence: Probability
    on_time: Probability | None
    p50: date | None
    p85: date | None
    health: Health | None
    problem: str | None = Field(description="Why there is no forecast, when there is none.")
    open_signals: int | None = Field(
        description="Undisclosed signals on it; null for a caller who may not view signals."
    )
    overdue_signals: int | None = Field(
        description="Undisclosed signals on it past their disclosure target; null for a caller "
        "who may not view signals."
    )


@router.get("/portfolio", dependencies=[allow(Action.VIEW_PORTFOLIO)], tags=["portfolio"])
def get_portfolio(
    keepword: KeepwordDep,
    actor: ActorDep,
    client: str | None = None,
    lead: str | None = None,
    health: Health | None = None,
) -> list[PortfolioRow]:
    """Every commitment with its odds and health; those whose client has gone untold past
    the disclosure target first, then by due date."""
    board = portfolio.dashboard(
        keepword.uow,
        portfolio.Filters(client, lead, health),
        actor=actor,
        now=keepword.settings.now(),
    )
    return [PortfolioRow.model_validate(row) for row in board.rows]


# --- projects ------------------------------------------------------------------------------


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


@router.get("/projects", dependencies=[allow(Action.VIEW_PORTFOLIO)], tags=["projects"])
def list_projects(keepword: KeepwordDep) -> list[ProjectSummary]:
    """Every project with its client, lead, size and commitments."""
    stored = portfolio_service.current_portfolio(keepword.uow)
    return [_summary(stored, p.id) for p in stored.projects]


@router.get(
    "/projects/{project_id}", dependencies=[allow(Action.VIEW_PORTFOLIO)], tags=["projects"]
)
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


@router.get(
    "/projects/{project_id}/forecast",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    tags=["projects"],
)
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
    stored = portfolio_service.current_portfolio(keepword.uow)
    options = ForecastOptions(
        as_of or keepword.settings.now().date(), trials, seed, confidence, by=by
    )
    return ForecastPublic.model_validate(forecasting.forecast_project(stored, project_id, options))


class ChartPublic(Public):
    name: str = Field(description="Unique on a page: burn-up-PROJECT, finish-PROJECT.")
    title: str
    description: str = Field(description="The chart in words, for those who cannot see it.")
    spec: dict[str, Any] = Field(description="A Vega-Lite specification, data included.")


@router.get(
    "/projects/{project_id}/charts", dependencies=[allow(Action.VIEW_PORTFOLIO)], tags=["projects"]
)
def get_charts(project_id: str, keepword: KeepwordDep) -> list[ChartPublic]:
    """The project page's charts as Vega-Lite: the burn-up with the forecast fan, then the
    finish-week distribution, against the earliest promise still open."""
    return [ChartPublic.model_validate(chart) for chart in charts_of(keepword, project_id)]


# --- history -------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=1000, description="How many events, newest first.")]


@router.get("/events", dependencies=[allow(Action.VIEW_PORTFOLIO)], tags=["history"])
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


@router.get(
    "/projects/{project_id}/events", dependencies=[allow(Action.VIEW_PORTFOLIO)], tags=["history"]
)
def project_events(
    project_id: str, keepword: KeepwordDep, actor: ActorDep, limit: Limit = 50
) -> list[EventPublic]:
    """The events about one project, newest first: the project, its items and history, its
    allocations, commitments, signals, messages, incidents and scenarios applied to it, of
    those the caller may read."""
    events = history.project_events(keepword.uow, project_id, limit, actor=actor)
    return [EventPublic.model_validate(e) for e in events]
