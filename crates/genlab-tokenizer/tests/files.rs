//! Save/load in every format, and corrupt or mismatched files giving errors that name the
//! line and the problem.

mod common;

use common::{CORPUS, trained};
use genlab_tokenizer::{AllowedSpecial, Bpe, CharTokenizer, Pattern, TokenizerError};

fn same_behaviour(a: &Bpe, b: &Bpe) {
    assert_eq!(a.vocab_size(), b.vocab_size());
    assert_eq!(a.pattern(), b.pattern());
    let text = format!("{CORPUS}<|endoftext|> trailing");
    assert_eq!(a.encode(&text), b.encode(&text));
    assert_eq!(
        a.encode_with_special(&text, &AllowedSpecial::All),
        b.encode_with_special(&text, &AllowedSpecial::All)
    );
}

#[test]
fn native_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for p in [Pattern::Gpt2, Pattern::Gpt4, Pattern::None] {
        let bpe = trained(p, true);
        let path = dir.path().join("tok.json");
        bpe.save(&path).unwrap();
        let back = Bpe::load(&path).unwrap();
        same_behaviour(bpe, &back);
        assert_eq!(back.to_json(), bpe.to_json());
        assert_eq!(genlab_tokenizer::load(&path).unwrap().vocab_size(), bpe.vocab_size());
    }
    let custom = genlab_tokenizer::Trainer::new(300).pattern(Pattern::Custom(r"\w+|\W".into()));
    let custom = custom.train(CORPUS).unwrap();
    same_behaviour(&custom, &Bpe::from_json(&custom.to_json(), "mem").unwrap());
}

#[test]
fn char_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chars.json");
    let t = CharTokenizer::train(CORPUS);
    t.save(&path).unwrap();
    assert_eq!(CharTokenizer::load(&path).unwrap().alphabet(), t.alphabet());
    let any = genlab_tokenizer::load(&path).unwrap();
    assert_eq!(any.encode("fox").unwrap(), genlab_tokenizer::Tokenizer::encode(&t, "fox").unwrap());
    let err = Bpe::load(&path).unwrap_err();
    assert!(
        err.to_string().contains("\"format\" is \"genlab-char\", expected \"genlab-bpe\""),
        "{err}"
    );
}

#[test]
fn tiktoken_round_trip() {
    let bpe = trained(Pattern::Gpt4, true);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tok.tiktoken");
    bpe.save_tiktoken(&path).unwrap();
    let back = Bpe::load_tiktoken(&path, Pattern::Gpt4, bpe.special_tokens().to_vec()).unwrap();
    same_behaviour(bpe, &back);
}

#[test]
fn binary_round_trip_is_reproducible_and_loads_by_content() {
    let dir = tempfile::tempdir().unwrap();
    for p in [Pattern::Gpt2, Pattern::Gpt4, Pattern::None] {
        let bpe = trained(p, true);
        let path = dir.path().join("tok.glbpe");
        bpe.save_binary(&path).unwrap();
        let back = Bpe::load_binary(&path).unwrap();
        same_behaviour(bpe, &back);
        assert_eq!(back.to_binary(), bpe.to_binary(), "same tokenizer, same bytes");
        assert_eq!(back.pair_count(), bpe.pair_count());
        let any = genlab_tokenizer::load(&path).unwrap();
        assert_eq!(any.encode(CORPUS).unwrap(), bpe.encode(CORPUS));
    }
}

#[test]
fn corrupt_binary_files_are_refused_never_a_panic() {
    let good = trained(Pattern::Gpt4, true).to_binary();
    for cut in (0..good.len()).step_by(97) {
        let err = Bpe::from_binary(&good[..cut], "t.glbpe").unwrap_err().to_string();
        assert!(err.starts_with("t.glbpe"), "{err}");
    }
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 1;
    let err = Bpe::from_binary(&flipped, "t.glbpe").unwrap_err().to_string();
    assert!(err.contains("checksum mismatch"), "{err}");
    let mut newer = good.clone();
    newer[8] = 9;
    let err = Bpe::from_binary(&newer, "t.glbpe").unwrap_err().to_string();
    assert!(err.contains("version 9"), "{err}");
    let err = Bpe::from_binary(b"{\"format\": 1}", "t.glbpe").unwrap_err().to_string();
    assert!(err.contains("no GLBPE header"), "{err}");
}

#[test]
fn hf_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    for p in [Pattern::Gpt2, Pattern::Gpt4, Pattern::None] {
        let bpe = trained(p, true);
        let path = dir.path().join("tokenizer.json");
        bpe.save_hf(&path).unwrap();
        let back = Bpe::load_hf(&path).unwrap();
        same_behaviour(bpe, &back);
        assert_eq!(genlab_tokenizer::load(&path).unwrap().vocab_size(), bpe.vocab_size());
    }
}

/// Hugging Face gives an added token that is missing from the model's vocab the next free id,
/// not the id the file names; so the export lists special tokens in both places.
#[test]
fn hf_export_lists_special_tokens_in_the_model_vocab_with_their_ids() {
    let bpe = trained(Pattern::Gpt4, true);
    let file: serde_json::Value = serde_json::from_str(&bpe.to_hf_json().unwrap()).unwrap();
    for (text, id) in bpe.special_tokens() {
        assert_eq!(file["model"]["vocab"][text].as_u64(), Some(u64::from(*id)), "{text}");
    }
    let back = Bpe::from_hf_json(&file.to_string(), "t.json").unwrap();
    assert_eq!(back.special_tokens(), bpe.special_tokens());
}

fn parse_error(err: TokenizerError) -> (usize, String) {
    match err {
        TokenizerError::Parse { line, problem, .. } => (line, problem),
        other => panic!("expected a parse error, got {other}"),
    }
}

#[test]
fn corrupt_native_files() {
    let good = trained(Pattern::Gpt2, false).to_json();
    let truncated = &good[..good.len() / 2];
    let (line, _) = parse_error(Bpe::from_json(truncated, "t.json").unwrap_err());
    assert!(line > 1);
    // Token 300 written in characters outside the byte-level alphabet.
    let lines: Vec<&str> = good.lines().collect();
    let idx = lines.iter().position(|l| l.contains("\"tokens\"")).unwrap() + 1 + 300;
    let mut bad: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    bad[idx] = "    \"€uro\",".into();
    let (line, problem) = parse_error(Bpe::from_json(&bad.join("\n"), "t.json").unwrap_err());
    assert_eq!(line, idx + 1);
    assert!(problem.contains("token 300 (\"€uro\") is not a byte-level string"), "{problem}");
    let newer = good.replace("\"version\": 1", "\"version\": 99");
    let err = Bpe::from_json(&newer, "t.json").unwrap_err().to_string();
    assert!(err.contains("version 99 is not supported"), "{err}");
    // Drop byte 0x41 ('A'): the vocabulary no longer covers every byte.
    let no_a = good.replacen("\n    \"A\",", "\n    \"AZZQ\",", 1);
    let err = Bpe::from_json(&no_a, "t.json").unwrap_err().to_string();
    assert!(err.contains("byte 0x41 has no token"), "{err}");
    let hole = good.replacen("\n    \"A\",", "\n    null,", 1);
    let (line, problem) = parse_error(Bpe::from_json(&hole, "t.json").unwrap_err());
    assert_eq!(line, lines.iter().position(|l| l.trim() == "\"A\",").unwrap() + 1);
    assert_eq!(problem, "token 65 is null but no special token has id 65");
}

#[test]
fn corrupt_tiktoken_files() {
    let good = trained(Pattern::Gpt2, false).to_tiktoken().unwrap();
    let with_line = |n: usize, new: &str| {
        let mut lines: Vec<&str> = good.lines().collect();
        lines[n - 1] = new;
        lines.join("\n")
    };
    let parse = |src: &str| {
        parse_error(Bpe::from_tiktoken(src, "r.tiktoken", Pattern::Gpt2, vec![]).unwrap_err())
    };
    let (line, problem) = parse(&with_line(3, "!!notbase64 2"));
    assert_eq!(line, 3);
    assert!(problem.contains("is not valid base64"), "{problem}");
    let (line, problem) = parse(&with_line(4, "Aw=="));
    assert_eq!((line, problem.as_str()), (4, "expected `base64 rank`, found \"Aw==\""));
    let (line, problem) = parse(&with_line(5, "BA== x"));
    assert_eq!((line, problem.as_str()), (5, "rank \"x\" is not a non-negative integer"));
    let (line, problem) = parse(&with_line(6, "AA== 5"));
    assert_eq!((line, problem.as_str()), (6, "token \"AA==\" already appeared on line 1"));
    let (line, problem) = parse(&with_line(7, "QUJDREVGRw== 5"));
    assert_eq!((line, problem.as_str()), (7, "rank 5 already appeared on line 6"));
    let (line, problem) = parse(&with_line(300, "QUJDREVGRw== 100000"));
    assert_eq!(line, 300);
    assert!(problem.contains("rank 100000 leaves a gap"), "{problem}");
}

#[test]
fn corrupt_hf_files() {
    let good = trained(Pattern::Gpt4, false).to_hf_json().unwrap();
    let (line, _) = parse_error(
        Bpe::from_hf_json(&good.replace("\"merges\": [", "\"merges\": [[,"), "h.json").unwrap_err(),
    );
    assert!(line > 1);
    let start = good.find("\"merges\": [").unwrap();
    let first_merge_line = good[..start].matches('\n').count() + 2;
    let broken =
        format!("{}\"merges\": [\n      \"Ġ zzzq\",{}", &good[..start], &good[start + 11..]);
    let (line, problem) = parse_error(Bpe::from_hf_json(&broken, "h.json").unwrap_err());
    assert_eq!(line, first_merge_line);
    assert!(problem.contains("merge 0 uses \"zzzq\", which is not in the vocab"), "{problem}");
    let wordpiece = good.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\"");
    let err = Bpe::from_hf_json(&wordpiece, "h.json").unwrap_err().to_string();
    assert!(err.contains("is not BPE"), "{err}");
}
