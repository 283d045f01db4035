"""Who is at fault in a message to the client, and the team's own part in its own words.

Moving the team's people, its estimate, scope it let grow, a stall, warning signs it did not
raise and any incident are the team's; only scope the client asked for is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from keepword.domain.communications import CommunicationKind, Incident
from keepword.domain.signals import Signal, SignalKind
from keepword.domain.wording import and_list

CLIENT_REQUESTED = "client"  # evidence["requested_by"] of scope the client asked for

# A forecast that fell is what a move or new scope did: told after its cause, owned by it.
CONSEQUENCES = frozenset({SignalKind.BELOW_TARGET, SignalKind.HEALTH_WORSENED})

# Risks that come from the team's own decisions or its own estimate and scope control.
OWN_FACTORS: dict[SignalKind, str] = {
    SignalKind.BELOW_TARGET: "Our estimate did not hold: the work is taking longer than we "
    "planned when we gave you the date.",
    SignalKind.HEALTH_WORSENED: "We saw the plan getting worse and should have told you sooner.",
    SignalKind.CAPACITY_REMOVED: "We took people off your project for other work of ours. "
    "That was our decision, and the delay is ours.",
    SignalKind.SCOPE_GREW: "We let the scope grow without re-planning the date with you.",
    SignalKind.WARNING_SIGNS: "We should have raised the risk earlier: a fixed date, growing "
    "scope and a dependency that was not stable.",
    SignalKind.NO_PROGRESS: "Work on your project stalled and we did not tell you at once.",
}
UNFORESEEN = "We did not see this coming early enough."


@dataclass(frozen=True)
class TeamPart:
    """Whether the team apologises, and its own contributing factors, one line a cause."""

    at_fault: bool
    own_factors: tuple[str, ...]


def asked_for_by_client(signal: Signal) -> bool:
    """Whether ``signal`` is scope the client asked for: the one risk that is not the team's."""
    return (
        signal.kind is SignalKind.SCOPE_GREW
        and signal.evidence.get("requested_by") == CLIENT_REQUESTED
    )


def causes_first(signals: Iterable[Signal]) -> list[Signal]:
    """``signals`` with their causes before the forecasts that fell because of them."""
    return sorted(signals, key=lambda s: s.kind in CONSEQUENCES)


def team_part(
    kind: CommunicationKind,
    signals: Sequence[Signal],
    incident: Incident | None,
    moved: Mapping[str, Sequence[str]],
) -> TeamPart:
    """The team's part in a ``kind`` message answering ``signals`` (and ``incident``).

    ``moved`` names, by signal id, the people a signal took off the project. An incident's
    own factors come first, as written; a delay with nothing to answer is the team's estimate.
    """
    ordered = causes_first(signals)
    caused = any(s.kind not in CONSEQUENCES for s in ordered)
    own = [*incident.own_factors] if incident else []
    at_fault = incident is not None
    for signal in ordered:
        if asked_for_by_client(signal):
            continue
        at_fault = True
        if caused and signal.kind in CONSEQUENCES:
            continue  # the cause's own factor says it
        factor = own_factor(signal, moved.get(signal.id, ()))
        if factor not in own:
            own.append(factor)
    if not ordered and incident is None and kind is CommunicationKind.DELAY:
        # A slip nobody else caused is the team's own estimate.
        at_fault = True
        own.append(OWN_FACTORS[SignalKind.BELOW_TARGET])
    return TeamPart(at_fault, tuple(own))


def own_factor(signal: Signal, moved: Sequence[str]) -> str:
    """The team's part in ``signal``, naming the people it moved (``moved``) when there are."""
    if signal.kind is SignalKind.CAPACITY_REMOVED and moved:
        return (
            f"We took {and_list(moved)} off your project for other work of ours. That was our "
            "decision, and the delay is ours."
        )
    return OWN_FACTORS.get(signal.kind, UNFORESEEN)
