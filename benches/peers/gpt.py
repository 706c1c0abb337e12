"""PyTorch CPU peer for `cargo xtask bench gpt`: a GPT equivalent to genlab's (and nanoGPT's
model.py: pre-LayerNorm blocks, exact GELU, tied embeddings, no biases, GPT-2 init), trained
and timed the same way. Prints one JSON object as its last line.

Modes:
  train     char-level Shakespeare, 90/10 split, nanoGPT's CPU recipe; reports val loss and tokens/s
  speed     median time of a training step on random tokens (baby preset, batch 12)
  generate  tokens/s generating with and without a KV cache (small preset shape)
"""

import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, h, n_layer):
        super().__init__()
        self.h = h
        self.c_attn = nn.Linear(d, 3 * d, bias=False)
        self.c_proj = nn.Linear(d, d, bias=False)
        nn.init.normal_(self.c_attn.weight, 0.0, 0.02)
        nn.init.normal_(self.c_proj.weight, 0.0, 0.02 / math.sqrt(2 * n_layer))

    def forward(self, x, cache=None):
        b, t, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.h, d // self.h).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            if cache.get("k") is not None:
                k = torch.cat([cache["k"], k], dim=2)
                v = torch.cat([cache["v"], v], dim=2)
            cache["k"], cache["v"] = k, v
        # Causal only when queries and keys line up; one new query sees every cached key.
        y = F.scaled_dot_product_attention(q, k, v, is_causal=q.shape[2] == k.shape[2] and t > 1)
        return self.c_proj(y.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, d, h, n_layer):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d, bias=False)
        self.attn = Attention(d, h, n_layer)
        self.ln_2 = nn.LayerNorm(d, bias=False)
        self.c_fc = nn.Linear(d, 4 * d, bias=False)
        self.c_proj = nn.Linear(4 * d, d, bias=False)
        nn.init.normal_(self.c_fc.weight, 0.0, 0.02)
        nn.init.normal_(self.c_proj.weight, 0.0, 0.02 / math.sqrt(2 * n_layer))

    def forward(self, x, cache=None):
        x = x + self.attn(self.ln_1(x), cache)
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, block, n_layer, n_head, d):
        super().__init__()
        self.block = block
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(block, d)
        nn.init.normal_(self.wte.weight, 0.0, 0.02)
        nn.init.normal_(self.wpe.weight, 0.0, 0.02)
        self.h = nn.ModuleList(Block(d, n_head, n_layer) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(d, bias=False)

    def forward(self, idx, targets=None, caches=None, start=0):
        t = idx.shape[1]
        pos = torch.arange(start, start + t)
        x = self.wte(idx) + self.wpe(pos)
        for i, blk in enumerate(self.h):
            x = blk(x, None if caches is None else caches[i])
        logits = self.ln_f(x) @ self.wte.weight.t()
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.view(-1))


def optimizer(model, lr, wd=0.1):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.99), eps=1e-8)


def get_lr(step, lr=1e-3, min_lr=1e-4, warmup=100, total=2000):
    if step < warmup:
        return lr * (step + 1) / warmup
    if step >= total:
        return min_lr
    ratio = (step - warmup) / (total - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def batch(data, b, block, gen):
    ix = torch.randint(len(data) - block, (b,), generator=gen)
    x = torch.stack([data[i : i + block] for i in ix])
    y = torch.stack([data[i + 1 : i + 1 + block] for i in ix])
    return x, y


def train_step(model, opt, x, y):
    """One optimiser step as genlab takes it: loss, backward, global-norm clip 1.0, AdamW."""
    loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return loss.item()


@torch.no_grad()
def estimate(model, data, iters, b, block):
    model.eval()
    gen = torch.Generator().manual_seed(0xE7A1)
    losses = [model(*batch(data, b, block, gen)).item() for _ in range(iters)]
    model.train()
    return sum(losses) / len(losses)


def train(args):
    text = open(args.data, encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(ids))
    tr, va = ids[:n], ids[n:]
    torch.manual_seed(args.seed)
    model = GPT(len(chars), 64, 4, 4, 128)
    opt = optimizer(model, 1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.perf_counter()
    loss = float("nan")
    for step in range(args.steps):
        for g in opt.param_groups:
            g["lr"] = get_lr(step, total=args.steps)
        loss = train_step(model, opt, *batch(tr, 12, 64, gen))
        if args.verbose and (step + 1) % 250 == 0:
            print(f"step {step + 1}: loss {loss:.4f}", flush=True)
    seconds = time.perf_counter() - t0
    val = estimate(model, va, args.eval_iters, 12, 64)
    return {"val_loss": val, "train_loss": loss, "steps": args.steps, "seconds": seconds,
            "tokens_per_sec": args.steps * 12 * 64 / seconds, "vocab": len(chars)}


def speed(args):
    torch.manual_seed(0)
    model = GPT(65, 64, 4, 4, 128)
    opt = optimizer(model, 1e-3)
    data = torch.randint(0, 65, (100_000,))
    gen = torch.Generator().manual_seed(0)
    times = []
    for _ in range(args.steps):
        t = time.perf_counter()
        train_step(model, opt, *batch(data, 12, 64, gen))
        times.append(time.perf_counter() - t)
    med = sorted(times)[len(times) // 2]
    return {"median_step_ms": med * 1e3, "tokens_per_sec": 12 * 64 / med}


@torch.no_grad()
def generate(args):
    torch.manual_seed(0)
    block = 256
    model = GPT(65, block, 6, 6, 384).eval()
    n = args.tokens

    def next_token(logits):
        return int(torch.argmax(logits[0, -1]))

    # Without a cache: recompute the (cropped) context every token, as nanoGPT's generate does.
    seq = [0]
    t = time.perf_counter()
    for _ in range(n):
        ctx = torch.tensor([seq[-block:]])
        seq.append(next_token(model(ctx)))
    no_cache = time.perf_counter() - t

    # With a cache; when full, re-prefill the last block/2 tokens (the same policy genlab uses).
    seq = [0]
    t = time.perf_counter()
    caches = [dict() for _ in model.h]
    logits = model(torch.tensor([seq]), caches=caches, start=0)
    pos = 1
    for _ in range(n):
        tok = next_token(logits)
        seq.append(tok)
        if pos >= block:
            keep = seq[-(block // 2):]
            caches = [dict() for _ in model.h]
            logits = model(torch.tensor([keep]), caches=caches, start=0)
            pos = len(keep)
        else:
            logits = model(torch.tensor([[tok]]), caches=caches, start=pos)
            pos += 1
    cached = time.perf_counter() - t
    return {"tokens": n, "no_cache_tokens_per_sec": n / no_cache, "cache_tokens_per_sec": n / cached}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["train", "speed", "generate"], required=True)
    p.add_argument("--data")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--eval-iters", type=int, default=200)
    p.add_argument("--tokens", type=int, default=500)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    result = {"train": train, "speed": speed, "generate": generate}[args.mode](args)
    result.update({"threads": args.threads, "torch": torch.__version__,
                   "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
