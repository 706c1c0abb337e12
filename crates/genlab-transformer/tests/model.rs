//! Shapes, the causal mask, the KV cache and a tiny model overfitting one batch.

use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_tensor::testing::cpu as device;
use genlab_train::OptimConfig;
use genlab_transformer::{Gpt, GptConfig, KvCache, PosEncoding};

fn tiny(pos: PosEncoding) -> GptConfig {
    GptConfig {
        vocab_size: 11,
        block_size: 16,
        n_layer: 2,
        n_head: 2,
        n_embd: 16,
        dropout: 0.0,
        bias: true,
        pos_encoding: pos,
        tie_weights: pos != PosEncoding::Sinusoidal,
    }
}

fn ids(rows: &[&[i64]], device: &Device) -> Tensor<2, Int> {
    let (b, t) = (rows.len(), rows[0].len());
    Tensor::from_data(TensorData::new(rows.concat(), [b, t]), device)
}

fn values(t: Tensor<3>) -> Vec<f32> {
    t.into_data().try_to_vec().unwrap()
}

const ALL: [PosEncoding; 3] = [PosEncoding::Learned, PosEncoding::Sinusoidal, PosEncoding::Rotary];

#[test]
fn logits_have_the_right_shape() {
    let device = device();
    for pos in ALL {
        let model = tiny(pos).init(&device);
        let logits = model.forward(ids(&[&[1, 2, 3], &[4, 5, 6]], &device));
        assert_eq!(logits.dims(), [2, 3, 11]);
    }
    let cfg = tiny(PosEncoding::Learned);
    assert_eq!(cfg.num_params(), {
        let model = cfg.init(&device);
        burn::module::Module::num_params(&model)
    });
}

#[test]
fn later_tokens_never_change_earlier_logits() {
    let device = device();
    for pos in ALL {
        let model = tiny(pos).init(&device);
        let a = model.forward(ids(&[&[1, 2, 3, 4, 5, 6]], &device));
        let b = model.forward(ids(&[&[1, 2, 3, 9, 9, 9]], &device));
        let (a, b) = (values(a), values(b));
        let prefix = 3 * 11;
        for (x, y) in a[..prefix].iter().zip(&b[..prefix]) {
            assert!((x - y).abs() < 1e-5, "{pos:?}: position < 3 changed");
        }
        assert!(a[prefix..].iter().zip(&b[prefix..]).any(|(x, y)| (x - y).abs() > 1e-4));
    }
}

#[test]
fn kv_cache_matches_full_recompute() {
    let device = device();
    let seq: [i64; 10] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    for pos in ALL {
        let model = tiny(pos).init(&device);
        let full = values(model.forward(ids(&[&seq], &device)));
        let mut cache = KvCache::new(model.n_layer());
        // A 4-token prompt, then one token at a time.
        let mut inc = values(model.forward_cached(ids(&[&seq[..4]], &device), &mut cache));
        for i in 4..seq.len() {
            inc.extend(values(model.forward_cached(ids(&[&seq[i..=i]], &device), &mut cache)));
        }
        assert_eq!(cache.len(), seq.len());
        let worst = full.iter().zip(&inc).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
        assert!(worst < 1e-4, "{pos:?}: cached logits differ by {worst}");
    }
}

#[test]
fn tiny_model_overfits_one_batch() {
    let device = device().autodiff();
    device.seed(0);
    let mut model: Gpt = tiny(PosEncoding::Learned).init(&device);
    let mut optim = OptimConfig { weight_decay: 0.0, ..Default::default() }.init(&model);
    let x = ids(&[&[1, 2, 3, 4, 5, 6, 7, 8], &[8, 7, 6, 5, 4, 3, 2, 1]], &device);
    let y = ids(&[&[2, 3, 4, 5, 6, 7, 8, 9], &[7, 6, 5, 4, 3, 2, 1, 0]], &device);
    let mut loss = f32::MAX;
    for _ in 0..150 {
        let l = model.loss(x.clone(), y.clone());
        loss = l.clone().into_scalar::<f32>();
        let grads = GradientsParams::from_grads(l.backward(), &model);
        model = optim.step(1e-2, model, grads);
    }
    assert!(loss < 0.05, "loss after 150 steps: {loss}");
}

#[test]
fn generation_with_and_without_cache_agree_past_the_block_size() {
    use genlab_decoding::{GenerationConfig, generate};
    use genlab_transformer::GptGenerator;
    let device = device();
    let model = tiny(PosEncoding::Learned).init(&device);
    let block = 16;
    // Greedy, 40 tokens from a 3-token prompt: crosses block_size (16) twice.
    let config = GenerationConfig {
        max_new_tokens: 40,
        temperature: 0.0,
        repeat_penalty: 1.0,
        ..Default::default()
    };
    let prompt = [1u32, 2, 3];
    // The greedy next token of a full forward pass over `window`.
    let argmax = |window: &[u32]| -> u32 {
        let row: Vec<i64> = window.iter().map(|&t| t as i64).collect();
        let logits = values(model.forward(ids(&[&row], &device)));
        let last = &logits[(window.len() - 1) * 11..window.len() * 11];
        (0..11).max_by(|&a, &b| last[a].total_cmp(&last[b])).unwrap() as u32
    };
    // Without the cache, every token is the full forward over the last block_size tokens
    // (nanoGPT's crop), before and after the context outgrows the block.
    let plain =
        generate(&GptGenerator::new(&model, &device, false), &prompt, &config, None).unwrap();
    let mut ctx = prompt.to_vec();
    for &t in &plain.tokens {
        assert_eq!(
            t,
            argmax(&ctx[ctx.len().saturating_sub(block)..]),
            "no cache, at {}",
            ctx.len()
        );
        ctx.push(t);
    }
    // With the cache, every token is the full forward over what the cache holds: it grows one
    // token a step, and when full is rebuilt from the last block_size / 2 tokens.
    let cached =
        generate(&GptGenerator::new(&model, &device, true), &prompt, &config, None).unwrap();
    assert_eq!(cached.tokens.len(), 40);
    let (mut ctx, mut held) = (prompt.to_vec(), prompt.len());
    let mut crops = 0;
    for &t in &cached.tokens {
        assert_eq!(t, argmax(&ctx[ctx.len() - held..]), "cache, at {}", ctx.len());
        ctx.push(t);
        if held + 1 > block {
            (held, crops) = (block / 2, crops + 1);
        } else {
            held += 1;
        }
    }
    assert!(crops >= 2, "the run must cross the block size twice");
    // Up to the first crop both see exactly the same context.
    assert_eq!(cached.tokens[..13], plain.tokens[..13]);
    // Bad ids are errors, not panics.
    assert!(generate(&GptGenerator::new(&model, &device, true), &[99], &config, None).is_err());
}

#[test]
fn safetensors_round_trip_with_pytorch_names() {
    use genlab_transformer::{load_safetensors, save_safetensors};
    let device = device();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.safetensors");
    for pos in ALL {
        device.seed(3);
        let model = tiny(pos).init(&device);
        save_safetensors(&model, &path).unwrap();
        device.seed(4);
        let fresh = tiny(pos).init(&device);
        let loaded = load_safetensors(fresh, &path).unwrap();
        let x = ids(&[&[1, 2, 3, 4]], &device);
        assert_eq!(values(model.forward(x.clone())), values(loaded.forward(x)));
    }
    // PyTorch names and layout, from the header of the file.
    let bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let shape = |k: &str| header[k]["shape"].clone();
    assert_eq!(shape("transformer.h.0.attn.c_attn.weight"), serde_json::json!([48, 16]));
    assert_eq!(shape("transformer.h.1.mlp.c_fc.weight"), serde_json::json!([64, 16]));
    assert_eq!(shape("transformer.ln_f.weight"), serde_json::json!([16]));
    assert!(header.get("transformer.wte.weight").is_some());
    // A model of another shape is refused with the names that differ.
    let other = GptConfig { n_layer: 3, ..tiny(PosEncoding::Rotary) }.init(&device);
    let err = load_safetensors(other, &path).unwrap_err().to_string();
    assert!(err.contains("h.2"), "{err}");
}

/// How many parameter values of `model` get a gradient from `loss`.
fn with_gradients<M: burn::module::Module>(model: &M, loss: Tensor<1>) -> usize {
    use burn::module::{ModuleVisitor, Param};
    struct Count<'a>(&'a GradientsParams, usize);
    impl ModuleVisitor for Count<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.0.get::<D>(param.id) {
                self.1 += g.shape().num_elements();
            }
        }
    }
    let grads = GradientsParams::from_grads(loss.backward(), model);
    let mut count = Count(&grads, 0);
    model.visit(&mut count);
    count.1
}

#[test]
fn every_parameter_trains_from_a_fresh_start_and_after_growing_the_vocabulary() {
    use burn::module::Module;
    let device = device().autodiff();
    let (x, y) = (ids(&[&[1, 2, 3, 4]], &device), ids(&[&[2, 3, 4, 5]], &device));
    for pos in ALL {
        // Biases on: GPT-2 initialises them to zero, which once left them out of autodiff.
        let model = GptConfig { bias: true, ..tiny(pos) }.init(&device);
        let loss =
            genlab_transformer::pretrain::next_token_loss(model.forward(x.clone()), y.clone());
        assert_eq!(with_gradients(&model, loss), model.num_params(), "{pos:?}: fresh model");
        // Fine-tuning's new special tokens (an untied head grows by columns).
        let model = model.with_extra_tokens(3);
        let loss =
            genlab_transformer::pretrain::next_token_loss(model.forward(x.clone()), y.clone());
        assert_eq!(with_gradients(&model, loss), model.num_params(), "{pos:?}: grown model");
    }
}
