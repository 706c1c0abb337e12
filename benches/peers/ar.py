"""The statsmodels side of `cargo xtask bench ar`: `ar_select_order(y, 40, ic="bic")` then
`AutoReg(y, order).fit()` on the series genlab's bench_ar wrote (raw little-endian f64), timed
as the median of `--repeats` runs, printed as one JSON line.

statsmodels is used as its documentation shows (default arguments besides the ones named);
numpy's BLAS gets the thread count given by the caller's OMP/OPENBLAS variables.
"""

import argparse
import json
import time

import numpy as np
import statsmodels
from statsmodels.tsa.ar_model import AutoReg, ar_select_order


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", required=True)
    ap.add_argument("--max-lag", type=int, default=40)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    y = np.fromfile(args.series, dtype="<f8")
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        sel = ar_select_order(y, args.max_lag, ic="bic", trend="c")
        order = 0 if not sel.ar_lags else int(max(sel.ar_lags))
        res = AutoReg(y, order, trend="c").fit()
        times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({
        "statsmodels": statsmodels.__version__,
        "n": int(len(y)),
        "order": order,
        "params": res.params.tolist(),
        "sigma2": float(res.sigma2),
        "bic": float(res.bic),
        "seconds_median": times[len(times) // 2],
        "seconds": times,
    }))


if __name__ == "__main__":
    main()
