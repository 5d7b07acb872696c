//! Weighted sums of iid copies of a law whose density is smooth on the whole line (no
//! atoms, no jumps, no finite end: the Section 3 pipeline, a max of sums of maxes), by
//! the trapezoidal rule on a uniform grid: the density of a sum is the discrete
//! convolution of the terms' samples times the spacing, which for smooth, fast-decaying
//! densities is accurate to the last digits (the error of the trapezoidal rule on R
//! falls geometrically with the spacing). The spacing is a power of two and the grid
//! points its integer multiples, so they are exact numbers however far the law is from
//! 0; the spacing is halved until two spacings agree, and their difference is the
//! error's estimate. Between its points the density is the exponential of the local
//! interpolant of its logarithm (16 points), which keeps its relative accuracy in the
//! tails, and the law is fitted from it in coordinates centred on the law.
//!
//! Size is bounded: each term's grid covers its extent (about ±10 standard deviations)
//! at a spacing that starts at half the narrowest term's standard deviation and halves
//! while two spacings disagree; more than `MAX_POINTS` points is a refusal (the caller
//! then fits pieces between breaks instead). The size therefore does not grow with
//! the number of layers, only with how far the law is from smooth.

use super::NumericLaw;
use crate::error::Result;

/// The most grid points a term's samples may have, and a sum's.
pub const MAX_POINTS: usize = 1 << 14;
const MAX_SUM: usize = 1 << 16;
/// The samples' agreement between two spacings that ends the halving: relative, where
/// the density is at least `SEEN` of its largest value (the density is asked to 1e-10
/// relative where it exceeds 1e-6; a law made by an earlier layer is itself fitted to
/// 1e-12 relative in its tails, which no spacing can better).
const AGREE: f64 = 1e-12;
const SEEN: f64 = 1e-7;
/// Samples below this fraction of the largest are cut from a sum's ends.
const CUT: f64 = 1e-24;
/// Points of the local interpolant, and the cells of a block that shares them.
const STENCIL: usize = 16;
const BLOCK: usize = 8;

/// Samples of a density at the grid points (start + i)·h.
#[derive(Clone, Debug)]
struct Samples {
    h: f64,
    start: i64,
    values: Vec<f64>,
    /// Their logarithms, once `logged` (for the interpolant).
    logs: Vec<f64>,
}

impl Samples {
    /// The density of the sum of independent laws with these samples (same spacing):
    /// h Σ_k a_k b_{j−k}.
    fn convolve(&self, other: &Samples) -> Samples {
        let n = self.values.len() + other.values.len() - 1;
        let (mut values, mut lost) = (vec![0.0; n], vec![0.0; n]);
        for (i, &a) in self.values.iter().enumerate() {
            if a == 0.0 {
                continue;
            }
            // compensated (Kahan) sums: each layer's rounding is doubled by the next,
            // so the sums keep what an addition drops
            for ((v, c), &b) in values[i..]
                .iter_mut()
                .zip(&mut lost[i..])
                .zip(&other.values)
            {
                let y = a.mul_add(b, -*c);
                let t = *v + y;
                *c = (t - *v) - y;
                *v = t;
            }
        }
        values.iter_mut().for_each(|v| *v *= self.h);
        Samples {
            h: self.h,
            start: self.start + other.start,
            values,
            logs: Vec::new(),
        }
    }

    /// With the logarithms of the values, which the interpolant reads.
    fn logged(mut self) -> Samples {
        self.logs = self.values.iter().map(|v| v.ln()).collect();
        self
    }

    fn peak(&self) -> f64 {
        self.values.iter().copied().fold(0.0, f64::max)
    }

    /// Without the ends where the samples are below `CUT` of the largest; the mass cut.
    fn trimmed(mut self) -> (Samples, f64) {
        let floor = CUT * self.peak();
        let first = self.values.iter().position(|&v| v > floor).unwrap_or(0);
        let last = self
            .values
            .iter()
            .rposition(|&v| v > floor)
            .unwrap_or(self.values.len().saturating_sub(1));
        let cut: f64 = self.values[..first]
            .iter()
            .chain(&self.values[last + 1..])
            .sum::<f64>()
            * self.h;
        self.values = self.values[first..=last].to_vec();
        self.logs.clear();
        self.start += first as i64;
        (self, cut)
    }

    /// The value at index u (a real position on the grid, relative to `start`): the
    /// exponential of the interpolant of the logarithms at `STENCIL` points
    /// (barycentric, equispaced), or of the values where one of them is 0. The points
    /// are those around u's block of `BLOCK` cells, so that on a block the interpolant
    /// is one smooth function.
    fn at(&self, u: f64) -> f64 {
        self.near(u, 0, None)
    }

    /// `at(v + top)`, the distances to the points computed as v − (k − top), which is
    /// exact near the point k (v a position relative to the point `top`), with the
    /// points of `block` if given (so that a fit of one block sees one interpolant,
    /// its ends included).
    fn near(&self, v: f64, top: usize, block: Option<usize>) -> f64 {
        let u = v + top as f64;
        let n = self.values.len();
        if n == 0 || !(u >= -0.5 - 1e-9 && u <= n as f64 - 0.5 + 1e-9) {
            return 0.0;
        }
        if n < STENCIL {
            let k = (u.round().max(0.0) as usize).min(n - 1);
            return self.values[k];
        }
        let block = block.map_or(u.max(0.0) as i64 / BLOCK as i64, |b| b as i64);
        let block = block.min((n as i64 - 1) / BLOCK as i64);
        let first =
            (block * BLOCK as i64 - (STENCIL - BLOCK) as i64 / 2).clamp(0, (n - STENCIL) as i64);
        let first = first as usize;
        let ys = &self.values[first..first + STENCIL];
        let ls = &self.logs[first..first + STENCIL];
        let logs = ys.iter().all(|&y| y > 0.0);
        // the logarithms less the line through the first and the last, which the
        // interpolant reproduces exactly: what is left is small, and its sums round
        // little however large the equispaced points' Lebesgue constant
        let (level, slope) = if logs {
            let (a, b) = (ls[0], ls[STENCIL - 1]);
            (a, (b - a) / (STENCIL - 1) as f64)
        } else {
            (0.0, 0.0)
        };
        // (the level stays out of the exponent, where its size would round)
        let line = |k: f64| slope * k;
        let (mut num, mut den) = (0.0, 0.0);
        for (k, (&y, &l)) in ys.iter().zip(ls).enumerate() {
            let d = v - ((first + k) as f64 - top as f64);
            if d == 0.0 {
                return y;
            }
            let w = BARYCENTRIC[k] / d;
            num += w * if logs { l - level - line(k as f64) } else { y };
            den += w;
        }
        let p = num / den;
        if logs {
            ys[0] * (p + line(v - (first as f64 - top as f64))).exp()
        } else {
            p.max(0.0)
        }
    }
}

/// (−1)^k C(15, k): the barycentric weights of 16 equispaced points.
const BARYCENTRIC: [f64; STENCIL] = {
    let mut w = [0.0; STENCIL];
    let mut c = 1.0;
    let mut k = 0;
    while k < STENCIL {
        w[k] = if k % 2 == 0 { c } else { -c };
        c = c * (STENCIL - 1 - k) as f64 / (k + 1) as f64;
        k += 1;
    }
    w
};

/// E's density as a term w·E sampled at spacing h over the term's extent: f(x/w)/|w|,
/// negative rounding clamped to 0.
fn term(density: &dyn Fn(f64) -> f64, (lo, hi): (f64, f64), w: f64, h: f64) -> Option<Samples> {
    let (a, b) = if w > 0.0 {
        (w * lo, w * hi)
    } else {
        (w * hi, w * lo)
    };
    let (start, end) = ((a / h).floor() as i64, (b / h).ceil() as i64);
    let count = usize::try_from(end - start + 1).ok()?;
    if count > MAX_POINTS {
        return None;
    }
    // (beyond 2^52 spacings from 0 the grid points are no longer exact numbers)
    if start.unsigned_abs().max(end.unsigned_abs()) > 1 << 52 {
        return None;
    }
    let values: Vec<f64> = (start..=end)
        .map(|j| (density(j as f64 * h / w) / w.abs()).max(0.0))
        .collect();
    // an unbounded density (x³ at 0) is not for a grid
    if values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(Samples {
        h,
        start,
        values,
        logs: Vec::new(),
    })
}

/// The samples of Σ wᵢEᵢ at spacing h: each distinct weight's term sampled once, the
/// terms convolved in turn.
fn sum(
    density: &dyn Fn(f64) -> f64,
    extent: (f64, f64),
    weights: &[f64],
    h: f64,
) -> Option<Samples> {
    let mut out: Option<Samples> = None;
    let mut made: Vec<(f64, Samples)> = Vec::new();
    for &w in weights {
        let t = match made.iter().find(|(v, _)| *v == w) {
            Some((_, s)) => s.clone(),
            None => {
                let s = term(density, extent, w, h)?;
                made.push((w, s.clone()));
                s
            }
        };
        out = Some(match out {
            None => t,
            Some(o) if o.values.len() + t.values.len() > MAX_SUM => return None,
            Some(o) => o.convolve(&t),
        });
    }
    out
}

/// The largest relative difference between the samples at spacing 2h (`coarse`) and
/// at h (`fine`), at the coarse points and, through the coarse interpolant, at the
/// fine points between them, where the fine density is at least `SEEN` of its largest;
/// and ∫|coarse − fine| over those points.
fn disagreement(coarse: &Samples, fine: &Samples) -> (f64, f64) {
    let floor = SEEN * fine.peak();
    let (mut worst, mut total) = (0.0f64, 0.0);
    for (i, &f) in fine.values.iter().enumerate() {
        let j = fine.start + i as i64;
        let u = j as f64 / 2.0 - coarse.start as f64;
        let c = coarse.at(u);
        total += (c - f).abs() * fine.h;
        if f >= floor {
            // (a NaN is a disagreement)
            let d = (c - f).abs() / f;
            worst = if d.is_nan() {
                f64::INFINITY
            } else {
                worst.max(d)
            };
        }
    }
    (worst, total)
}

/// The law of Σ wᵢEᵢ for iid copies of E, whose density `density` is smooth on R with
/// total mass `mass`, of which `beyond` lies outside `extent`, and standard deviation
/// about `sd`; `None` when the
/// grid would need more than `MAX_POINTS` points per term.
pub fn weighted_sum(
    density: &dyn Fn(f64) -> f64,
    mass: f64,
    extent: (f64, f64),
    sd: f64,
    beyond: f64,
    weights: &[f64],
    tol: f64,
) -> Result<Option<NumericLaw>> {
    let live: Vec<f64> = weights.iter().copied().filter(|w| *w != 0.0).collect();
    let narrowest = live.iter().map(|w| w.abs()).fold(f64::INFINITY, f64::min) * sd;
    if live.is_empty() || !(narrowest > 0.0 && narrowest.is_finite()) {
        return Ok(None);
    }
    // from a spacing of half the narrowest term's sd at most, halved until two agree
    let mut h = 2f64.powi((narrowest / 2.0).log2().floor() as i32);
    let Some(coarse) = sum(density, extent, &live, h) else {
        return Ok(None);
    };
    let mut coarse = coarse.logged();
    let (fine, resolution) = loop {
        h /= 2.0;
        let Some(fine) = sum(density, extent, &live, h) else {
            return Ok(None);
        };
        let (worst, total) = disagreement(&coarse, &fine);
        if worst <= AGREE {
            break (fine, total);
        }
        coarse = fine.logged();
    };
    let (fine, cut) = fine.trimmed();
    let fine = fine.logged();
    // the origin: the grid point at the largest sample, an exact number
    let top = fine
        .values
        .iter()
        .enumerate()
        .fold((0, 0.0), |m, (i, &v)| if v > m.1 { (i, v) } else { m })
        .0;
    let origin = (fine.start + top as i64) as f64 * fine.h;
    let at = |block: usize, x: f64| fine.near(x / fine.h, top, Some(block));
    let n = fine.values.len() as f64;
    let extent = (
        -(top as f64 + 0.5) * fine.h,
        (n - 0.5 - top as f64) * fine.h,
    );
    // the mass lost: each copy's beyond its extent, the samples cut from the ends; the
    // convolution's sums of positive terms round by a few ulps of the mass per term
    let rounding = 4.0 * f64::EPSILON * live.len() as f64;
    // the blocks' ends cut the fits: one interpolant on each
    let cuts: Vec<f64> = (0..fine.values.len())
        .step_by(BLOCK)
        .skip(1)
        .map(|i| (i as f64 - top as f64) * fine.h)
        .collect();
    let mut law = match NumericLaw::from_local_density(
        &at,
        origin,
        extent,
        &cuts,
        live.len() as f64 * beyond + cut + rounding,
        tol,
    ) {
        Ok(law) => law,
        // a fit the grid's interpolant cannot make: the pieces between breaks instead
        Err(_) => return Ok(None),
    };
    // the sum's mass is E's to the power of the copies: the law is scaled to it, so
    // that a mass error does not grow layer after layer (what it was off by counts)
    law.normalise(mass.powi(live.len() as i32));
    law.error += resolution;
    Ok(Some(law))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::special::{std_normal_cdf as big_phi, std_normal_pdf as phi};

    /// A sum of four halves of N(m, s²) is N(2m, s²): its closed form, far from 0
    /// (m = 1000.3) and in the tails.
    #[test]
    fn a_sum_of_normals_far_from_zero_is_normal_to_the_last_digits() {
        let (m, s) = (1000.3, 0.8);
        let f = |x: f64| phi((x - m) / s) / s;
        let law = weighted_sum(
            &f,
            1.0,
            (m - 10.0 * s, m + 10.0 * s),
            s,
            2.0 * big_phi(-10.0),
            &[0.5; 4],
            1e-15,
        )
        .unwrap()
        .expect("a Normal fits the grid");
        assert!(law.error < 1e-14, "bound {:e}", law.error);
        for z in [-9.0, -6.0, -3.0, -1.0, 0.0, 0.7, 2.0, 5.0, 8.0] {
            let t = 2.0 * m + z * s;
            let (cdf, pdf) = (big_phi((t - 2.0 * m) / s), phi((t - 2.0 * m) / s) / s);
            assert!(
                (law.cdf(t) - cdf).abs() <= law.error.max(1e-15),
                "cdf at z = {z}"
            );
            // relative where the issue asks it (the density above 1e-6), absolute in
            // the far tails, cut 10 sd out in each copy
            let r = (law.pdf(t) - pdf).abs();
            assert!(
                r <= if pdf > 1e-6 { 1e-12 * pdf } else { 1e-16 },
                "pdf at z = {z}: {:e} against {pdf:e}",
                law.pdf(t)
            );
        }
    }
}
