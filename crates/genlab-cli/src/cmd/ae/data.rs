//! `--data` for the autoencoders: the spec and loading live in
//! [`genlab_autoencoder::datasets`]; this file holds the sensor flags.

pub use genlab_autoencoder::datasets::*;

/// The sensor flags shared by `ae train` and `ae detect`.
#[derive(clap::Args, Debug, Clone)]
pub struct SensorArgs {
    /// Sensor window length (steps).
    #[arg(long, default_value_t = 64)]
    pub window: usize,
    /// Steps between window starts.
    #[arg(long, default_value_t = 16)]
    pub stride: usize,
    /// CSV logs: the column of per-step fault labels (0/1).
    #[arg(long, default_value = "label")]
    pub label_column: String,
    /// CSV logs: a column of timestamps to drop.
    #[arg(long)]
    pub time_column: Option<String>,
}

impl SensorArgs {
    /// The reading and windowing options these flags describe.
    pub fn opts(&self) -> WindowOpts {
        WindowOpts {
            label_column: self.label_column.clone(),
            time_column: self.time_column.clone(),
            ..WindowOpts::new(self.window, self.stride)
        }
    }
}
