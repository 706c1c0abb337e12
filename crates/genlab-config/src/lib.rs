//! [`ConfigError`]: the one error every genlab config's `validate()` returns, naming the
//! field, the value it had and what was expected, so a bad flag or recipe key reads the same
//! in every family. The check helpers build it:
//!
//! ```
//! use genlab_config::{ConfigError, at_least, positive};
//!
//! fn validate(batch_size: usize, lr: f64) -> Result<(), ConfigError> {
//!     at_least("batch_size", batch_size, 1)?;
//!     positive("lr", lr)
//! }
//! let err = validate(0, 1e-3).unwrap_err();
//! assert_eq!(err.field, "batch_size");
//! assert_eq!(err.to_string(), "invalid setting `batch_size` = 0: expected at least 1");
//! assert!(validate(8, f64::NAN).unwrap_err().to_string().contains("`lr` = NaN"));
//! ```
//!
//! This crate has no dependency on burn, so configs of the burn-free crates (tokenizer,
//! decoding, data) can use it too.

use std::fmt::Display;

/// A setting outside its allowed range: which one, its value, and what it must be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{field}` = {value}: expected {expected}")]
pub struct ConfigError {
    /// The setting, as spelt in the config (dotted for nested configs: `optim.beta1`).
    pub field: String,
    /// The value it had, formatted.
    pub value: String,
    /// What it must be, e.g. `at least 1` or `in [0, 1)`.
    pub expected: String,
}

impl ConfigError {
    /// A setting `field` that had `value` and must be `expected`.
    pub fn new(field: impl Into<String>, value: impl Display, expected: impl Into<String>) -> Self {
        Self { field: field.into(), value: value.to_string(), expected: expected.into() }
    }

    /// The same error for a field of a nested config: `prefix.field`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

/// `Ok` when `ok`, else the error for `field` = `value`, expected `expected`.
pub fn check(
    ok: bool,
    field: &str,
    value: impl Display,
    expected: impl Into<String>,
) -> Result<(), ConfigError> {
    if ok { Ok(()) } else { Err(ConfigError::new(field, value, expected)) }
}

/// `value >= min` (counts: batch sizes, steps, layers).
pub fn at_least<T: PartialOrd + Display>(field: &str, value: T, min: T) -> Result<(), ConfigError> {
    let expected = format!("at least {min}");
    check(value >= min, field, value, expected)
}

/// A finite number above zero (learning rates, scales).
pub fn positive(field: &str, value: f64) -> Result<(), ConfigError> {
    check(value.is_finite() && value > 0.0, field, value, "a positive number")
}

/// A finite number of zero or more (weights, penalties).
pub fn non_negative(field: &str, value: f64) -> Result<(), ConfigError> {
    check(value.is_finite() && value >= 0.0, field, value, "zero or a positive number")
}

/// `lo <= value < hi` (probabilities, decay rates).
pub fn in_half_open(field: &str, value: f64, lo: f64, hi: f64) -> Result<(), ConfigError> {
    check((lo..hi).contains(&value), field, value, format!("in [{lo}, {hi})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_names_field_value_and_range() {
        let e = at_least("d_steps", 0usize, 1).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.value.as_str(), e.expected.as_str()),
            ("d_steps", "0", "at least 1")
        );
        assert_eq!(positive("lr", -1.0).unwrap_err().value, "-1");
        assert!(positive("lr", f64::INFINITY).is_err());
        assert!(non_negative("beta", 0.0).is_ok());
        assert!(non_negative("beta", f64::NAN).is_err());
        let e = in_half_open("beta1", 1.0, 0.0, 1.0).unwrap_err();
        assert_eq!(e.expected, "in [0, 1)");
        assert!(in_half_open("beta1", 0.9, 0.0, 1.0).is_ok());
        assert_eq!(e.within("optim").field, "optim.beta1");
    }
}
