//! Processors that reshape or truncate the distribution: temperature, top-p, min-p,
//! typical-p (top-k lives on [`Candidates::retain_top_k`]).

use super::Scratch;
use crate::candidates::{Candidates, key, unkey};

/// Logit of a key.
#[inline]
fn logit_of(k: u64) -> f32 {
    unkey(k).1
}

pub(super) fn temperature(t: f32, c: &mut Candidates) {
    if t == 0.0 {
        if let Some((id, l)) = c.argmax() {
            c.keep_single(id, l);
        }
    } else {
        c.scale(1.0 / t);
    }
}

pub(super) fn min_p(p: f32, c: &mut Candidates) {
    // p_i >= p * p_max  <=>  logit_i >= logit_max + ln p
    let threshold = c.max_logit() + p.ln();
    if c.is_sorted() {
        let keep = c.logits().iter().take_while(|&&l| l >= threshold).count();
        c.truncate(keep.max(1));
    } else {
        c.retain_logits(|l| l >= threshold);
    }
}

/// Keeps the smallest prefix (by decreasing probability) whose mass reaches `p`, extended to
/// every token tied with its last one. Sorting is partial: the best `m` candidates are
/// selected in O(n) and sorted, and `m` grows 4x until the prefix holds the mass.
pub(super) fn top_p(p: f32, c: &mut Candidates, s: &mut Scratch) {
    if c.len() <= 1 {
        return;
    }
    let max = c.max_logit();
    let z: f64 = c.logits().iter().map(|&l| f64::from((l - max).exp())).sum();
    let target = f64::from(p) * z;
    let keys = &mut s.keys;
    c.keys_into(keys);
    let n = keys.len();
    let sorted = c.is_sorted();
    let mut m = if sorted { n } else { n.min(256) };
    loop {
        if !sorted {
            if m < n {
                keys.select_nth_unstable_by(m - 1, |a, b| b.cmp(a));
            }
            keys[..m].sort_unstable_by(|a, b| b.cmp(a));
        }
        let mut cum = 0.0f64;
        let mut found = None;
        for (j, &k) in keys[..m].iter().enumerate() {
            cum += f64::from((logit_of(k) - max).exp());
            if cum >= target {
                found = Some(j);
                break;
            }
        }
        match found {
            Some(mut j) => {
                let lj = logit_of(keys[j]);
                while j + 1 < m && logit_of(keys[j + 1]) == lj {
                    j += 1;
                }
                if j + 1 < m || m == n {
                    c.set_from_keys(&keys[..=j], true);
                    return;
                }
            }
            // Rounding kept the sum just under the target: keep everything.
            None if m == n => {
                c.set_from_keys(&keys[..], true);
                return;
            }
            None => {}
        }
        m = (m * 4).min(n);
    }
}

/// Hugging Face's `TypicalLogitsWarper`: sort by |surprisal - entropy| ascending and keep the
/// smallest prefix whose mass reaches `mass` (ties in the shifted score included).
pub(super) fn typical_p(mass: f32, c: &mut Candidates, s: &mut Scratch) {
    if c.len() <= 1 {
        return;
    }
    let max = c.max_logit();
    let z: f64 = c.logits().iter().map(|&l| f64::from(l - max).exp()).sum();
    let log_z = z.ln() + f64::from(max);
    let entropy: f64 = c
        .logits()
        .iter()
        .map(|&l| {
            let lp = f64::from(l) - log_z;
            let p = lp.exp();
            if p > 0.0 { -p * lp } else { 0.0 }
        })
        .sum();
    // Key by (-shifted, position) so a descending sort gives shifted ascending.
    s.keys.clear();
    for (i, &l) in c.logits().iter().enumerate() {
        let shifted = (-(f64::from(l) - log_z) - entropy).abs() as f32;
        s.keys.push(key(-shifted, i as u32));
    }
    s.keys.sort_unstable_by(|a, b| b.cmp(a));
    let target = f64::from(mass);
    let mut cum = 0.0;
    let mut last = s.keys.len() - 1;
    for (j, &k) in s.keys.iter().enumerate() {
        let pos = unkey(k).0 as usize;
        cum += (f64::from(c.logits()[pos]) - log_z).exp();
        if cum >= target {
            last = j;
            break;
        }
    }
    let shifted_last = logit_of(s.keys[last]);
    while last + 1 < s.keys.len() && logit_of(s.keys[last + 1]) == shifted_last {
        last += 1;
    }
    s.updates.clear();
    for &k in &s.keys[..=last] {
        let pos = unkey(k).0 as usize;
        s.updates.push((c.id(pos), c.logits()[pos]));
    }
    c.set_sparse(s.updates.iter().copied());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(logits: &[f32]) -> Candidates {
        let mut c = Candidates::new();
        c.load(logits).unwrap();
        c
    }

    fn ids(c: &Candidates) -> Vec<u32> {
        let mut v: Vec<u32> = c.iter().map(|p| p.0).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn top_p_keeps_ties_at_the_boundary() {
        // probs 0.4, 0.2, 0.2, 0.2: p = 0.5 reaches its mass at the second token, which ties
        // with the third and fourth.
        let l = [0.4f32.ln(), 0.2f32.ln(), 0.2f32.ln(), 0.2f32.ln()];
        let mut c = load(&l);
        top_p(0.5, &mut c, &mut Scratch::default());
        assert_eq!(ids(&c), vec![0, 1, 2, 3]);
        let l = [0.5f32.ln(), 0.3f32.ln(), 0.2f32.ln()];
        let mut c = load(&l);
        top_p(0.7, &mut c, &mut Scratch::default());
        assert_eq!(ids(&c), vec![0, 1]);
    }

    #[test]
    fn top_p_grows_its_window_on_large_flat_rows() {
        // 3000 equal-ish tokens: the nucleus needs far more than the first 256.
        let l: Vec<f32> = (0..3000).map(|i| -(i as f32) * 1e-4).collect();
        let mut c = load(&l);
        top_p(0.5, &mut c, &mut Scratch::default());
        let n = c.len();
        assert!((1300..1500).contains(&n), "{n}");
        assert_eq!(ids(&c), (0..n as u32).collect::<Vec<_>>());
    }

    #[test]
    fn min_p_on_sorted_and_unsorted() {
        let l = [0.0f32, -1.0, -3.0, -0.5];
        let mut c = load(&l);
        min_p(0.3, &mut c); // ln 0.3 = -1.20
        assert_eq!(ids(&c), vec![0, 1, 3]);
        let mut c = load(&l);
        c.sort_desc(&mut Vec::new());
        min_p(0.3, &mut c);
        assert_eq!(c.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 3, 1]);
    }

    #[test]
    fn typical_p_prefers_tokens_near_the_entropy() {
        // One dominant token and many small ones: the entropy is low, the dominant token's
        // surprisal is closest to it, and it alone holds 0.94 of the mass.
        let mut l = vec![0.0f32; 11];
        l[0] = 5.0;
        let mut c = load(&l);
        typical_p(0.5, &mut c, &mut Scratch::default());
        assert_eq!(ids(&c), vec![0]);
        // Uniform: every token ties, all kept.
        let mut c = load(&[1.0; 6]);
        typical_p(0.3, &mut c, &mut Scratch::default());
        assert_eq!(c.len(), 6);
    }

    #[test]
    fn temperature_zero_keeps_argmax() {
        let mut c = load(&[1.0, 3.0, 3.0]);
        temperature(0.0, &mut c);
        assert_eq!(c.iter().collect::<Vec<_>>(), vec![(1, 3.0)]);
        let mut c = load(&[1.0, -2.0]);
        temperature(0.5, &mut c);
        assert_eq!(c.logits(), &[2.0, -4.0]);
    }
}
