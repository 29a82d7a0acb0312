#!/usr/bin/env python3
"""Tick against PyTorch: the same network, initial weights and batches.

Builds design.md's Net in PyTorch, exports its initial weights as
safetensors, trains it for --ticks steps on batches in file order, and runs
`tickc train` from the same weights on the same batches. Every step's loss
must agree within --rtol. Then Tick's final checkpoint is loaded into the
PyTorch Net (load_state_dict) and both sides' test accuracy must agree.
Exits 0 on agreement, 1 otherwise.
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128); self.fc2 = nn.Linear(128, 64); self.fc3 = nn.Linear(64, 10)
        self.ln1 = nn.LayerNorm(128);   self.ln2 = nn.LayerNorm(64)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = torch.relu(self.ln1(self.fc1(x)))
        x = torch.relu(self.ln2(self.fc2(x)))
        return self.fc3(x)


def read_idx(directory, name):
    path = os.path.join(directory, name)
    opener = gzip.open if os.path.exists(path + ".gz") else open
    with opener(path + ".gz" if opener is gzip.open else path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        blob = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    size = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + size])
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[8 + size + begin:8 + size + end], "<f4")
        out[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return out


def accuracy(net, images, labels):
    with torch.no_grad():
        logits = net(torch.from_numpy(images).float().div(255).unsqueeze(1))
    return 100.0 * (logits.argmax(1) == torch.from_numpy(labels.astype(np.int64))).sum().item() / len(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickc", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--optimizer", choices=["sgd", "adam"], required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rtol", type=float, required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)

    net = Net()
    init = os.path.join(args.work, "init.safetensors")
    save_safetensors(init, net.state_dict())

    metrics = os.path.join(args.work, "metrics.jsonl")
    final = os.path.join(args.work, "final.safetensors")
    if os.path.exists(metrics):
        os.remove(metrics)
    subprocess.run([args.tickc, "train", args.model, "--data", args.data,
                    "--weights", init, "--no-shuffle", "--optimizer", args.optimizer,
                    "--lr", str(args.lr), "--ticks", str(args.ticks),
                    "--batch-size", str(args.batch_size), "--threads", "2",
                    "--metrics", metrics, "--save", final],
                   check=True, stdout=subprocess.DEVNULL)
    tick_losses = [json.loads(line)["loss"] for line in open(metrics)
                   if '"tick"' in line]

    images = read_idx(args.data, "train-images-idx3-ubyte")
    labels = read_idx(args.data, "train-labels-idx1-ubyte").astype(np.int64)
    optimizer = (torch.optim.SGD(net.parameters(), lr=args.lr)
                 if args.optimizer == "sgd"
                 else torch.optim.Adam(net.parameters(), lr=args.lr))
    per_epoch = len(labels) // args.batch_size
    worst = 0.0
    for step in range(args.ticks):
        start = (step % per_epoch) * args.batch_size
        x = torch.from_numpy(images[start:start + args.batch_size].copy()).float().div(255).unsqueeze(1)
        y = torch.from_numpy(labels[start:start + args.batch_size])
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        rel = abs(tick_losses[step] - loss.item()) / abs(loss.item())
        worst = max(worst, rel)
        if step < 3 or step == args.ticks - 1 or rel > args.rtol:
            print(f"step {step + 1}: tick {tick_losses[step]:.7f} torch {loss.item():.7f} rel {rel:.2e}")
    print(f"{args.optimizer}: {len(tick_losses)} steps, max relative loss difference {worst:.2e} (limit {args.rtol:.0e})")

    # Tick's checkpoint in the PyTorch Net.
    loaded = Net()
    state = load_safetensors(final)
    missing, unexpected = loaded.load_state_dict(state, strict=False)
    assert not missing, missing
    assert all(k.startswith("optimizer.") for k in unexpected), unexpected
    test_images = read_idx(args.data, "t10k-images-idx3-ubyte")
    test_labels = read_idx(args.data, "t10k-labels-idx1-ubyte")
    torch_accuracy = accuracy(loaded, test_images, test_labels)
    out = subprocess.run([args.tickc, "eval", args.model, "--data", args.data,
                          "--weights", final, "--batch-size", str(args.batch_size)],
                         check=True, capture_output=True, text=True).stdout
    tick_accuracy = float(out.split("test accuracy ")[1].split("%")[0])
    print(f"test accuracy of Tick's checkpoint: tickc eval {tick_accuracy:.2f}%, PyTorch {torch_accuracy:.2f}%")
    agree = worst <= args.rtol and abs(tick_accuracy - torch_accuracy) < 0.005
    print("PASS" if agree else "FAIL")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
