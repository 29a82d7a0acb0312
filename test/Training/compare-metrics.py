#!/usr/bin/env python3
"""Two `tickc train --metrics` files of the same run on different targets.

The loss of each of the first --ticks ticks must agree within --rtol, and
the test accuracy after the last epoch within --accuracy-points percentage
points. Prints the largest differences; exits 0 on agreement, 1 otherwise.
"""
import argparse
import json
import sys


def read(path):
    ticks, epochs = [], []
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            (ticks if "tick" in record else epochs).append(record)
    return ticks, epochs


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--rtol", type=float, required=True)
    parser.add_argument("--accuracy-points", type=float, required=True)
    args = parser.parse_args()
    expected_ticks, expected_epochs = read(args.expected)
    actual_ticks, actual_epochs = read(args.actual)
    count = min(args.ticks, len(expected_ticks), len(actual_ticks))
    if count < args.ticks or not expected_epochs or not actual_epochs:
        print(f"FAIL: {count} ticks and {len(actual_epochs)} epochs to compare")
        return 1
    worst = max(abs(a["loss"] - e["loss"]) / abs(e["loss"])
                for e, a in zip(expected_ticks[:count], actual_ticks[:count]))
    accuracy = abs(actual_epochs[-1]["test_accuracy"] -
                   expected_epochs[-1]["test_accuracy"])
    print(f"{count} ticks, max relative loss difference {worst:.3e}; "
          f"test accuracy {expected_epochs[-1]['test_accuracy']:.2f}% vs "
          f"{actual_epochs[-1]['test_accuracy']:.2f}%")
    ok = worst <= args.rtol and accuracy <= args.accuracy_points
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
