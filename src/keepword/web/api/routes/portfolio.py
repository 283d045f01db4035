"""API routes: the portfolio, every commitment with its odds and health."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import Field

from keepword.domain.access import Action
from keepword.domain.commitment import CommitmentState, Health
from keepword.services import portfolio
from keepword.web.api.schemas import Probability, Public
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["portfolio"])


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
    below_target_reason: str | None = Field(
        None, description="Why it was promised though its odds were below its target."
    )
    past_due: bool = Field(
        False, description="Still open after its due date (health off track; listed first)."
    )


@router.get("/portfolio", dependencies=[allow(Action.VIEW_PORTFOLIO)])
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
