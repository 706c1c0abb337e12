"""PyTorch CPU peer for `cargo xtask bench rnn`: a char-RNN equivalent to genlab's
(`nn.Embedding` -> `nn.LSTM`/`nn.GRU`, 2 layers, batch_first -> `nn.Linear`, PyTorch's default
initialisation), trained and timed the way genlab trains it (the trainer of benches/peers/gpt.py:
AdamW 0.9/0.99, weight decay 0.1 on matrices only, warmup + cosine, global-norm clip 1.0).
Prints one JSON object as its last line.

Modes:
  train  char-level Shakespeare, 90/10 split, the GPT baby recipe's batch 12, context 64,
         steps and schedule; reports val loss (200 batches) and tokens/s
  speed  median time of a training step on random tokens (batch 12, context 64)
"""

import argparse
import json
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from gpt import batch, estimate, get_lr, optimizer, train_step

# genlab's RnnConfig::baby: embedding 128, 2 layers, hidden 232 (LSTM) or 272 (GRU).
HIDDEN = {"lstm": 232, "gru": 272}


class CharRnn(nn.Module):
    def __init__(self, cell, vocab, n_embd=128, n_hidden=None, n_layer=2):
        super().__init__()
        n_hidden = n_hidden or HIDDEN[cell]
        self.wte = nn.Embedding(vocab, n_embd)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(n_embd, n_hidden, num_layers=n_layer, batch_first=True)
        self.lm_head = nn.Linear(n_hidden, vocab)

    def forward(self, idx, targets=None):
        y, _ = self.rnn(self.wte(idx))
        logits = self.lm_head(y)
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def train(args):
    text = open(args.data, encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(ids))
    tr, va = ids[:n], ids[n:]
    torch.manual_seed(args.seed)
    model = CharRnn(args.cell, len(chars))
    opt = optimizer(model, 1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.perf_counter()
    loss = float("nan")
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = get_lr(step, warmup=args.warmup, total=args.steps)
        loss = train_step(model, opt, *batch(tr, 12, 64, gen))
        if args.verbose and (step + 1) % 250 == 0:
            print(f"step {step + 1}: loss {loss:.4f}", flush=True)
    seconds = time.perf_counter() - t0
    val = estimate(model, va, args.eval_iters, 12, 64)
    params = sum(p.numel() for p in model.parameters())
    return {"cell": args.cell, "val_loss": val, "train_loss": loss, "steps": args.steps,
            "seconds": seconds, "tokens_per_sec": args.steps * 12 * 64 / seconds,
            "vocab": len(chars), "num_params": params}


def speed(args):
    torch.manual_seed(0)
    model = CharRnn(args.cell, 65)
    opt = optimizer(model, 1e-3)
    data = torch.randint(0, 65, (100_000,))
    gen = torch.Generator().manual_seed(0)
    times = []
    for _ in range(args.steps + 3):
        t = time.perf_counter()
        train_step(model, opt, *batch(data, 12, 64, gen))
        times.append(time.perf_counter() - t)
    times = sorted(times[3:])
    med = times[len(times) // 2]
    params = sum(p.numel() for p in model.parameters())
    return {"cell": args.cell, "num_params": params, "median_step_ms": med * 1e3,
            "tokens_per_sec": 12 * 64 / med}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["train", "speed"], required=True)
    p.add_argument("--cell", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--data")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--eval-iters", type=int, default=200)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = {"train": train, "speed": speed}[args.mode](args)
    result.update({"threads": args.threads, "torch": torch.__version__,
                   "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
