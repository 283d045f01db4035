"""The playbook check: what a message to a client lacks, and what it should not say."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.domain.communications import CommunicationKind
from keepword.domain.playbook import (
    APOLOGY,
    BLAME,
    BLAME_UNLESS_OWNED,
    COMPARISON,
    HEDGING,
    NAME_BLAME,
    NON_APOLOGY,
    OWNED_CHOICE,
    FindingKind,
    check,
    has_apology,
)

GOOD_DELAY = """\
Hi Marcus,

We will not meet the date we promised you for Pitchwell v1, Friday 26 March 2027. Our
forecast now gives 7 April 2027 with 50 % confidence and 19 April 2027 with 85 % confidence.

I am sorry. This is on us.

## What happened

We moved two of your developers to urgent work of ours on 30 November.

## Next step

Can we talk it through on a call? I can do Tuesday at 10:00 or Wednesday at 15:00.

Beth
"""

# Written the way people write when something went wrong: cause first, the vendor to
# blame, hopes instead of dates.
BAD_DELAY = """\
Hi Ingrid,

Unfortunately, because of the Stratus platform, things got difficult this week.
Stratus broke twice during rehearsal and the vendor's support was slow.
Their team hopefully should be fine by next week, fingers crossed.
We will try our best to get back on track.

Thanks,
James
"""


def _rules(text: str, kind: str = "delay") -> set[tuple[str, str | None, int | None]]:
    return {(f.rule, f.phrase, f.line) for f in check(text, kind=kind).findings}


def test_a_good_delay_message_is_clean() -> None:
    report = check(GOOD_DELAY, kind=CommunicationKind.DELAY)
    assert report.clean, [str(f) for f in report.findings]


def test_a_bad_message_blaming_the_vendor_and_hedging_lists_each_phrase_and_line() -> None:
    report = check(BAD_DELAY, kind="delay")
    avoid = {(f.rule, f.phrase, f.line) for f in report.avoid}
    assert avoid == {
        ("blame", "because of the Stratus platform", 3),
        ("blame", "Stratus broke", 4),
        ("blame", "the vendor", 4),
        ("blame", "Their team", 5),
        ("hedging", "hopefully", 5),
        ("hedging", "should be fine", 5),
        ("hedging", "fingers crossed", 5),
        ("hedging", "try our best", 6),
    }
    assert {f.rule for f in report.lacks} == {
        "impact-first",
        "new-date",
        "confidence",
        "next-step",
        "apology",
    }


def test_the_cause_before_the_impact_is_found_on_the_first_paragraphs_line() -> None:
    text = "Hi Ann,\n\nBecause a test server failed, the launch is delayed to 3 May 2027.\n"
    [finding] = [f for f in check(text, kind="delay").findings if f.rule == "impact-first"]
    assert (finding.kind, finding.phrase, finding.line) == (
        FindingKind.LACKS,
        "Because",
        3,
    )


def test_a_message_that_opens_without_any_impact_lacks_impact_first() -> None:
    text = "Hi Ann,\n\nI wanted to give you some background on our week.\n\nIt is 3 May 2027.\n"
    assert ("impact-first", "I wanted to give you some background on", 3) in _rules(text)


@pytest.mark.parametrize(
    "phrase",
    [
        "the client's",
        "their team",
        "the vendor",
        "the supplier",
        "because of your team",
        "waiting on you",
        "your team didn't",
        "out of our hands",
        "Stratus broke",
        "Stratus Cloud went down",
        "AcmePay let us down",
    ],
)
def test_blaming_others_is_found(phrase: str) -> None:
    text = f"Sorry: {phrase} the release.\n"
    assert any(f.rule == "blame" for f in check(text, kind="status").findings), phrase


@pytest.mark.parametrize(
    "text",
    [
        "Our tests broke on Friday and we fixed them.",  # our own failure is owned, not blame
        "The demo broke on stage.",
        "We meet your sales team on Monday.",
        "The vendors list is attached.",
    ],
)
def test_owning_our_part_is_not_blame(text: str) -> None:
    assert not [f for f in check(text, kind="status").findings if f.rule == "blame"]


@pytest.mark.parametrize(
    "phrase",
    [
        "hopefully",
        "should be fine",
        "fingers crossed",
        "we think it might",
        "try our best",
        "do our best",
        "we hope",
        "with any luck",
    ],
)
def test_hedging_is_found(phrase: str) -> None:
    findings = check(f"On 3 May it is 85 % likely; {phrase} it holds.", kind="status").findings
    assert [f.phrase.lower() for f in findings if f.rule == "hedging" and f.phrase] == [phrase]


def test_a_call_without_times_is_not_a_next_step() -> None:
    rules = {
        f.rule for f in check("Sorry: on 3 May, 85 %. Let's have a call.", kind="delay").findings
    }
    assert "next-step" in rules
    with_times = "Sorry: on 3 May, 85 %. Can we have a call on Tuesday at 10:00 or 2 pm?"
    assert "next-step" not in {f.rule for f in check(with_times, kind="delay").findings}


def test_what_a_kind_needs_differs() -> None:
    text = "Hi Ann,\n\nThe launch is delayed to 3 May 2027.\n"
    assert "apology" in {f.rule for f in check(text, kind="delay").findings}
    assert "apology" not in {f.rule for f in check(text, kind="status").findings}
    assert "confidence" not in {f.rule for f in check(text, kind="recovery").findings}
    no_fault = check(text, kind="delay", expect_apology=False)
    assert "apology" not in {f.rule for f in no_fault.findings}


@pytest.mark.parametrize(
    "date", ["2027-03-26", "26/03/2027", "26 March", "March 26th", "Friday 26 Mar 2027"]
)
def test_dates_in_the_common_forms_count_as_a_new_date(date: str) -> None:
    text = f"Status: done by {date}, 85 % likely."
    assert "new-date" not in {f.rule for f in check(text, kind="status").findings}


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="memo"):
        check("text", kind="memo")


# --- review findings: good messages that must not be flagged, bad ones that must ---------


@pytest.mark.parametrize(
    "text",
    [
        "Our CI pipeline broke on Friday and we fixed it.",
        "Our new CI pipeline broke twice.",
        "Friday's release broke on our side.",
        "Yesterday it broke in our staging run.",
        "On Monday we broke the build ourselves.",
        "In March our importer broke.",
        "We chose to build on a third-party API for speed, and that was our call.",
        "It slipped due to the API work we underestimated.",
        "Thanks to your team we caught it early.",
    ],
)
def test_owned_failures_and_owned_choices_are_not_blame(text: str) -> None:
    found = [f.phrase for f in check(text, kind="status").findings if f.rule == "blame"]
    assert found == [], found


@pytest.mark.parametrize(
    "phrase",
    [
        "because you changed the requirements",
        "You didn't send the API keys",
        "Your designer was late",
        "The demo failed because Stratus had an outage",
        "caused by the cloud platform",
        "came from the client side",
        "we relied on a third-party API",
    ],
)
def test_more_ways_of_blaming_others_are_found(phrase: str) -> None:
    text = f"On 3 May it is 85 % likely; {phrase}.\n"
    assert [f for f in check(text, kind="status").findings if f.rule == "blame"], phrase


def test_a_name_behind_a_possessive_is_the_party_named() -> None:
    [finding] = [
        f
        for f in check("Stratus's new API broke on stage.", kind="status").findings
        if f.rule == "blame"
    ]
    assert finding.phrase is not None
    assert finding.phrase.startswith("Stratus")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("I hope to have it ready by 3 May.", "I hope"),
        ("It is probably done by 3 May.", "probably"),
        ("With luck it is done by 3 May.", "With luck"),
        ("I'm hopeful about 3 May.", "I'm hopeful"),
        ("It should be ready by 3 May.", "It should be ready"),
        ("We expect it should land on 3 May.", "We expect it should"),
    ],
)
def test_more_hedges_are_found(text: str, phrase: str) -> None:
    found = [f.phrase for f in check(text, kind="status").findings if f.rule == "hedging"]
    assert found == [phrase]


def test_hoping_the_client_is_well_is_not_a_hedge() -> None:
    text = "I hope you are well. On 3 May it is 85 % likely."
    assert not [f for f in check(text, kind="status").findings if f.rule == "hedging"]


def test_sorry_you_feel_let_down_is_not_an_apology_and_is_flagged() -> None:
    text = (
        "Hi Ann,\n\nThe launch is delayed to 3 May 2027, 85 % likely.\n\n"
        "We're sorry you feel let down. Can we have a call on Tuesday at 10:00?\n"
    )
    report = check(text, kind="delay")
    assert "apology" in {f.rule for f in report.lacks}
    assert [(f.rule, f.phrase, f.line) for f in report.avoid] == [
        ("non-apology", "We're sorry you feel", 5)
    ]
    owned = text.replace("We're sorry you feel let down.", "I am sorry: we let you down.")
    assert check(owned, kind="delay").clean


@pytest.mark.parametrize(
    "greeting", ["Hey Marcus,", "Marcus,", "Dear Dr. Bell,", "Good day Marcus,", "Hi all!"]
)
def test_any_short_greeting_line_is_skipped_before_the_impact(greeting: str) -> None:
    text = f"{greeting}\n\nThe launch is delayed to 3 May 2027.\n"
    assert "impact-first" not in {f.rule for f in check(text, kind="delay").findings}


@pytest.mark.parametrize(
    "opening",
    [
        "We won't make the Friday launch.",
        "The app is two weeks behind schedule.",
        "The payment flow isn't ready.",
        "We will not make Friday.",
    ],
)
def test_more_ways_of_stating_the_impact_count(opening: str) -> None:
    text = f"Hi Ann,\n\n{opening}\n\nIt is now 3 May 2027.\n"
    assert "impact-first" not in {f.rule for f in check(text, kind="delay").findings}


@pytest.mark.parametrize(
    ("sentence", "contradicts"),
    [
        ("the chance is now 96 %, below the 85 % we hold ourselves to.", True),
        ("the chance is now 60 %, below the 85 % we hold ourselves to.", False),
        ("the chance is 70 %, above our 85 % target.", True),
        ("the chance is still 96 %, above the 85 % we hold ourselves to.", False),
    ],
)
def test_a_probability_called_below_a_target_it_is_above_is_found(
    sentence: str, contradicts: bool
) -> None:
    text = f"On 3 May {sentence}\n"
    found = [f for f in check(text, kind="status").findings if f.rule == "contradiction"]
    assert bool(found) is contradicts


# --- long and hostile texts: the check stays linear and its findings stay the same -------


def _avoid(text: str) -> list[tuple[str, str | None, int | None]]:
    return [(f.rule, f.phrase, f.line) for f in check(text, kind="status").avoid]


def test_our_before_a_name_far_into_a_long_line_still_owns_it() -> None:
    padding = "and then " * 10_000
    text = f"{padding}our CI pipeline broke, and {padding}Stratus broke."
    assert _avoid(text) == [("blame", "Stratus broke", 1)]


@pytest.mark.parametrize(
    ("text", "blamed"),
    [
        ("Our very new CI broke.", ["CI broke"]),  # two words after "our": not ours
        ("our" + " " * 5_000 + "CI broke.", []),
        ("our " + "x" * 5_000 + " CI broke.", []),
        ("our x-CI broke.", []),
        # the owned match ends at the dash; the name after it is a match of its own
        ("our Ab broke-Cd's API broke.", ["Cd's API broke"]),
    ],
)
def test_a_name_is_owned_after_our_and_one_word_however_long_the_word_or_the_spaces(
    text: str, blamed: list[str]
) -> None:
    assert [phrase for rule, phrase, _ in _avoid(text) if rule == "blame"] == blamed


@pytest.mark.parametrize(
    ("unit", "finding", "times"),
    [
        ("our Ab broke ", None, 0),  # each name owned by the "our" before it
        ("AB-", None, 0),
        ("A-", None, 0),
        ("Stratus broke. ", ("blame", "Stratus broke", 1), 5_000),
        # the name's two words of slack take in the next "Stratus": one phrase per pair
        ("Stratus broke ", ("blame", "Stratus broke Stratus broke", 1), 2_500),
        ("the vendor ", ("blame", "the vendor", 1), 5_000),
        ("hopefully ", ("hedging", "hopefully", 1), 5_000),
        ("sorry you feel ", ("non-apology", "sorry you feel", 1), 5_000),
        ("96 % below 85 %; ", ("contradiction", "96 % below 85 %", 1), 5_000),
    ],
)
def test_a_unit_repeated_thousands_of_times_on_one_line_is_found_each_time(
    unit: str, finding: tuple[str, str, int] | None, times: int
) -> None:
    assert _avoid(unit * 5_000) == [finding] * times


def test_a_run_of_dash_joined_names_that_broke_is_one_phrase() -> None:
    run = "AB-" * 5_000
    assert _avoid(f"{run} broke") == [("blame", f"{run} broke", 1)]


def test_a_phrase_after_very_many_short_lines_is_found_on_its_line() -> None:
    assert _avoid("w\n" * 20_000 + "Stratus broke") == [("blame", "Stratus broke", 20_001)]
    assert _avoid("w\r\n" * 3 + "\n\x85\u2028" + "Stratus broke") == [("blame", "Stratus broke", 7)]


@pytest.mark.parametrize("brk", ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_a_phrase_split_by_a_line_break_of_any_kind_is_not_found(brk: str) -> None:
    phrases = [
        "It is 96 %,{}below the 85 % target.",
        "It is 96{}% below the 85 % target.",
        "It is 96 % below{}85 % of it.",
        "Stratus{}broke.",
        "our{}Stratus broke.",  # found: "our" on the line before owns nothing
        "We are sorry you{}feel that.",
        "Fingers{}crossed.",
        "It was due to{}your team.",
    ]
    text = " ".join(phrases).format(*[brk] * len(phrases))
    assert [(rule, phrase) for rule, phrase, _ in _avoid(text)] == [("blame", "Stratus broke")]
    on_one_line = _avoid(text.replace(brk, " "))
    assert len(on_one_line) == len(phrases) - 1  # "our Stratus broke" is owned


def test_many_excuses_do_not_hide_one_apology() -> None:
    excuses = "We are sorry you feel let down. " * 5_000
    assert not has_apology(excuses)
    assert has_apology(excuses + "I am sorry: we let you down.")
    assert "apology" in {f.rule for f in check(excuses, kind="delay").lacks}


def test_a_greeting_with_a_long_run_of_spaces_is_still_a_greeting() -> None:
    text = "Hi" + " " * 20_000 + ",\n\nThe launch is delayed to 3 May 2027.\n"
    assert "impact-first" not in {f.rule for f in check(text, kind="delay").findings}
    sentence = "Hi" + " " * 20_000 + "."  # a full stop: a sentence, not a greeting
    [finding] = [f for f in check(sentence, kind="delay").findings if f.rule == "impact-first"]
    assert (finding.phrase, finding.line) == ("Hi .", 1)


# The straightforward reading of the rules on lines, as the check once ran them: each line on
# its own, each match against every one kept before it, and the ownership of a name looked
# for in all of the line before it. Quadratic on long texts, plain on short ones.
_OWNED_BEFORE = re.compile(r"\b(?:our|my)\b(?:\s+[\w-]+)?\s*$", re.IGNORECASE)


def _reference_avoid(text: str) -> list[tuple[str, str | None, int | None]]:
    found: list[tuple[str, str | None, int | None]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        blame = BLAME if OWNED_CHOICE.search(line) else BLAME + BLAME_UNLESS_OWNED
        for rule, patterns in (
            ("blame", blame),
            ("hedging", [HEDGING]),
            ("non-apology", [NON_APOLOGY]),
        ):
            spans: list[tuple[int, int]] = []
            for pattern in patterns:
                for m in pattern.finditer(line):
                    if pattern is NAME_BLAME and _OWNED_BEFORE.search(line[: m.start()]):
                        continue
                    if not any(m.start() < end and start < m.end() for start, end in spans):
                        spans.append(m.span())
            found += [(rule, line[start:end].strip(), number) for start, end in sorted(spans)]
        for m in COMPARISON.finditer(line):
            first, word, second = float(m[1]), m[2].lower(), float(m[3])
            if first > second if word in ("below", "under") else first < second:
                found.append(("contradiction", m[0].strip(), number))
    return found


def _reference_has_apology(text: str) -> bool:
    excuses = [m.span() for m in NON_APOLOGY.finditer(text)]
    return any(
        not any(start <= m.start() < end for start, end in excuses) for m in APOLOGY.finditer(text)
    )


# Texts of clauses that come near the rules' edges: names after "our" and a word or two, a
# dash or an apostrophe; comparisons with a line break in them; excuses around apologies.
_NAMES = st.tuples(
    st.sampled_from(["", "our ", "Our new ", "our  x-", "my-x ", "my big\t", "our\x85", "the "]),
    st.sampled_from(["CI", "AB", "Stratus", "x", "The", "AB-Cd", "vendor", "third-party"]),
    st.sampled_from(["", "'s", "\u2019s API", " new", " it", " broke-Cd's"]),
    st.sampled_from([" broke", " was down", " let us down", " crossed", ""]),
)
_COMPARISONS = st.tuples(
    st.sampled_from(["96", "85", "9.5", "100", "1000"]),
    st.sampled_from(["%", " %", " per cent", "\u2028%"]),
    st.sampled_from([", ", " is ", ". ", " ", ",\x0b"]),
    st.sampled_from(["below", "above", "under", "over"]),
    st.sampled_from([" the ", " ", "\n", " our " + "x" * 20 + " "]),
    st.sampled_from(["96", "85", "9.5"]),
    st.sampled_from([" %", "%", "\x85%"]),
)
_PHRASES = st.sampled_from(
    [
        *["sorry", "sorry you feel", "we're sorry you feel", "I am sorry", "sorry if this"],
        *["sorry for any inconvenience", "apologies", "hopefully", "we hope", "we hope you"],
        *["should be fine", "we chose", "that was our call", "due to the client", "our vendor"],
        *["the client's", "a third-party", "because you changed", "your team didn't"],
    ]
)
_GAPS = st.sampled_from(
    [" ", " ", " ", " ", "", "-", "  ", "\t", ",", ". ", "\n", "\r\n", "\x0b", "\x85", "\u2028"]
)
_TEXTS = st.lists(
    st.tuples(st.one_of(_NAMES.map("".join), _COMPARISONS.map("".join), _PHRASES), _GAPS),
    max_size=8,
).map(lambda parts: "".join(clause + gap for clause, gap in parts))


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(_TEXTS)
def test_the_check_finds_what_the_straightforward_reading_of_each_line_finds(text: str) -> None:
    assert _avoid(text) == _reference_avoid(text)
    assert has_apology(text) is _reference_has_apology(text)
