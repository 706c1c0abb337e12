//! Writes the published vocabularies' rank files (`cl100k_base.tiktoken` and the others genlab
//! names) into a folder, from the crates.io `tiktoken` crate, a dev-dependency. OpenAI's four
//! are checked against the sha256 Python tiktoken expects, so they are the official files.
//!
//! ```sh
//! cargo run --release -p genlab-tokenizer --example rank_files -- vocab/
//! cargo run --release -- tokenizer encode --tokenizer vocab/o200k_base.tiktoken --text "Hello"
//! ```

#[path = "../tests/common/vocab.rs"]
mod vocab;

use genlab_tokenizer::Encoding;
use sha2::{Digest, Sha256};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: rank_files DIR")?;
    std::fs::create_dir_all(&dir)?;
    for e in Encoding::ALL {
        let text = vocab::rank_file(e);
        let sha = format!("{:x}", Sha256::digest(text.as_bytes()));
        if let Some(want) = vocab::official_sha256(e)
            && sha != want
        {
            return Err(format!("{e}: sha256 {sha}, expected {want}").into());
        }
        let path = std::path::Path::new(&dir).join(format!("{}.tiktoken", e.name()));
        std::fs::write(&path, &text)?;
        println!("{} ({} ranks, sha256 {sha})", path.display(), e.ranks());
    }
    Ok(())
}
