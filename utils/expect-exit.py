#!/usr/bin/env python3
"""Runs a command and succeeds only if it exits with the expected code.

Usage: expect-exit.py CODE COMMAND [ARGS...]

The command's stdout and stderr pass through unchanged, so a RUN line can
pipe them to FileCheck. Unlike lit's `not`, a crash (death by a signal) or
a different non-zero code is a failure: Tick documents its exit codes.
"""
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    expected = int(sys.argv[1])
    code = subprocess.run(sys.argv[2:]).returncode
    if code == expected:
        return 0
    what = f"signal {-code}" if code < 0 else f"exit code {code}"
    print(f"expect-exit: {sys.argv[2]} ended with {what}, expected exit code "
          f"{expected}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
