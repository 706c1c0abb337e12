"""Golden fixtures for genlab-timeseries' HMMs, from hmmlearn 0.3.3.

Writes crates/genlab-timeseries/tests/fixtures/hmm/{categorical,gaussian}.json: fixed
parameters, sequences sampled from them (one long, a few short; observations rounded so the
JSON holds exactly what hmmlearn saw), and hmmlearn's answers: score over all sequences and
over the long one, posteriors of the short ones, Viterbi log-prob and path of every sequence,
and Baum-Welch from a fixed start (init_params="", tol=-inf) after 1..N iterations with the
history of the N-iteration fit. tests/hmm.rs reads them; no Python at test time.

Run: target/peers-venv/bin/python benches/peers/hmm_golden.py
"""

import json
import os
import warnings

import numpy as np
from hmmlearn import hmm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "crates/genlab-timeseries/tests/fixtures/hmm")
N_ITER = 5
LONG = 20_000
SHORT = [30, 100, 500]

warnings.filterwarnings("ignore")


def lst(a):
    return np.asarray(a).tolist()


def categorical_model(startprob, transmat, emissionprob, **kw):
    m = hmm.CategoricalHMM(n_components=len(startprob), init_params="", **kw)
    m.startprob_ = np.array(startprob)
    m.transmat_ = np.array(transmat)
    m.emissionprob_ = np.array(emissionprob)
    m.n_features = m.emissionprob_.shape[1]
    return m


def gaussian_model(startprob, transmat, means, variances, **kw):
    m = hmm.GaussianHMM(n_components=len(startprob), covariance_type="diag", init_params="", **kw)
    m.startprob_ = np.array(startprob)
    m.transmat_ = np.array(transmat)
    m.means_ = np.array(means)
    m.covars_ = np.array(variances)
    return m


def answers(make, truth, start, seqs, params_of):
    """hmmlearn's answers for the sequences `seqs` (a list of 2-D arrays)."""
    X = np.concatenate(seqs)
    lengths = [len(s) for s in seqs]
    m = make(**truth)
    short = np.concatenate(seqs[1:])
    viterbi = []
    for s in seqs:
        lp, path = m.decode(s, algorithm="viterbi")
        viterbi.append({"log_prob": float(lp), "path": lst(path)})
    scaling = make(**truth, implementation="scaling")
    out = {
        "score_all": float(m.score(X, lengths)),
        "score_all_scaling": float(scaling.score(X, lengths)),
        "score_long": float(m.score(seqs[0])),
        "posteriors_short": lst(m.predict_proba(short, lengths[1:])),
        "viterbi": viterbi,
        "decode_all_log_prob": float(m.decode(X, lengths)[0]),
    }
    fits = []
    history = None
    for k in range(1, N_ITER + 1):
        f = make(**start, n_iter=k, tol=-np.inf)
        f.fit(X, lengths)
        fits.append(params_of(f))
        history = [float(h) for h in f.monitor_.history]
    out["fit"] = {"n_iter": N_ITER, "params_after": fits, "history": history}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.RandomState(7)

    # Categorical: 3 states, 4 symbols.
    cat = {
        "startprob": [0.5, 0.3, 0.2],
        "transmat": [[0.90, 0.07, 0.03], [0.05, 0.85, 0.10], [0.10, 0.10, 0.80]],
        "emissionprob": [[0.70, 0.20, 0.05, 0.05], [0.10, 0.60, 0.20, 0.10], [0.05, 0.05, 0.30, 0.60]],
    }
    cat_start = {
        "startprob": [0.4, 0.3, 0.3],
        "transmat": [[0.6, 0.2, 0.2], [0.2, 0.6, 0.2], [0.2, 0.2, 0.6]],
        "emissionprob": [[0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]],
    }
    gen = categorical_model(**cat)
    seqs = [gen.sample(n, random_state=rng)[0].astype(int) for n in [LONG] + SHORT]
    doc = {
        "hmmlearn": "0.3.3",
        "model": cat,
        "start": cat_start,
        "sequences": [lst(s[:, 0]) for s in seqs],
    }
    doc.update(answers(categorical_model, cat, cat_start, seqs, lambda f: {
        "startprob": lst(f.startprob_), "transmat": lst(f.transmat_),
        "emissionprob": lst(f.emissionprob_)}))
    with open(os.path.join(OUT, "categorical.json"), "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))

    # Diagonal Gaussian: 3 states, 2 features.
    gau = {
        "startprob": [0.6, 0.3, 0.1],
        "transmat": [[0.95, 0.04, 0.01], [0.03, 0.90, 0.07], [0.05, 0.05, 0.90]],
        "means": [[0.0, 0.0], [3.0, -1.0], [-2.0, 4.0]],
        "variances": [[1.0, 0.5], [0.6, 1.5], [2.0, 0.8]],
    }
    gau_start = {
        "startprob": [1 / 3, 1 / 3, 1 / 3],
        "transmat": [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]],
        "means": [[0.5, 0.5], [2.0, 0.0], [-1.0, 3.0]],
        "variances": [[2.0, 2.0], [2.0, 2.0], [2.0, 2.0]],
    }
    gen = gaussian_model(**gau)
    seqs = [np.round(gen.sample(n, random_state=rng)[0], 3) for n in [LONG] + SHORT]
    doc = {
        "hmmlearn": "0.3.3",
        "model": gau,
        "start": gau_start,
        "sequences": [lst(s) for s in seqs],
    }
    doc.update(answers(gaussian_model, gau, gau_start, seqs, lambda f: {
        "startprob": lst(f.startprob_), "transmat": lst(f.transmat_),
        "means": lst(f.means_), "variances": lst(f._covars_)}))
    with open(os.path.join(OUT, "gaussian.json"), "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
    for name in ["categorical.json", "gaussian.json"]:
        size = os.path.getsize(os.path.join(OUT, name))
        print(f"wrote {os.path.join(OUT, name)} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
