//! Biases and penalties that depend on the history: repetition, presence/frequency,
//! no-repeat-n-gram. Each touches only the tokens concerned: O(window) on a dense row.

use super::Scratch;
use crate::candidates::Candidates;
use crate::error::Result;

/// Fills `s.counts` with `(id, occurrences)` over the last `last_n` history tokens, by id.
fn count_window(history: &[u32], last_n: usize, s: &mut Scratch) {
    let start = history.len().saturating_sub(last_n);
    s.window.clear();
    s.window.extend_from_slice(&history[start..]);
    s.window.sort_unstable();
    s.counts.clear();
    for &id in &s.window {
        match s.counts.last_mut() {
            Some(last) if last.0 == id => last.1 += 1,
            _ => s.counts.push((id, 1)),
        }
    }
}

pub(super) fn repetition(
    penalty: f32,
    last_n: usize,
    c: &mut Candidates,
    history: &[u32],
    s: &mut Scratch,
) -> Result<()> {
    count_window(history, last_n, s);
    c.update_by_id(&s.counts, |l, _| if l > 0.0 { l / penalty } else { l * penalty })
}

pub(super) fn presence_frequency(
    presence: f32,
    frequency: f32,
    last_n: usize,
    c: &mut Candidates,
    history: &[u32],
    s: &mut Scratch,
) -> Result<()> {
    count_window(history, last_n, s);
    c.update_by_id(&s.counts, |l, n| l - n as f32 * frequency - presence)
}

pub(super) fn no_repeat_ngram(
    n: usize,
    c: &mut Candidates,
    history: &[u32],
    s: &mut Scratch,
) -> Result<()> {
    if history.len() + 1 < n {
        return Ok(());
    }
    let prefix = &history[history.len() + 1 - n..];
    s.window.clear();
    for gram in history.windows(n) {
        if &gram[..n - 1] == prefix {
            s.window.push(gram[n - 1]);
        }
    }
    s.window.sort_unstable();
    s.window.dedup();
    s.updates.clear();
    s.updates.extend(s.window.iter().map(|&id| (id, f32::NEG_INFINITY)));
    c.update_by_id(&s.updates, |_, ban| ban)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        f: impl FnOnce(&mut Candidates, &mut Scratch) -> Result<()>,
        logits: &[f32],
    ) -> Vec<f32> {
        let mut c = Candidates::new();
        c.load(logits).unwrap();
        f(&mut c, &mut Scratch::default()).unwrap();
        c.logits().to_vec()
    }

    #[test]
    fn repetition_divides_positive_multiplies_negative_once_per_token() {
        let out = run(|c, s| repetition(2.0, 64, c, &[0, 1, 1, 1], s), &[4.0, -4.0, 1.0]);
        assert_eq!(out, vec![2.0, -8.0, 1.0]);
        // Only the last 1 token counts.
        let out = run(|c, s| repetition(2.0, 1, c, &[0, 1], s), &[4.0, -4.0, 1.0]);
        assert_eq!(out, vec![4.0, -8.0, 1.0]);
    }

    #[test]
    fn presence_and_frequency_follow_openai() {
        let out = run(|c, s| presence_frequency(0.5, 0.25, 64, c, &[2, 2, 2, 0], s), &[1.0; 4]);
        assert_eq!(out, vec![1.0 - 0.25 - 0.5, 1.0, 1.0 - 0.75 - 0.5, 1.0]);
    }

    #[test]
    fn no_repeat_ngram_bans_completions() {
        // history "1 2 3 1 2": the 3-gram "1 2 3" exists, so after "1 2" token 3 is banned.
        let out = run(|c, s| no_repeat_ngram(3, c, &[1, 2, 3, 1, 2], s), &[0.0; 5]);
        assert_eq!(out, vec![0.0, 0.0, 0.0, f32::NEG_INFINITY, 0.0]);
        // n = 1 bans every token seen.
        let out = run(|c, s| no_repeat_ngram(1, c, &[4, 1], s), &[0.0; 5]);
        assert_eq!(out, vec![0.0, f32::NEG_INFINITY, 0.0, 0.0, f32::NEG_INFINITY]);
    }

    #[test]
    fn history_token_outside_vocab_is_an_error() {
        let mut c = Candidates::new();
        c.load(&[0.0; 3]).unwrap();
        let err = repetition(1.5, 8, &mut c, &[7], &mut Scratch::default()).unwrap_err();
        assert!(err.to_string().contains("token id 7"), "{err}");
    }
}
