#!/usr/bin/env python3
"""PyTorch's train step on the GPU, timed like Tick's trainers time theirs
(each step from its start until the GPU has finished it): the reference
network's shape with any widths, Adam lr 1e-3, FP32 with TF32 off, batches
in file order from Fashion-MNIST already on the GPU. Two ways: eager, and
the whole step (zero_grad, forward, loss, backward, Adam) captured once as
a CUDA graph and replayed. Prints one line per mode with the median
microseconds per step over --steps steps after --warmup.

With --layernorm ROWSxCOLS it times nn.LayerNorm's forward instead and
prints its bandwidth (input read once, output written once).

Usage: pytorch_cuda_step.py [--layers 784,128,64,10] [--batch 64]
                            [--steps N] [--warmup W] [--data DIR]
       pytorch_cuda_step.py --layernorm 16384x1024 [--steps N]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pytorch_step import mlp, read_idx  # noqa: E402


def timed(step, steps, warmup):
    micros = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        step(i)
        torch.cuda.synchronize()
        if i >= warmup:
            micros.append(1e6 * (time.perf_counter() - start))
    return statistics.median(micros)


def train_steps(args):
    device = torch.device("cuda")
    x = torch.from_numpy(read_idx(args.data, "train-images-idx3-ubyte").copy())
    x = x.to(device).float().div(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64)).to(device)
    per_epoch = len(y) // args.batch
    if per_epoch == 0:
        # Larger batches than the data set: repeat it.
        repeat = -(-args.batch // len(y))
        x, y = x.repeat(repeat, 1, 1, 1), y.repeat(repeat)
        per_epoch = 1
    widths = [int(w) for w in args.layers.split(",")]

    def batch(i):
        first = (i % per_epoch) * args.batch
        return x[first:first + args.batch], y[first:first + args.batch]

    torch.manual_seed(0)
    net = mlp(widths).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def eager(i):
        xb, yb = batch(i)
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(net(xb), yb).backward()
        opt.step()

    print(f"pytorch {torch.__version__} eager: batch {args.batch}, median "
          f"{timed(eager, args.steps, args.warmup):.1f} us per step", flush=True)

    torch.manual_seed(0)
    net = mlp(widths).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, capturable=True)
    static_x, static_y = [t.clone() for t in batch(0)]
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):  # warm up on a side stream before capturing
            opt.zero_grad(set_to_none=True)
            nn.functional.cross_entropy(net(static_x), static_y).backward()
            opt.step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    opt.zero_grad(set_to_none=True)
    with torch.cuda.graph(graph):
        nn.functional.cross_entropy(net(static_x), static_y).backward()
        opt.step()

    def replay(i):
        xb, yb = batch(i)
        static_x.copy_(xb)
        static_y.copy_(yb)
        graph.replay()

    print(f"pytorch {torch.__version__} cuda-graph: batch {args.batch}, median "
          f"{timed(replay, args.steps, args.warmup):.1f} us per step", flush=True)


def layernorm(args):
    rows, cols = (int(v) for v in args.layernorm.split("x"))
    device = torch.device("cuda")
    x = torch.randn(rows, cols, device=device)
    norm = nn.LayerNorm(cols).to(device)
    with torch.no_grad():
        micros = timed(lambda i: norm(x), args.steps, args.warmup)
    tbps = 2 * rows * cols * 4 / (micros * 1e-6) / 1e12
    print(f"pytorch {torch.__version__} layernorm {rows}x{cols}: median "
          f"{micros:.1f} us, {tbps:.2f} TB/s", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--layers", default="784,128,64,10")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--layernorm")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    if args.layernorm:
        layernorm(args)
    else:
        train_steps(args)


if __name__ == "__main__":
    main()
