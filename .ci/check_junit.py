"""Fail unless a JUnit report shows tests that really ran: enough of them, none failed, named ones passed."""

import argparse
import sys
import xml.etree.ElementTree as ET


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument(
        "--min", type=int, default=1, help="at least this many tests must have run (not skipped)"
    )
    parser.add_argument("--no-skips", action="store_true", help="any skipped test fails the check")
    parser.add_argument("--require", action="append", default=[], help="a test name that must have passed")
    args = parser.parse_args()

    cases = list(ET.parse(args.report).getroot().iter("testcase"))  # noqa: S314 - our own pytest report
    skipped = [c for c in cases if c.find("skipped") is not None]
    failed = [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
    ran = len(cases) - len(skipped)
    passed = {c.get("name") for c in cases if c not in skipped and c not in failed}
    problems = []
    if ran < args.min:
        problems.append(f"only {ran} tests ran (at least {args.min} expected)")
    if failed:
        problems.append(f"{len(failed)} failed")
    if args.no_skips and skipped:
        reasons = {(c.find("skipped").get("message") or "")[:120] for c in skipped}
        problems.append(f"{len(skipped)} skipped: {'; '.join(sorted(reasons))}")
    for name in args.require:
        if not any(p == name or p.startswith(name + "[") for p in passed):
            problems.append(f"required test {name} did not pass")
    print(f"{args.report}: {ran} ran, {len(skipped)} skipped, {len(failed)} failed")
    if problems:
        print("CI check failed: " + "; ".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
