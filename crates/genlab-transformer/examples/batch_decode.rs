//! Times one continuous-batching decoding step of the `small` GPT preset at 1 and 8 rows.
use std::time::Instant;

use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_transformer::{BatchKv, GptConfig, KvCache};

#[global_allocator]
static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;

fn main() {
    genlab_tensor::alloc::keep_freed_memory();
    let device = Device::default();
    let model = GptConfig { dropout: 0.0, ..GptConfig::small(65) }.init(&device);
    let model = burn::module::Module::valid(&model);
    for rows in [1usize, 8] {
        let mut batch = BatchKv::new(model.block_size());
        for r in 0..rows {
            let mut cache = KvCache::new(model.n_layer());
            let ids: Vec<i64> = (0..(32 + r as i64)).map(|i| i % 60).collect();
            let n = ids.len();
            model.forward_cached(
                Tensor::<2, Int>::from_data(TensorData::new(ids, [1, n]), &device),
                &mut cache,
            );
            batch.push(cache);
        }
        let tokens = vec![5u32; rows];
        for _ in 0..5 {
            batch.decode(&model, &tokens).into_data();
        }
        let t = Instant::now();
        let steps = 150;
        for _ in 0..steps {
            batch.decode(&model, &tokens).into_data();
        }
        let per = t.elapsed().as_secs_f64() / steps as f64;
        println!("rows {rows}: {:.2} ms/step, {:.0} tokens/s", per * 1e3, rows as f64 / per);
    }
}
