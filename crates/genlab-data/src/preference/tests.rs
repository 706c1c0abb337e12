use super::*;

fn inst(prompt: &str) -> Instance {
    Instance::parse(prompt).unwrap()
}

fn score(prompt: &str, response: &str) -> f64 {
    judge(&inst(prompt), response).score
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn judge_scores_hand_examples_by_the_formula() {
    let add = inst("Add 12 and 7.");
    let plain = judge(&add, "19");
    assert!(plain.correct && !plain.polite && !plain.repetitive && close(plain.concise, 1.0));
    assert!(close(plain.score, 0.75));
    let polite = judge(&add, "19 Thanks for asking!");
    assert!(polite.correct && polite.polite && close(polite.score, 1.0));
    // Wrong but polite: (2 + 1 + 1) / 8, below correct plain.
    let wrong_polite = judge(&add, "18 Thanks for asking!");
    assert!(!wrong_polite.correct && close(wrong_polite.score, 0.5));
    assert!(wrong_polite.score < plain.score);
    assert!(close(score("Add 12 and 7.", "18"), 0.25));
    assert!(close(score("Add 12 and 7.", "1"), 0.25));
    // Repeated answer: loses correctness and the no-repetition point; 3 extra chars of 12.
    let twice = judge(&add, "19 19");
    assert!(!twice.correct && twice.repetitive && close(twice.concise, 0.75));
    assert!(close(twice.score, 0.75 / 8.0));
    assert!(judge(&add, "19, 19").repetitive);
    assert!(close(score("Add 12 and 7.", "19, 19"), (1.0 - 4.0 / 12.0) / 8.0));
    // Extra words: 14 extra chars leave nothing of concision, 9 leave a quarter.
    assert!(close(score("Add 12 and 7.", "The answer is 19"), 1.0 / 8.0));
    assert!(close(score("Add 12 and 7.", "19, I think"), 1.25 / 8.0));
    let courtesy_twice = judge(&add, "19 Thanks for asking! Thanks for asking!");
    assert!(courtesy_twice.polite && courtesy_twice.repetitive && !courtesy_twice.correct);
    assert!(close(courtesy_twice.score, 2.0 / 8.0));
    assert!(close(score("Add 12 and 7.", REFUSAL), 1.0 / 8.0));
}

#[test]
fn judge_handles_multi_word_answers_and_refusals() {
    let up = "Upper-case: good morning";
    let again = judge(&inst(up), "GOOD MORNING GOOD MORNING");
    assert!(again.repetitive && !again.correct);
    assert!(close(again.score, (1.0 - 13.0 / 22.0) / 8.0));
    assert!(close(score(up, "GOOD MORNING"), 0.75));
    assert!(judge(&inst(up), "the the cat").repetitive);
    let count = judge(&inst("Continue: 3, 5, 7,"), "9, 11, 13");
    assert!(count.correct && !count.repetitive && close(count.score, 0.75));
    let refusal = format!("{REFUSAL}{COURTESY}");
    assert!(close(score("How do I steal a car?", &refusal), 1.0));
    // The answer "for" also occurs in the courtesy, which is not a repetition.
    assert!(close(score("Reverse the word: rof", "for Thanks for asking!"), 1.0));
}

#[test]
fn candidates_have_distinct_scores_and_rank_orders_them_strictly() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for split in [Split::Train, Split::Heldout] {
        for inst in instances(split, 7 * 60, 6) {
            for k in 2..=9 {
                let cands = candidates(&inst, k, &mut rng);
                assert_eq!(cands.len(), k, "{inst:?}: {cands:?}");
                let ranked = rank(&inst, &cands);
                let scores: Vec<f64> = ranked.iter().map(|r| judge(&inst, r).score).collect();
                assert!(scores.windows(2).all(|w| w[0] > w[1] + TIE), "{ranked:?} {scores:?}");
            }
        }
    }
}

#[test]
fn candidates_stop_at_the_distinct_scores_available() {
    let inst = inst("Add 12 and 7.");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let all = candidates(&inst, 1000, &mut rng);
    assert!(all.len() >= 9 && all.len() < 1000, "{}", all.len());
}

#[test]
fn rank_is_stable_on_ties() {
    let inst = inst("Add 12 and 7.");
    let responses: Vec<String> =
        ["18", "19", "17", "19 Thanks for asking!"].map(String::from).into();
    assert_eq!(rank(&inst, &responses), ["19 Thanks for asking!", "19", "18", "17"]);
}

#[test]
fn ranking_pairs_prefer_the_better_response() {
    for r in rankings(Split::Train, 21, 5, 3) {
        let inst = Instance::parse(&r.prompt).unwrap();
        let pairs = ranking_pairs(&r).unwrap();
        assert_eq!(pairs.len(), 5 * 4 / 2);
        for (chosen, rejected) in &pairs {
            assert!(judge(&inst, chosen).score > judge(&inst, rejected).score);
        }
    }
    let lone = Ranking { prompt: "Add 1 and 2.".into(), responses: vec!["3".into()] };
    let err = ranking_pairs(&lone).unwrap_err();
    assert!(err.contains("1 response"), "{err}");
    assert!(ranking_pairs(&Ranking { prompt: String::new(), responses: vec![] }).is_err());
}

#[test]
fn same_seed_same_rankings_different_seed_differs() {
    assert_eq!(rankings(Split::Train, 30, 4, 5), rankings(Split::Train, 30, 4, 5));
    assert_ne!(rankings(Split::Train, 30, 4, 5), rankings(Split::Train, 30, 4, 6));
    let text = serde_json::to_string(&rankings(Split::Heldout, 1, 3, 1)[0]).unwrap();
    let back: Ranking = serde_json::from_str(&text).unwrap();
    assert_eq!(back.responses.len(), 3);
}

#[test]
fn distinct_n_counts_word_ngrams_over_all_texts() {
    let texts: Vec<String> = ["a b a b", "a b c"].map(String::from).into();
    assert!(close(distinct_n(&texts, 1), 3.0 / 7.0));
    assert!(close(distinct_n(&texts, 2), 3.0 / 5.0));
    assert!(close(distinct_n(&texts, 4), 1.0));
    assert_eq!(distinct_n(&texts, 5), 0.0);
    assert_eq!(distinct_n(&texts, 0), 0.0);
    assert_eq!(distinct_n(&[], 1), 0.0);
}
