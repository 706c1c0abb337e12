//! Fast generation (Paine et al. 2016, "Fast Wavenet Generation Algorithm"): each layer keeps a
//! queue of its last `dilation` inputs, so a new sample costs one matrix-vector product per
//! weight matrix instead of a forward pass over the whole receptive field.
//!
//! One sample at a time is dominated by per-op overhead in any tensor framework (dozens of
//! tiny ops per layer, each dispatched and allocated), so this path runs on plain `f32` slices
//! holding the trained weights, the way llama.cpp runs a GPT: [`FastWaveNet::from_model`] copies
//! them out of the burn model, and `queue_generator_matches_the_naive_path` keeps its logits
//! equal to the burn model's.

use crate::model::{WaveNet, WaveNetConfig};
use crate::mulaw::CLASSES;

/// A weight matrix `[d_in, d_out]` (burn's `Linear` layout) and its bias.
#[derive(Debug, Clone)]
struct Dense {
    w: Vec<f32>, // [d_in, d_out] row-major
    b: Vec<f32>, // [d_out]
}

/// A parameter's values, row-major.
fn values<const D: usize>(param: &burn::module::Param<burn::tensor::Tensor<D>>) -> Vec<f32> {
    param.val().into_data().try_to_vec::<f32>().expect("f32 weights")
}

impl Dense {
    fn from(linear: &burn::nn::Linear) -> Self {
        let b = match &linear.bias {
            Some(b) => values(b),
            None => vec![0.0; linear.weight.dims()[1]],
        };
        Self { w: values(&linear.weight), b }
    }
}

/// `y += x @ w` for `w: [x.len(), y.len()]`, one row of `w` per input (vectorises as axpy).
#[inline]
fn matvec_acc(x: &[f32], w: &[f32], y: &mut [f32]) {
    let n = y.len();
    debug_assert_eq!(w.len(), x.len() * n);
    for (&xi, row) in x.iter().zip(w.chunks_exact(n)) {
        for (yo, &wo) in y.iter_mut().zip(row) {
            *yo += xi * wo;
        }
    }
}

#[derive(Debug, Clone)]
struct Layer {
    dilation: usize,
    conv: Dense,            // [2r, 2g]: rows 0..r tap x[t - d], rows r..2r tap x[t]
    cond: Option<Vec<f32>>, // [speakers, 2g]
    res: Dense,             // [g, r]
    skip: Dense,            // [g, s]
}

/// The trained weights as plain `f32`, ready for [`FastWaveNet::start`].
#[derive(Debug, Clone)]
pub struct FastWaveNet {
    config: WaveNetConfig,
    embed: Vec<f32>, // [256, r]
    layers: Vec<Layer>,
    out1: Dense, // [s, e]
    out2: Dense, // [e, 256]
}

impl FastWaveNet {
    /// Copies `model`'s weights (on any device) into plain buffers.
    pub fn from_model(model: &WaveNet, config: &WaveNetConfig) -> Self {
        let layers = model
            .layers
            .iter()
            .map(|l| Layer {
                dilation: l.dilation,
                conv: Dense::from(&l.conv),
                cond: l.cond.as_ref().map(|e| values(&e.weight)),
                res: Dense::from(&l.res),
                skip: Dense::from(&l.skip),
            })
            .collect();
        Self {
            config: config.clone(),
            embed: values(&model.embed.weight),
            layers,
            out1: Dense::from(&model.out1),
            out2: Dense::from(&model.out2),
        }
    }

    /// The model's configuration.
    pub fn config(&self) -> &WaveNetConfig {
        &self.config
    }

    /// A generator at time 0 (every queue holds the zeros a causal convolution pads with),
    /// for `speaker` when the model is conditioned. The caller checks the speaker's range.
    pub fn start(&self, speaker: Option<usize>) -> Generator<'_> {
        let c = &self.config;
        let (r, g) = (c.residual, c.gate);
        // The conv bias plus the speaker's bias, fixed for the whole clip.
        let bias = self
            .layers
            .iter()
            .map(|l| {
                let mut b = l.conv.b.clone();
                if let (Some(cond), Some(s)) = (&l.cond, speaker) {
                    b.iter_mut().zip(&cond[s * 2 * g..(s + 1) * 2 * g]).for_each(|(b, c)| *b += c);
                }
                b
            })
            .collect();
        let skip_bias = self.layers.iter().fold(vec![0.0; c.skip], |mut acc, l| {
            acc.iter_mut().zip(&l.skip.b).for_each(|(a, b)| *a += b);
            acc
        });
        Generator {
            net: self,
            queues: self.layers.iter().map(|l| vec![0.0; l.dilation * r]).collect(),
            t: 0,
            bias,
            skip_bias,
            h: vec![0.0; r],
            z: vec![0.0; 2 * g],
            out: vec![0.0; g],
            skip: vec![0.0; c.skip],
            hidden: vec![0.0; c.end],
            logits: vec![0.0; CLASSES],
        }
    }
}

/// Generation in progress: the layers' queues and scratch buffers.
#[derive(Debug)]
pub struct Generator<'a> {
    net: &'a FastWaveNet,
    /// Per layer, its last `dilation` inputs, `[dilation, r]` as a ring indexed by `t % d`.
    queues: Vec<Vec<f32>>,
    t: usize,
    bias: Vec<Vec<f32>>,
    skip_bias: Vec<f32>,
    h: Vec<f32>,
    z: Vec<f32>,
    out: Vec<f32>,
    skip: Vec<f32>,
    hidden: Vec<f32>,
    logits: Vec<f32>,
}

impl Generator<'_> {
    /// Feeds the sample at the current time and returns the logits of the next one.
    pub fn step(&mut self, class: u8) -> &[f32] {
        let net = self.net;
        let (r, g) = (net.config.residual, net.config.gate);
        self.h.copy_from_slice(&net.embed[class as usize * r..(class as usize + 1) * r]);
        self.skip.copy_from_slice(&self.skip_bias);
        for ((layer, queue), bias) in net.layers.iter().zip(&mut self.queues).zip(&self.bias) {
            let slot = (self.t % layer.dilation) * r;
            let past = &mut queue[slot..slot + r]; // x[t - d], written d steps ago
            self.z.copy_from_slice(bias);
            let (w_past, w_now) = layer.conv.w.split_at(r * 2 * g);
            matvec_acc(past, w_past, &mut self.z);
            matvec_acc(&self.h, w_now, &mut self.z);
            past.copy_from_slice(&self.h); // x[t] is read back at t + d
            let (filter, gate) = self.z.split_at(g);
            for ((o, &f), &gt) in self.out.iter_mut().zip(filter).zip(gate) {
                *o = f.tanh() / (1.0 + (-gt).exp());
            }
            self.h.iter_mut().zip(&layer.res.b).for_each(|(h, b)| *h += b);
            matvec_acc(&self.out, &layer.res.w, &mut self.h);
            matvec_acc(&self.out, &layer.skip.w, &mut self.skip);
        }
        self.t += 1;
        self.skip.iter_mut().for_each(|s| *s = s.max(0.0));
        self.hidden.copy_from_slice(&net.out1.b);
        matvec_acc(&self.skip, &net.out1.w, &mut self.hidden);
        self.hidden.iter_mut().for_each(|h| *h = h.max(0.0));
        self.logits.copy_from_slice(&net.out2.b);
        matvec_acc(&self.hidden, &net.out2.w, &mut self.logits);
        &self.logits
    }

    /// Samples fed so far.
    pub fn position(&self) -> usize {
        self.t
    }
}
