"""The peer side of `cargo xtask bench tokenizer`.

* Hugging Face `tokenizers`: BpeTrainer with the ByteLevel pre-tokenizer (GPT-2 regex), the
  256-byte initial alphabet, min_frequency 2, no special tokens; train wall time (on the text in memory, as genlab's is
  timed) and peak RSS.
* tiktoken: `encode_ordinary` on one thread over the whole corpus with the ranks genlab
  exported (`--ranks`) and the GPT-2 pattern; best of 3. Also `encode_ordinary_batch` over the
  lines with all cores. With `--ids` (genlab's ids, little-endian u32), checks they are identical.

Prints one JSON object as the last line of stdout.

    python benches/peers/tokenizer.py --corpus shakespeare.txt --vocab 8192 \
        --ranks genlab.tiktoken --ids genlab-ids.u32
"""

import argparse
import array
import base64
import json
import os
import resource
import time

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def best_of(reps, f):
    best, out = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--ranks", help="tiktoken rank file exported by genlab")
    ap.add_argument("--ids", help="genlab's ids for the corpus, little-endian u32")
    args = ap.parse_args()
    with open(args.corpus, encoding="utf-8") as f:
        text = f.read()
    mb = len(text.encode("utf-8")) / 1e6
    out = {"corpus_mb": mb, "threads": os.cpu_count()}

    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    rss_before = peak_rss_mib()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(
        vocab_size=args.vocab,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    # Both sides time training on text already in memory (genlab's bench reads the file before
    # its timer starts), given to `train_from_iterator` line by line.
    lines = text.splitlines(keepends=True)
    t = time.perf_counter()
    tok.train_from_iterator(lines, trainer, length=len(lines))
    out["hf_train_s"] = time.perf_counter() - t
    out["hf_peak_rss_mib"] = peak_rss_mib()
    out["hf_rss_before_train_mib"] = rss_before
    out["hf_vocab"] = tok.get_vocab_size()

    if args.ranks:
        import tiktoken

        ranks = {}
        with open(args.ranks) as f:
            for line in f:
                if line.strip():
                    token, rank = line.split()
                    ranks[base64.b64decode(token)] = int(rank)
        enc = tiktoken.Encoding(name="genlab-bench", pat_str=GPT2_PATTERN,
                                mergeable_ranks=ranks, special_tokens={})
        enc.encode_ordinary("warm up")
        secs, ids = best_of(3, lambda: enc.encode_ordinary(text))
        out["tiktoken_encode_s"] = secs
        out["tiktoken_encode_mb_s"] = mb / secs
        out["tiktoken_tokens"] = len(ids)
        lines = text.splitlines(keepends=True)
        secs, _ = best_of(3, lambda: enc.encode_ordinary_batch(lines, num_threads=os.cpu_count()))
        out["tiktoken_batch_lines_mb_s"] = mb / secs
        if args.ids:
            genlab = array.array("I")
            with open(args.ids, "rb") as f:
                genlab.frombytes(f.read())
            same = len(genlab) == len(ids) and all(a == b for a, b in zip(genlab, ids))
            out["ids_identical"] = same
            if not same:
                first = next((i for i, (a, b) in enumerate(zip(genlab, ids)) if a != b),
                             min(len(genlab), len(ids)))
                out["first_difference"] = first
    print(json.dumps(out))


if __name__ == "__main__":
    main()
