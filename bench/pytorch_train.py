#!/usr/bin/env python3
"""PyTorch's side of the training comparison: design.md's Net on
Fashion-MNIST, Adam lr 1e-3, batch 64, shuffled, 2 threads; prints the test
accuracy after each epoch and the training samples/s (data already in
memory as float tensors, as Tick has it).

Usage: pytorch_train.py [--epochs N] [--data DIR]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "test", "Training"))
from crosscheck import Net, read_idx  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    x = torch.from_numpy(read_idx(args.data, "train-images-idx3-ubyte").copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64))
    tx = torch.from_numpy(read_idx(args.data, "t10k-images-idx3-ubyte").copy()).float().div(255).unsqueeze(1)
    ty = torch.from_numpy(read_idx(args.data, "t10k-labels-idx1-ubyte").astype(np.int64))
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for epoch in range(args.epochs):
        order = torch.randperm(len(y))
        start = time.perf_counter()
        steps = len(y) // 64
        for i in range(steps):
            idx = order[i * 64:(i + 1) * 64]
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
        seconds = time.perf_counter() - start
        with torch.no_grad():
            accuracy = 100.0 * (net(tx).argmax(1) == ty).float().mean().item()
        print(f"epoch {epoch + 1}: test accuracy {accuracy:.2f}%, {steps * 64 / seconds:.0f} samples/s")


if __name__ == "__main__":
    main()
