#!/usr/bin/env python3
"""Kills `tickc train` with SIGKILL at random moments while it saves a
checkpoint after every tick, and checks after each kill that the checkpoint
on disk loads and is exactly one of the states training saved: the same
bytes as an uninterrupted run stopped after that many ticks. Kills that
land before the first save are not counted: it kills until --kills
checkpoints have been checked (giving up after 5 times as many tries).

Usage: kill-test.py --tickc TICKC --model M --data DIR --work DIR
                    [--kills N] [--ticks N] [--batch-size B] [--seed S]
Exits 0 when every check held, 1 otherwise.
"""
import argparse
import json
import os
import random
import signal
import struct
import subprocess
import sys
import time


def metadata(path):
    with open(path, "rb") as f:
        data = f.read()
    size = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + size])["__metadata__"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickc", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--ticks", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = random.Random(args.seed)
    common = [args.tickc, "train", args.model, "--data", args.data,
              "--batch-size", str(args.batch_size), "--threads", "1"]

    # When training starts (after compiling) and how long a run takes: the
    # kills are spread over the part of the run that saves.
    start = time.monotonic()
    subprocess.run(common + ["--ticks", "1"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    startup = time.monotonic() - start
    start = time.monotonic()
    subprocess.run(common + ["--ticks", str(args.ticks), "--save",
                             os.path.join(args.work, "full.safetensors"),
                             "--save-every", "1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    duration = time.monotonic() - start

    references, checked, empty, failures = {}, 0, 0, 0
    target = os.path.join(args.work, "killed.safetensors")
    kill = 0
    # The window kills land in. When the machine gets busier than during
    # the timing runs, a kill that comes before the first save says the
    # start takes at least that long: the window moves later.
    low, high = startup * 0.8, max(duration, startup)
    while checked < args.kills and kill < 5 * args.kills:
        kill += 1
        if os.path.exists(target):
            os.remove(target)
        process = subprocess.Popen(
            common + ["--ticks", str(args.ticks), "--save", target, "--save-every", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(low, high)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if not os.path.exists(target):
            empty += 1          # killed before the first save
            low = max(low, delay)
            high = max(high, low * 1.5)
            continue
        ticks = int(metadata(target)["tick.ticks_done"])
        if ticks not in references:
            ref = os.path.join(args.work, f"ref-{ticks}.safetensors")
            subprocess.run(common + ["--ticks", str(ticks), "--save", ref],
                           check=True, stdout=subprocess.DEVNULL)
            references[ticks] = open(ref, "rb").read()
        loads = subprocess.run(
            [args.tickc, "eval", args.model, "--data", args.data, "--batch-size",
             str(args.batch_size), "--weights", target],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
        same = open(target, "rb").read() == references[ticks]
        checked += 1
        if not (loads and same):
            failures += 1
            print(f"kill {kill}: checkpoint after {ticks} ticks "
                  f"{'loads' if loads else 'does not load'}, "
                  f"{'equals' if same else 'differs from'} the saved state")
    print(f"{kill} kills: {checked} checkpoints on disk checked "
          f"({len(references)} distinct states), {empty} killed before the first "
          f"save, {failures} failures")
    return 1 if failures or checked < args.kills else 0


if __name__ == "__main__":
    sys.exit(main())
