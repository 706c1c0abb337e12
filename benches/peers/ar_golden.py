"""Golden fixtures for genlab-timeseries' AR(p) from the real statsmodels.

Writes the two real series statsmodels ships (yearly sunspots 1700-2008 and the Nile's yearly
flow at Aswan 1871-1970) as CSV into genlab-data's embedded assets, and, for each of them,
what `AutoReg`, `ar_select_order` and `yule_walker` compute, as JSON under
crates/genlab-timeseries/tests/fixtures/ar/. `cargo test` reads the committed JSON and needs
no Python.

Run: target/peers-venv/bin/python benches/peers/ar_golden.py   (venv: cargo xtask peers-setup)
"""

import json
import pathlib
import warnings

import numpy as np
import statsmodels
from statsmodels.datasets import nile, sunspots
from statsmodels.regression.linear_model import yule_walker
from statsmodels.tsa.ar_model import AutoReg, ar_select_order

ROOT = pathlib.Path(__file__).resolve().parents[2]
ASSETS = ROOT / "crates/genlab-data/assets"
OUT = ROOT / "crates/genlab-timeseries/tests/fixtures/ar"
TRENDS = ["n", "c", "t", "ct"]
ORDERS = [1, 3, 8]
STEPS = 12


def series():
    spots = sunspots.load_pandas().data
    flow = nile.load_pandas().data
    return {
        "sunspots": ("year", spots["YEAR"].astype(int).tolist(), "SUNACTIVITY", spots["SUNACTIVITY"].to_numpy(float)),
        "nile": ("year", flow["year"].astype(int).tolist(), "volume", flow["volume"].to_numpy(float)),
    }


def roots(res):
    r = np.asarray(res.roots)
    # A canonical order so the Rust side can compare element-wise.
    order = np.lexsort((np.round(r.imag, 9), np.round(r.real, 9)))
    return [[float(z.real), float(z.imag)] for z in r[order]]


def autoreg(y, p, trend):
    res = AutoReg(y, p, trend=trend).fit()
    pred = res.get_prediction(start=len(y), end=len(y) + STEPS - 1)
    frame = pred.summary_frame(alpha=0.05)
    return {
        "lags": p,
        "trend": trend,
        "params": res.params.tolist(),
        "bse": res.bse.tolist(),
        "sigma2": float(res.sigma2),
        "llf": float(res.llf),
        "aic": float(res.aic),
        "bic": float(res.bic),
        "hqic": float(res.hqic),
        "nobs": int(res.nobs),
        "roots": roots(res),
        "forecast": frame["mean"].tolist(),
        "forecast_se": np.sqrt(pred.var_pred_mean).tolist(),
        "lower": frame["mean_ci_lower"].tolist(),
        "upper": frame["mean_ci_upper"].tolist(),
    }


def select(y, maxlag, trend, ic):
    sel = ar_select_order(y, maxlag, ic=ic, trend=trend)
    lags = sel.ar_lags
    chosen = 0 if lags is None or len(lags) == 0 else int(max(lags))
    table = getattr(sel, ic)
    values = {}
    for key, value in table.items():
        order = 0 if key == 0 else (len(key) if isinstance(key, tuple) else int(key))
        values[str(order)] = float(np.ravel(value)[0])
    return {"maxlag": maxlag, "trend": trend, "ic": ic, "order": chosen, "values": values}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (tcol, time, vcol, y) in series().items():
        with open(ASSETS / f"{name}.csv", "w") as f:
            f.write(f"# {name}: statsmodels.datasets.{name} (statsmodels {statsmodels.__version__}); see docs/data.md\n")
            f.write(f"{tcol},{vcol}\n")
            for t, v in zip(time, y):
                f.write(f"{t},{float(v)!r}\n")
        fits = [autoreg(y, p, trend) for p in ORDERS for trend in TRENDS]
        selections = [
            select(y, 12, trend, ic) for trend in TRENDS for ic in ["aic", "bic", "hqic"]
        ]
        yw = []
        for order in [1, 4, 8]:
            for method in ["adjusted", "mle"]:
                for demean in [True, False]:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        rho, sigma = yule_walker(y, order=order, method=method, demean=demean)
                    yw.append({"order": order, "method": method, "demean": demean,
                               "rho": rho.tolist(), "sigma": float(sigma)})
        doc = {
            "source": f"statsmodels {statsmodels.__version__}, benches/peers/ar_golden.py",
            "series": name,
            "y": y.tolist(),
            "autoreg": fits,
            "select": selections,
            "yule_walker": yw,
        }
        (OUT / f"{name}.json").write_text(json.dumps(doc, indent=1) + "\n")
        print(f"{name}: {len(y)} points, {len(fits)} fits, {len(selections)} selections")


if __name__ == "__main__":
    main()
