"""Writes crates/genlab-transformer/tests/fixtures/rnn_golden.json: PyTorch's own numbers for
genlab's LSTM and GRU (tests/rnn.rs checks genlab reproduces them to ~1e-5).

For each cell: one layer (`nn.LSTM` / `nn.GRU`, batch_first) run from a non-zero initial
state, and a whole char-RNN (`nn.Embedding` -> 2-layer cell -> `nn.Linear`) run from zeros.
Weights are written in genlab's layout ([in, out], i.e. PyTorch's transposed), gates in
PyTorch's order (LSTM i, f, g, o; GRU r, z, n).

Run: target/peers-venv/bin/python benches/peers/rnn_golden.py
"""

import json
import os

import torch
import torch.nn as nn


def flat(t):
    return [round(float(v), 8) for v in t.detach().reshape(-1)]


def cell_weights(rnn, layer):
    return {
        "w_ih": flat(getattr(rnn, f"weight_ih_l{layer}").t()),
        "w_hh": flat(getattr(rnn, f"weight_hh_l{layer}").t()),
        "b_ih": flat(getattr(rnn, f"bias_ih_l{layer}")),
        "b_hh": flat(getattr(rnn, f"bias_hh_l{layer}")),
    }


def layer_case(kind, b=2, t=5, d_in=3, h=4):
    rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(d_in, h, batch_first=True)
    x = torch.randn(b, t, d_in)
    h0 = torch.randn(1, b, h)
    if kind == "lstm":
        c0 = torch.randn(1, b, h)
        y, (hn, cn) = rnn(x, (h0, c0))
    else:
        c0 = None
        y, hn = rnn(x, h0)
        cn = None
    case = {"batch": b, "seq": t, "d_input": d_in, "d_hidden": h, "x": flat(x), "h0": flat(h0),
            "y": flat(y), "h_n": flat(hn), **cell_weights(rnn, 0)}
    if kind == "lstm":
        case.update({"c0": flat(c0), "c_n": flat(cn)})
    return case


def model_case(kind, vocab=7, e=3, h=5, layers=2, b=2, t=6):
    emb = nn.Embedding(vocab, e)
    rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(e, h, num_layers=layers, batch_first=True)
    head = nn.Linear(h, vocab)
    idx = torch.randint(0, vocab, (b, t))
    y, _ = rnn(emb(idx))
    logits = head(y)
    return {"vocab": vocab, "n_embd": e, "n_hidden": h, "n_layer": layers, "batch": b, "seq": t,
            "idx": [int(v) for v in idx.reshape(-1)], "wte": flat(emb.weight),
            "layers": [cell_weights(rnn, l) for l in range(layers)],
            "head_w": flat(head.weight.t()), "head_b": flat(head.bias), "logits": flat(logits)}


def main():
    torch.manual_seed(0)
    out = {"torch": torch.__version__}
    with torch.no_grad():
        for kind in ["lstm", "gru"]:
            out[f"{kind}_layer"] = layer_case(kind)
            out[f"{kind}_model"] = model_case(kind)
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "../../crates/genlab-transformer/tests/fixtures/rnn_golden.json")
    with open(path, "w") as f:
        json.dump(out, f)
        f.write("\n")
    print(os.path.normpath(path))


if __name__ == "__main__":
    main()
