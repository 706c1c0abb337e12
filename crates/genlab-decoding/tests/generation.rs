//! The generation loop on toy models: beam search, stop tokens and strings, streaming,
//! batching, context limits and error flow.

use std::cell::Cell;

use genlab_decoding::{
    BoxError, DecodingError, Detokenizer, FinishReason, GenerationConfig, LanguageModel,
    beam_search, generate, generate_batch, generate_batch_with, generate_stream,
};

/// Next-token log-probabilities depend only on the last token. Cache = tokens seen.
struct Bigram {
    table: Vec<Vec<f32>>,
    max_context: Option<usize>,
    calls: Cell<usize>,
}

impl Bigram {
    fn new(probs: Vec<Vec<f32>>) -> Self {
        let table = probs.into_iter().map(|r| r.into_iter().map(f32::ln).collect()).collect();
        Self { table, max_context: None, calls: Cell::new(0) }
    }

    /// A pseudo-random bigram table over `v` tokens.
    fn random(v: usize) -> Self {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let table = (0..v)
            .map(|_| {
                (0..v)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        (x % 1000) as f32 / 250.0
                    })
                    .collect()
            })
            .collect();
        Self { table, max_context: None, calls: Cell::new(0) }
    }
}

impl LanguageModel for Bigram {
    type Cache = Vec<u32>;

    fn vocab_size(&self) -> usize {
        self.table.len()
    }

    fn max_context(&self) -> Option<usize> {
        self.max_context
    }

    fn new_cache(&self) -> Result<Vec<u32>, BoxError> {
        Ok(Vec::new())
    }

    fn forward(&self, new_tokens: &[u32], cache: &mut Vec<u32>) -> Result<Vec<f32>, BoxError> {
        self.calls.set(self.calls.get() + 1);
        cache.extend_from_slice(new_tokens);
        if let Some(max) = self.max_context {
            assert!(cache.len() <= max, "fed past the context");
        }
        Ok(self.table[*cache.last().ok_or("empty input")? as usize].clone())
    }
}

/// Emits a fixed script, one token per position after the prompt.
struct Script(Vec<u32>, usize);

impl LanguageModel for Script {
    type Cache = usize;

    fn vocab_size(&self) -> usize {
        self.1
    }

    fn new_cache(&self) -> Result<usize, BoxError> {
        Ok(0)
    }

    fn forward(&self, new_tokens: &[u32], cache: &mut usize) -> Result<Vec<f32>, BoxError> {
        *cache += new_tokens.len();
        let mut l = vec![0.0; self.1];
        // The prompt is one token, so the script position is `cache - 1`.
        l[self.0[(*cache - 1) % self.0.len()] as usize] = 10.0;
        Ok(l)
    }
}

const PIECES: [&str; 9] = ["<s>", "Hello", " wor", "ld", "\n", "Bye", "ld\nEND", "a", "b"];

fn detok(ids: &[u32]) -> String {
    ids.iter().map(|&i| PIECES[i as usize]).collect()
}

fn stream_ids<M: LanguageModel>(
    m: &M,
    prompt: &[u32],
    cfg: &GenerationConfig,
    d: Option<&dyn Detokenizer>,
) -> Vec<u32> {
    generate_stream(m, prompt, cfg, d).unwrap().map(|t| t.unwrap().id).collect()
}

/// BOS=0, A=1, B=2, EOS=3. Greedy takes A (0.5) and then at most 0.34 per step; the best
/// sequence is B (0.4) then EOS (0.9).
fn tricky() -> Bigram {
    Bigram::new(vec![
        vec![1e-6, 0.5, 0.4, 0.1],
        vec![1e-6, 0.34, 0.33, 0.33],
        vec![1e-6, 0.05, 0.05, 0.9],
        vec![0.25; 4],
    ])
}

#[test]
fn beam_search_finds_the_best_sequence_greedy_misses() {
    let m = tricky();
    let base = GenerationConfig {
        stop_token_ids: vec![3],
        max_new_tokens: 4,
        ..GenerationConfig::greedy()
    };
    let greedy = generate(&m, &[0], &base, None).unwrap();
    assert_eq!(greedy.tokens, vec![1, 1, 1, 1]);
    for early_stopping in [false, true] {
        for length_penalty in [0.0, 1.0] {
            let cfg =
                GenerationConfig { num_beams: 2, early_stopping, length_penalty, ..base.clone() };
            let hyps = beam_search(&m, &[0], &cfg).unwrap();
            assert_eq!(hyps[0].tokens, vec![2], "{hyps:?}");
            assert_eq!(hyps[0].finish_reason, FinishReason::StopToken(3));
            let expected = (0.4f64 * 0.9).ln();
            assert!((hyps[0].log_prob - expected).abs() < 1e-5, "{}", hyps[0].log_prob);
            assert!(hyps.windows(2).all(|w| w[0].score >= w[1].score));
            let out = generate(&m, &[0], &cfg, None).unwrap();
            assert_eq!(out.tokens, vec![2]);
        }
    }
}

#[test]
fn stop_token_ends_without_being_output() {
    let m = tricky();
    let cfg = GenerationConfig { stop_token_ids: vec![3], ..GenerationConfig::greedy() };
    let out = generate(&m, &[2], &cfg, None).unwrap();
    assert_eq!(out.tokens, Vec::<u32>::new());
    assert_eq!(out.finish_reason, FinishReason::StopToken(3));
}

#[test]
fn stop_strings_spanning_tokens_do_not_leak() {
    // "Hello world\n\nBye": the stop "\n\n" spans tokens 4 and 4.
    let m = Script(vec![1, 2, 3, 4, 4, 5], PIECES.len());
    let cfg = GenerationConfig { stop_strings: vec!["\n\n".into()], ..GenerationConfig::greedy() };
    let d: &dyn Detokenizer = &detok;
    let out = generate(&m, &[0], &cfg, Some(d)).unwrap();
    assert_eq!(out.text.as_deref(), Some("Hello world"));
    assert_eq!(out.tokens, vec![1, 2, 3]);
    assert_eq!(out.finish_reason, FinishReason::StopString("\n\n".into()));
    let streamed: Vec<_> =
        generate_stream(&m, &[0], &cfg, Some(d)).unwrap().map(Result::unwrap).collect();
    assert_eq!(streamed.iter().map(|t| t.id).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!(streamed.iter().map(|t| t.text.as_str()).collect::<String>(), "Hello world");
}

#[test]
fn stop_string_inside_a_token_cuts_the_text() {
    // "Hello wor" + "ld\nEND": the stop "END" starts inside the last token.
    let m = Script(vec![1, 2, 6, 5], PIECES.len());
    let cfg = GenerationConfig { stop_strings: vec!["END".into()], ..GenerationConfig::greedy() };
    let out = generate(&m, &[0], &cfg, Some(&detok)).unwrap();
    assert_eq!(out.text.as_deref(), Some("Hello world\n"));
    assert_eq!(out.tokens, vec![1, 2]);
    assert!(!out.text.unwrap().contains("END"));
}

#[test]
fn held_back_prefix_is_released_when_no_stop_follows() {
    // "a\nb\na\nb..." never contains "\n\n": every token comes out, in order.
    let m = Script(vec![7, 4, 8, 4], PIECES.len());
    let cfg = GenerationConfig {
        stop_strings: vec!["\n\n".into()],
        max_new_tokens: 6,
        ..GenerationConfig::greedy()
    };
    let out = generate(&m, &[0], &cfg, Some(&detok)).unwrap();
    assert_eq!(out.tokens, vec![7, 4, 8, 4, 7, 4]);
    assert_eq!(out.text.as_deref(), Some("a\nb\na\n"));
    assert_eq!(out.finish_reason, FinishReason::Length);
    assert_eq!(stream_ids(&m, &[0], &cfg, Some(&detok)), out.tokens);
}

#[test]
fn streaming_yields_the_same_tokens_as_generate() {
    let m = Bigram::random(64);
    for seed in 0..5 {
        let cfg = GenerationConfig { seed, max_new_tokens: 40, ..GenerationConfig::default() };
        let out = generate(&m, &[1, 2, 3], &cfg, None).unwrap();
        assert_eq!(out.tokens.len(), 40);
        assert_eq!(stream_ids(&m, &[1, 2, 3], &cfg, None), out.tokens);
        // Same seed, same tokens; another seed, other tokens.
        assert_eq!(generate(&m, &[1, 2, 3], &cfg, None).unwrap().tokens, out.tokens);
        let other = GenerationConfig { seed: seed + 100, ..cfg };
        assert_ne!(generate(&m, &[1, 2, 3], &other, None).unwrap().tokens, out.tokens);
    }
}

#[test]
fn the_cache_is_used_one_token_per_step() {
    let m = Bigram::random(16);
    let cfg = GenerationConfig { max_new_tokens: 10, ..GenerationConfig::default() };
    generate(&m, &[1, 2, 3, 4], &cfg, None).unwrap();
    // One prefill plus one call per fed token; the last sampled token is never fed.
    assert_eq!(m.calls.get(), 10);
}

#[test]
fn batch_matches_single_runs() {
    let m = Bigram::random(32);
    let prompts: [&[u32]; 3] = [&[1], &[2, 3], &[4, 5, 6]];
    let greedy = GenerationConfig { max_new_tokens: 12, ..GenerationConfig::greedy() };
    let batch = generate_batch(&m, &prompts, &greedy, None).unwrap();
    for (p, out) in prompts.iter().zip(&batch) {
        assert_eq!(generate(&m, p, &greedy, None).unwrap(), *out);
    }
    let sampled = GenerationConfig { max_new_tokens: 12, seed: 3, ..GenerationConfig::default() };
    let batch = generate_batch(&m, &prompts, &sampled, None).unwrap();
    assert_eq!(batch[0], generate(&m, prompts[0], &sampled, None).unwrap());
    assert_eq!(generate_batch(&m, &prompts, &sampled, None).unwrap(), batch);
    // Streaming callback sees every token of every row, in order.
    let mut seen = vec![Vec::new(); 3];
    generate_batch_with(&m, &prompts, &sampled, None, |i, t| seen[i].push(t.id)).unwrap();
    for (s, out) in seen.iter().zip(&batch) {
        assert_eq!(*s, out.tokens);
    }
}

#[test]
fn batch_rows_finish_independently() {
    let m = tricky();
    let cfg = GenerationConfig {
        stop_token_ids: vec![3],
        max_new_tokens: 5,
        ..GenerationConfig::greedy()
    };
    let out = generate_batch(&m, &[&[2], &[1]], &cfg, None).unwrap();
    assert_eq!(out[0].tokens, Vec::<u32>::new());
    assert_eq!(out[0].finish_reason, FinishReason::StopToken(3));
    assert_eq!(out[1].tokens, vec![1; 5]);
    assert_eq!(out[1].finish_reason, FinishReason::Length);
}

#[test]
fn context_limit_stops_generation() {
    let mut m = Bigram::random(8);
    m.max_context = Some(5);
    let cfg = GenerationConfig { max_new_tokens: 50, ..GenerationConfig::default() };
    let out = generate(&m, &[1, 2, 3], &cfg, None).unwrap();
    assert_eq!(out.finish_reason, FinishReason::ContextFull);
    assert_eq!(out.tokens.len(), 3);
    let err = generate(&m, &[1; 6], &cfg, None).unwrap_err();
    assert!(err.to_string().contains("max_context 5"), "{err}");
}

struct Failing;

impl LanguageModel for Failing {
    type Cache = ();
    fn vocab_size(&self) -> usize {
        4
    }
    fn new_cache(&self) -> Result<(), BoxError> {
        Ok(())
    }
    fn forward(&self, new_tokens: &[u32], _: &mut ()) -> Result<Vec<f32>, BoxError> {
        match new_tokens[0] {
            0 => Err("out of device memory".into()),
            1 => Ok(vec![f32::NAN; 4]),
            _ => Ok(vec![0.0; 3]),
        }
    }
}

#[test]
fn errors_flow_out_instead_of_panicking() {
    let cfg = GenerationConfig::default();
    let err = generate(&Failing, &[0], &cfg, None).unwrap_err();
    assert!(matches!(err, DecodingError::Model(_)));
    assert!(err.to_string().contains("out of device memory"), "{err}");
    let err = generate(&Failing, &[1], &cfg, None).unwrap_err();
    assert!(matches!(err, DecodingError::NoValidLogits { .. }), "{err}");
    let err = generate(&Failing, &[2], &cfg, None).unwrap_err();
    assert!(matches!(err, DecodingError::LogitsShape { expected: 4, got: 3 }), "{err}");
    let mut s = generate_stream(&Failing, &[0], &cfg, None).unwrap();
    assert!(s.next().unwrap().is_err());
    assert!(s.next().is_none());
}

#[test]
fn bad_inputs_are_rejected_with_names() {
    let m = tricky();
    let empty = GenerationConfig { max_new_tokens: 0, ..GenerationConfig::default() };
    let err = generate(&m, &[], &empty, None).unwrap_err().to_string();
    assert!(err.contains("max_new_tokens") && err.contains("[1, inf)"), "{err}");
    let err = generate(&m, &[], &GenerationConfig::default(), None).unwrap_err().to_string();
    assert!(err.contains("prompt"), "{err}");
    // max_new_tokens 0 with a prompt is fine: nothing generated.
    let out = generate(&m, &[1], &empty, None).unwrap();
    assert!(out.tokens.is_empty() && out.finish_reason == FinishReason::Length);
    let stops = GenerationConfig { stop_strings: vec!["x".into()], ..GenerationConfig::default() };
    let err = generate(&m, &[1], &stops, None).unwrap_err().to_string();
    assert!(err.contains("detokenizer"), "{err}");
    let beams = GenerationConfig { num_beams: 0, ..GenerationConfig::default() };
    let err = generate(&m, &[1], &beams, None).unwrap_err().to_string();
    assert!(err.contains("num_beams"), "{err}");
    let banned = GenerationConfig { banned_tokens: vec![9], ..GenerationConfig::default() };
    let err = generate(&m, &[1], &banned, None).unwrap_err().to_string();
    assert!(err.contains("token id 9"), "{err}");
}
