"""Hugging Face tokenizer.json in the shapes genlab must read exactly or refuse, made and
encoded by the real `tokenizers` library (from PyPI).

Starting from the committed golden GPT-2 and GPT-4 files, it writes variants to
crates/genlab-tokenizer/tests/fixtures/hf_shapes/: each is saved by `tokenizers` itself
(Tokenizer.from_str(...).to_str()), and its ids for golden_text.txt go to
hf_shapes/ids.json. Variants genlab reads must give the same ids; the others must be refused
with an error naming the component. genlab merges the way tiktoken does, which matches
Hugging Face when every word is built by a listed merge; with ignore_merges = false a word
no merge builds is where they part, so that variant is refused. `cargo test` only reads the committed files.

    python benches/peers/tokenizer_shapes.py
"""

import copy
import json
import pathlib

import tokenizers

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "crates/genlab-tokenizer/tests/fixtures"
OUT = FIX / "hf_shapes"


def next_id(v):
    """The id after every vocabulary and added token (ids stay contiguous)."""
    ids = list(v["model"]["vocab"].values()) + [a["id"] for a in v["added_tokens"]]
    return max(ids) + 1


def unreachable(base):
    """The last merge whose result is a plain lowercase word (no leading space): dropping it
    leaves that word in the vocabulary with no merge that builds it."""
    merges = base["model"]["merges"]
    for i in range(len(merges) - 1, -1, -1):
        left, right = merges[i] if isinstance(merges[i], list) else merges[i].split(" ")
        word = left + right
        if word.isascii() and word.isalpha() and word.islower() and len(word) >= 3:
            return i, word
    raise SystemExit("no plain word among the merges")


def unreachable_word(v, ignore_merges):
    """A vocabulary word no merge builds: taken whole only with ignore_merges = true."""
    i, _ = unreachable(v)
    del v["model"]["merges"][i]
    v["model"]["ignore_merges"] = ignore_merges


def variants(base):
    """(name, tokenizer.json as a dict, whether genlab reads it)."""
    def edit(f):
        v = copy.deepcopy(base)
        f(v)
        return v

    yield "as-exported", base, True
    yield "ignore-merges-false", edit(lambda v: v["model"].__setitem__("ignore_merges", False)), True
    yield "no-decoder", edit(lambda v: v.__setitem__("decoder", None)), True
    yield "special-added-token", edit(lambda v: v["added_tokens"].append({
        "id": next_id(v), "content": "<|im_start|>", "single_word": False,
        "lstrip": False, "rstrip": False, "normalized": False, "special": True})), True
    yield "unreachable-word-ignore-merges-true", edit(lambda v: unreachable_word(v, True)), True
    yield "unreachable-word-ignore-merges-false", edit(lambda v: unreachable_word(v, False)), False
    yield "nfc-normalizer", edit(lambda v: v.__setitem__("normalizer", {"type": "NFC"})), False
    yield "lowercase-normalizer", edit(lambda v: v.__setitem__("normalizer", {"type": "Lowercase"})), False
    yield "metaspace-pre-tokenizer", edit(lambda v: v.__setitem__("pre_tokenizer", {
        "type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True})), False
    yield "byte-fallback", edit(lambda v: v["model"].__setitem__("byte_fallback", True)), False
    yield "prefix-space", edit(lambda v: (v["pre_tokenizer"]["pretokenizers"][-1] if v["pre_tokenizer"]["type"] == "Sequence" else v["pre_tokenizer"]).__setitem__("add_prefix_space", True)), False
    yield "template-post-processor", edit(lambda v: v.__setitem__("post_processor", {
        "type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<|endoftext|>": {"id": "<|endoftext|>", "ids": [v["added_tokens"][0]["id"]], "tokens": ["<|endoftext|>"]}}})), False
    yield "end-of-word-suffix", edit(lambda v: v["model"].__setitem__("end_of_word_suffix", "</w>")), False
    yield "lstrip-added-token", edit(lambda v: v["added_tokens"][0].__setitem__("lstrip", True)), False


def main():
    OUT.mkdir(exist_ok=True)
    text = (FIX / "golden_text.txt").read_text()
    ids = {}
    for pattern in ["gpt2", "gpt4"]:
        base = json.loads((FIX / f"golden_{pattern}.tokenizer.json").read_text())
        for name, data, readable in variants(base):
            tok = tokenizers.Tokenizer.from_str(json.dumps(data))
            out = OUT / f"{pattern}-{name}.json"
            out.write_text(tok.to_str(pretty=True) + "\n")
            sample = unreachable(base)[1] if name.startswith("unreachable") else text
            ids[f"{pattern}-{name}"] = {
                "genlab_reads": readable,
                "text": sample,
                "ids": tok.encode(sample, add_special_tokens=True).ids,
            }
    (OUT / "ids.json").write_text(json.dumps(ids, indent=1) + "\n")
    print(f"wrote {len(ids)} variants to {OUT}")


if __name__ == "__main__":
    main()
