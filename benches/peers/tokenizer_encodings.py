"""The Python peers of `cargo xtask bench tokenizer` on the published vocabularies.

`crates/genlab-tokenizer/examples/bench_encode.rs --out DIR` writes the three texts
(`prose.txt`, `code.txt`, `unicode.txt`), genlab's ids for each encoding and text
(`NAME.KIND.u32`, little-endian), each vocabulary as a Hugging Face `tokenizer.json`, and
`manifest.json`. This script encodes the same texts with:

* Python tiktoken, `encode_ordinary`, one thread. OpenAI's four are built by tiktoken's own
  `tiktoken_ext.openai_public` constructors (their patterns and special tokens), reading the
  rank files from `--vocab` instead of the network; the file's sha256 is checked by tiktoken.
  Llama 3, Qwen2 and Mistral's Tekken are built from the same rank files with the split
  patterns their publishers give (Meta's `llama/tokenizer.py`, Qwen's `tokenization_qwen2.py`,
  the `Split` of Mistral NeMo's `tokenizer.json`), written out below rather than taken from
  genlab. DeepSeek V3 pre-tokenizes with three splits in sequence, which one tiktoken pattern
  cannot express: it has Hugging Face only.
* Hugging Face `tokenizers`, `Tokenizer.encode(text, add_special_tokens=False)`, one thread,
  on the `tokenizer.json` genlab wrote from the same ranks, its added tokens left out so that
  special-token text is ordinary text as on the other sides. (Measured here with 0.23.3 on the
  prose: 1.8 MB/s as one string, 2.2 MB/s as a batch of lines on one thread; one string is
  what the others get.)

Each side's ids are compared with genlab's. Medians of `--reps` timed runs after one untimed
run. Prints one JSON object as the last line of stdout.

    python benches/peers/tokenizer_encodings.py --vocab target/bench/vocab --dir target/bench/encode
"""

import argparse
import array
import json
import os
import statistics
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

LLAMA3_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2_PATTERN = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
# Mistral's Tekken (the Split regex of Mistral NeMo's tokenizer.json). Its rank file starts at
# rank 1000: ids 0..999 are control tokens.
TEKKEN_PATTERN = (
    r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
    r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*"
    r"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
KINDS = ["prose", "code", "unicode"]


def tiktoken_encoding(name, vocab_dir):
    import tiktoken
    import tiktoken_ext.openai_public as openai_public

    path = os.path.join(vocab_dir, f"{name}.tiktoken")
    load = openai_public.load_tiktoken_bpe
    if hasattr(openai_public, name):
        # tiktoken's own constructor, with the download replaced by the local file.
        def local(_url, expected_hash=None):
            return load(path, expected_hash=expected_hash)

        openai_public.load_tiktoken_bpe = local
        try:
            spec = getattr(openai_public, name)()
        finally:
            openai_public.load_tiktoken_bpe = load
        return tiktoken.Encoding(**spec)
    pattern = {"llama3": LLAMA3_PATTERN, "qwen2": QWEN2_PATTERN, "mistral_v3": TEKKEN_PATTERN}.get(name)
    if pattern is None:
        return None  # deepseek_v3: three splits in sequence, which tiktoken cannot express
    return tiktoken.Encoding(
        name, pat_str=pattern, mergeable_ranks=load(path), special_tokens={}
    )


def timed(reps, f):
    out = f()  # untimed: warms caches, and gives the ids
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", required=True, help="folder of NAME.tiktoken rank files")
    ap.add_argument("--dir", required=True, help="what bench_encode --out wrote")
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    import tiktoken
    import tokenizers

    with open(os.path.join(args.dir, "manifest.json")) as f:
        manifest = json.load(f)
    texts = {}
    for kind in KINDS:
        # newline="": CRLF and lone CR stay as they are, as in the bytes genlab encoded.
        with open(os.path.join(args.dir, f"{kind}.txt"), encoding="utf-8", newline="") as f:
            texts[kind] = f.read()
    out = {
        "versions": {"tiktoken": tiktoken.__version__, "tokenizers": tokenizers.__version__},
        "encodings": {},
    }
    for name, spec in manifest.items():
        enc = tiktoken_encoding(name, args.vocab)
        # Hugging Face always cuts added (special) tokens out of the input, whatever
        # add_special_tokens says; the others encode "<|endoftext|>" in the texts as ordinary
        # text, so the added tokens are left out here.
        with open(spec["tokenizer_json"], encoding="utf-8") as f:
            hf_json = json.load(f)
        hf_json["added_tokens"] = []
        hf = tokenizers.Tokenizer.from_str(json.dumps(hf_json))
        rows = {}
        for kind, text in texts.items():
            mb = len(text.encode("utf-8")) / 1e6
            want = array.array("I")
            with open(os.path.join(args.dir, f"{name}.{kind}.u32"), "rb") as f:
                want.frombytes(f.read())
            want = want.tolist()
            tk_s, tk_ids = (
                timed(args.reps, lambda: enc.encode_ordinary(text)) if enc else (None, None)
            )
            hf_s, hf_enc = timed(
                args.reps, lambda: hf.encode(text, add_special_tokens=False)
            )
            hf_ids = hf_enc.ids
            first_diff = next(
                (i for i, (a, b) in enumerate(zip(hf_ids, want)) if a != b),
                None if len(hf_ids) == len(want) else min(len(hf_ids), len(want)),
            )
            rows[kind] = {
                "tokens": len(want),
                "tiktoken_py_mb_s": mb / tk_s if enc else None,
                "tiktoken_py_identical": tk_ids == want if enc else None,
                "hf_mb_s": mb / hf_s,
                "hf_identical": hf_ids == want,
                "hf_first_difference": first_diff,
            }
            tk = (
                f"tiktoken {mb / tk_s:6.1f} MB/s (ids {'identical' if tk_ids == want else 'DIFFER'})"
                if enc
                else "tiktoken -"
            )
            print(
                f"{name:>12} {kind:>8}: {tk}, "
                f"HF {mb / hf_s:5.1f} MB/s (ids {'identical' if hf_ids == want else 'DIFFER at %s' % first_diff})",
                flush=True,
            )
        out["encodings"][name] = rows
    print(json.dumps(out))


if __name__ == "__main__":
    main()
