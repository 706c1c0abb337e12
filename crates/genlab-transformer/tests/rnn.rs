//! The char-RNN: its LSTM and GRU reproduce PyTorch's numbers (fixtures written by
//! `benches/peers/rnn_golden.py`), it learns through the shared trainer, initialisation and
//! generation repeat with a seed, and its runs load back as family `rnn`.

use burn::module::Param;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_decoding::{GenerationConfig, LanguageModel, generate};
use genlab_train::{RunDir, RunSpec};
use genlab_transformer::data::TokenSplits;
use genlab_transformer::rnn::{Cell, CellState, CharRnn, Gru, Lstm, RnnConfig, RnnGenerator};
use genlab_transformer::{TrainConfig, estimate_loss, pretrain};
use serde_json::Value;

fn golden() -> Value {
    // The crate's folder at run time (cargo does not rebuild a test when only the checkout moved).
    let path = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
    )
    .join("tests/fixtures/rnn_golden.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap() as f32).collect()
}

fn usize_of(v: &Value, key: &str) -> usize {
    v[key].as_u64().unwrap() as usize
}

fn tensor<const D: usize>(v: &Value, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(floats(v), shape), device)
}

fn param<const D: usize>(v: &Value, shape: [usize; D], device: &Device) -> Param<Tensor<D>> {
    Param::from_tensor(tensor(v, shape, device))
}

fn assert_close(what: &str, got: Tensor<3>, want: &Value) {
    let got = got.into_data().try_to_vec::<f32>().unwrap();
    let want = floats(want);
    assert_eq!(got.len(), want.len(), "{what}: length");
    let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-5, "{what}: largest difference from PyTorch {worst:e}");
}

/// The weights of layer case `c` (gates `g`) as `(w_ih, w_hh, b_ih, b_hh)`.
fn cell_params(
    c: &Value,
    d_in: usize,
    h: usize,
    g: usize,
    device: &Device,
) -> (Param<Tensor<2>>, Param<Tensor<2>>, Param<Tensor<1>>, Param<Tensor<1>>) {
    (
        param(&c["w_ih"], [d_in, g * h], device),
        param(&c["w_hh"], [h, g * h], device),
        param(&c["b_ih"], [g * h], device),
        param(&c["b_hh"], [g * h], device),
    )
}

#[test]
fn lstm_layer_matches_pytorch_nn_lstm_within_1e5() {
    let device = genlab_tensor::testing::cpu();
    let c = &golden()["lstm_layer"];
    let (b, t, d, h) =
        (usize_of(c, "batch"), usize_of(c, "seq"), usize_of(c, "d_input"), usize_of(c, "d_hidden"));
    let (w_ih, w_hh, b_ih, b_hh) = cell_params(c, d, h, 4, &device);
    let lstm = Lstm { w_ih, w_hh, b_ih, b_hh };
    let state =
        CellState::lstm(tensor(&c["h0"], [b, h], &device), tensor(&c["c0"], [b, h], &device));
    let (y, last) = lstm.forward(tensor(&c["x"], [b, t, d], &device), Some(state));
    assert_close("lstm output", y, &c["y"]);
    assert_close("lstm c_n", last.c().unwrap().unsqueeze(), &c["c_n"]);
    assert_close("lstm h_n", last.h.unsqueeze(), &c["h_n"]);
}

#[test]
fn gru_layer_matches_pytorch_nn_gru_within_1e5() {
    let device = genlab_tensor::testing::cpu();
    let c = &golden()["gru_layer"];
    let (b, t, d, h) =
        (usize_of(c, "batch"), usize_of(c, "seq"), usize_of(c, "d_input"), usize_of(c, "d_hidden"));
    let (w_ih, w_hh, b_ih, b_hh) = cell_params(c, d, h, 3, &device);
    let gru = Gru { w_ih, w_hh, b_ih, b_hh };
    let state = CellState::gru(tensor(&c["h0"], [b, h], &device));
    let (y, last) = gru.forward(tensor(&c["x"], [b, t, d], &device), Some(state));
    assert_close("gru output", y, &c["y"]);
    assert_close("gru h_n", last.h.unsqueeze(), &c["h_n"]);
}

/// PyTorch's 2-layer char-RNN of fixture `case`, loaded into a [`CharRnn`].
fn golden_model(cell: Cell, device: &Device) -> (CharRnn, Tensor<2, Int>, Value) {
    let c = golden()[format!("{}_model", cell.name())].clone();
    let (v, e, h, l) = (
        usize_of(&c, "vocab"),
        usize_of(&c, "n_embd"),
        usize_of(&c, "n_hidden"),
        usize_of(&c, "n_layer"),
    );
    let cfg = RnnConfig {
        cell,
        vocab_size: v,
        block_size: 8,
        n_layer: l,
        n_embd: e,
        n_hidden: h,
        dropout: 0.0,
    };
    let mut model = cfg.init(device);
    model.wte.weight = param(&c["wte"], [v, e], device);
    for (i, layer) in c["layers"].as_array().unwrap().iter().enumerate() {
        let d_in = if i == 0 { e } else { h };
        let (w_ih, w_hh, b_ih, b_hh) = cell_params(layer, d_in, h, cell.gates(), device);
        match cell {
            Cell::Lstm => model.lstm[i] = Lstm { w_ih, w_hh, b_ih, b_hh },
            Cell::Gru => model.gru[i] = Gru { w_ih, w_hh, b_ih, b_hh },
        }
    }
    model.lm_head.weight = param(&c["head_w"], [h, v], device);
    model.lm_head.bias = Some(param(&c["head_b"], [v], device));
    let (b, t) = (usize_of(&c, "batch"), usize_of(&c, "seq"));
    let idx: Vec<i64> = c["idx"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    let idx = Tensor::from_data(TensorData::new(idx, [b, t]), device);
    (model, idx, c)
}

#[test]
fn two_layer_char_rnn_logits_match_pytorch_and_stepwise_generation_path() {
    let device = genlab_tensor::testing::cpu();
    for cell in [Cell::Lstm, Cell::Gru] {
        let (model, idx, c) = golden_model(cell, &device);
        let logits = model.forward(idx.clone());
        assert_close(&format!("{cell:?} model logits"), logits.clone(), &c["logits"]);

        // One token at a time through the state (what generation does) gives the same logits.
        let [b, t] = idx.dims();
        let mut state = model.zero_state(b, &device);
        let mut steps = Vec::new();
        for s in 0..t {
            let tok = idx.clone().narrow(1, s, 1).reshape([b]);
            let (l, next) = model.forward_step(tok, state);
            state = next;
            steps.push(l);
        }
        let stepwise: Tensor<3> = Tensor::stack(steps, 1);
        let diff = (stepwise - logits).abs().max().into_scalar::<f32>();
        assert!(diff < 1e-5, "{cell:?}: step-by-step logits differ from the window's by {diff:e}");
    }
}

fn tiny_data() -> TokenSplits {
    let text = "the cat sat on the mat. the dog sat on the log. ".repeat(40);
    let ids: Vec<u32> = text.bytes().map(|b| (b % 32) as u32).collect();
    TokenSplits::split(ids, 0.9)
}

fn tiny_train(steps: u64) -> TrainConfig {
    TrainConfig {
        batch_size: 8,
        max_steps: steps,
        lr: 1e-2,
        min_lr: 1e-3,
        warmup_steps: 2,
        eval_interval: 0,
        eval_iters: 4,
        checkpoint_interval: 0,
        ..TrainConfig::default()
    }
}

#[test]
fn training_through_the_shared_trainer_reduces_held_out_loss() {
    let device = genlab_tensor::testing::cpu();
    let data = tiny_data();
    for cell in [Cell::Lstm, Cell::Gru] {
        let cfg = RnnConfig::tiny(cell, 32);
        let _lock = genlab_tensor::testing::serial();
        device.seed(1337);
        let before = estimate_loss(&cfg.init(&device), &data.val, 4, 8, &device);
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::create(dir.path()).unwrap();
        let mut none = |_: &CharRnn, _: u64| None;
        let (model, report) =
            pretrain(&cfg, &tiny_train(60), &data, &RunSpec::new(&run, false), &device, &mut none)
                .unwrap();
        let after = estimate_loss(&model, &data.val, 4, 8, &device);
        assert!(after < before - 1.0, "{cell:?}: val loss {before} -> {after}");
        assert!((report.val_loss - after).abs() < 1e-5);

        // The run folder is an RNN run: it loads back as one, and not as a GPT.
        let tokenizer = genlab_tokenizer::CharTokenizer::train("the cat sat on a mat");
        tokenizer.save(run.file("tokenizer.json")).unwrap();
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(run.file("run.json")).unwrap()).unwrap();
        assert_eq!(manifest["family"], "rnn");
        let loaded = genlab_transformer::rnn::load(dir.path(), &device).unwrap();
        assert_eq!(loaded.config, cfg);
        let reloaded = estimate_loss(&loaded.model, &data.val, 4, 8, &device);
        assert_eq!(reloaded, after, "{cell:?}: loaded weights differ from the trained ones");
        let err = genlab_transformer::load(dir.path(), &device).unwrap_err().to_string();
        assert!(err.contains("rnn"), "{err}");
    }
}

fn flat_params(model: &CharRnn) -> Vec<f32> {
    let mut v = model.wte.weight.val().into_data().try_to_vec::<f32>().unwrap();
    for l in &model.lstm {
        v.extend(l.w_hh.val().into_data().try_to_vec::<f32>().unwrap());
    }
    v.extend(model.lm_head.weight.val().into_data().try_to_vec::<f32>().unwrap());
    v
}

#[test]
fn same_seed_gives_same_initial_weights_and_another_seed_does_not() {
    let device = genlab_tensor::testing::cpu();
    let cfg = RnnConfig::tiny(Cell::Lstm, 20);
    let _lock = genlab_tensor::testing::serial();
    let init = |seed| {
        device.seed(seed);
        flat_params(&cfg.init(&device))
    };
    let (a, b, c) = (init(7), init(7), init(8));
    assert_eq!(a, b);
    assert_ne!(a, c);
    let k = 1.0 / (cfg.n_hidden as f32).sqrt();
    let (lo, hi) = (cfg.vocab_size * cfg.n_embd, a.len() - cfg.n_hidden * cfg.vocab_size);
    assert!(a[lo..hi].iter().all(|w| w.abs() <= k), "w_hh outside U(-1/sqrt(H), 1/sqrt(H))");
}

#[test]
fn sampling_with_a_seed_repeats_and_the_state_carries_the_prompt() {
    let device = genlab_tensor::testing::cpu();
    let model = {
        let _lock = genlab_tensor::testing::serial();
        device.seed(3);
        RnnConfig::tiny(Cell::Gru, 20).init(&device)
    };
    let generator = RnnGenerator::new(&model, &device);
    let config = GenerationConfig {
        max_new_tokens: 40,
        temperature: 1.0,
        seed: 11,
        ..GenerationConfig::default()
    };
    let a = generate(&generator, &[1, 2, 3], &config, None).unwrap().tokens;
    let b = generate(&generator, &[1, 2, 3], &config, None).unwrap().tokens;
    assert_eq!(a.len(), 40);
    assert_eq!(a, b, "same seed, same prompt, different samples");
    let other = GenerationConfig { seed: 12, ..config };
    assert_ne!(a, generate(&generator, &[1, 2, 3], &other, None).unwrap().tokens);

    // Feeding the prompt at once or token by token leaves the same state.
    let (mut whole, mut pieces) = (generator.new_cache().unwrap(), generator.new_cache().unwrap());
    let l1 = generator.forward(&[4, 5, 6], &mut whole).unwrap();
    generator.forward(&[4], &mut pieces).unwrap();
    generator.forward(&[5], &mut pieces).unwrap();
    let l2 = generator.forward(&[6], &mut pieces).unwrap();
    assert_eq!(l1, l2);
    assert!(generator.forward(&[20], &mut whole).is_err(), "a token outside the vocabulary");
}

fn metric_lines(run: &RunDir) -> Vec<(u64, f64)> {
    std::fs::read_to_string(run.file("metrics.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Some((v["step"].as_u64()?, v.get("loss").or(v.get("val_loss"))?.as_f64()?))
        })
        .collect()
}

#[test]
fn resumed_rnn_run_matches_uninterrupted_run() {
    let device = genlab_tensor::testing::cpu();
    // Two layers, so the dropout between them must replay exactly too.
    let model = RnnConfig { n_layer: 2, dropout: 0.1, ..RnnConfig::tiny(Cell::Lstm, 32) };
    let cfg = TrainConfig {
        max_steps: 8,
        lr_decay_steps: Some(8),
        eval_interval: 4,
        checkpoint_interval: 4,
        ..tiny_train(8)
    };
    let data = tiny_data();
    let mut none = |_: &CharRnn, _: u64| None;
    // Batches and dropout replay from the backend's seed, which other tests also set.
    let _lock = genlab_tensor::testing::serial();
    let dir = tempfile::tempdir().unwrap();
    let straight = RunDir::create(dir.path().join("straight")).unwrap();
    pretrain(&model, &cfg, &data, &RunSpec::new(&straight, false), &device, &mut none).unwrap();
    let resumed = RunDir::create(dir.path().join("resumed")).unwrap();
    let half = TrainConfig { max_steps: 4, ..cfg.clone() };
    pretrain(&model, &half, &data, &RunSpec::new(&resumed, false), &device, &mut none).unwrap();
    pretrain(&model, &cfg, &data, &RunSpec::new(&resumed, true), &device, &mut none).unwrap();
    let (a, b) = (metric_lines(&straight), metric_lines(&resumed));
    assert_eq!(a.len(), 8 + 2);
    assert_eq!(a, b, "the resumed run's losses must equal the uninterrupted run's");
}
