"""Peer for `cargo xtask bench decoding`: PyTorch (CPU) running Hugging Face-style logits
warpers on the same logits as crates/genlab-decoding/examples/bench.rs, batch 1 and 32.

The warpers below are copied from transformers' `generation/logits_process.py`
(TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper, MinPLogitsWarper,
RepetitionPenaltyLogitsProcessor), followed by softmax + torch.multinomial as in
`GenerationMixin._sample`. Two chains are timed:
  warpers: top-k 40 -> top-p 0.95 -> temperature 0.8 -> multinomial          (the bar)
  full:    repetition 1.1 -> top-k 40 -> top-p 0.95 -> min-p 0.05 -> temperature -> multinomial
in genlab's chain order (temperature last, as llama.cpp does), not transformers' default.
Prints a table to stderr and ONE JSON object (median us per row) as the last stdout line.

    OMP_NUM_THREADS=1 python benches/peers/decoding.py --threads 1
"""

import argparse
import json
import math
import statistics
import sys
import time

import numpy as np
import torch

VOCAB = 50_257
ROWS = 32
HISTORY = 64
M32 = np.uint64(0xFFFFFFFF)


def hash32(i: np.ndarray) -> np.ndarray:
    """Same as `hash` in crates/genlab-decoding/benches/common/mod.rs (uint64 wraps)."""
    x = (i * np.uint64(0x9E3779B1) + np.uint64(0x7F4A7C15)) & M32
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & M32
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & M32
    x ^= x >> np.uint64(16)
    return x


def make_logits(rows: int) -> torch.Tensor:
    i = np.arange(rows * VOCAB, dtype=np.uint64)
    u1 = (hash32(np.uint64(2) * i).astype(np.float64) + 0.5) / 4294967296.0
    u2 = (hash32(np.uint64(2) * i + np.uint64(1)).astype(np.float64) + 0.5) / 4294967296.0
    z = 2.5 * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)
    return torch.from_numpy(z.astype(np.float32).reshape(rows, VOCAB))


def make_histories(rows: int) -> torch.Tensor:
    r = np.arange(rows, dtype=np.uint64)[:, None]
    j = np.arange(HISTORY, dtype=np.uint64)[None, :]
    ids = hash32(np.uint64(1_000_000_000) + r * np.uint64(HISTORY) + j) % np.uint64(VOCAB)
    return torch.from_numpy(ids.astype(np.int64))


# ---- Hugging Face warpers (transformers/generation/logits_process.py) ----

class TemperatureLogitsWarper:
    def __init__(self, temperature: float):
        self.temperature = temperature

    def __call__(self, input_ids, scores):
        return scores / self.temperature


class TopKLogitsWarper:
    def __init__(self, top_k: int, filter_value: float = -float("inf"), min_tokens_to_keep: int = 1):
        self.top_k = max(top_k, min_tokens_to_keep)
        self.filter_value = filter_value

    def __call__(self, input_ids, scores):
        top_k = min(self.top_k, scores.size(-1))
        indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
        return scores.masked_fill(indices_to_remove, self.filter_value)


class TopPLogitsWarper:
    def __init__(self, top_p: float, filter_value: float = -float("inf"), min_tokens_to_keep: int = 1):
        self.top_p = float(top_p)
        self.filter_value = filter_value
        self.min_tokens_to_keep = min_tokens_to_keep

    def __call__(self, input_ids, scores):
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_indices_to_remove = cumulative_probs <= (1 - self.top_p)
        sorted_indices_to_remove[..., -self.min_tokens_to_keep :] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, self.filter_value)


class MinPLogitsWarper:
    def __init__(self, min_p: float, filter_value: float = -float("inf"), min_tokens_to_keep: int = 1):
        self.min_p = min_p
        self.filter_value = filter_value
        self.min_tokens_to_keep = min_tokens_to_keep

    def __call__(self, input_ids, scores):
        probs = torch.softmax(scores, dim=-1)
        top_probs = probs.amax(dim=-1, keepdim=True)
        scaled_min_p = self.min_p * top_probs
        tokens_to_remove = probs < scaled_min_p
        sorted_indices = torch.argsort(scores, descending=True, dim=-1)
        sorted_indices_to_remove = torch.gather(tokens_to_remove, dim=-1, index=sorted_indices)
        sorted_indices_to_remove[..., : self.min_tokens_to_keep] = False
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, self.filter_value)


class RepetitionPenaltyLogitsProcessor:
    def __init__(self, penalty: float):
        self.penalty = penalty

    def __call__(self, input_ids, scores):
        score = torch.gather(scores, 1, input_ids)
        score = torch.where(score < 0, score * self.penalty, score / self.penalty)
        return scores.scatter(1, input_ids, score)


def step(chain, input_ids, logits, generator):
    scores = logits
    for p in chain:
        scores = p(input_ids, scores)
    probs = torch.nn.functional.softmax(scores, dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(1)


def measure(chain, logits, histories, batch, reps, generator):
    times = []
    warm = max(reps // 10, 1)
    for rep in range(reps + warm):
        if batch == 1:
            r = rep % ROWS
            x, h = logits[r : r + 1], histories[r : r + 1]
        else:
            x, h = logits, histories
        t0 = time.perf_counter()
        step(chain, h, x, generator)
        dt = (time.perf_counter() - t0) * 1e6 / batch
        if rep >= warm:
            times.append(dt)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=400)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)
    logits, histories = make_logits(ROWS), make_histories(ROWS)
    # genlab's chain order (genlab_decoding::DEFAULT_ORDER): penalties, top-k, top-p, min-p,
    # then temperature, so both sides keep the same tokens and draw from the same distribution.
    warpers = [TopKLogitsWarper(40), TopPLogitsWarper(0.95), TemperatureLogitsWarper(0.8)]
    full = [
        RepetitionPenaltyLogitsProcessor(1.1),
        TopKLogitsWarper(40),
        TopPLogitsWarper(0.95),
        MinPLogitsWarper(0.05),
        TemperatureLogitsWarper(0.8),
    ]
    out = {
        "vocab": VOCAB,
        "threads": args.threads,
        "torch": torch.__version__,
        "logits_checksum": round(float(logits.double().sum()), 4),
    }
    with torch.inference_mode():
        for name, chain in [("warpers", warpers), ("full", full)]:
            out[f"{name}_batch1_us_per_row"] = round(measure(chain, logits, histories, 1, args.reps, generator), 3)
            reps32 = max(args.reps // 16, 5)
            out[f"{name}_batch32_us_per_row"] = round(measure(chain, logits, histories, ROWS, reps32, generator), 3)
    print(f"PyTorch {torch.__version__} CPU, {args.threads} thread(s), V = {VOCAB}, median us per row", file=sys.stderr)
    for name in ["warpers", "full"]:
        print(f"  {name:8} batch 1: {out[name + '_batch1_us_per_row']:9.1f}   batch 32: {out[name + '_batch32_us_per_row']:9.1f}", file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
