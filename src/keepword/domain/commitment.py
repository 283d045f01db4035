"""Commitments: what was promised to a client, by when, and at what confidence."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date

from keepword.domain.errors import InvalidTransition, InvalidValue
from keepword.domain.project import Project, WorkItem
from keepword.domain.text import TEXT_MAX, check_text
from keepword.domain.wording import percent


class CommitmentState(enum.StrEnum):
    PROPOSED = "proposed"
    COMMITTED = "committed"
    AT_RISK = "at_risk"
    MET = "met"
    MISSED = "missed"
    RENEGOTIATED = "renegotiated"
    WITHDRAWN = "withdrawn"


# proposed → committed → (at risk) → met / missed / renegotiated; a proposal may be withdrawn.
ALLOWED_TRANSITIONS: dict[CommitmentState, frozenset[CommitmentState]] = {
    CommitmentState.PROPOSED: frozenset({CommitmentState.COMMITTED, CommitmentState.WITHDRAWN}),
    CommitmentState.COMMITTED: frozenset(
        {
            CommitmentState.AT_RISK,
            CommitmentState.MET,
            CommitmentState.MISSED,
            CommitmentState.RENEGOTIATED,
        }
    ),
    CommitmentState.AT_RISK: frozenset(
        {
            CommitmentState.COMMITTED,
            CommitmentState.MET,
            CommitmentState.MISSED,
            CommitmentState.RENEGOTIATED,
        }
    ),
    CommitmentState.MET: frozenset(),
    CommitmentState.MISSED: frozenset(),
    CommitmentState.RENEGOTIATED: frozenset(),
    CommitmentState.WITHDRAWN: frozenset(),
}

DEFAULT_CONFIDENCE = 0.85
DEFAULT_HEALTH_FLOOR = 0.5


class Health(enum.StrEnum):
    """How a commitment stands against its own confidence target."""

    ON_TRACK = "on_track"  # P(on time) at or above the confidence target
    AT_RISK = "at_risk"  # below the target, at or above the floor
    OFF_TRACK = "off_track"  # below the floor

    @property
    def rank(self) -> int:
        """0 on track, 1 at risk, 2 off track: larger is worse."""
        return list(Health).index(self)


def health_of(on_time: float, target: float, floor: float = DEFAULT_HEALTH_FLOOR) -> Health:
    """On track when ``on_time`` ≥ ``target``, off track below ``floor``, else at risk."""
    if on_time >= target:
        return Health.ON_TRACK
    return Health.AT_RISK if on_time >= min(floor, target) else Health.OFF_TRACK


class UnacknowledgedRisk(InvalidValue):
    """A promise below its confidence target, committed without a reason."""


def acknowledgement(on_time: float, target: float, reason: str | None) -> str | None:
    """The reason to keep with a promise made at odds ``on_time`` against ``target``: one is
    needed below the target (:class:`UnacknowledgedRisk` without), none is kept at or above."""
    if on_time >= target:
        return None
    given = (reason or "").strip()
    if not given:
        raise UnacknowledgedRisk(
            f"the odds are {percent(on_time)} against a target of {percent(target)}: "
            "committing below the target needs a reason, recorded with the promise",
            "below_target",
        )
    return given


@dataclass(frozen=True)
class Baseline:
    """The forecast a commitment was made on, and the size of its scope then.

    ``effort`` is the scope's expected effort in person-days (sum of beta-PERT means; items
    without an estimate count as none), so that growth is measured in work, not only in items.
    ``below_target_reason`` acknowledges a promise made below its confidence target.
    """

    forecast_on: date
    on_time: float
    p50: date
    p85: date
    scope_items: int
    effort: float
    # Why the promise was made though its odds were below its confidence target: typed by
    # whoever committed it, and shown wherever the promise is.
    below_target_reason: str | None = None

    def __post_init__(self) -> None:
        if self.below_target_reason is not None:
            check_text(self.below_target_reason, "below_target_reason", TEXT_MAX)
        if not 0 <= self.on_time <= 1:
            raise InvalidValue(f"on_time must be between 0 and 1, not {self.on_time}", "on_time")
        if self.p85 < self.p50:
            raise InvalidValue(f"p85 ({self.p85}) is before p50 ({self.p50})", "p85")
        if self.effort < 0:
            raise InvalidValue(f"effort ({self.effort:g}) must be at least 0", "effort")


def check_confidence(value: float) -> float:
    """``value`` as a confidence target, or :class:`InvalidValue` on ``confidence``: the
    odds wanted before promising, strictly between 0 and 1 (0 or 1 would ask for certainty)."""
    if not 0 < value < 1:
        raise InvalidValue(
            f"confidence must be between 0 and 1 (exclusive), not {value:g}: write 0.85 for 85 %",
            "confidence",
        )
    return value


@dataclass(frozen=True)
class Commitment:
    """A promise: this scope (phases of a project, or all of it) by this date.

    ``confidence`` is the probability of meeting ``due`` that the team wants before
    promising; ``made_by`` promised it to ``made_to`` on ``made_on``. ``fixed_date`` marks
    a date that cannot move (a conference, a launch event); ``baseline`` is the forecast the
    promise was made on; ``approved_by`` the executive who approved it as a proposal.
    """

    id: str
    project: str
    title: str
    due: date
    phases: tuple[str, ...] = ()
    confidence: float = DEFAULT_CONFIDENCE
    state: CommitmentState = CommitmentState.PROPOSED
    made_by: str | None = None
    made_to: str | None = None
    made_on: date | None = None
    fixed_date: bool = False
    baseline: Baseline | None = None
    approved_by: str | None = None  # who approved it as a proposal, when its risk needed one

    def __post_init__(self) -> None:
        check_confidence(self.confidence)
        if self.made_on is not None and self.due < self.made_on:
            raise InvalidValue(f"due ({self.due}) is before made_on ({self.made_on})", "due")

    @property
    def whole_project(self) -> bool:
        return not self.phases

    def covers(self, item: WorkItem) -> bool:
        """Whether ``item`` is in the promised scope: the whole project, or its phases."""
        return self.whole_project or item.phase in self.phases

    def scope_of(self, project: Project) -> list[WorkItem]:
        """The items of ``project`` in the promised scope, in plan order."""
        return [i for i in project.items if self.covers(i)]

    @property
    def is_open(self) -> bool:
        return bool(ALLOWED_TRANSITIONS[self.state])

    def event_over(self, today: date) -> bool:
        """Tied to a date that cannot move (a keynote), and that date has passed: a date after
        it means nothing, so none is forecast for it."""
        return self.fixed_date and self.due < today

    def past_due(self, today: date) -> bool:
        """A promise still open after its date: it was not delivered in time, whatever a
        forecast says, until it is closed (met late, missed or renegotiated)."""
        return self.is_promised and self.due < today

    @property
    def is_promised(self) -> bool:
        """Committed (or at risk): a promise the client is holding the team to."""
        return self.state in (CommitmentState.COMMITTED, CommitmentState.AT_RISK)

    def moved_to(self, state: CommitmentState) -> Commitment:
        """This commitment in ``state``; raises :class:`InvalidTransition` if not allowed."""
        if state not in ALLOWED_TRANSITIONS[self.state]:
            allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[self.state])) or "none"
            raise InvalidTransition(
                f"commitment {self.id} cannot go from {self.state.value} to {state.value} "
                f"(allowed: {allowed})"
            )
        return replace(self, state=state)
