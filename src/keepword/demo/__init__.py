"""The demo portfolio (demo.yaml): the six stories of the product specification."""

from datetime import UTC, datetime

DEMO_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the Monday the demo's stories are told on
