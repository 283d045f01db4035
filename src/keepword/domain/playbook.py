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
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

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
_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_APOSTROPHE = "['\u2019]"
# Where str.splitlines breaks lines. The rules on lines scan the whole text at once, so none
# may match across one of these: where such a rule allows whitespace, it allows _SPACE.
_LINE_BREAK = r"\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029"
_SPACE = rf"[^\S{_LINE_BREAK}]"
# 2027-03-26, 26/03/2027, 26 March (2027), March 26
DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)? {_MONTHS}\b|\b{_MONTHS} \d{{1,2}}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
PERCENTAGE = re.compile(r"\b\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent\b)", re.IGNORECASE)
APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e[sd]?|apologies|apology)\b", re.IGNORECASE)
# Sorry for how the client feels, not for what the team did: no apology at all.
NON_APOLOGY = re.compile(
    rf"\b(?:(?:we|I){_APOSTROPHE}(?:re|m) |(?:we|I) (?:are |am )?)?sorry (?:that |if )?"
    r"(?:you|anyone) (?:feel|felt|feels|think|thought|were|are|got|may have|might have)\b"
    r"|\bsorry if (?:this|that|you|anyone)\b"
    r"|\bsorry for any (?:inconvenience|confusion|misunderstanding)\b",
    re.IGNORECASE,
)
CALL = re.compile(
    r"\b(?:call|calls|phone|video chat|meeting|meet|talk (?:it )?through)\b", re.IGNORECASE
)
TIME = re.compile(r"\b(?:[01]?\d|2[0-3])[:.][0-5]\d\b|\b(?:1[0-2]|0?[1-9]) ?(?:am|pm)\b", re.I)
# What the client lives with: a date or day, a delay, something not ready.
IMPACT = re.compile(
    rf"{DATE.pattern}|\b{_WEEKDAYS}\b|\b(?:delay(?:ed|s)?|late|later|slip(?:s|ped)?|"
    r"miss(?:es|ed)?|impact|affect(?:s|ed)?|not be (?:ready|live|done)|"
    rf"won{_APOSTROPHE}t be (?:ready|live|done)|"
    rf"(?:won{_APOSTROPHE}t|will not|can{_APOSTROPHE}t|cannot|can not) (?:make|meet|hit)|"
    r"behind (?:schedule|plan)|(?:days?|weeks?|months?) behind|"
    rf"(?:isn{_APOSTROPHE}t|is not|aren{_APOSTROPHE}t|are not|not yet|not) ready|"
    r"new dates?|failed|fail(?:s)?|went wrong|disrupt(?:ed|ion)?)\b",
    re.IGNORECASE,
)
CAUSE = re.compile(
    r"\b(?:because|due to|caused by|root cause|the reason|as a result of)\b", re.IGNORECASE
)

# Capitalised words that open a sentence or name a day, not a party to blame.
_NOT_NAMES = (
    "The|A|An|We|Our|My|I|It|Its|This|That|These|Those|There|Here|Then|So|But|And|Or|If|"
    "When|While|After|Before|Since|As|Once|Although|Though|Because|On|In|At|During|By|"
    "Everything|Something|Nothing|Everyone|Someone|Nobody|All|Both|Each|Every|Some|One|"
    "Unfortunately|Sadly|Also|Still|Yesterday|Today|Tonight|Tomorrow|Last|Earlier|Later|"
    "Overnight|Sorry|What|Which|Who|Why|How|Where|Hi|Hello|Dear|"
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
    "April|May|June|July|August|September|October|November|December"
)
# A name after "our" or "my" and at most one more word is the team's own: "our CI pipeline
# broke". Such a name starts after the match and no later than the end of group 1.
_OWNER = re.compile(rf"\b(?:our|my)\b(?=({_SPACE}++[\w-]++{_SPACE}*+))", re.IGNORECASE)
_PRONOUN = r"(?:it|we|our|my|us|I)"
_NAME = rf"\b(?!(?:{_NOT_NAMES})\b)[A-Z]"  # where a name starts
# What follows a name. It opens with an apostrophe or a space, neither in [\w-], so a name
# runs to the end of its run of [\w-] from whichever capital in the run it starts at.
_NAME_TAIL = (
    rf"(?:{_APOSTROPHE}s)?(?! {_PRONOUN}\b)"
    r"(?: (?!(?:it|we|our|my|us)\b)[\w-]+){0,2} "
    r"(?:broke(?: down)?|went down|let us down|failed us|dropped the ball|messed up|"
    r"changed (?:its|their) API|had (?:an? )?(?:outage|incident|problem|issue|failure)s?|"
    r"(?:was|were) (?:down|late|unavailable|unstable|offline))\b"
)
# A capitalised name (not a sentence opener, a day or a month) that broke or let us down.
# The rule as one pattern: _names_blamed finds the same matches without its quadratic scan.
NAME_BLAME = re.compile(rf"{_NAME}[\w-]+{_NAME_TAIL}")
# NAME_BLAME in two parts: a whole run of [\w-] that the tail (group 1) follows, and where
# in that run the name starts.
_NAME_RUN = re.compile(rf"(?<![\w-])[\w-]++(?=({_NAME_TAIL}))")
_NAME_START = re.compile(rf"{_NAME}[\w-]")
# The team owns its choice to build on someone else's work: "that was our call".
OWNED_CHOICE = re.compile(
    r"\b(?:we (?:chose|decided|picked|selected|opted|agreed)|(?:chose|decided) to|"
    r"our (?:call|choice|decision|responsibility))\b",
    re.IGNORECASE,
)
_THIRD_PARTY = r"(?:vendor|supplier|provider|platform provider|third[- ]party)"
_THEIR_PEOPLE = (
    r"(?:team|side|people|developers?|engineers?|designers?|staff|IT(?: department| team)?|"
    r"agency|contractors?|vendor|supplier|legal(?: team)?|marketing(?: team)?|"
    r"product (?:team|owner)|manager|colleagues?|partners?)"
)
_EXTERNAL = (
    r"(?:client|customer|vendor|supplier|provider|platform|cloud|partner|contractor|agency|"
    r"host(?:ing)?|network|API)s?"
)

# Blame of others: the client, their team, a vendor, a named third party that "broke".
BLAME = [
    re.compile(rf"\bthe (?:client|customer){_APOSTROPHE}s\b", re.IGNORECASE),
    re.compile(r"\btheir (?:team|side|end|people|developers|engineers|fault|mistake)\b", re.I),
    re.compile(rf"\b(?:the|their) {_THIRD_PARTY}\b", re.IGNORECASE),
    re.compile(rf"\b(?:vendor|supplier|provider){_APOSTROPHE}s\b", re.IGNORECASE),
    re.compile(
        rf"\b(?:because of|due to|caused by|waiting (?:on|for)) "
        rf"(?:you\b|your {_THEIR_PEOPLE}\b|your (?:changes|approval|sign-off)\b)",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\bbecause you (?:changed|didn{_APOSTROPHE}t|did not|failed|were late|sent|forgot|"
        r"missed|delayed|never)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\byou (?:didn{_APOSTROPHE}t|did not|failed to|forgot to|never) (?:send|give|"
        r"provide|deliver|reply|respond|answer|approve|sign|tell|share|get back|confirm)\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\byour {_THEIR_PEOPLE} (?:didn{_APOSTROPHE}t|did not|failed|was late|were late|"
        r"broke|missed|forgot|dropped)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:caused by|came from|comes from|originated (?:from|with|on)|lies with|"
        rf"due to|because of) (?:the|their|your) (?:[\w-]+ )?{_EXTERNAL}(?: side| end)?\b"
        # "due to the API work we underestimated" names our own work, not a party
        r"(?! (?:work|migration|changes?|upgrade|rewrite|integration|we|I)\b)",
        re.IGNORECASE,
    ),
    re.compile(r"\b(?:not our fault|out of our hands|beyond our control|to blame)\b", re.I),
    NAME_BLAME,
]
# "a third party" and "our vendor" are blame unless the line owns the choice of them.
BLAME_UNLESS_OWNED = [re.compile(rf"\b(?:a|our) {_THIRD_PARTY}\b", re.IGNORECASE)]
HEDGING = re.compile(
    rf"\b(?:hopeful(?:ly)?|fingers crossed|touch wood|with (?:any |a bit of |some )?luck|"
    r"all being well|if all goes well|should be (?:fine|ok|okay|alright|good)|"
    rf"(?:I{_APOSTROPHE}m|I am|we{_APOSTROPHE}re|we are) hopeful|"
    r"(?:we|I) hope(?! (?:you|this (?:email|message|note|finds)|all is well)\b)|probably|"
    r"(?:it|this|that|they|everything) should be (?:ready|done|live|finished|fixed|back|"
    r"working|sorted)|"
    r"(?:we|I) (?:think|believe|guess|expect) (?:it|we|this|that) (?:might|may|could|should)|"
    r"(?:try|do) (?:our|my) (?:best|hardest)|more or less|fairly confident)\b",
    re.IGNORECASE,
)
# "96 %, below the 85 % target": a comparison the numbers contradict.
_NUMBER = rf"(\d{{1,3}}(?:\.\d+)?){_SPACE}?(?:%|per ?cent\b)"
COMPARISON = re.compile(
    rf"{_NUMBER}[^.%{_LINE_BREAK}]{{0,40}}?\b(below|under|above|over)\b"
    rf"[^.%\d{_LINE_BREAK}]{{0,20}}?{_NUMBER}",
    re.IGNORECASE,
)

# Which kinds need which parts (docs/drafts.md has the same table).
NEEDS_DATE = frozenset(_K)
NEEDS_CONFIDENCE = frozenset({_K.DELAY, _K.STATUS, _K.PHASED_PLAN})
NEEDS_NEXT_STEP = frozenset({_K.DELAY, _K.RECOVERY, _K.PHASED_PLAN})
NEEDS_APOLOGY = frozenset({_K.DELAY, _K.RECOVERY})
NEEDS_IMPACT_FIRST = frozenset({_K.DELAY, _K.RECOVERY})

# The greeting's word, then no sentence's end up to the end of the line. A trailing comma
# and spaces are in [^.!?] already: spelling them out (",?\s*$") backtracked over a run of
# spaces from each of its spaces, quadratic on "Hi", many spaces and a full stop.
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|day))\b[^.!?]*$", re.I
)
# Any short first line that ends in "," or "!" is a greeting: "Marcus,", "Dear Dr. Bell,".
_SHORT_GREETING = re.compile(r"^(?:\S+\s+){0,4}\S+\s*[,!]$")
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
            _lacks("confidence", "no confidence: give the dates with their odds, e.g. 85%")
        )
    if kind in NEEDS_NEXT_STEP and not _has_next_step(text):
        findings.append(_lacks("next-step", "no next step: propose a call with two or three times"))
    wants_apology = kind in NEEDS_APOLOGY if expect_apology is None else expect_apology
    if wants_apology and not has_apology(text):
        findings.append(_lacks("apology", "no apology: say sorry where the team is at fault"))
    findings += _avoid(text)
    return PlaybookReport(kind, tuple(findings))


def has_apology(text: str) -> bool:
    """Whether ``text`` says sorry for something, not only for how the client feels."""
    excuses = NON_APOLOGY.finditer(text)
    excuse = next(excuses, None)
    for apology in APOLOGY.finditer(text):
        # Both come in order, and excuses do not overlap: one walk finds each one's excuse.
        while excuse is not None and excuse.end() <= apology.start():
            excuse = next(excuses, None)
        if excuse is None or apology.start() < excuse.start():
            return True
    return False


_Span = tuple[int, int]

_AVOID = {  # the rules on lines, in the order a line's findings are listed
    "blame": "blames others; own your part",
    "hedging": "hedges; say what you know",
    "non-apology": "is sorry for how the client feels, not for what we did; apologise for it",
    "contradiction": "the numbers say the opposite of the words",
}


def _avoid(text: str) -> list[Finding]:
    """What ``text`` should not say: by line, then by rule, then by place in the line.

    Each rule scans the whole text once, not each line on its own (no rule matches across a
    line break): a text of many short lines would pay for every rule on every line.
    """
    ends = list(accumulate(len(line) for line in text.splitlines(keepends=True)))

    def line_of(offset: int) -> int:
        return bisect_right(ends, offset) + 1

    spans = {
        "blame": _blames(text, line_of),
        "hedging": _spans(HEDGING, text),
        "non-apology": _spans(NON_APOLOGY, text),
        "contradiction": [m.span() for m in COMPARISON.finditer(text) if _contradicts(m)],
    }
    placed = sorted(
        (line_of(start), order, start, end, rule)
        for order, (rule, found) in enumerate(spans.items())
        for start, end in found
    )
    return [
        Finding(rule, FindingKind.AVOID, _AVOID[rule], text[start:end].strip(), line)
        for line, _, start, end, rule in placed
    ]


def _blames(text: str, line_of: Callable[[int], int]) -> list[_Span]:
    # "a third party" is blame unless its line owns the choice of one.
    chosen = {line_of(m.start()) for m in OWNED_CHOICE.finditer(text)}
    return _first_wins(
        [
            list(_names_blamed(text)) if pattern is NAME_BLAME else _spans(pattern, text)
            for pattern in BLAME
        ]
        + [
            [(start, end) for start, end in _spans(pattern, text) if line_of(start) not in chosen]
            for pattern in BLAME_UNLESS_OWNED
        ]
    )


def _names_blamed(text: str) -> Iterator[_Span]:
    """Where NAME_BLAME matches, as its ``finditer`` would find them, less names we own.

    NAME_BLAME tries a name at each capital of a run like "AB-AB-AB-..." and scans to the
    run's end from each. Every name in a run shares that end, so whether the rest matches:
    here the rest is tried once per run, and then the run's first name taken.
    """
    owners = [(m.end(), m.end(1)) for m in _OWNER.finditer(text)]
    owner_starts = [start for start, _ in owners]
    reach = list(accumulate((end for _, end in owners), max))
    after = 0  # matches do not overlap: the next name starts where the last match ended
    for run in _NAME_RUN.finditer(text):
        name = _NAME_START.search(text, max(after, run.start()), run.end())
        if name is None:
            continue
        start, after = name.start(), run.end(1)
        owner = bisect_right(owner_starts, start)
        if owner and reach[owner - 1] >= start:
            continue  # "our CI pipeline broke": the name is the team's own
        yield start, after


def _first_wins(rules: list[list[_Span]]) -> list[_Span]:
    """The spans of each rule in turn, less those overlapping a span kept before, in order.

    A rule's spans come in order and apart, as ``finditer`` gives them, so one walk along
    the kept spans checks them all.
    """
    kept: list[_Span] = []
    for spans in rules:
        new: list[_Span] = []
        i = 0
        for start, end in spans:
            while i < len(kept) and kept[i][1] <= start:
                i += 1
            if i == len(kept) or end <= kept[i][0]:
                new.append((start, end))
        kept = sorted(kept + new)  # two sorted runs, which Timsort merges in linear time
    return kept


def _spans(pattern: re.Pattern[str], text: str) -> list[_Span]:
    return [m.span() for m in pattern.finditer(text)]


def _contradicts(match: re.Match[str]) -> bool:
    """``96 %, below the 85 %``: a comparison in words that its own numbers contradict."""
    first, word, second = float(match[1]), match[2].lower(), float(match[3])
    return (word in ("below", "under") and first > second) or (
        word in ("above", "over") and first < second
    )


def _lacks(rule: str, message: str) -> Finding:
    return Finding(rule, FindingKind.LACKS, message)


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
    greeted = False
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if start is None:
            if not line or _SUBJECT.match(line) or line.startswith("#"):
                continue
            if not greeted and _is_greeting(line):
                greeted = True
                continue
            start = number
        if not line:
            break
        body.append(line)
    return start, " ".join(body)


def _is_greeting(line: str) -> bool:
    # "Hi Marcus," and "Good morning Ann" by their words; "Marcus," and "Hi all!" by their
    # shape: a short line ending in "," or "!" that says no impact of its own.
    if _GREETING.match(line):
        return True
    return _SHORT_GREETING.match(line) is not None and IMPACT.search(line) is None
