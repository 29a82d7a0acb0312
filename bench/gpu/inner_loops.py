#!/usr/bin/env python3
"""What each kernel's innermost multiply-add loop issues, read from PTX.

For every kernel of a PTX file (tickc compile --target=cuda --emit=ptx)
whose loops hold fma instructions, the loop with the most of them: its
instructions, fmas and shared-memory reads, and instructions per fma (1.0
would be fmas alone). A static measure that needs no GPU: ptxas may still
schedule and unroll further, so compare builds by it, and time on a GPU.

Usage: bench/gpu/inner_loops.py MODEL.ptx
"""

import re
import sys

ENTRY = re.compile(r"\.visible \.entry (\w+)\(")
BRANCH = re.compile(r"\bbra(?:\.uni)?\s+(\$L\w+);")


def kernels(path):
    """(name, instruction lines) of each kernel in the file."""
    name, body = None, []
    with open(path) as ptx:
        for line in ptx:
            entry = ENTRY.match(line)
            if entry:
                if name:
                    yield name, body
                name, body = entry.group(1), []
            elif name:
                body.append(line.strip())
    if name:
        yield name, body


def busiest_loop(body):
    """(instructions, fmas, shared reads) of the loop with the most fmas:
    the lines from a label up to a branch back to it."""
    labels = {line[:-1]: i for i, line in enumerate(body)
              if line.startswith("$L") and line.endswith(":")}
    best = None
    for i, line in enumerate(body):
        branch = BRANCH.search(line)
        if not branch or labels.get(branch.group(1), i) >= i:
            continue
        loop = [x for x in body[labels[branch.group(1)] + 1:i + 1]
                if x and not x.startswith(("$L", "//"))]
        fmas = sum("fma.rn.f32" in x for x in loop)
        if fmas and (best is None or fmas > best[1]):
            best = (len(loop), fmas, sum("ld.shared" in x for x in loop))
    return best


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    for name, body in kernels(sys.argv[1]):
        loop = busiest_loop(body)
        if loop:
            instructions, fmas, shared = loop
            print(f"{name}: {instructions} instructions, {fmas} fma, "
                  f"{shared} shared reads: {instructions / fmas:.2f} per fma")


if __name__ == "__main__":
    main()
