#!/usr/bin/env python3
"""PyTorch's train step, timed the way bench/run times Tick's and the oneDNN
trainer's: the reference network's shape (flatten, Linear + LayerNorm + ReLU
per hidden layer, Linear, cross-entropy) with any widths, Adam lr 1e-3,
batches in file order from Fashion-MNIST already in memory as float tensors.
Prints the median microseconds of one step (zero_grad, forward, loss,
backward, optimizer step) over --steps steps after --warmup.

With --compile the network runs through torch.compile (PyTorch 2).

Usage: pytorch_step.py [--layers 784,128,64,10] [--batch 64] [--steps N]
                       [--warmup W] [--threads 2] [--data DIR] [--compile]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "Training"))
from crosscheck import read_idx  # noqa: E402


def mlp(widths):
    layers = [nn.Flatten()]
    for i in range(len(widths) - 1):
        layers.append(nn.Linear(widths[i], widths[i + 1]))
        if i + 2 < len(widths):
            layers += [nn.LayerNorm(widths[i + 1]), nn.ReLU()]
    return nn.Sequential(*layers)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", default="784,128,64,10")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--compile", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    x = torch.from_numpy(read_idx(args.data, "train-images-idx3-ubyte").copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64))
    net = mlp([int(w) for w in args.layers.split(",")])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    forward = torch.compile(net) if args.compile else net
    per_epoch = len(y) // args.batch
    micros = []
    for step in range(args.warmup + args.steps):
        first = (step % per_epoch) * args.batch
        xb, yb = x[first:first + args.batch], y[first:first + args.batch]
        start = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(forward(xb), yb).backward()
        opt.step()
        if step >= args.warmup:
            micros.append(1e6 * (time.perf_counter() - start))
    mode = " torch.compile" if args.compile else ""
    print(f"pytorch {torch.__version__}{mode}: batch {args.batch}, median "
          f"{statistics.median(micros):.1f} us per step over {args.steps} steps")


if __name__ == "__main__":
    main()
