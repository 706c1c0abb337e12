"""The HMM benchmark's hmmlearn side (run by `cargo xtask bench hmm --peers`).

Reads the series and the start model that genlab's `bench_hmm --dump DIR` wrote, and times on
one thread, median of --repeats runs, for both hmmlearn implementations ("log", the default,
and "scaling"):
- forward-backward: `score_samples` (log-likelihood and posteriors) under the start model;
- Baum-Welch: `fit` with n_iter=10, tol=-inf, init_params="" from the start model.

Prints one JSON object: {"log": {...}, "scaling": {...}}.

Run: target/peers-venv/bin/python benches/peers/hmm.py --dir target/bench/hmm-data
"""

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import hmmlearn  # noqa: E402
from hmmlearn import hmm  # noqa: E402

warnings.filterwarnings("ignore")


def model(start, implementation, n_iter=10):
    m = hmm.GaussianHMM(n_components=len(start["startprob"]), covariance_type="diag",
                        init_params="", n_iter=n_iter, tol=-np.inf,
                        implementation=implementation)
    m.startprob_ = np.array(start["startprob"])
    m.transmat_ = np.array(start["transmat"])
    m.means_ = np.array(start["emission"]["means"])
    m.covars_ = np.array(start["emission"]["variances"])
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True, help="folder with series.csv and start.json")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    X = np.loadtxt(os.path.join(args.dir, "series.csv"), delimiter=",", skiprows=1, ndmin=2)
    with open(os.path.join(args.dir, "start.json")) as fh:
        start = json.load(fh)
    out = {"hmmlearn": hmmlearn.__version__, "steps": len(X), "threads": 1}
    for impl in ("log", "scaling"):
        fb, bw = [], []
        for _ in range(args.repeats):
            m = model(start, impl)
            t = time.perf_counter()
            log_p, post = m.score_samples(X)
            fb.append(time.perf_counter() - t)
        for _ in range(args.repeats):
            m = model(start, impl)
            t = time.perf_counter()
            m.fit(X)
            bw.append(time.perf_counter() - t)
        history = [float(h) for h in m.monitor_.history]
        out[impl] = {
            "forward_backward_seconds": float(np.median(fb)),
            "forward_backward_log_likelihood": float(log_p),
            "baum_welch_seconds": float(np.median(bw)),
            "baum_welch_iterations": len(history),
            "baum_welch_history": history,
            "baum_welch_final_log_likelihood": history[-1],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
