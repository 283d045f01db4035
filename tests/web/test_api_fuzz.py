"""Schemathesis against the API's own OpenAPI document, once per role.

Every operation of ``/api/v1/openapi.json`` is fuzzed with data that fits its schema and
data that does not, as one user of each role (a personal access token), each role on a
fresh copy of the demo database. Each response must be no server error (5xx) and must
match the document: a documented status, the documented content type, a body of the
documented schema (and documented headers). The requests sent are counted per role and the
count is asserted, so "N requests per role" is a figure measured, not hoped for.

The requests are generated once (Hypothesis, derandomized: the same requests on every run
of this file as it stands) and the same requests are sent as every role. Half the time a
path parameter names a real object of the demo (a project, its items, a commitment, a
signal, …) instead of a random string, so the fuzzing gets past the 404s into the routes'
own work. Failures are collected, not raised at the first, so that a run reports every
kind it met, each with a request that shows it.

The roles run in worker processes, one per core: nearly all the time is the app's own work,
which is CPU-bound, and a process has one interpreter lock.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from keepword.bootstrap import Keepword, open_keepword
from keepword.config import Settings
from keepword.demo import DEMO_NOW
from keepword.domain.access import Role
from keepword.services import accounts, incidents, messages, signals
from keepword.services import portfolio as portfolio_service
from keepword.web.api.schemas import MIN_TRIALS
from keepword.web.app import create_app
from tests.web.accounts import BY_ROLE, CLIENT_A, USERS
from tests.web.conftest import TEST_HOSTS

API = "/api/v1"
# One user per role; the client user is of calder-wye.
FUZZER: dict[Role, str] = dict(BY_ROLE) | {Role.CLIENT: CLIENT_A}
# The roles with the most rights make the most real work: started first, so that the
# workers finish about together.
LONGEST_FIRST = [
    Role.ADMIN,
    Role.DELIVERY_LEAD,
    Role.SALES,
    Role.EXECUTIVE,
    Role.ENGINEER,
    Role.CLIENT,
]
# Every run fuzzes every operation as every role; KEEPWORD_FUZZ_DEEP=1 sends about four
# times as many requests (the figures of a release), the suite's run about 1,500 a role.
DEEP = os.environ.get("KEEPWORD_FUZZ_DEEP") == "1"
REQUESTS_PER_ROLE = 5000 if DEEP else 1400  # at least this many requests per role, counted
# Examples asked of Hypothesis per operation and generation mode. An operation with little
# to vary (no parameters, no body) runs out of distinct cases sooner; the count is what
# was actually sent, asserted against REQUESTS_PER_ROLE.
EXAMPLES = (
    {GenerationMode.POSITIVE: 65, GenerationMode.NEGATIVE: 45}
    if DEEP
    else {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 14}
)
# Forecasts take `trials` up to 100,000 (query or body); a valid value above this is cut to
# it so the run stays quick. The bounds themselves are still fuzzed: a value out of range
# is sent as generated and must be a 422.
FUZZ_TRIALS = 200
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class Finding:
    """One kind of failure (an operation, a check, a status) and its first example."""

    operation: str
    title: str
    status: int | None
    example: str
    times: int = 1


@dataclass
class Run:
    """What one role's run sent and saw; sent back from its worker process."""

    role: Role
    caller: str
    corpus_seconds: float
    unfuzzed: list[str]
    seconds: float = 0.0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    by_operation: Counter[str] = field(default_factory=Counter)
    findings: dict[tuple[str, str, int | None], Finding] = field(default_factory=dict)

    def found(self, operation: str, title: str, status: int | None, example: str) -> None:
        key = (operation, title, status)
        if key in self.findings:
            self.findings[key].times += 1
        else:
            self.findings[key] = Finding(operation, title, status, example)

    def report(self) -> str:
        return "\n\n".join(
            f"{f.operation}: {f.title} [{f.status}] x{f.times}\n{f.example}"
            for f in self.findings.values()
        )


def _cap_trials(values: Any) -> Any:
    """A valid `trials` above FUZZ_TRIALS, cut to it; anything else as generated."""
    if isinstance(values, dict):
        trials = values.get("trials")
        if type(trials) is int and trials > FUZZ_TRIALS:
            return {**values, "trials": max(MIN_TRIALS, FUZZ_TRIALS)}
    return values


def _real_ids(keepword: Keepword) -> dict[frozenset[str], list[dict[str, Any]]]:
    """Path parameters naming real objects of the demo, by the set of parameter names."""
    stored = portfolio_service.current_portfolio(keepword.uow)
    stored_signals = signals.stored_signals(keepword.uow, DEMO_NOW, include_disclosed=True)
    stored_messages = messages.list_messages(keepword.uow)
    views = incidents.incident_views(keepword.uow, DEMO_NOW)
    projects = [p.id for p in stored.projects]
    hints: dict[frozenset[str], list[dict[str, Any]]] = {
        frozenset({"project_id"}): [{"project_id": p} for p in projects],
        frozenset({"project_id", "item_id"}): [
            {"project_id": p.id, "item_id": i.id} for p in stored.projects for i in p.items
        ],
        frozenset({"project_id", "phase_id"}): [
            {"project_id": p.id, "phase_id": ph.id} for p in stored.projects for ph in p.phases
        ],
        frozenset({"person", "project", "start"}): [
            {"person": a.person, "project": a.project, "start": a.start.isoformat()}
            for a in stored.allocations
        ],
        frozenset({"client_id"}): [{"client_id": c.id} for c in stored.clients],
        frozenset({"person_id"}): [{"person_id": p.id} for p in stored.people],
        frozenset({"commitment_id"}): [{"commitment_id": c.id} for c in stored.commitments],
        frozenset({"scenario_id"}): [{"scenario_id": s.id} for s in stored.scenarios],
        frozenset({"signal_id"}): [{"signal_id": v.signal.id} for v in stored_signals],
        frozenset({"message_id"}): [{"message_id": m.id} for m in stored_messages],
        frozenset({"incident_id"}): [{"incident_id": v.incident.id} for v in views],
        frozenset({"incident_id", "number"}): [
            {"incident_id": v.incident.id, "number": n}
            for v in views
            for n in range(1, len(v.incident.steps) + 2)
        ],
        # Not a fuzzing user: disabling them would end the run's token.
        frozenset({"name"}): [{"name": n} for n in USERS if n not in FUZZER.values()],
    }
    return {names: values for names, values in hints.items() if values}


def _schema(app: Any, hints: dict[frozenset[str], list[dict[str, Any]]]) -> Any:
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", app)

    @schema.hook
    def map_query(context: Any, query: Any) -> Any:
        return _cap_trials(query)

    @schema.hook
    def map_body(context: Any, body: Any) -> Any:
        return _cap_trials(body)

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
        real = hints.get(frozenset(path_parameters)) if isinstance(path_parameters, dict) else None
        if not real:
            return st.just(path_parameters)
        return st.one_of(st.just(path_parameters), st.sampled_from(real))

    return schema


def _fuzz(operation: Any, mode: GenerationMode, send: Callable[[Case[Any]], None]) -> bool:
    """Hand each case of ``mode`` to ``send``; False if there is none (nothing to negate).

    Derandomized, Hypothesis seeds itself from this inner function's source and signature:
    the same cases every run until they change."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,  # the same cases on every run
        database=None,
        deadline=None,
        phases=[Phase.generate],  # failures are collected, not raised: nothing to shrink
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Case[Any]) -> None:
        send(case)

    try:
        fuzz()
    except Unsatisfiable:  # negative data of an operation without parameters or a body
        return False
    return True


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        yield result.ok()


def _plain_string(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    return schema.get("type") == "string" and set(schema) <= {"type", "title", "description"}


def _modes(operation: Any) -> list[GenerationMode]:
    """Negative data only where there is something to negate: a body, or a parameter with a
    type or bounds (a plain string path parameter accepts any string)."""
    raw = operation.definition.raw
    parameters = raw.get("parameters", [])
    if "requestBody" in raw or not all(_plain_string(p) for p in parameters):
        return list(GenerationMode)
    return [GenerationMode.POSITIVE]


@dataclass(frozen=True)
class Corpus:
    """The generated requests: the same for every role, generated once per process."""

    cases: list[Case[Any]]
    unfuzzed: list[str]  # an operation and mode that yielded no case
    seconds: float


_CORPUS: dict[Path, Corpus] = {}


def _settings(path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{path}", actor="fuzz", fixed_now=DEMO_NOW, allowed_hosts=TEST_HOSTS
    )


def _corpus(database: Path, workdir: Path) -> Corpus:
    if database not in _CORPUS:
        path = workdir / f"corpus-{os.getpid()}.db"
        shutil.copy(database, path)
        keepword = open_keepword(_settings(path))
        try:
            schema = _schema(create_app(keepword), _real_ids(keepword))
            started = time.perf_counter()
            cases: list[Case[Any]] = []
            unfuzzed = [
                f"{operation.label} ({mode.value})"
                for operation in _operations(schema)
                for mode in _modes(operation)
                if not _fuzz(operation, mode, cases.append)
            ]
            _CORPUS[database] = Corpus(cases, unfuzzed, time.perf_counter() - started)
        finally:
            keepword.close()
    return _CORPUS[database]


def fuzz_role(role: Role, database: Path, workdir: Path) -> Run:
    """Send the corpus as the role's user (a token), on a fresh copy of the demo."""
    corpus = _corpus(database, workdir)
    path = workdir / f"{role.value}.db"
    shutil.copy(database, path)
    keepword = open_keepword(_settings(path))
    try:
        return _send(corpus, keepword, role)
    finally:
        keepword.close()


def _send(corpus: Corpus, keepword: Keepword, role: Role) -> Run:
    caller = FUZZER[role]
    with keepword.uow() as work:
        user = work.users.get(caller)
    if user is None or user.role is not role:
        raise LookupError(f"no {role.value} user {caller!r} in the demo database")
    _, secret = accounts.create_token(keepword.uow, "fuzz", actor=user.actor, now=DEMO_NOW)
    auth = {"Authorization": f"Bearer {secret}"}
    app = create_app(keepword)
    run = Run(role, caller, corpus.seconds, corpus.unfuzzed)
    started = time.perf_counter()
    for case in corpus.cases:
        label = case.operation.label
        run.requests += 1
        run.by_operation[label] += 1
        try:
            response = case.call(app=app, headers=auth)
        except Exception as error:  # the app raised: Starlette re-raises after its 500
            run.statuses[500] += 1
            run.found(label, f"raised {type(error).__name__}: {error}", 500, case.as_curl_command())
            continue
        run.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=auth)
        except FailureGroup as group:
            for failure in group.exceptions:
                run.found(label, failure.title, response.status_code, str(group))
    run.seconds = time.perf_counter() - started
    return run


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest,
    demo_database: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[Role, Future[Run]]]:
    """The runs of the roles selected (``-k``), started at once, in as many worker processes
    as there are cores."""
    selected = {
        item.callspec.params["role"]
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.module is request.module
        and item.originalname == "test_api_fuzz"
    }
    roles = [role for role in LONGEST_FIRST if role in selected]
    workdir = tmp_path_factory.mktemp("fuzz")
    context = multiprocessing.get_context("spawn")  # a clean interpreter: no threads forked
    workers = max(1, min(len(roles), _cores()))
    pool = ProcessPoolExecutor(workers, mp_context=context)
    try:
        yield {role: pool.submit(fuzz_role, role, demo_database, workdir) for role in roles}
    finally:
        pool.shutdown(cancel_futures=True)  # a run cut short: the roles not started, dropped


@pytest.mark.parametrize("role", list(Role))
def test_api_fuzz(role: Role, runs: dict[Role, Future[Run]]) -> None:
    run = runs[role].result()
    statuses = dict(sorted(run.statuses.items()))
    # Printed, not recorded as junit properties: CI's junit (xunit2) has no room for them.
    print(
        f"\nAPI fuzz as {role.value} ({run.caller}): {run.requests} requests over "
        f"{len(run.by_operation)} operations in {run.seconds:.0f} s (generated in "
        f"{run.corpus_seconds:.0f} s); statuses {statuses}"
    )
    assert not run.findings, run.report()
    assert run.requests >= REQUESTS_PER_ROLE, dict(run.by_operation)
    # The token still worked at the end: the run was not cut short by its own writes.
    assert run.statuses[401] == 0
