//! The model: parameters, their validation, JSON files and seeded sampling.

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::emission::{Emission, check_distribution};
use super::numeric::draw;
use super::{HmmError, Observations};

/// A hidden Markov model. Its parameters are valid by construction: every constructor, the
/// JSON loader and the fitter check (or keep) that `startprob` and each row of `transmat`
/// and of a categorical emission are distributions, and that Gaussian variances are above 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "HmmFile", into = "HmmFile")]
pub struct Hmm {
    /// `π_i = P(z_0 = i)`.
    pub(crate) startprob: Vec<f64>,
    /// `A[i * n + j] = P(z_{t+1} = j | z_t = i)`.
    pub(crate) transmat: Vec<f64>,
    pub(crate) emission: Emission,
}

impl Hmm {
    /// A model from its parts; `transmat` is `n × n`, row `i` the distribution of the next
    /// state after state `i`.
    pub fn new(
        startprob: Vec<f64>,
        transmat: Vec<Vec<f64>>,
        emission: Emission,
    ) -> Result<Self, HmmError> {
        let n = startprob.len();
        if let Some(row) = transmat.iter().find(|row| row.len() != n) {
            return Err(HmmError::Shape { what: "transmat row", expected: n, got: row.len() });
        }
        if transmat.len() != n {
            return Err(HmmError::Shape {
                what: "transmat rows",
                expected: n,
                got: transmat.len(),
            });
        }
        let hmm = Self { startprob, transmat: transmat.concat(), emission };
        hmm.validate()?;
        Ok(hmm)
    }

    /// A categorical model: `emissionprob[i][k] = P(symbol k | state i)`.
    pub fn categorical(
        startprob: Vec<f64>,
        transmat: Vec<Vec<f64>>,
        emissionprob: Vec<Vec<f64>>,
    ) -> Result<Self, HmmError> {
        let n_symbols = emissionprob.first().map_or(0, Vec::len);
        if let Some(row) = emissionprob.iter().find(|row| row.len() != n_symbols) {
            let got = row.len();
            return Err(HmmError::Shape { what: "emission row", expected: n_symbols, got });
        }
        let emission = Emission::Categorical { n_symbols, probs: emissionprob.concat() };
        Self::new(startprob, transmat, emission)
    }

    /// A diagonal Gaussian model: `means[i]` and `variances[i]` are state `i`'s mean vector
    /// and the diagonal of its covariance.
    pub fn gaussian(
        startprob: Vec<f64>,
        transmat: Vec<Vec<f64>>,
        means: Vec<Vec<f64>>,
        variances: Vec<Vec<f64>>,
    ) -> Result<Self, HmmError> {
        let n_features = means.first().map_or(0, Vec::len);
        for (what, rows) in [("means row", &means), ("variances row", &variances)] {
            if let Some(row) = rows.iter().find(|row| row.len() != n_features) {
                return Err(HmmError::Shape { what, expected: n_features, got: row.len() });
            }
        }
        let emission =
            Emission::Gaussian { n_features, means: means.concat(), variances: variances.concat() };
        Self::new(startprob, transmat, emission)
    }

    /// Checks every parameter (what the constructors and [`Hmm::load`] run).
    pub fn validate(&self) -> Result<(), HmmError> {
        let n = self.n_states();
        if n == 0 {
            return Err(HmmError::Empty { what: "the number of states" });
        }
        if self.transmat.len() != n * n {
            return Err(HmmError::Shape {
                what: "transmat",
                expected: n * n,
                got: self.transmat.len(),
            });
        }
        check_distribution("startprob", &self.startprob)?;
        for (i, row) in self.transmat.chunks(n).enumerate() {
            check_distribution(&format!("transmat row {i}"), row)?;
        }
        self.emission.validate(n)
    }

    /// Number of hidden states.
    pub fn n_states(&self) -> usize {
        self.startprob.len()
    }

    /// The start distribution.
    pub fn startprob(&self) -> &[f64] {
        &self.startprob
    }

    /// Row `i` of the transition matrix.
    pub fn transmat_row(&self, i: usize) -> &[f64] {
        let n = self.n_states();
        &self.transmat[i * n..(i + 1) * n]
    }

    /// The transition matrix, row by row.
    pub fn transmat(&self) -> Vec<Vec<f64>> {
        self.transmat.chunks(self.n_states()).map(<[f64]>::to_vec).collect()
    }

    /// The emission distributions.
    pub fn emission(&self) -> &Emission {
        &self.emission
    }

    /// The emission parameters row by row: `(emissionprob, [])` for a categorical model,
    /// `(means, variances)` for a Gaussian one.
    pub fn emission_rows(&self) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let rows = |v: &[f64], w: usize| v.chunks(w).map(<[f64]>::to_vec).collect();
        match &self.emission {
            Emission::Categorical { n_symbols, probs } => (rows(probs, *n_symbols), Vec::new()),
            Emission::Gaussian { n_features, means, variances } => {
                (rows(means, *n_features), rows(variances, *n_features))
            }
        }
    }

    /// Checks that `data` can be scored: at least one sequence, none empty, the right kind
    /// and width, symbols in range, every value finite.
    pub fn check_observations(&self, data: &[Observations]) -> Result<(), HmmError> {
        if data.is_empty() {
            return Err(HmmError::NoData);
        }
        data.iter().enumerate().try_for_each(|(k, x)| self.emission.check(k, x))
    }

    /// Draws `steps` time steps: the hidden states and the observations, reproducibly from
    /// `seed` (ChaCha8). Like hmmlearn's `sample`: `z_0 ~ π`, `x_t ~ emission(z_t)`,
    /// `z_{t+1} ~ A[z_t]` (the same scheme, not the same random numbers).
    pub fn sample(&self, steps: usize, seed: u64) -> (Vec<usize>, Observations) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut x = match &self.emission {
            Emission::Categorical { .. } => Observations::Symbols(Vec::with_capacity(steps)),
            Emission::Gaussian { n_features, .. } => Observations::Vectors {
                n_features: *n_features,
                values: Vec::with_capacity(steps * n_features),
            },
        };
        let mut states = Vec::with_capacity(steps);
        for _ in 0..steps {
            let z = match states.last() {
                None => draw(&self.startprob, &mut rng),
                Some(&prev) => draw(self.transmat_row(prev), &mut rng),
            };
            states.push(z);
            self.emission.sample_into(z, &mut rng, &mut x);
        }
        (states, x)
    }

    /// The model as pretty JSON (see [`Hmm::save`] for the layout).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| unreachable!("plain numbers"))
    }

    /// A model from JSON, validated.
    pub fn from_json(text: &str) -> Result<Self, HmmError> {
        serde_json::from_str(text)
            .map_err(|e| HmmError::File { path: "<json>".into(), message: e.to_string() })
    }

    /// Writes the model as JSON: `{"format": "genlab-hmm", "version": 1, "startprob": [..],
    /// "transmat": [[..]], "emission": {"kind": "gaussian", "means": [[..]], "variances":
    /// [[..]]}}` (or `{"kind": "categorical", "probs": [[..]]}`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), HmmError> {
        let path = path.as_ref();
        super::io::write_file(path, &(self.to_json() + "\n"))
    }

    /// Reads and validates a model written by [`Hmm::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, HmmError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| super::io::file_error(path, e))?;
        serde_json::from_str(&text).map_err(|e| super::io::file_error(path, e))
    }
}

/// The JSON layout: rows as nested arrays, so the file reads like hmmlearn's attributes.
#[derive(Serialize, Deserialize)]
struct HmmFile {
    format: String,
    version: u32,
    startprob: Vec<f64>,
    transmat: Vec<Vec<f64>>,
    emission: EmissionFile,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum EmissionFile {
    Categorical { probs: Vec<Vec<f64>> },
    Gaussian { means: Vec<Vec<f64>>, variances: Vec<Vec<f64>> },
}

const FORMAT: &str = "genlab-hmm";

impl From<Hmm> for HmmFile {
    fn from(hmm: Hmm) -> Self {
        let transmat = hmm.transmat();
        let (a, b) = hmm.emission_rows();
        let emission = match hmm.emission {
            Emission::Categorical { .. } => EmissionFile::Categorical { probs: a },
            Emission::Gaussian { .. } => EmissionFile::Gaussian { means: a, variances: b },
        };
        HmmFile { format: FORMAT.into(), version: 1, startprob: hmm.startprob, transmat, emission }
    }
}

impl TryFrom<HmmFile> for Hmm {
    type Error = HmmError;

    fn try_from(f: HmmFile) -> Result<Self, HmmError> {
        if f.format != FORMAT || f.version != 1 {
            return Err(HmmError::File {
                path: "<json>".into(),
                message: format!(
                    "format {:?} version {}, expected {FORMAT:?} version 1",
                    f.format, f.version
                ),
            });
        }
        match f.emission {
            EmissionFile::Categorical { probs } => Hmm::categorical(f.startprob, f.transmat, probs),
            EmissionFile::Gaussian { means, variances } => {
                Hmm::gaussian(f.startprob, f.transmat, means, variances)
            }
        }
    }
}
