#!/usr/bin/env python3
"""Prints the closing line of a test run from swift test's xUnit report: 'N passed, N failed, N skipped'.

Usage: test-summary.py XUNIT.xml. Exit status 1 when a test failed or when no test ran."""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = skipped = 0
for c in cases:
    if c.find("failure") is not None or c.find("error") is not None:
        failed += 1
        print(f"FAILED: {c.get('classname')}.{c.get('name')}", file=sys.stderr)
    elif c.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
