"""What the ticks after the first cost in CUDA driver calls.

Reads the call counts that the fake driver (fake-cuda.cpp) wrote for two
runs of a GPU trainer that differ only in their number of ticks, and the
model's gpu stage (tickc --emit=gpu), and prints, per later tick, the
calls made and whether the kernel launches are the train step's kernels;
and whether the longer run freed all it allocated and destroyed its graphs.

Usage: driver-calls.py COUNTS_FEWER COUNTS_MORE EXTRA_TICKS GPU_STAGE.mlir
"""
import re
import sys


def read(path):
    with open(path) as f:
        return {name: int(n) for name, n in (line.split() for line in f if line.strip())}


def train_step_kernels(path):
    count, inside = 0, False
    with open(path) as f:
        for line in f:
            if re.search(r"func\.func @", line):
                inside = "@train_step(" in line
            elif inside and "gpu.launch blocks" in line:
                count += 1
    return count


def main():
    fewer, more, extra, stage = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    a, b = read(fewer), read(more)
    kernels = train_step_kernels(stage)
    print(f"kernels per train step: {kernels}")
    for call in sorted(set(a) | set(b)):
        per_tick = (b.get(call, 0) - a.get(call, 0)) / extra
        print(f"{call} per later tick: {per_tick:g}")
    allocated = sum(b.get(c, 0) for c in ("cuMemAlloc", "cuMemAllocAsync", "cuMemAllocManaged"))
    freed = sum(b.get(c, 0) for c in ("cuMemFree", "cuMemFreeAsync"))
    print(f"every allocation freed by the end: {'yes' if allocated == freed else 'no'}"
          f" ({allocated} allocated, {freed} freed)")
    print("every graph destroyed by the end: "
          + ("yes" if b.get("cuGraphInstantiate", 0) == b.get("cuGraphExecDestroy", 0) else "no"))
    launches = (b.get("cuLaunchKernel", 0) - a.get("cuLaunchKernel", 0)) / extra
    print("launches per later tick are the train step's kernels: "
          + ("yes" if kernels > 0 and launches == kernels else "no"))


if __name__ == "__main__":
    main()
