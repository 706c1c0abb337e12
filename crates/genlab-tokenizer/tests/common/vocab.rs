//! The published vocabularies' rank files, from the crates.io `tiktoken` crate (which embeds
//! them), in tiktoken's text format. Shared by `tests/encodings.rs` and
//! `examples/rank_files.rs`.

use genlab_tokenizer::Encoding;

/// Python tiktoken's expected sha256 of each official rank file.
pub fn official_sha256(e: Encoding) -> Option<&'static str> {
    Some(match e {
        Encoding::R50kBase => "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
        Encoding::P50kBase => "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
        Encoding::Cl100kBase => "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        Encoding::O200kBase => "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _ => return None,
    })
}

/// The crates.io `tiktoken` crate's encoding of the same name: the reference ids.
pub fn reference(e: Encoding) -> &'static tiktoken::CoreBpe {
    tiktoken::get_encoding(e.name()).unwrap_or_else(|| panic!("tiktoken has {e}"))
}

/// The reference's ranks as a `.tiktoken` file: `base64(bytes) rank` lines in rank order.
pub fn rank_file(e: Encoding) -> String {
    use base64::Engine as _;
    let r = reference(e);
    let specials: Vec<u32> = e.special_tokens().iter().map(|s| s.1).collect();
    let top = specials.iter().copied().max().unwrap_or(0).max(r.vocab_size() as u32) + 1;
    let mut out = String::new();
    let mut ranks = 0;
    // Tekken's first 1,000 ids are control tokens, not ranks (the crate lists them as both).
    let first = if e == Encoding::MistralV3 { 1000 } else { 0 };
    for id in (first..top).filter(|id| !specials.contains(id)) {
        let bytes = r.decode(&[id]);
        if bytes.is_empty() {
            continue; // an id the vocabulary leaves unused
        }
        out += &format!("{} {id}\n", base64::engine::general_purpose::STANDARD.encode(&bytes));
        ranks += 1;
    }
    assert_eq!(ranks, e.ranks(), "{e}: the reference has {ranks} ranks");
    out
}
