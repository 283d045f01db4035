"""The demo portfolio (demo.yaml): the six stories of the product specification."""

from datetime import UTC, datetime

from keepword.domain.access import Role

DEMO_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the Monday the demo's stories are told on

# Who can log in to the demo: one of each role, and a client user for two of its clients.
DEMO_USERS: tuple[tuple[str, Role, str | None], ...] = (
    ("admin", Role.ADMIN, None),
    ("beth", Role.DELIVERY_LEAD, None),
    ("sam", Role.SALES, None),
    ("lucia", Role.ENGINEER, None),
    ("eve", Role.EXECUTIVE, None),
    ("marcus", Role.CLIENT, "pitchwell"),
    ("priya", Role.CLIENT, "calder-wye"),
)
