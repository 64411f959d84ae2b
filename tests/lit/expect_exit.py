#!/usr/bin/env python3
"""Runs a command and succeeds only if it exits with the given status.

    %expect-exit STATUS COMMAND ARGS...

The command's standard output and error pass through unchanged, so the
result can be piped into FileCheck. A crash (death by signal) never matches.
"""
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: expect_exit.py STATUS COMMAND ARGS...", file=sys.stderr)
        return 2
    want = int(sys.argv[1])
    got = subprocess.call(sys.argv[2:])
    if got != want:
        how = f"was killed by signal {-got}" if got < 0 else f"exited with {got}"
        print(f"expect_exit: `{' '.join(sys.argv[2:])}` {how}; expected {want}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
