//! The fine-tuning stages on tiny models: the prompt mask, Bradley-Terry on a toy set, exact
//! resume of every stage, and clear errors for bad input.

use std::path::Path;

use burn::tensor::{Int, Tensor, TensorData};
use genlab_data::instructions::ALPHABET;
use genlab_tokenizer::{CharTokenizer, Tokenizer};
use genlab_train::{RunDir, RunSpec};
use genlab_transformer::finetune::data::{Ranked, Sequence, padded};
use genlab_transformer::finetune::losses::{masked_nll, token_logprobs};
use genlab_transformer::finetune::reward::{BradleyTerry, RewardConfig, pairwise};
use genlab_transformer::finetune::{
    self, Algorithm, DpoSettings, Records, RlConfig, SftData, StageRecipe,
};
use genlab_transformer::{DataSection, GptConfig, PosEncoding, Recipe, TrainConfig, train};

fn tiny(vocab_size: usize) -> GptConfig {
    GptConfig {
        vocab_size,
        block_size: 128,
        n_layer: 1,
        n_head: 2,
        n_embd: 16,
        dropout: 0.0,
        bias: false,
        pos_encoding: PosEncoding::Learned,
        tie_weights: true,
    }
}

fn short(max_steps: u64) -> TrainConfig {
    TrainConfig {
        batch_size: 4,
        max_steps,
        lr_decay_steps: Some(4),
        warmup_steps: 1,
        eval_interval: 2,
        eval_iters: 1,
        checkpoint_interval: 2,
        ..TrainConfig::default()
    }
}

/// A 2-step pretrained base on a corpus of `alphabet`.
fn base(dir: &Path, alphabet: &str) -> std::path::PathBuf {
    let corpus = dir.join(format!("corpus-{}.txt", alphabet.len()));
    std::fs::write(&corpus, alphabet.repeat(40)).unwrap();
    let vocab = CharTokenizer::train(alphabet).vocab_size();
    let recipe = Recipe {
        train: TrainConfig { max_steps: 2, ..short(2) },
        data: DataSection { path: Some(corpus), ..DataSection::default() },
        ..Recipe::default()
    };
    let out = dir.join(format!("base-{}", alphabet.len()));
    let run = RunDir::create(&out).unwrap();
    let device = genlab_tensor::testing::cpu();
    genlab_transformer::train_recipe(
        &recipe,
        Some(tiny(vocab)),
        &run,
        false,
        &device,
        &mut |_, _, _| None,
    )
    .unwrap();
    out
}

/// The metrics of a run, timing left out.
fn figures(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(l).unwrap();
            v.retain(|k, _| !k.contains("per_sec") && !k.contains("seconds"));
            serde_json::to_string(&v).unwrap()
        })
        .collect()
}

fn playground() -> SftData {
    SftData::Playground { n: 40, heldout: 14, seed: 3 }
}

fn small_rl(iterations: u64) -> RlConfig {
    RlConfig {
        iterations,
        prompts_per_iteration: 2,
        samples_per_prompt: 2,
        max_new_tokens: 6,
        prompts: 20,
        eval_prompts: 7,
        eval_samples: 1,
        eval_interval: 1,
        checkpoint_interval: 1,
        ..RlConfig::default()
    }
}

#[test]
fn prompt_tokens_get_no_gradient() {
    let device = genlab_tensor::testing::cpu().autodiff();
    let (t, v) = (5, 7);
    let logits: Vec<f32> = (0..t * v).map(|i| ((i * 37 % 11) as f32) * 0.3).collect();
    let logits = Tensor::<3>::from_data(TensorData::new(logits, [1, t, v]), &device).require_grad();
    let targets =
        Tensor::<2, Int>::from_data(TensorData::new(vec![1i64, 2, 3, 4, 5], [1, t]), &device);
    // Positions 0..3 predict prompt tokens, 3..5 the response.
    let weights =
        Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 0.0, 0.0, 1.0, 1.0], [1, t]), &device);
    let loss = masked_nll(token_logprobs(logits.clone(), targets), weights);
    let grads = loss.backward();
    let g = logits.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
    for pos in 0..t {
        let norm: f32 = g[pos * v..(pos + 1) * v].iter().map(|x| x.abs()).sum();
        if pos < 3 {
            assert_eq!(norm, 0.0, "a gradient flowed from prompt position {pos}");
        } else {
            assert!(norm > 0.0, "response position {pos} got no gradient");
        }
    }
}

#[test]
fn flatten_gives_every_ordered_pair_of_each_ranking() {
    let seq = |id| Sequence { ids: vec![id], mask: vec![false] };
    let three = Ranked { seqs: vec![seq(10), seq(11), seq(12)] };
    let two = Ranked { seqs: vec![seq(20), seq(21)] };
    let (rows, better, worse) = Ranked::flatten(&[&three, &two]);
    let ids: Vec<u32> = rows.iter().map(|s| s.ids[0]).collect();
    assert_eq!(ids, [10, 11, 12, 20, 21]);
    let pairs: Vec<(i64, i64)> = better.into_iter().zip(worse).collect();
    assert_eq!(pairs, [(0, 1), (0, 2), (1, 2), (3, 4)]);
}

#[test]
fn bradley_terry_on_a_toy_set_reaches_full_accuracy() {
    let device = genlab_tensor::testing::cpu();
    // Rankings of three responses after a shared random prefix: the one ending in id 1
    // first, then id 2, then id 0.
    let ranking = |i: u32| {
        let prefix: Vec<u32> = (0..4).map(|j| 3 + (i * 7 + j * 5) % 5).collect();
        let seq = |last| {
            let mut ids = prefix.clone();
            ids.push(last);
            Sequence { mask: vec![false; ids.len()], ids }
        };
        Ranked { seqs: vec![seq(1), seq(2), seq(0)] }
    };
    let train_pairs: Vec<_> = (0..40).map(ranking).collect();
    let val_pairs: Vec<_> = (40..60).map(ranking).collect();
    let objective = BradleyTerry { train: &train_pairs, val: &val_pairs, batch_size: 4 };
    let config = RewardConfig { backbone: GptConfig { block_size: 8, ..tiny(8) } };
    let cfg = TrainConfig {
        lr: 1e-2,
        warmup_steps: 5,
        lr_decay_steps: None,
        eval_interval: 0,
        ..short(60)
    };
    let (model, _) = train(
        &config,
        None,
        &cfg,
        &objective,
        "reward",
        &RunSpec::memory(),
        &device,
        &mut |_, _| None,
    )
    .unwrap();
    let (_, accuracy) = pairwise(&model, &val_pairs, &device);
    assert_eq!(accuracy, 1.0);
    // The rewards are read at each sequence's own last id, padding or not.
    let (ids, last) = padded(
        &[&train_pairs[0].seqs[0], &Sequence { ids: vec![3, 1], mask: vec![false; 2] }],
        &device,
    );
    assert_eq!(ids.dims(), [2, 5]);
    assert_eq!(last, [4, 1]);
}

#[test]
fn every_stage_resumes_exactly() {
    let device = genlab_tensor::testing::cpu();
    let tmp = tempfile::tempdir().unwrap();
    let base = base(tmp.path(), ALPHABET);
    let dir = |name: &str| RunDir::create(tmp.path().join(name)).unwrap();
    let recipe = StageRecipe::default();
    let (pairs, val_pairs) = {
        let p = genlab_data::preference::rankings(genlab_data::instructions::Split::Train, 6, 3, 1);
        let v =
            genlab_data::preference::rankings(genlab_data::instructions::Split::Heldout, 3, 3, 2);
        (Records::from_values("train", &p), Records::from_values("val", &v))
    };
    let _ = recipe;

    // SFT: 4 steps straight, and 2 + 2 resumed.
    let (a, b) = (dir("sft-a"), dir("sft-b"));
    finetune::sft(&base, &playground(), &short(4), &a, false, &device).unwrap();
    finetune::sft(&base, &playground(), &short(2), &b, false, &device).unwrap();
    finetune::sft(&base, &playground(), &short(4), &b, true, &device).unwrap();
    assert_eq!(figures(a.path()), figures(b.path()), "SFT");
    assert!(
        figures(a.path()).iter().any(|l| l.contains("em_reverse")),
        "exact match per task is logged"
    );

    let (ra, rb) = (dir("rm-a"), dir("rm-b"));
    finetune::reward(a.path(), &pairs, &val_pairs, &short(4), &ra, false, &device).unwrap();
    finetune::reward(a.path(), &pairs, &val_pairs, &short(2), &rb, false, &device).unwrap();
    finetune::reward(a.path(), &pairs, &val_pairs, &short(4), &rb, true, &device).unwrap();
    assert_eq!(figures(ra.path()), figures(rb.path()), "reward model");

    let (da, db) = (dir("dpo-a"), dir("dpo-b"));
    let dpo = |steps, out: &RunDir, resume| {
        let settings = DpoSettings::default();
        finetune::dpo_stage(
            a.path(),
            &pairs,
            &val_pairs,
            &settings,
            &short(steps),
            out,
            resume,
            &device,
        )
        .unwrap()
    };
    dpo(4, &da, false);
    dpo(2, &db, false);
    dpo(4, &db, true);
    assert_eq!(figures(da.path()), figures(db.path()), "DPO");

    for algorithm in [Algorithm::Ppo, Algorithm::Rloo] {
        let name = format!("{algorithm:?}");
        let (pa, pb) = (dir(&format!("{name}-a")), dir(&format!("{name}-b")));
        let rl = |n| RlConfig { algorithm, ..small_rl(n) };
        finetune::rlhf(a.path(), ra.path(), &rl(2), &pa, false, &device).unwrap();
        finetune::rlhf(a.path(), ra.path(), &rl(1), &pb, false, &device).unwrap();
        finetune::rlhf(a.path(), ra.path(), &rl(2), &pb, true, &device).unwrap();
        assert_eq!(figures(pa.path()), figures(pb.path()), "{name}");
        // The policy loads back as a chat model.
        let run = finetune::load_chat(pa.path(), &device).unwrap();
        assert_eq!(run.config.vocab_size, run.template.vocab_size());
    }
}

#[test]
fn bad_input_gets_a_clear_error() {
    let device = genlab_tensor::testing::cpu();
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // Malformed JSONL: the line is named.
    let bad = write("bad.jsonl", "{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \n");
    let err = Records::read(&bad).unwrap_err().to_string();
    assert!(err.contains("line 2"), "{err}");
    // A ranking with one response.
    let one = write("one.jsonl", "{\"prompt\": \"Add 1 and 2.\", \"responses\": [\"3\"]}\n");
    let err = Records::read(&one).unwrap().rankings().unwrap_err().to_string();
    assert!(err.contains("line 1"), "{err}");

    let base = base(tmp.path(), ALPHABET);
    // A response longer than the context.
    let long = format!("{{\"prompt\": \"Add 1 and 2.\", \"response\": \"{}\"}}\n", "3".repeat(200));
    let long = write("long.jsonl", &long);
    let ok = write("ok.jsonl", "{\"prompt\": \"Add 1 and 2.\", \"response\": \"3\"}\n");
    let files = SftData::Files { train: long, val: ok.clone() };
    let run = RunDir::create(tmp.path().join("sft-long")).unwrap();
    let err =
        finetune::sft(&base, &files, &short(2), &run, false, &device).unwrap_err().to_string();
    assert!(err.contains("line 1") && err.contains("longer than the model's context"), "{err}");

    // An SFT run of another vocabulary paired with a reward model.
    let sft = RunDir::create(tmp.path().join("sft")).unwrap();
    finetune::sft(&base, &playground(), &short(2), &sft, false, &device).unwrap();
    let other_base = base_other(tmp.path());
    let other = RunDir::create(tmp.path().join("sft-other")).unwrap();
    finetune::sft(&other_base, &playground(), &short(2), &other, false, &device).unwrap();
    let pairs = Records::from_values(
        "p",
        &genlab_data::preference::rankings(genlab_data::instructions::Split::Train, 3, 2, 1),
    );
    let rm = RunDir::create(tmp.path().join("rm-other")).unwrap();
    finetune::reward(other.path(), &pairs, &pairs, &short(2), &rm, false, &device).unwrap();
    let out = RunDir::create(tmp.path().join("rl")).unwrap();
    let err = finetune::rlhf(sft.path(), rm.path(), &small_rl(1), &out, false, &device)
        .unwrap_err()
        .to_string();
    assert!(err.contains("vocabulary"), "{err}");
}

fn base_other(dir: &Path) -> std::path::PathBuf {
    base(dir, &format!("{ALPHABET}~"))
}
