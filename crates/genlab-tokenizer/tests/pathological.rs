//! Inputs that make a naive merge loop quadratic must stay near-linear. These assert that they
//! round-trip, and that four times the input takes well under sixteen times as long (a
//! quadratic loop's ratio): the median of five timings at n and 4n must stay under 8x.

mod common;

use std::time::Instant;

use common::trained;
use genlab_tokenizer::{Bpe, Pattern, Trainer};

/// The tests of this file do not run beside each other, so one's work does not slow the
/// other's timings.
static TIMING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    TIMING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Median seconds of five encodes of `text`, after one untimed encode (the first one pays for
/// fresh pages of memory, which at these sizes made a 4x input look 8.8x slower once).
fn median_secs(bpe: &Bpe, text: &str) -> f64 {
    std::hint::black_box(bpe.encode(text));
    let mut t: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(bpe.encode(text));
            start.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[2]
}

/// Encoding `make(4n)` takes less than 8x encoding `make(n)`: linear is 4x, quadratic 16x.
fn assert_near_linear(bpe: &Bpe, make: impl Fn(usize) -> String, n: usize) {
    let (small, large) = (median_secs(bpe, &make(n)), median_secs(bpe, &make(4 * n)));
    let ratio = large / small.max(1e-6);
    assert!(ratio < 8.0, "4x the input took {ratio:.1}x as long ({small:.4} s -> {large:.4} s)");
}

#[test]
fn long_repeated_character() {
    let _alone = alone();
    let text = "a".repeat(100_000);
    let bpe =
        Trainer::new(300).pattern(Pattern::Gpt2).train(&"aaaa aaaaaaaa aa ".repeat(50)).unwrap();
    let t = Instant::now();
    let ids = bpe.encode(&text);
    eprintln!("100k 'a': {} tokens in {:?}", ids.len(), t.elapsed());
    assert_eq!(bpe.decode(&ids).unwrap(), text);
    assert_eq!(ids.len(), 100_000 / 4); // the longest all-'a' token is "aaaa"
    // Long runs take the heap path; they still round-trip at every length around the switch.
    for n in [95, 96, 97, 1000, 1001] {
        let run = "a".repeat(n);
        assert_eq!(bpe.decode(&bpe.encode(&run)).unwrap(), run);
    }
    assert_near_linear(&bpe, |n| "a".repeat(n), 200_000);
}

#[test]
fn megabyte_line_without_spaces() {
    let _alone = alone();
    let bpe = trained(Pattern::Gpt4, false);
    let unit = "quick,brown;fox.jumps/over-the_lazy*dog数字😀";
    let text: String = unit.repeat(1_000_000 / unit.len() + 1);
    let t = Instant::now();
    let ids = bpe.encode(&text);
    eprintln!("1 MB line: {} tokens in {:?}", ids.len(), t.elapsed());
    assert_eq!(bpe.decode(&ids).unwrap(), text);
    let basic = trained(Pattern::None, false);
    let ids = basic.encode(&text);
    assert_eq!(basic.decode(&ids).unwrap(), text);
    let line = |n: usize| unit.repeat(n / unit.len() + 1);
    assert_near_linear(bpe, line, 1_000_000);
    assert_near_linear(basic, line, 250_000);
}
