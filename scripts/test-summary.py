#!/usr/bin/env python3
"""Prints the closing line of a test run: 'N passed, N failed, N skipped'.

Usage: test-summary.py XUNIT.xml [SKIP_LOG]. Exit status 1 when a test failed or when no test ran.

`swift test --parallel`'s xUnit report lists a skipped XCTest as passed (swiftlang/swift-package-manager#7383), so
the skips come from SKIP_LOG instead: one line `file:line: reason` per skipped test, written by TestSupport's
`Skip` (the suite runs with TILEPIPE_SKIP_LOG set). Those are taken from the passed and listed with their reasons."""
import collections
import os
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
passed = failed = skipped = 0
for c in root.iter("testcase"):
    if c.find("failure") is not None or c.find("error") is not None:
        failed += 1
        print(f"FAILED: {c.get('classname')}.{c.get('name')}", file=sys.stderr)
    elif c.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
if len(sys.argv) > 2 and os.path.exists(sys.argv[2]):
    with open(sys.argv[2], encoding="utf-8", errors="replace") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    logged = min(len(lines), passed)
    passed -= logged
    skipped += logged
    for where, n in sorted(collections.Counter(lines).items()):
        print(f"skipped{'' if n == 1 else f' ×{n}'}: {where}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
