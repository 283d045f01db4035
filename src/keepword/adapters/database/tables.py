"""The tables, mapped by hand to and from the domain in ``repository.py``.

Every list that has an order (projects, phases, items in priority order) keeps it in a
``position`` column, so that what goes in comes out the same.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(80)

skills = Table(
    "skills",
    metadata,
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
)

clients = Table(
    "clients",
    metadata,
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("contact", Text),
    Column("time_zone", String(64), nullable=False, server_default="UTC"),
    Column("first_contact_weekends", Boolean, nullable=False, server_default=true()),
)

people = Table(
    "people",
    metadata,
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("email", Text),
    Column("country", String(3)),
    Column("subdivision", Text),
    Column("working_days", String(20), nullable=False),  # weekday numbers, "0,1,2,3,4"
)

person_skills = Table(
    "person_skills",
    metadata,
    Column("person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ID, ForeignKey("skills.id"), primary_key=True),
    Column("position", Integer, nullable=False),
)

time_off = Table(
    "time_off",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("reason", Text, nullable=False),
)

projects = Table(
    "projects",
    metadata,
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("client_id", ID, ForeignKey("clients.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("start", Date, nullable=False),
    Column("lead_id", ID, ForeignKey("people.id")),
    Column("disclosure_target", Integer),
)

project_dependencies = Table(
    "project_dependencies",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("unstable", Boolean, nullable=False),
    Column("note", Text, nullable=False),
)

phases = Table(
    "phases",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
)

work_items = Table(
    "work_items",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("phase_id", ID),
    Column("skill_id", ID, ForeignKey("skills.id")),
    Column("optimistic", Float),
    Column("likely", Float),
    Column("pessimistic", Float),
    Column("status", String(20), nullable=False),
    Column("started", Date),
    Column("done", Date),
    Column("added", Date),
    ForeignKeyConstraint(
        ["project_id", "phase_id"], ["phases.project_id", "phases.id"], name="fk_work_items_phase"
    ),
)

item_dependencies = Table(
    "item_dependencies",
    metadata,
    Column("project_id", ID, primary_key=True),
    Column("item_id", ID, primary_key=True),
    Column("depends_on", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    ForeignKeyConstraint(
        ["project_id", "item_id"],
        ["work_items.project_id", "work_items.id"],
        name="fk_item_dependencies_item",
        ondelete="CASCADE",
    ),
    ForeignKeyConstraint(
        ["project_id", "depends_on"],
        ["work_items.project_id", "work_items.id"],
        name="fk_item_dependencies_depends_on",
        ondelete="CASCADE",
    ),
)

completed_items = Table(
    "completed_items",
    metadata,
    Column("project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True),
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("done", Date, nullable=False),
    Column("started", Date),
    Column("kind", Text),
    Column("estimate", Float),
    Column("actual", Float),
)

allocations = Table(
    "allocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("position", Integer, nullable=False),
    Column(
        "person_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column(
        "project_id", ID, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("fraction", Float, nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("over_allocation", Boolean, nullable=False),
)

commitments = Table(
    "commitments",
    metadata,
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("project_id", ID, ForeignKey("projects.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("state", String(20), nullable=False),
    Column("made_by", Text),
    Column("made_to", Text),
    Column("made_on", Date),
    Column("fixed_date", Boolean, nullable=False, server_default=false()),
    Column("approved_by", Text),  # the executive who approved a risky proposal
    # The forecast the promise was made on: a small document, read and written whole.
    Column("baseline", JSON),
)

commitment_phases = Table(
    "commitment_phases",
    metadata,
    Column("commitment_id", ID, ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True),
    Column("phase_id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", ID, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    # A scenario is a document of changes, read and written whole.
    Column("changes", JSON, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", Text, nullable=False),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
)

# Which projects each event is about (domain.events.projects_of), so that a project's
# history is read by index rather than by scanning every event.
event_projects = Table(
    "event_projects",
    metadata,
    Column("event_id", Integer, ForeignKey("events.id"), primary_key=True),
    Column("project", ID, primary_key=True),
    Index("ix_event_projects_project_event", "project", "event_id"),
)

# --- records: what happened around the plan. No foreign keys into the portfolio tables,
# which a load replaces whole; a signal outlives the commitment row it was raised on.

signals = Table(
    "signals",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("commitment_id", ID, nullable=False, index=True),
    Column("project_id", ID, nullable=False, index=True),
    Column("detected_at", DateTime(timezone=True), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("summary", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("owner", Text),
    Column("disclosed_at", DateTime(timezone=True)),
    Column("communication_id", ID),
    Column("escalated_at", DateTime(timezone=True)),
    Column("key", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True)),
)

communications = Table(
    "communications",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, nullable=False, index=True),
    Column("commitment_id", ID),
    Column("kind", String(40), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("recipient", Text),
    Column("author", Text),
    Column("answers", JSON, nullable=False),  # signal ids
    Column("incident_id", ID),
    Column("sent_at", DateTime(timezone=True)),
    Column("client_id", ID),  # the organisation it is addressed to, fixed at drafting
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("project_id", ID, nullable=False, index=True),
    Column("commitment_id", ID),
    Column("title", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True)),
    Column("impact", Text, nullable=False),
    Column("own_factors", JSON, nullable=False),
    Column("steps", JSON, nullable=False),  # [{action, due, status, done_at}]
    Column("client_id", ID),  # whose project it happened on, fixed when recorded
)

# The forecast cache: each commitment's latest odds, valid while its project's inputs hash to
# ``inputs_key``; the health kept here is what the next change is compared with.
commitment_forecasts = Table(
    "commitment_forecasts",
    metadata,
    Column("commitment_id", ID, primary_key=True),
    Column("project_id", ID, nullable=False, index=True),
    Column("inputs_key", String(64), nullable=False),
    Column("on_time", Float),
    Column("p50", Date),
    Column("p85", Date),
    Column("at_confidence", Date),
    Column("health", String(20)),
    Column("problem", Text),
    Column("computed_at", DateTime(timezone=True), nullable=False),
)

# --- accounts: who may log in, their sessions and tokens, and the security audit trail ---
# Secrets are never stored: sessions and tokens by their SHA-256, passwords by Argon2id.

users = Table(
    "users",
    metadata,
    Column("name", ID, primary_key=True),
    Column("role", String(20), nullable=False),
    Column("organisation", ID),  # a client user's client id
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", ID, ForeignKey("users.name"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
)

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("user_name", ID, ForeignKey("users.name"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Failed logins, counted per account and per address over the rate-limit window.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_login_failures_account_at", "account", "at"),
    Index("ix_login_failures_address_at", "address", "at"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", Text, nullable=False),
    Column("organisation", ID),
    Column("kind", String(40), nullable=False),
    Column("address", Text),
    Column("detail", JSON, nullable=False),
)

RECORD_TABLES = (signals, communications, incidents, commitment_forecasts)

# Child tables first: the order in which a whole portfolio is deleted.
PORTFOLIO_TABLES = (
    scenarios,
    commitment_phases,
    commitments,
    allocations,
    completed_items,
    item_dependencies,
    work_items,
    phases,
    project_dependencies,
    projects,
    time_off,
    person_skills,
    people,
    clients,
    skills,
)
