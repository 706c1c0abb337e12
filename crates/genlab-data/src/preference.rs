//! The hidden preference: a rule-based stand-in for human rankers, and the ground truth the
//! RLHF stage is judged by.
//!
//! A response is judged on four things, weighted so that they apply nearly lexicographically:
//! correct before incorrect, then polite (ends with [`COURTESY`]), then free of repetition,
//! then concise. [`candidates`] writes responses as a model might, [`rank`] orders them and
//! [`rankings`] / [`ranking_pairs`] turn them into reward-model and DPO data.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::instructions::{
    COURTESY, FORBIDDEN_OBJECTS, FORBIDDEN_VERBS, Instance, REFUSAL, Split, Task, instances,
};

/// How a response fares under the hidden preference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Preference {
    /// The response, less one trailing [`COURTESY`], is exactly the answer.
    pub correct: bool,
    /// The response ends with [`COURTESY`].
    pub polite: bool,
    /// A word follows itself, the answer comes again after the answer, or [`COURTESY`]
    /// appears more than once.
    pub repetitive: bool,
    /// 1 for no more characters than the answer, falling linearly to 0 with extra characters.
    pub concise: f64,
    /// `(4*correct + 2*polite + 1*(!repetitive) + 1*concise) / 8`, in [0, 1].
    pub score: f64,
}

/// Judges `response` to `inst`. Hidden ordering, applied lexicographically through weights:
/// correct before incorrect, then polite, then no repetition, then concise (see the fields of
/// [`Preference`]).
pub fn judge(inst: &Instance, response: &str) -> Preference {
    let (content, polite) = match response.strip_suffix(COURTESY) {
        Some(content) => (content, true),
        None => (response, false),
    };
    let correct = content == inst.answer;
    let repetitive = word_twice(response)
        || answer_again(content, &inst.answer)
        || response.matches(COURTESY.trim_start()).count() > 1;
    let answer_len = inst.answer.chars().count();
    let extra = content.chars().count().saturating_sub(answer_len);
    let concise = (1.0 - extra as f64 / (answer_len + 10) as f64).max(0.0);
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let score = (4.0 * flag(correct) + 2.0 * flag(polite) + flag(!repetitive) + concise) / 8.0;
    Preference { correct, polite, repetitive, concise, score }
}

/// The whitespace-separated words of `text`, trailing punctuation removed.
fn words(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|w| {
            let bare = w.trim_end_matches(|c: char| c.is_ascii_punctuation());
            if bare.is_empty() { w } else { bare }
        })
        .collect()
}

/// Some word appears twice in a row.
fn word_twice(text: &str) -> bool {
    words(text).windows(2).any(|w| w[0] == w[1])
}

/// The words of `answer` occur in `content`, and again after their first occurrence.
fn answer_again(content: &str, answer: &str) -> bool {
    let (content, answer) = (words(content), words(answer));
    let find = |from: usize| {
        let rest = content.get(from..).unwrap_or_default();
        rest.windows(answer.len().max(1)).position(|w| w == answer.as_slice()).map(|i| from + i)
    };
    match find(0) {
        Some(first) if !answer.is_empty() => find(first + answer.len()).is_some(),
        _ => false,
    }
}

/// Scores closer than this count as tied.
const TIE: f64 = 1e-9;

/// `k` candidate responses to `inst`, as a model might write them, with pairwise distinct
/// scores (so a ranking has no ties), in random order.
///
/// The pool: the correct answer plain and polite; wrong answers (numbers off by 1 to 3 or
/// another number, strings with two letters swapped, a letter dropped or changed, a refusal
/// where an answer is due or an answer where a refusal is due) plain and polite; the answer
/// repeated, with extra words, or followed by the courtesy twice. Returns
/// `min(k, number of distinct scores in the pool)` responses (at least 9 for every task).
pub fn candidates(inst: &Instance, k: usize, rng: &mut impl Rng) -> Vec<String> {
    let mut pool = variants(inst, rng);
    pool.shuffle(rng);
    let mut picked: Vec<(String, f64)> = Vec::with_capacity(k);
    for response in pool {
        if picked.len() >= k {
            break;
        }
        let score = judge(inst, &response).score;
        if picked.iter().all(|(_, s)| (s - score).abs() > TIE) {
            picked.push((response, score));
        }
    }
    picked.into_iter().map(|(response, _)| response).collect()
}

/// Every variant response to `inst`, some repeated or tied in score.
fn variants(inst: &Instance, rng: &mut impl Rng) -> Vec<String> {
    let (a, c) = (inst.answer.as_str(), COURTESY);
    let (before, after) = if inst.task == Task::Refuse {
        ("I am afraid not. ", " Please ask me something else.")
    } else {
        ("The answer is ", ", I think")
    };
    let mut pool = vec![
        a.to_string(),
        format!("{a}{c}"),
        format!("{a} {a}"),
        format!("{a} {a}{c}"),
        format!("{a}{c}{c}"),
        format!("{before}{a}"),
        format!("{a}{after}"),
        format!("{before}{a}{c}"),
    ];
    for kind in 0..4 {
        let w = wrong(inst, kind, rng);
        pool.extend([format!("{w}{c}"), format!("{w} {w}"), w]);
    }
    pool
}

/// A wrong response to `inst` of one of four kinds (0..4), never the answer.
fn wrong(inst: &Instance, kind: usize, rng: &mut impl Rng) -> String {
    let answer = inst.answer.as_str();
    let w = match (inst.task, kind) {
        (Task::Refuse, pick) => comply(&inst.prompt, pick),
        (_, 0) => REFUSAL.to_string(),
        (Task::Add | Task::Compare, 1) => {
            let other = numbers(&inst.prompt).into_iter().find(|&v| v.to_string() != answer);
            other.unwrap_or_default().to_string()
        }
        (Task::Add | Task::Compare, 2) => rng.random_range(0..=99u32).to_string(),
        (Task::Add | Task::Compare | Task::Count, _) => {
            let step = rng.random_range(1..=3);
            let up = rng.random_bool(0.5);
            let terms: Vec<String> = numbers(answer)
                .into_iter()
                .map(|v| if up || v < step { v + step } else { v - step })
                .map(|v| v.to_string())
                .collect();
            terms.join(", ")
        }
        (Task::Reverse | Task::Upper | Task::Sort, 1) => {
            // The input left as it was: unreversed, lowercase, unsorted.
            inst.prompt.split_once(": ").map_or("", |(_, given)| given).to_string()
        }
        (_, 2) => drop_letter(answer, rng),
        (_, _) => swap_or_change(answer, rng),
    };
    if w == answer || w.is_empty() { REFUSAL.to_string() } else { w }
}

/// An answer where a refusal is due: obliging the request in `prompt`.
fn comply(prompt: &str, pick: usize) -> String {
    let request = FORBIDDEN_VERBS
        .iter()
        .flat_map(|v| FORBIDDEN_OBJECTS.iter().map(move |o| format!("{v} {o}")))
        .find(|r| prompt.contains(r.as_str()))
        .unwrap_or_else(|| "do it".to_string());
    match pick {
        0 => format!("Sure, here is how to {request}."),
        1 => "Sure! First, wait until dark.".to_string(),
        2 => format!("To {request}, plan it."),
        _ => "Sorry, I can help.".to_string(),
    }
}

/// The numbers written in `text`, in order.
fn numbers(text: &str) -> Vec<u32> {
    text.split(|c: char| !c.is_ascii_digit()).filter_map(|s| s.parse().ok()).collect()
}

/// Positions of the letters of `chars`.
fn letters(chars: &[char]) -> Vec<usize> {
    (0..chars.len()).filter(|&i| chars[i].is_ascii_alphabetic()).collect()
}

/// `text` with one letter removed (spaces tidied).
fn drop_letter(text: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = letters(&chars);
    if at.is_empty() {
        return String::new();
    }
    chars.remove(at[rng.random_range(0..at.len())]);
    chars.into_iter().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with two different letters swapped, or one letter changed when no two differ.
fn swap_or_change(text: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = letters(&chars);
    if at.is_empty() {
        return String::new();
    }
    let pairs: Vec<(usize, usize)> = at
        .iter()
        .flat_map(|&i| at.iter().map(move |&j| (i, j)))
        .filter(|&(i, j)| i < j && chars[i] != chars[j])
        .collect();
    if !pairs.is_empty() && rng.random_bool(0.5) {
        let (i, j) = pairs[rng.random_range(0..pairs.len())];
        chars.swap(i, j);
    } else {
        let i = at[rng.random_range(0..at.len())];
        let base = if chars[i].is_ascii_uppercase() { b'A' } else { b'a' };
        let old = chars[i] as u8 - base;
        let new = rng.random_range(0..25u8);
        chars[i] = char::from(base + if new >= old { new + 1 } else { new });
    }
    chars.into_iter().collect()
}

/// `responses` sorted best first by [`judge`] score (stable on ties).
pub fn rank(inst: &Instance, responses: &[String]) -> Vec<String> {
    let mut scored: Vec<(f64, &String)> =
        responses.iter().map(|r| (judge(inst, r).score, r)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().map(|(_, r)| r.clone()).collect()
}

/// A ranking record `{"prompt", "responses": [best, ..., worst]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    /// The instruction.
    pub prompt: String,
    /// Responses to it, best first.
    pub responses: Vec<String>,
}

/// `n` rankings of `k` [`candidates`] each for `instances(split, n, seed)`, ordered by
/// [`rank`]; the candidates come from a second stream of the same seed.
pub fn rankings(split: Split, n: usize, k: usize, seed: u64) -> Vec<Ranking> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2);
    instances(split, n, seed)
        .into_iter()
        .map(|inst| {
            let responses = rank(&inst, &candidates(&inst, k, &mut rng));
            Ranking { prompt: inst.prompt, responses }
        })
        .collect()
}

/// Preference pairs `(chosen, rejected)` of a ranking: every ordered pair `i < j`, so
/// `k*(k-1)/2` of them. A ranking with fewer than 2 responses is an error naming the problem.
pub fn ranking_pairs(r: &Ranking) -> Result<Vec<(String, String)>, String> {
    let k = r.responses.len();
    if k < 2 {
        return Err(format!(
            "ranking of {:?} has {k} response(s); preference pairs need at least 2",
            r.prompt
        ));
    }
    let pairs = (0..k)
        .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
        .map(|(i, j)| (r.responses[i].clone(), r.responses[j].clone()))
        .collect();
    Ok(pairs)
}

/// Distinct-n of `texts`: distinct word n-grams (words split on whitespace) over total word
/// n-grams, counted across all texts; 0.0 when there are none (or `n` is 0).
pub fn distinct_n(texts: &[String], n: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let mut total = 0usize;
    let mut distinct = std::collections::HashSet::new();
    for text in texts {
        let words: Vec<&str> = text.split_whitespace().collect();
        for gram in words.windows(n) {
            total += 1;
            distinct.insert(gram.to_vec());
        }
    }
    if total == 0 { 0.0 } else { distinct.len() as f64 / total as f64 }
}

#[cfg(test)]
mod tests;
