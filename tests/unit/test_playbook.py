"""The playbook check: what a message to a client lacks, and what it should not say."""

from __future__ import annotations

import pytest

from keepword.domain.communications import CommunicationKind
from keepword.domain.playbook import FindingKind, check

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
