"""Benchmark the playbook check on the worst texts found for it: is it linear in the length?

Each text repeats a unit (the worst inputs found for each rule: "our Ab broke " as an outside
probe sent it, a run of dash-joined names, many matches of one rule, every apology an
excuse, "Hi" and a run of spaces before a full stop, very many short lines, ...) or an
ordinary message, cut to length. `check` runs on it for each kind at 10,000 and 100,000
characters (the median of a few runs). Prints one JSON line per text and kind: both times
and their ratio, about 10 where the check is linear and about 100 where it is quadratic;
then one line with the slowest text at the larger size (the target: well under 1 s).

    .venv/bin/python bench/playbook.py [--runs 3] [--small 10000] [--large 100000]
        [--kind delay] [--text "our Ab broke"]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from keepword.domain.communications import CommunicationKind
from keepword.domain.playbook import check

ORDINARY = """\
Hi Marcus,

We will not meet the date we promised you for Pitchwell v1, Friday 26 March 2027. Our
forecast now gives 7 April 2027 with 50 % confidence and 19 April 2027 with 85 % confidence.
Stratus broke twice during rehearsal, and we hope it holds now; fingers crossed.

I am sorry. This is on us: we moved two of your developers to urgent work of ours.

Can we talk it through on a call? I can do Tuesday at 10:00 or Wednesday at 15:00.

Beth

"""


def repeated(unit: str, prefix: str = "", suffix: str = "") -> Callable[[int], str]:
    """A text of ``size`` characters: the prefix, the unit over and over, the suffix."""

    def text(size: int) -> str:
        body = size - len(prefix) - len(suffix)
        return prefix + (unit * (body // len(unit) + 1))[:body] + suffix

    return text


# Each, and what it cost before the check was made linear.
TEXTS: dict[str, Callable[[int], str]] = {
    "ordinary": repeated(ORDINARY),
    # the name's ownership was looked for over the whole line before it
    "our Ab broke": repeated("our Ab broke "),
    # a name was tried at each capital of one run and scanned to the run's end from each
    "AB-AB-AB-": repeated("AB-"),
    "A-A-A-": repeated("A-"),
    # each match of a rule was checked against every match kept before it on its line
    "Stratus broke": repeated("Stratus broke "),
    "the vendor": repeated("the vendor "),
    "hopefully": repeated("hopefully "),
    # each apology was checked against every excuse ("sorry you feel") in the text
    "sorry you feel": repeated("sorry you feel "),
    # the greeting's pattern backtracked over the run of spaces from each of its spaces
    "Hi, spaces, full stop": repeated(" ", prefix="Hi", suffix="."),
    # linear, but every rule ran on every line
    "empty lines": repeated("\n"),
    "short lines": repeated("w\n"),
    # the comparison's numbers: many contradictions, and digits with percent signs
    "contradictions": repeated("96 % below 85 %; "),
    "digits and percent": repeated("1.5% 99"),
}


def _seconds(text: str, kind: CommunicationKind, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        check(text, kind=kind)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument(
        "--kind", action="append", choices=[k.value for k in CommunicationKind], default=None
    )
    parser.add_argument("--text", action="append", choices=list(TEXTS), default=None)
    args = parser.parse_args()
    kinds = [CommunicationKind(k) for k in args.kind or CommunicationKind]
    slowest = (0.0, "", "")
    for name in args.text or TEXTS:
        for kind in kinds:
            small = _seconds(TEXTS[name](args.small), kind, args.runs)
            large = _seconds(TEXTS[name](args.large), kind, args.runs)
            slowest = max(slowest, (large, name, kind.value))
            print(
                json.dumps(
                    {
                        "text": name,
                        "kind": kind.value,
                        f"s_{args.small}": round(small, 4),
                        f"s_{args.large}": round(large, 4),
                        "ratio": round(large / small, 1),
                    }
                ),
                flush=True,
            )
    seconds, slowest_text, slowest_kind = slowest
    print(
        json.dumps(
            {"slowest": slowest_text, "kind": slowest_kind, f"s_{args.large}": round(seconds, 4)}
        )
    )


if __name__ == "__main__":
    main()
