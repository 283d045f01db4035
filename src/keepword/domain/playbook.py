"""The playbook check: what an honest message to a client lacks, and what it should not say.

Every rule is a regular expression with word boundaries, so that each finding can be
explained by the phrase that triggered it (or by what no line contains). The playbook is
the one of W2 and W3: impact on the client first, a new date with a confidence, an apology
where the team is at fault, the team's own factors without naming anyone else's, and a
concrete next step such as a call with proposed times.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass

from keepword.domain.communications import CommunicationKind

_K = CommunicationKind


class FindingKind(enum.StrEnum):
    LACKS = "lacks"  # something the message should contain and does not
    AVOID = "avoid"  # something the message says and should not


@dataclass(frozen=True)
class Finding:
    """One thing to fix: the rule, why, and where (the phrase and its 1-based line)."""

    rule: str
    kind: FindingKind
    message: str
    phrase: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        quoted = f' "{self.phrase}"' if self.phrase else ""
        return f"{where}{self.message}{quoted if self.kind is FindingKind.AVOID else ''}"


@dataclass(frozen=True)
class PlaybookReport:
    """The findings of one check, in order: first what is missing, then what to remove."""

    kind: CommunicationKind
    findings: tuple[Finding, ...]

    @property
    def clean(self) -> bool:
        return not self.findings

    @property
    def lacks(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.LACKS)

    @property
    def avoid(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is FindingKind.AVOID)


_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# 2027-03-26, 26/03/2027, 26 March (2027), March 26
DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}\b|\b{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
PERCENTAGE = re.compile(r"\b\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent\b)", re.IGNORECASE)
APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e[sd]?|apologies|apology)\b", re.IGNORECASE)
CALL = re.compile(
    r"\b(?:call|calls|phone|video chat|meeting|meet|talk (?:it )?through)\b", re.IGNORECASE
)
TIME = re.compile(r"\b(?:[01]?\d|2[0-3])[:.][0-5]\d\b|\b(?:1[0-2]|0?[1-9]) ?(?:am|pm)\b", re.I)
# What the client lives with: a date, a delay, something not ready.
IMPACT = re.compile(
    rf"{DATE.pattern}|\b(?:delay(?:ed|s)?|late|later|slip(?:s|ped)?|miss(?:es|ed)?|"
    r"impact|affect(?:s|ed)?|not be (?:ready|live|done)|won't be (?:ready|live|done)|"
    r"new dates?|failed|fail(?:s)?|went wrong|disrupt(?:ed|ion)?)\b",
    re.IGNORECASE,
)
CAUSE = re.compile(
    r"\b(?:because|due to|caused by|root cause|the reason|as a result of)\b", re.IGNORECASE
)

# Blame of others: the client, their team, a vendor, a named third party that "broke".
BLAME = [
    re.compile(r"\bthe (?:client|customer)'s\b", re.IGNORECASE),
    re.compile(r"\btheir (?:team|side|end|people|developers|engineers|fault|mistake)\b", re.I),
    re.compile(
        r"\b(?:the|a|our|their) (?:vendor|supplier|provider|platform provider|third[- ]party)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:vendor|supplier|provider)'s\b", re.IGNORECASE),
    re.compile(
        r"\b(?:because of|due to|caused by|waiting (?:on|for)) (?:you|your (?:team|side|people|"
        r"developers|IT|changes|approval))\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\byour (?:team|side|people|developers|IT department) (?:didn't|did not|failed|"
        r"was late|were late|broke|missed|forgot)\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:not our fault|out of our hands|beyond our control|to blame)\b", re.I),
    # A capitalised name (not a sentence opener such as We or The) that broke or let us down.
    re.compile(
        r"\b(?!(?:The|We|Our|I|It|This|That|Everything|Something|Nothing)\b)[A-Z][\w-]+"
        r"(?:'s)?(?: [\w-]+)? (?:broke(?: down)?|went down|let us down|failed us|dropped the ball|"
        r"messed up|changed (?:its|their) API)\b"
    ),
]
HEDGING = re.compile(
    r"\b(?:hopefully|fingers crossed|touch wood|with (?:any|a bit of) luck|all being well|"
    r"if all goes well|should be (?:fine|ok|okay|alright|good)|we hope|"
    r"(?:we|I) (?:think|believe|guess) (?:it|we|this|that) (?:might|may|could|should)|"
    r"(?:try|do) (?:our|my) (?:best|hardest)|more or less|fairly confident)\b",
    re.IGNORECASE,
)

# Which kinds need which parts (docs/drafts.md has the same table).
NEEDS_DATE = frozenset(_K)
NEEDS_CONFIDENCE = frozenset({_K.DELAY, _K.STATUS, _K.PHASED_PLAN})
NEEDS_NEXT_STEP = frozenset({_K.DELAY, _K.RECOVERY, _K.PHASED_PLAN})
NEEDS_APOLOGY = frozenset({_K.DELAY, _K.RECOVERY})
NEEDS_IMPACT_FIRST = frozenset({_K.DELAY, _K.RECOVERY})

_GREETING = re.compile(
    r"^(?:hi|hello|dear|good (?:morning|afternoon|evening))\b[^.!?]*,?\s*$", re.I
)
_SUBJECT = re.compile(r"^subject:", re.IGNORECASE)


def check(
    text: str, *, kind: CommunicationKind | str, expect_apology: bool | None = None
) -> PlaybookReport:
    """What ``text`` (a message of ``kind``) lacks and what it should not say.

    ``expect_apology`` overrides whether the kind needs an apology: a delay the client's
    own change requests caused needs none.
    """
    kind = CommunicationKind(kind)
    lines = text.splitlines()
    findings: list[Finding] = []
    if kind in NEEDS_IMPACT_FIRST:
        findings += _impact_first(lines)
    if kind in NEEDS_DATE and not DATE.search(text):
        findings.append(_lacks("new-date", "no date: say when the client will have it"))
    if kind in NEEDS_CONFIDENCE and not PERCENTAGE.search(text):
        findings.append(
            _lacks("confidence", "no confidence: give the dates with their odds, e.g. 85 %")
        )
    if kind in NEEDS_NEXT_STEP and not _has_next_step(text):
        findings.append(_lacks("next-step", "no next step: propose a call with two or three times"))
    wants_apology = kind in NEEDS_APOLOGY if expect_apology is None else expect_apology
    if wants_apology and not APOLOGY.search(text):
        findings.append(_lacks("apology", "no apology: say sorry where the team is at fault"))
    for number, line in enumerate(lines, start=1):
        findings += [
            Finding("blame", FindingKind.AVOID, "blames others; own your part", m, number)
            for m in _matches(BLAME, line)
        ]
        findings += [
            Finding("hedging", FindingKind.AVOID, "hedges; say what you know", m, number)
            for m in _matches([HEDGING], line)
        ]
    return PlaybookReport(kind, tuple(findings))


def _lacks(rule: str, message: str) -> Finding:
    return Finding(rule, FindingKind.LACKS, message)


def _matches(patterns: list[re.Pattern[str]], line: str) -> Iterator[str]:
    """Each phrase once, in order: where two rules match overlapping text, the first wins."""
    spans: list[tuple[int, int]] = []
    for pattern in patterns:
        for match in pattern.finditer(line):
            if not any(match.start() < end and start < match.end() for start, end in spans):
                spans.append(match.span())
    for start, end in sorted(spans):
        yield line[start:end].strip()


def _has_next_step(text: str) -> bool:
    # A call with a time in the same paragraph: "a call on Wednesday at 10:00".
    return any(CALL.search(p) and TIME.search(p) for p in re.split(r"\n\s*\n", text))


def _impact_first(lines: list[str]) -> list[Finding]:
    """The first paragraph after the greeting must say what this means for the client."""
    number, paragraph = _first_paragraph(lines)
    if number is None:
        return [_lacks("impact-first", "no impact: start with what this means for the client")]
    impact = IMPACT.search(paragraph)
    cause = CAUSE.search(paragraph)
    first_words = " ".join(paragraph.split()[:8])
    if impact is None:
        return [
            Finding(
                "impact-first",
                FindingKind.LACKS,
                "the first paragraph does not state the impact on the client",
                first_words,
                number,
            )
        ]
    if cause is not None and cause.start() < impact.start():
        return [
            Finding(
                "impact-first",
                FindingKind.LACKS,
                "explains the cause before the impact; lead with the impact",
                cause.group(0),
                number,
            )
        ]
    return []


def _first_paragraph(lines: list[str]) -> tuple[int | None, str]:
    start: int | None = None
    body: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if start is None:
            if not line or _GREETING.match(line) or _SUBJECT.match(line) or line.startswith("#"):
                continue
            start = number
        if not line:
            break
        body.append(line)
    return start, " ".join(body)
