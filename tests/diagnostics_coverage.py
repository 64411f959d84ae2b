#!/usr/bin/env python3
"""Fails when a diagnostic kind has no documentation or no golden test.

Every code in compiler/diagnostics/diagnostic_kind.def must have
  * a section headed `### E0xxx` in docs/diagnostics.md, and
  * a FileCheck directive (any prefix, not -NOT) naming `[E0xxx]` in some
    file under tests/lit.
And docs/diagnostics.md must not document codes that do not exist.
"""
import pathlib
import re
import sys


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    kinds = (root / "compiler/diagnostics/diagnostic_kind.def").read_text()
    codes = re.findall(r'^CALDICOTT_DIAGNOSTIC\(\w+, "([EW]\d{4})"', kinds, re.M)
    if not codes:
        print("diagnostics_coverage: no codes found in diagnostic_kind.def")
        return 1
    docs = (root / "docs/diagnostics.md").read_text()
    documented = set(re.findall(r"^### ([EW]\d{4})\b", docs, re.M))
    # A FileCheck directive with any prefix (CHECK:, CHECK-NEXT:, MISSING:),
    # but not a -NOT: one, which proves an absence.
    directive = re.compile(r"^\s*(//|#)\s*[A-Z][A-Z0-9_]*(-NEXT|-SAME|-DAG|-LABEL)?:")
    tested = set()
    for path in (root / "tests/lit").rglob("*"):
        if path.suffix in (".dsa", ".test"):
            for line in path.read_text(errors="replace").splitlines():
                if directive.match(line):
                    tested.update(re.findall(r"\[([EW]\d{4})\]", line))
    problems = []
    for code in codes:
        if code not in documented:
            problems.append(f"{code} has no `### {code}` section in docs/diagnostics.md")
        if code not in tested:
            problems.append(f"{code} has no golden test (a CHECK line with [{code}] in tests/lit)")
    for code in sorted(documented - set(codes)):
        problems.append(f"docs/diagnostics.md documents {code}, which diagnostic_kind.def lacks")
    for p in problems:
        print("diagnostics_coverage: " + p)
    print(f"diagnostics_coverage: {len(codes)} codes, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
