//! Load times of the published vocabularies, for `cargo xtask bench tokenizer`: each rank file
//! that `examples/rank_files.rs` wrote into DIR, as text (`Encoding::load`, which derives the
//! merge table) and in genlab's binary format (`Bpe::load_binary`, which stores it). Prints
//! JSON: the first load in the process and the median of five more, in milliseconds.
//!
//! ```sh
//! cargo run --release -p genlab-tokenizer --example bench_load -- DIR
//! ```

use std::time::Instant;

use genlab_tokenizer::{Bpe, Encoding};

fn times(mut load: impl FnMut() -> Bpe) -> (f64, f64) {
    let mut ms = || {
        let t = Instant::now();
        let bpe = load();
        let dt = t.elapsed().as_secs_f64() * 1e3;
        drop(bpe);
        dt
    };
    let first = ms();
    let mut rest: Vec<f64> = (0..5).map(|_| ms()).collect();
    rest.sort_by(f64::total_cmp);
    (first, rest[2])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).ok_or("usage: bench_load DIR")?);
    let mut out = serde_json::Map::new();
    for e in Encoding::ALL {
        let text = dir.join(format!("{}.tiktoken", e.name()));
        let binary = dir.join(format!("{}.glbpe", e.name()));
        e.load(&text)?.save_binary(&binary)?;
        let (text_first, text_median) = times(|| e.load(&text).expect("loads"));
        let (bin_first, bin_median) = times(|| Bpe::load_binary(&binary).expect("loads"));
        out.insert(
            e.name().into(),
            serde_json::json!({
                "text_first_ms": text_first, "text_median_ms": text_median,
                "binary_first_ms": bin_first, "binary_median_ms": bin_median,
            }),
        );
    }
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
