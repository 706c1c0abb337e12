//! Inputs that make a naive merge loop quadratic must stay near-linear. These assert that they
//! finish and agree with the small-chunk path; `examples/bench.rs` times them in release.

mod common;

use std::time::Instant;

use common::trained;
use genlab_tokenizer::{Pattern, Trainer};

#[test]
fn long_repeated_character() {
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
}

#[test]
fn megabyte_line_without_spaces() {
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
}
