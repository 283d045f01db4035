"""The client portal: a client user's own organisation's projects, as the client may see them.

What a client sees is read here and nowhere else, into small views of its own (never the
domain objects), so that nothing internal can reach a page or the API by accident: no
people, allocations, estimates, costs, drafts, other clients, or signals not yet disclosed.

Two promises hold:

- **Isolation.** Another organisation's project is answered exactly as a project that does
  not exist: one code path raises the same :class:`NotFound` for both.
- **No news before the team tells it.** While a project has a signal the client has not been
  told of, its commitments show the range the promise was made on ("as last shared"), not
  the current forecast, which may already show the slip.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from keepword.domain.access import Action, Actor, requires
from keepword.domain.commitment import Commitment, CommitmentState
from keepword.domain.communications import Communication, Incident, StepStatus, addressed_to
from keepword.domain.errors import NotFound
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, Project
from keepword.domain.signals import Signal
from keepword.domain.wording import day
from keepword.services.ports import CachedOdds, UnitOfWorkFactory
from keepword.services.watch import current_state, watch_options

# Shown to the client: a promise they hold the team to, or one that has ended.
SHOWN_STATES = frozenset(
    {
        CommitmentState.COMMITTED,
        CommitmentState.AT_RISK,
        CommitmentState.MET,
        CommitmentState.MISSED,
        CommitmentState.RENEGOTIATED,
    }
)

# How a state reads to the client. "At risk" is the team's own assessment, set by hand:
# the client reads the risk from the range, once the team has told them of it.
STATE_WORDS: Mapping[CommitmentState, str] = {
    CommitmentState.COMMITTED: "promised",
    CommitmentState.AT_RISK: "promised",
    CommitmentState.MET: "met",
    CommitmentState.MISSED: "missed",
    CommitmentState.RENEGOTIATED: "renegotiated",
}

CURRENT = "current forecast"
LAST_SHARED = "as last shared"


@dataclass(frozen=True)
class PortalRange:
    """When a promise is forecast to be done: 50 % likely by ``p50``, 85 % by ``p85``."""

    p50: date
    p85: date


@dataclass(frozen=True)
class PortalCommitment:
    """A promise as the client sees it: the date and confidence promised, and the range.

    ``forecast`` is None when the promise has ended, or when there is no range to show
    (no forecast can be made, or none was shared while the team has news to tell).
    ``basis`` is :data:`CURRENT` or :data:`LAST_SHARED`; ``as_of`` the day of that range.
    """

    id: str
    title: str
    due: date
    confidence: float
    state: str
    is_open: bool
    scope: tuple[str, ...]  # the phases promised, by name; empty: the whole project
    forecast: PortalRange | None
    basis: str | None
    as_of: date | None

    @property
    def forecast_as_of_label(self) -> str:
        """Which range this is, worded: ``current forecast, Mon 23 Nov 2026``."""
        if not self.is_open:
            return f"this promise is {self.state}"
        if self.forecast is None or self.as_of is None:
            return "no forecast to share yet"
        if self.basis == LAST_SHARED:
            return f"as last shared, forecast on {day(self.as_of)}"
        return f"current forecast, {day(self.as_of)}"


@dataclass(frozen=True)
class PortalPhase:
    """A phase of the plan, in order, with how many of its items are done."""

    name: str
    done: int
    total: int


@dataclass(frozen=True)
class PortalMessage:
    """A message the team sent the client."""

    subject: str
    body: str  # Markdown, as sent
    sent_at: datetime


@dataclass(frozen=True)
class PortalStep:
    """A recovery step the team took on, due by a time."""

    action: str
    due: datetime
    status: StepStatus
    done_at: datetime | None


@dataclass(frozen=True)
class PortalIncident:
    """Something that went wrong, what it did, the team's own part in it, and the recovery."""

    title: str
    occurred_at: datetime
    impact: str
    own_factors: tuple[str, ...]
    steps: tuple[PortalStep, ...]


@dataclass(frozen=True)
class PortalProjectSummary:
    """One of the organisation's projects, for the portal's list."""

    id: str
    name: str
    start: date
    done: int
    total: int
    commitments: list[PortalCommitment]


@dataclass(frozen=True)
class PortalHome:
    """The portal's first page: the organisation's name and its projects."""

    client: str
    projects: list[PortalProjectSummary]


@dataclass(frozen=True)
class PortalProjectView:
    """One of the organisation's projects, as the client may see it."""

    id: str
    name: str
    client: str
    start: date
    commitments: list[PortalCommitment]
    phases: list[PortalPhase]
    messages: list[PortalMessage]
    incidents: list[PortalIncident]


@requires(Action.VIEW_PORTAL)
def portal_projects(uow: UnitOfWorkFactory, *, actor: Actor, now: datetime) -> PortalHome:
    """The actor's organisation and its projects, each with its promises."""
    portfolio, cached = current_state(uow, watch_options(now), now=now)
    with uow() as work:
        signals = work.signals.all()
    projects = _own_projects(portfolio, actor)
    return PortalHome(
        client=_client_name(portfolio, actor),
        projects=[
            PortalProjectSummary(
                id=p.id,
                name=p.name,
                start=p.start,
                done=sum(1 for i in p.items if i.status is ItemStatus.DONE),
                total=len(p.items),
                commitments=_commitments(portfolio, p, cached, signals),
            )
            for p in projects.values()
        ],
    )


@requires(Action.VIEW_PORTAL)
def portal_project(
    uow: UnitOfWorkFactory, project_id: str, *, actor: Actor, now: datetime
) -> PortalProjectView:
    """One project of the actor's organisation; any other id, whoever's, is not found."""
    portfolio, cached = current_state(uow, watch_options(now), now=now)
    project = _own_projects(portfolio, actor).get(project_id)
    if project is None:
        # The same answer for another organisation's project and for no project at all.
        raise NotFound(f"no project with id {project_id!r}")
    with uow() as work:
        signals = work.signals.all()
        # Only what was addressed to this organisation: a project that changed clients keeps
        # its earlier client's messages and incidents from the new one.
        messages = [
            m
            for m in work.communications.all()
            if m.project == project.id and addressed_to(m, project.client)
        ]
        incidents = [
            i
            for i in work.incidents.all()
            if i.project == project.id and addressed_to(i, project.client)
        ]
    return PortalProjectView(
        id=project.id,
        name=project.name,
        client=_client_name(portfolio, actor),
        start=project.start,
        commitments=_commitments(portfolio, project, cached, signals),
        phases=_phases(project),
        messages=_sent(messages),
        incidents=_incidents(incidents),
    )


def _own_projects(portfolio: Portfolio, actor: Actor) -> dict[str, Project]:
    """The projects of the actor's organisation, in portfolio order; nothing for staff."""
    return {p.id: p for p in portfolio.projects if p.client == actor.organisation}


def _client_name(portfolio: Portfolio, actor: Actor) -> str:
    names = {c.id: c.name for c in portfolio.clients}
    organisation = actor.organisation or ""
    return names.get(organisation, organisation)


def _commitments(
    portfolio: Portfolio,
    project: Project,
    cached: Mapping[str, CachedOdds],
    signals: Iterable[Signal],
) -> list[PortalCommitment]:
    # Any untold signal on the project holds back every current range of it: a slip of one
    # promise usually moves the others, and the team tells the client first.
    untold = any(s.project == project.id and s.disclosed_at is None for s in signals)
    phase_names = {p.id: p.name for p in project.phases}
    return [
        _commitment(c, phase_names, cached.get(c.id), untold=untold)
        for c in sorted(portfolio.commitments, key=lambda c: (c.due, c.id))
        if c.project == project.id and c.state in SHOWN_STATES
    ]


def _commitment(
    commitment: Commitment,
    phase_names: Mapping[str, str],
    odds: CachedOdds | None,
    *,
    untold: bool,
) -> PortalCommitment:
    forecast: PortalRange | None = None
    basis: str | None = None
    as_of: date | None = None
    if commitment.is_open and untold:
        if commitment.baseline is not None:
            baseline = commitment.baseline
            forecast, basis, as_of = (
                PortalRange(baseline.p50, baseline.p85),
                LAST_SHARED,
                baseline.forecast_on,
            )
    elif commitment.is_open and odds is not None and odds.p50 and odds.p85:
        forecast, basis, as_of = PortalRange(odds.p50, odds.p85), CURRENT, odds.computed_at.date()
    return PortalCommitment(
        id=commitment.id,
        title=commitment.title,
        due=commitment.due,
        confidence=commitment.confidence,
        state=STATE_WORDS[commitment.state],
        is_open=commitment.is_open,
        scope=tuple(phase_names.get(p, p) for p in commitment.phases),
        forecast=forecast,
        basis=basis,
        as_of=as_of,
    )


def _phases(project: Project) -> list[PortalPhase]:
    phases: list[PortalPhase] = []
    for phase in (*project.phases, None):
        items = [i for i in project.items if i.phase == (phase.id if phase else None)]
        if phase is None and not items:
            continue
        done = sum(1 for i in items if i.status is ItemStatus.DONE)
        phases.append(PortalPhase(phase.name if phase else "Other work", done, len(items)))
    return phases


def _sent(messages: Iterable[Communication]) -> list[PortalMessage]:
    """The messages sent, newest first; drafts are the team's and never shown."""
    return sorted(
        (PortalMessage(m.subject, m.body, m.sent_at) for m in messages if m.sent_at is not None),
        key=lambda m: m.sent_at,
        reverse=True,
    )


def _incidents(incidents: Iterable[Incident]) -> list[PortalIncident]:
    """Incidents newest first, each with its steps by due time."""
    return [
        PortalIncident(
            title=i.title,
            occurred_at=i.occurred_at,
            impact=i.impact,
            own_factors=i.own_factors,
            steps=tuple(
                PortalStep(s.action, s.due, s.status, s.done_at)
                for s in sorted(i.steps, key=lambda s: s.due)
            ),
        )
        for i in sorted(incidents, key=lambda i: i.occurred_at, reverse=True)
    ]
