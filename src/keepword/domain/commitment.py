"""Commitments: what was promised to a client, by when, and at what confidence."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date

from keepword.domain.errors import InvalidTransition, InvalidValue


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


@dataclass(frozen=True)
class Commitment:
    """A promise: this scope (phases of a project, or all of it) by this date.

    ``confidence`` is the probability of meeting ``due`` that the team wants before
    promising; ``made_by`` promised it to ``made_to`` on ``made_on``.
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

    def __post_init__(self) -> None:
        if not 0 < self.confidence < 1:
            raise InvalidValue(
                f"confidence must be between 0 and 1 (exclusive), not {self.confidence}",
                "confidence",
            )
        if self.made_on is not None and self.due < self.made_on:
            raise InvalidValue(f"due ({self.due}) is before made_on ({self.made_on})", "due")

    @property
    def whole_project(self) -> bool:
        return not self.phases

    @property
    def is_open(self) -> bool:
        return bool(ALLOWED_TRANSITIONS[self.state])

    def moved_to(self, state: CommitmentState) -> Commitment:
        """This commitment in ``state``; raises :class:`InvalidTransition` if not allowed."""
        if state not in ALLOWED_TRANSITIONS[self.state]:
            allowed = ", ".join(sorted(s.value for s in ALLOWED_TRANSITIONS[self.state])) or "none"
            raise InvalidTransition(
                f"commitment {self.id} cannot go from {self.state.value} to {state.value} "
                f"(allowed: {allowed})"
            )
        return replace(self, state=state)
