//! A progress bar with loss and throughput (indicatif), quiet when not on a terminal.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Progress of a run measured in steps, with a throughput unit (tokens/s, images/s).
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    unit: &'static str,
    started: Instant,
    items: u64,
}

impl Progress {
    /// A bar over `total` steps starting at `start` (non-zero on resume).
    pub fn new(total: u64, start: u64, unit: &'static str) -> Self {
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {msg} (eta {eta})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        if std::env::var_os("GENLAB_NO_PROGRESS").is_some() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_position(start);
        Self { bar, unit, started: Instant::now(), items: 0 }
    }

    /// Records a finished step that processed `items` units with this loss.
    pub fn step(&mut self, items: u64, loss: f64) {
        self.items += items;
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar.set_message(format!(
            "loss {loss:.4} | {:.0} {}/s",
            self.items as f64 / secs,
            self.unit
        ));
        self.bar.inc(1);
    }

    /// Advances the bar by `steps` that processed `items` units, showing the throughput only
    /// (generation, where there is no loss).
    pub fn advance(&mut self, steps: u64, items: u64) {
        self.items += items;
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar.set_message(format!("{:.0} {}/s", self.items as f64 / secs, self.unit));
        self.bar.inc(steps);
    }

    /// Items per second since the bar started.
    pub fn throughput(&self) -> f64 {
        self.items as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    /// Prints a line above the bar without breaking it.
    pub fn println(&self, line: impl AsRef<str>) {
        if self.bar.is_hidden() {
            eprintln!("{}", line.as_ref());
        } else {
            self.bar.println(line.as_ref());
        }
    }

    /// Finishes the bar, leaving it on screen.
    pub fn finish(&self) {
        self.bar.finish();
    }
}
