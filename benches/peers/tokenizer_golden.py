"""Regenerate genlab-tokenizer's golden fixtures from the real peer libraries.

genlab trains two small tokenizers (GPT-2 and GPT-4 patterns, vocab 400, <|endoftext|>) and
exports them as tiktoken rank files and Hugging Face tokenizer.json; then tiktoken and
`tokenizers` (from PyPI) encode tests/fixtures/golden_text.txt, and their ids are written to
tests/fixtures/golden_ids.json. `cargo test` only reads the committed files.

    python benches/peers/tokenizer_golden.py [--corpus ../shared/data/text/shakespeare.txt]
"""

import argparse
import base64
import json
import pathlib
import subprocess

import tiktoken
import tokenizers

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "crates/genlab-tokenizer/tests/fixtures"
PATTERNS = {
    "gpt2": r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""",
    "gpt4": r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+""",
}


def load_ranks(path):
    ranks = {}
    for line in path.read_text().splitlines():
        if line:
            token, rank = line.split(" ")
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared/data/text/shakespeare.txt"))
    ap.add_argument("--skip-export", action="store_true", help="reuse the exported files")
    args = ap.parse_args()
    if not args.skip_export:
        subprocess.run(
            ["cargo", "run", "--release", "-q", "-p", "genlab-tokenizer", "--example",
             "golden_export", "--", "--corpus", args.corpus, "--out", str(FIX)],
            cwd=ROOT, check=True)
    text = (FIX / "golden_text.txt").read_bytes().decode("utf-8")
    out = {"text_bytes": len(text.encode("utf-8")),
           "versions": {"tiktoken": tiktoken.__version__, "tokenizers": tokenizers.__version__}}
    for name, pat in PATTERNS.items():
        ranks = load_ranks(FIX / f"golden_{name}.tiktoken")
        enc = tiktoken.Encoding(name=f"golden_{name}", pat_str=pat, mergeable_ranks=ranks,
                                special_tokens={"<|endoftext|>": len(ranks)})
        out[f"tiktoken_{name}_ordinary"] = enc.encode_ordinary(text)
        out[f"tiktoken_{name}_special"] = enc.encode(text, allowed_special="all")
        hf = tokenizers.Tokenizer.from_file(str(FIX / f"golden_{name}.tokenizer.json"))
        out[f"hf_{name}"] = hf.encode(text, add_special_tokens=False).ids
        assert hf.decode(out[f"hf_{name}"], skip_special_tokens=False) == text, name
    (FIX / "golden_ids.json").write_text(json.dumps(out) + "\n")
    print(json.dumps({k: (len(v) if isinstance(v, list) else v) for k, v in out.items()}))


if __name__ == "__main__":
    main()
