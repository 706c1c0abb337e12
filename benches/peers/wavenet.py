"""PyTorch CPU peer for `cargo xtask bench wavenet`: a WaveNet of the same shape as genlab's
presets (embedding input, kernel-2 dilated causal Conv1d into tanh * sigmoid gates, 1x1
residual and skip convs, ReLU-1x1-ReLU-1x1 head, 256-way cross-entropy), trained with the
same recipe on the same windows, and a queue-based ("Fast WaveNet") generator. Prints one JSON
object as its last line.

Modes:
  train     --classes DIR (train-*.u8 / val-*.u8 written by genlab's bench), held-out bits per
            sample and training samples per second
  generate  samples per second of the queue generator (random weights)

The windows repeat genlab's seed scheme exactly: step s draws SplitMix64(step_seed(seed, s))
and window b starts at its (b+1)-th output modulo the number of possible starts, counted clip
by clip in file-name order.
"""

import argparse
import glob
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    # name: (layers, stacks, residual, gate, skip, end)
    "tiny": (4, 1, 8, 8, 16, 16),
    "small": (8, 2, 32, 32, 64, 64),
    "classic": (10, 3, 32, 32, 256, 256),
}
M64 = (1 << 64) - 1


def step_seed(seed, step):
    z = (seed ^ (((step + 1) * 0x9E3779B97F4A7C15) & M64)) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)


class Layer(nn.Module):
    def __init__(self, r, g, s, d):
        super().__init__()
        self.d = d
        self.conv = nn.Conv1d(r, 2 * g, 2, dilation=d)
        self.res = nn.Conv1d(g, r, 1)
        self.skip = nn.Conv1d(g, s, 1)

    def forward(self, x):  # [b, r, t]
        z = self.conv(F.pad(x, (self.d, 0)))
        f, g = z.chunk(2, dim=1)
        out = torch.tanh(f) * torch.sigmoid(g)
        return x + self.res(out), self.skip(out)


class WaveNet(nn.Module):
    def __init__(self, layers, stacks, r, g, s, e):
        super().__init__()
        self.embed = nn.Embedding(256, r)
        self.layers = nn.ModuleList(
            Layer(r, g, s, 1 << i) for _ in range(stacks) for i in range(layers)
        )
        self.out1 = nn.Conv1d(s, e, 1)
        self.out2 = nn.Conv1d(e, 256, 1)
        self.rf = 1 + sum(l.d for l in self.layers)

    def forward(self, x):  # [b, t] -> [b, 256, t]
        h = self.embed(x).transpose(1, 2)
        skip = 0
        for layer in self.layers:
            h, s = layer(h)
            skip = skip + s
        return self.out2(F.relu(self.out1(F.relu(skip))))


def lr_at(step, lr, min_lr, warmup, total):
    if step < warmup:
        return lr * (step + 1) / warmup
    if step >= total:
        return min_lr
    progress = (step - warmup) / max(total - warmup, 1)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * progress)) * (lr - min_lr)


def load(dir, prefix):
    files = sorted(glob.glob(os.path.join(dir, f"{prefix}-*.u8")))
    if not files:
        raise SystemExit(f"no {prefix}-*.u8 in {dir}")
    return [np.fromfile(f, dtype=np.uint8).astype(np.int64) for f in files]


def evaluate(model, clips, chunk=16384):
    nats, count = 0.0, 0
    with torch.inference_mode():
        for x in clips:
            n = len(x) - 1
            start = 0
            while start < n:
                length = min(chunk, n - start)
                lo = max(start + 1 - model.rf, 0)
                inp = torch.from_numpy(x[lo : start + length]).unsqueeze(0)
                tgt = torch.from_numpy(x[start + 1 : start + length + 1])
                logits = model(inp)[0, :, -length:].transpose(0, 1)
                nats += F.cross_entropy(logits, tgt, reduction="sum").item()
                count += length
                start += length
    return nats / count, count


def train(args):
    torch.manual_seed(args.seed)
    model = WaveNet(*PRESETS[args.preset])
    clips = load(args.classes, "train")
    val = load(args.classes, "val")
    w, b = args.window, args.batch_size
    offsets, total = [], 0
    for x in clips:
        offsets.append(total)
        total += max(len(x) - w, 0)
    offsets = np.array(offsets)
    # genlab's Adam: AdamW with weight decay 0, betas (0.9, 0.999), eps 1e-8, clip 1.0.
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    losses = []
    started = time.perf_counter()
    for step in range(args.steps):
        rng = SplitMix64(step_seed(args.seed, step))
        xs, ys = [], []
        for _ in range(b):
            index = rng.next() % total
            clip = int(np.searchsorted(offsets, index, side="right")) - 1
            start = index - int(offsets[clip])
            window = clips[clip][start : start + w + 1]
            xs.append(window[:-1])
            ys.append(window[1:])
        x = torch.from_numpy(np.stack(xs))
        y = torch.from_numpy(np.stack(ys))
        for group in opt.param_groups:
            group["lr"] = lr_at(step, args.lr, args.min_lr, args.warmup, args.steps)
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    train_seconds = time.perf_counter() - started
    nats, count = evaluate(model, val)
    return {
        "preset": args.preset,
        "steps": args.steps,
        "threads": torch.get_num_threads(),
        "train_seconds": train_seconds,
        "samples_per_second": args.steps * b * w / train_seconds,
        "final_train_loss_nats": float(np.mean(losses[-50:])),
        "val_nats_per_sample": nats,
        "val_bits_per_sample": nats / math.log(2),
        "val_samples": count,
    }


class QueueGenerator:
    """Fast WaveNet generation: each layer keeps a ring of its last `d` inputs."""

    def __init__(self, model):
        self.model = model
        r = model.embed.embedding_dim
        self.rings = [torch.zeros(l.d, r) for l in model.layers]
        # conv weight [2g, r, 2]: tap 0 multiplies x[t - d], tap 1 x[t].
        self.w = [torch.cat([l.conv.weight[:, :, 0], l.conv.weight[:, :, 1]], 1) for l in model.layers]
        self.t = 0

    def step(self, c):
        m = self.model
        h = m.embed.weight[c]
        skip = 0
        for layer, ring, w in zip(m.layers, self.rings, self.w):
            slot = self.t % layer.d
            z = F.linear(torch.cat([ring[slot], h]), w, layer.conv.bias)
            ring[slot] = h
            f, g = z.chunk(2)
            out = torch.tanh(f) * torch.sigmoid(g)
            h = h + F.linear(out, layer.res.weight[:, :, 0], layer.res.bias)
            skip = skip + F.linear(out, layer.skip.weight[:, :, 0], layer.skip.bias)
        self.t += 1
        hidden = F.relu(F.linear(F.relu(skip), m.out1.weight[:, :, 0], m.out1.bias))
        return F.linear(hidden, m.out2.weight[:, :, 0], m.out2.bias)


def generate(args):
    torch.manual_seed(1)
    model = WaveNet(*PRESETS[args.preset])
    n = int(args.seconds * 16000)
    gen = torch.Generator().manual_seed(1)
    with torch.inference_mode():
        q = QueueGenerator(model)
        c = 128
        started = time.perf_counter()
        for _ in range(n):
            logits = q.step(c)
            c = int(torch.multinomial(torch.softmax(logits, 0), 1, generator=gen))
        seconds = time.perf_counter() - started
    return {"preset": args.preset, "threads": torch.get_num_threads(), "samples": n, "samples_per_second": n / seconds}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "generate"])
    p.add_argument("--classes")
    p.add_argument("--preset", default="small")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--window", type=int, default=2048)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--min-lr", type=float, default=2e-4)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    out = train(args) if args.mode == "train" else generate(args)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
