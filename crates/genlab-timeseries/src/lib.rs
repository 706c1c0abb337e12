//! Classic sequence models on plain `f64` slices, without burn:
//!
//! - [`ar`]: AR(p) fitted by OLS (conditional maximum likelihood, as statsmodels' `AutoReg`)
//!   or Yule-Walker, order selection by AIC/BIC/HQIC (`ar_select_order`), forecasts with
//!   intervals, seeded simulation.
//! - [`hmm`]: hidden Markov models with categorical or diagonal Gaussian emissions, scaled
//!   forward-backward, Viterbi, Baum-Welch with seeded restarts, sampling, JSON I/O
//!   (as hmmlearn's `CategoricalHMM` and `GaussianHMM`).
//!
//! Both are checked against the real libraries by golden fixtures (`tests/fixtures`, written
//! by `benches/peers/ar_golden.py` from statsmodels and `benches/peers/hmm_golden.py` from
//! hmmlearn).

pub mod ar;
pub mod hmm;
