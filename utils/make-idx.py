#!/usr/bin/env python3
"""Writes a small MNIST-style data set: the four IDX files Tick reads.

Usage: make-idx.py DIR [--train N] [--test N] [--size PIXELS] [--classes C]
                       [--seed S] [--gzip]

Images are random bytes whose mean brightness depends on the label, so a
model can learn them; labels cycle through the classes. The files are raw
IDX unless --gzip is given.
"""
import argparse
import gzip
import os
import random
import struct


def idx(dims, payload):
    header = struct.pack(">BBBB", 0, 0, 0x08, len(dims))
    header += b"".join(struct.pack(">I", d) for d in dims)
    return header + payload


def split(n, size, classes, rng):
    labels = bytes(i % classes for i in range(n))
    pixels = bytearray()
    for label in labels:
        base = 255 * label // max(classes - 1, 1)
        pixels += bytes(min(255, max(0, base + rng.randint(-60, 60)))
                        for _ in range(size * size))
    return idx([n, size, size], bytes(pixels)), idx([n], labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--train", type=int, default=256)
    parser.add_argument("--test", type=int, default=100)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gzip", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    files = {}
    files["train-images-idx3-ubyte"], files["train-labels-idx1-ubyte"] = split(
        args.train, args.size, args.classes, rng)
    files["t10k-images-idx3-ubyte"], files["t10k-labels-idx1-ubyte"] = split(
        args.test, args.size, args.classes, rng)
    for name, data in files.items():
        path = os.path.join(args.dir, name)
        if args.gzip:
            with gzip.open(path + ".gz", "wb") as f:
                f.write(data)
        else:
            with open(path, "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
