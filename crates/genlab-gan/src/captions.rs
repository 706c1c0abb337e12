//! Seeded captions for text-to-image on digits: many paraphrases per digit, a few more held
//! out (never trained on) to test generalisation, and captions that name no digit so the text
//! encoder can say "no class" instead of guessing.
//!
//! A caption is a template filled with the digit as a word ("seven") or a numeral ("7"), then
//! perturbed: filler words inserted at random places (common words, and random letter
//! strings standing for words the encoder has never seen), random capitalisation, a trailing
//! full stop, doubled spaces. The fillers teach the encoder that only the digit matters, so
//! paraphrases with new words still read right. The templates and fillers are written here
//! (none of the held-out paraphrases' words is a filler); nothing is downloaded.

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Digit words, index = digit.
pub const WORDS: [&str; 10] =
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// The class of captions that name no digit.
pub const NONE: usize = 10;

/// Templates used for training; `{}` is the digit as a word or a numeral.
pub const TRAIN_TEMPLATES: &[&str] = &[
    "a handwritten {}",
    "draw the digit {}",
    "the number {}",
    "a picture of a {}",
    "write a {}",
    "digit {}",
    "an image of the number {}",
    "please draw a {}",
    "show me a {}",
    "{}",
    "a {} written by hand",
    "generate the digit {}",
    "one handwritten {} please",
    "mnist {}",
];

/// Paraphrases never seen in training: the text-to-image bar is measured on these.
pub const HELD_OUT_TEMPLATES: &[&str] =
    &["could you sketch a {} for me", "i would like to see the digit {}", "a neat {} in pen"];

/// Captions that name no digit (class [`NONE`]).
pub const NO_DIGIT: &[&str] = &[
    "a picture of a cat",
    "draw a house",
    "the weather is nice today",
    "hello there",
    "a handwritten letter",
    "show me a tree",
    "write your name",
    "an image of the sea",
    "draw something",
    "a number",
    "the digit",
    "please draw a dog",
    "a blank page",
    "generate an image",
];

/// Words sprinkled into captions (none of them names a digit or appears in a held-out
/// template).
pub const FILLERS: &[&str] = &[
    "big", "small", "nice", "quick", "simple", "black", "white", "bold", "thin", "new", "old",
    "clear", "my", "your", "some", "just", "now", "here", "there", "and", "with", "on", "paper",
    "style", "photo", "drawing", "very", "really", "make", "give", "create", "render", "print",
    "paint", "scribble", "doodle", "card", "sign", "label", "font", "shape", "kind", "thanks",
    "ok", "hey", "quickly", "large", "tiny", "blue", "red", "pretty", "ugly", "messy", "clean",
    // Words that contain pieces of digit words, so the encoder learns to read whole words:
    "form", "fort", "forest", "fork", "tone", "bone", "phone", "someone", "done", "gone", "money",
    "net", "nest", "nice", "tent", "often", "height", "weight", "ninja", "fix", "mix", "twig",
    "oven", "even", "heighten",
];

fn random_word(rng: &mut impl Rng) -> String {
    if rng.random_bool(0.6) {
        FILLERS.choose(rng).expect("non-empty").to_string()
    } else {
        // A made-up word: 3-7 random lower-case letters.
        (0..rng.random_range(3..=7)).map(|_| rng.random_range(b'a'..=b'z') as char).collect()
    }
}

fn sprinkle(text: &str, rng: &mut impl Rng) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_string).collect();
    if rng.random_bool(0.7) {
        for _ in 0..rng.random_range(1..=4) {
            let at = rng.random_range(0..=words.len());
            words.insert(at, random_word(rng));
        }
    }
    words.join(" ")
}

/// Fills a template with digit `d`, as a word or a numeral.
pub fn fill(template: &str, d: usize, as_word: bool) -> String {
    let token = if as_word { WORDS[d].to_string() } else { d.to_string() };
    template.replace("{}", &token)
}

fn perturb(text: String, rng: &mut impl Rng) -> String {
    let mut t = text;
    match rng.random_range(0..6) {
        0 => t = t.to_uppercase(),
        1 | 2 => {
            let mut c = t.chars();
            t = c
                .next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default();
        }
        _ => {}
    }
    if rng.random_bool(0.3) {
        t.push('.');
    }
    if rng.random_bool(0.1) {
        t = t.replacen(' ', "  ", 1);
    }
    t
}

/// `n` training captions with their class (0-9, or [`NONE`] for about one in eleven).
pub fn training_captions(n: usize, seed: u64) -> Vec<(String, usize)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let class = rng.random_range(0..=NONE);
            let text = if class == NONE {
                if rng.random_bool(0.3) {
                    (0..rng.random_range(1..=5))
                        .map(|_| random_word(&mut rng))
                        .collect::<Vec<_>>()
                        .join(" ")
                } else {
                    NO_DIGIT.choose(&mut rng).expect("non-empty").to_string()
                }
            } else {
                let t = TRAIN_TEMPLATES.choose(&mut rng).expect("non-empty");
                fill(t, class, rng.random_bool(0.5))
            };
            let text = sprinkle(&text, &mut rng);
            (perturb(text, &mut rng), class)
        })
        .collect()
}

/// The held-out prompts: every digit with every held-out template, as a word: `(prompt, digit)`.
pub fn held_out_prompts() -> Vec<(String, usize)> {
    (0..10).flat_map(|d| HELD_OUT_TEMPLATES.iter().map(move |t| (fill(t, d, true), d))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_are_seeded_and_cover_every_class() {
        let a = training_captions(500, 3);
        assert_eq!(a, training_captions(500, 3));
        for k in 0..=NONE {
            assert!(a.iter().any(|(_, c)| *c == k), "class {k} missing");
        }
        assert!(a.iter().filter(|(_, c)| *c == 7).any(|(t, _)| t.to_lowercase().contains("seven")));
        assert!(a.iter().filter(|(_, c)| *c == 7).any(|(t, _)| t.contains('7')));
    }

    #[test]
    fn held_out_templates_are_never_trained_on() {
        for t in HELD_OUT_TEMPLATES {
            assert!(!TRAIN_TEMPLATES.contains(t));
            for word in
                t.split(' ').filter(|w| *w != "{}" && *w != "a" && *w != "the" && *w != "digit")
            {
                assert!(!FILLERS.contains(&word), "held-out word {word:?} is a filler");
            }
        }
        assert_eq!(held_out_prompts().len(), 30);
    }
}
