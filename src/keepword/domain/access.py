"""Who may do what: the roles, the actions, and the one policy table that joins them.

Services call :func:`authorize` (or are wrapped in :func:`requires`) with the acting
:class:`Actor`, so the CLI, the pages and the API obey the same rule; the web layer also
checks each route's action before it reads anything, so that a refused request is refused
the same way whatever ids it names.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from keepword.domain.errors import KeepwordError


class Role(enum.StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    DELIVERY_LEAD = "delivery-lead"
    ENGINEER = "engineer"
    EXECUTIVE = "executive"
    CLIENT = "client"  # external: the portal of their own organisation, nothing else

    @property
    def label(self) -> str:
        return "sales lead" if self is Role.SALES else self.value.replace("-", " ")

    @property
    def with_article(self) -> str:
        """The role as a sentence names one of its users: "an admin", "a sales lead"."""
        return f"{'an' if self.label[0] in 'aeiou' else 'a'} {self.label}"


class Action(enum.StrEnum):
    VIEW_PORTFOLIO = "view the portfolio"
    VIEW_SIGNALS = "view signals and messages"
    VIEW_INCIDENTS = "view incidents"
    CHECK_GATE = "check a commitment at the gate"
    PROPOSE = "record a proposal"
    COMMIT = "commit a proposal"
    APPROVE_RISK = "commit a promise at odds below the approval threshold"
    CLOSE_COMMITMENT = "close a commitment"
    EDIT_PLAN = "edit the plan"
    UPDATE_WORK = "update work items and time off"
    BOOK_OWN_TIME_OFF = "book their own time off"
    TRY_WHATIF = "try a what-if"
    APPLY_SCENARIO = "apply a scenario"
    REVIEW_SIGNALS = "review signals"
    DRAFT_MESSAGES = "draft messages"
    SEND_MESSAGES = "send messages"
    RECORD_INCIDENTS = "record incidents"
    LOAD_PORTFOLIO = "load a portfolio"
    MANAGE_USERS = "manage users"
    VIEW_PORTAL = "view their organisation's portal"
    MANAGE_OWN_ACCOUNT = "manage their own account"


_STAFF = frozenset(Role) - {Role.CLIENT}
_ADMIN, _SALES, _LEAD = Role.ADMIN, Role.SALES, Role.DELIVERY_LEAD
_ENGINEER, _EXECUTIVE = Role.ENGINEER, Role.EXECUTIVE

# The policy: the roles that may do each action (SPEC §1). Nothing else grants a right.
POLICY: Mapping[Action, frozenset[Role]] = {
    Action.VIEW_PORTFOLIO: _STAFF,
    Action.VIEW_SIGNALS: frozenset({_ADMIN, _SALES, _LEAD, _EXECUTIVE}),
    Action.VIEW_INCIDENTS: _STAFF,
    Action.CHECK_GATE: frozenset({_ADMIN, _SALES, _LEAD, _EXECUTIVE}),
    Action.PROPOSE: frozenset({_ADMIN, _SALES, _LEAD}),
    Action.COMMIT: frozenset({_ADMIN, _SALES, _LEAD}),
    Action.APPROVE_RISK: frozenset({_ADMIN, _EXECUTIVE}),
    Action.CLOSE_COMMITMENT: frozenset({_ADMIN, _LEAD}),
    Action.EDIT_PLAN: frozenset({_ADMIN, _LEAD}),
    Action.UPDATE_WORK: frozenset({_ADMIN, _LEAD, _ENGINEER}),
    Action.BOOK_OWN_TIME_OFF: _STAFF,
    Action.TRY_WHATIF: frozenset({_ADMIN, _LEAD, _EXECUTIVE}),
    Action.APPLY_SCENARIO: frozenset({_ADMIN, _LEAD}),
    Action.REVIEW_SIGNALS: frozenset({_ADMIN, _LEAD}),
    Action.DRAFT_MESSAGES: frozenset({_ADMIN, _SALES, _LEAD}),
    Action.SEND_MESSAGES: frozenset({_ADMIN, _LEAD}),
    Action.RECORD_INCIDENTS: frozenset({_ADMIN, _LEAD}),
    Action.LOAD_PORTFOLIO: frozenset({_ADMIN}),
    Action.MANAGE_USERS: frozenset({_ADMIN}),
    Action.VIEW_PORTAL: frozenset({Role.CLIENT}),
    Action.MANAGE_OWN_ACCOUNT: frozenset(Role),
}


PORTAL_PATH = "/portal"
PORTFOLIO_PATH = "/"


def home_of(role: Role) -> str:
    """Where a user of ``role`` starts: a client user on their portal, staff on the portfolio."""
    return PORTAL_PATH if role is Role.CLIENT else PORTFOLIO_PATH


def landing_of(role: Role, asked: str | None) -> str:
    """Where a user of ``role`` lands after logging in: the page of this site they asked
    for (None: none, their home); a client user opens nothing but the portal, so lands
    there whatever they asked for."""
    target = asked or home_of(role)
    if role is Role.CLIENT and not target.startswith(PORTAL_PATH):
        return PORTAL_PATH
    return target


# Reading some kinds of record takes more than viewing the portfolio. The kinds are the
# event history's entities, so every feed of records or events filters by the same rule.
READ_ACTION: Mapping[str, Action] = {
    "signal": Action.VIEW_SIGNALS,
    "communication": Action.VIEW_SIGNALS,
    "incident": Action.VIEW_INCIDENTS,
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user's name and role; a client user's ``organisation`` is their
    client's id (internal roles have none)."""

    name: str
    role: Role
    organisation: str | None = None

    def __post_init__(self) -> None:
        if (self.role is Role.CLIENT) != (self.organisation is not None):
            raise ValueError("a client user has an organisation, and only a client user")

    def may(self, action: Action) -> bool:
        return self.role in POLICY[action]

    def may_read(self, entity: str) -> bool:
        """Whether this actor may read records of kind ``entity`` (an event's entity)."""
        return self.may(READ_ACTION.get(entity, Action.VIEW_PORTFOLIO))

    @property
    def unreadable(self) -> frozenset[str]:
        """The kinds of record this actor may not read, of those :data:`READ_ACTION` guards."""
        return frozenset(entity for entity in READ_ACTION if not self.may_read(entity))


class Forbidden(KeepwordError):
    """The actor's role may not do the action."""

    def __init__(self, actor: Actor, action: Action) -> None:
        article = "an" if actor.role.label[:1] in ("a", "e", "i", "o", "u") else "a"
        super().__init__(f"{article} {actor.role.label} may not {action.value}")
        self.actor = actor
        self.action = action


def authorize(actor: Actor, action: Action) -> None:
    """Raise :class:`Forbidden` unless the policy lets ``actor``'s role do ``action``."""
    if not actor.may(action):
        raise Forbidden(actor, action)


_P = ParamSpec("_P")
_R = TypeVar("_R")

# Every service entry point wrapped by :func:`requires`, with its action (for the tests).
GUARDED: dict[Callable[..., Any], Action] = {}


def requires(action: Action) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Wrap a service whose keyword argument ``actor`` must be allowed to do ``action``."""

    def wrap(service: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(service)
        def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            actor = kwargs.get("actor")
            if not isinstance(actor, Actor):
                raise TypeError(f"{service.__qualname__} needs actor=Actor(...)")
            authorize(actor, action)
            return service(*args, **kwargs)

        GUARDED[guarded] = action
        return guarded

    return wrap
