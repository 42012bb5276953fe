"""Write FAULTS.md's "Bad input" section from a pytest run of tests/bad_input: every case tried, with its verdict.

    .venv/bin/python scripts/bad_input_table.py            # runs tests/bad_input (a few minutes), writes FAULTS.md
    .venv/bin/python scripts/bad_input_table.py --junit X  # from an existing `pytest --junitxml X` run instead

Nothing in the table is typed by hand: the case is the test's given/when clause, the expectation its then clause,
the connector its parameters, the verdict what pytest reported.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from faults import REPORT, ROOT, commit, write_section

TITLE = "Bad input"
TESTS = "tests/bad_input"
AREAS = {  # test module -> what it feeds the connectors
    "test_bad_input": "stdin lines and records",
    "test_broken_answers": "API answers of the wrong shape",
    "test_edge_errors": "config, state and catalog files",
    "test_careless_orders": "careless and hostile orders",
    "test_estimates": "source reads from their own state",
}


@dataclass(frozen=True)
class Verdict:
    area: str
    case: str
    expected: str
    params: str
    verdict: str


def _words(snake: str) -> str:
    return snake.replace("_", " ").strip()


def verdict_of(case: ET.Element) -> Verdict:
    """One junit testcase -> its table row (given/when -> case, then -> expected, [params] -> connector)."""
    module = (case.get("classname") or "").rsplit(".", 1)[-1]
    name = case.get("name") or ""
    function, _, params = name.partition("[")
    body = function.removeprefix("test_").removeprefix("given_")
    given, _, expected = body.partition("_then_")
    outcome = "pass"
    for tag, label in (("failure", "FAIL"), ("error", "ERROR"), ("skipped", "skipped")):
        found = case.find(tag)
        if found is not None:
            message = (found.get("message") or "").splitlines()[0][:80] if found.get("message") else ""
            outcome = f"{label}: {message}" if message and label == "skipped" else label
    return Verdict(area=AREAS.get(module, module), case=_words(given.replace("_when_", ", when ")),
                   expected=_words(expected), params=params.rstrip("]").replace("-", " "), verdict=outcome)


def table(verdicts: list[Verdict]) -> list[str]:
    rows = ["| input | case tried | connector / variant | expected | verdict |", "|---|---|---|---|---|"]
    rows += [f"| {v.area} | {v.case} | {v.params or 'all'} | {v.expected} | {v.verdict} |" for v in verdicts]
    return rows


def run_tests(junit: Path) -> int:
    """The bad-input tests, once, in this process's interpreter (the worktree's .venv)."""
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", TESTS,
                           f"--junitxml={junit}"], cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--junit", type=Path, help="read this junit XML instead of running the tests")
    parser.add_argument("--report", type=Path, default=REPORT, help="the Markdown file to update (FAULTS.md)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bad-input-") as tmp:
        junit = args.junit or Path(tmp) / "junit.xml"
        code = 0 if args.junit else run_tests(junit)
        cases = ET.parse(junit).getroot().iter("testcase")  # noqa: S314 (our own pytest run wrote it)
        verdicts = [verdict_of(c) for c in cases]
    passed = sum(v.verdict == "pass" for v in verdicts)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_section(args.report, TITLE, [
        f"`scripts/bad_input_table.py` from a pytest run of `{TESTS}`, {when}, commit {commit()}: "
        f"{len(verdicts)} cases, {passed} pass, {len(verdicts) - passed} not.", "",
        "Each case runs the real connector process (a destination's `write` on crafted stdin against a fresh "
        "stand-in, a source's `read` against a stand-in answering wrongly, or a console script given a bad file) "
        "and checks what a user sees (the one-line error, the SUMMARY's skipped and notices, the exit code) and "
        "what the ledger holds afterwards.", "", *table(verdicts)])
    print(f"{args.report}: {TITLE}: {passed}/{len(verdicts)} pass")
    return code or (0 if passed == len(verdicts) else 1)


if __name__ == "__main__":
    sys.exit(main())
