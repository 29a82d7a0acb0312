#!/usr/bin/env python3
"""Fails when a diagnostic emitted by Tick's C++ sources has no test.

Usage: check-diagnostics-covered.py --sources DIR... --tests DIR...

Every message text passed to emitOpError / emitError / emitWarning /
emitRemark in the sources (the string literals right after the call, joined
as C++ joins adjacent literals) must appear in a test: inside an
`expected-error {{...}}` (or -warning / -remark) annotation, or on a
FileCheck line (any prefix: `CHECK:`, `ERR:`, ...). Prints each uncovered message with its file and line
and exits 1 if there is any, 0 otherwise.
"""
import argparse
import pathlib
import re
import sys

EMIT = re.compile(r"\bemit(?:Op)?(?:Error|Warning|Remark)\s*\(")
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
BETWEEN_LITERALS = re.compile(r"\s*")
ANNOTATION = re.compile(r"expected-(?:error|warning|remark)[^{\n]*\{\{(.*?)\}\}")
# A FileCheck line under any prefix; lit's own directives do not count.
CHECK_LINE = re.compile(r"^.*?\b(?!RUN:|REQUIRES:|UNSUPPORTED:|XFAIL:)"
                        r"[A-Z][A-Z0-9_-]*:(.*)$", re.MULTILINE)
SOURCE_SUFFIXES = {".cpp", ".h", ".c"}
TEST_SUFFIXES = {".mlir", ".test", ".ll", ".txt"}


def unescape(text):
    return bytes(text, "utf-8").decode("unicode_escape")


def messages(path):
    """Yields (line, message) for each diagnostic emitted in a source file."""
    text = path.read_text(errors="replace")
    for call in EMIT.finditer(text):
        statement_end = text.find(";", call.end())
        statement = text[call.end():statement_end if statement_end >= 0 else None]
        first = LITERAL.search(statement)
        if not first:
            continue
        parts, pos = [first.group(1)], first.end()
        while True:
            gap = BETWEEN_LITERALS.match(statement, pos)
            nxt = LITERAL.match(statement, gap.end())
            if not nxt:
                break
            parts.append(nxt.group(1))
            pos = nxt.end()
        message = unescape("".join(parts)).strip()
        if message:
            yield text.count("\n", 0, call.start()) + 1, message


def tested_texts(dirs):
    texts = []
    for root in dirs:
        for path in sorted(pathlib.Path(root).rglob("*")):
            if path.suffix not in TEST_SUFFIXES or not path.is_file():
                continue
            text = path.read_text(errors="replace")
            texts += ANNOTATION.findall(text)
            texts += CHECK_LINE.findall(text)
    return texts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", nargs="+", required=True)
    parser.add_argument("--tests", nargs="+", required=True)
    args = parser.parse_args()

    texts = tested_texts(args.tests)
    uncovered = total = 0
    for root in args.sources:
        for path in sorted(pathlib.Path(root).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES:
                continue
            for line, message in messages(path):
                total += 1
                if not any(message in t for t in texts):
                    uncovered += 1
                    print(f"{path}:{line}: diagnostic without a test: {message!r}")
    print(f"{total - uncovered} of {total} diagnostics have a test")
    return 1 if uncovered else 0


if __name__ == "__main__":
    sys.exit(main())
