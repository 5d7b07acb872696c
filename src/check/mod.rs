//! Independent checks of a derived law, with every parameter given a value:
//!
//! 1. `derivative`: the density equals a central difference of the CDF, away from
//!    atoms and support edges;
//! 2. `mass`: the density integrates (tanh-sinh quadrature) to 1 minus the atoms' masses;
//! 3. `sampling`: a Monte Carlo sample of the program run forward lies within the
//!    Dvoretzky–Kiefer–Wolfowitz bound of the derived CDF, and `atoms`: each atom's mass
//!    agrees with the sample's frequency within Hoeffding's bound;
//! 4. `derivation`: every step of both derivations equals the step before it at random
//!    points (probabilities by Monte Carlo, derivatives by central differences);
//! 5. `mean` and `variance`: the law's (quadrature plus atoms) agree with the sample's
//!    within five standard errors.
//!
//! Every check reports its figure, its tolerance and where they come from.

mod interp;
pub mod quad;
pub mod sample;

use crate::derive::Derivation;
use crate::error::Result;
use crate::eval::{Compiled, Law, Values};
use crate::lang::subterm;
use crate::lang::{Expr, Node};
use interp::Interp;
use serde::Serialize;

/// The largest sample a check draws (800 MB of values).
pub const MAX_SAMPLES: usize = 100_000_000;

/// How the checks sample.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub samples: usize,
    pub seed: u64,
    /// The probability that a correct law fails a statistical check.
    pub alpha: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            samples: 1_000_000,
            seed: 1,
            alpha: 1e-6,
        }
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub value: f64,
    pub tolerance: f64,
    pub detail: String,
}

/// All checks of one law.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// A table for the terminal.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{:<11} {:<6} {:>12} {:>12}  detail\n",
            "check", "passed", "value", "tolerance"
        );
        for c in &self.checks {
            out.push_str(&format!(
                "{:<11} {:<6} {:>12.3e} {:>12.3e}  {}\n",
                c.name,
                if c.passed { "yes" } else { "NO" },
                c.value,
                c.tolerance,
                c.detail
            ));
        }
        out.push_str(if self.passed() {
            "all checks passed\n"
        } else {
            "SOME CHECKS FAILED\n"
        });
        out
    }
}

fn check(name: &'static str, value: f64, tolerance: f64, detail: String) -> Check {
    // a NaN figure is a failure, never a pass
    Check {
        name,
        passed: value <= tolerance,
        value,
        tolerance,
        detail,
    }
}

/// Where the law's formulas are not smooth: atoms, support edges and the thresholds of
/// their Iverson brackets.
/// Points where the law is not smooth: atoms, bracket thresholds, support ends, and
/// the singular points of roots; `s` is the sorted sample.
fn breaks(d: &Derivation, values: &Values, law: &Law, s: &[f64]) -> Result<Vec<f64>> {
    let mut out: Vec<f64> = law.atoms.iter().map(|a| a.at).collect();
    for e in [&d.cdf, &d.density] {
        for node in e.as_ref() {
            if let Node::Ge([a, b]) | Node::Gt([a, b]) = node {
                for side in [a, b] {
                    let sub = subterm(e, *side);
                    if !sub.as_ref().iter().any(|n| matches!(n, Node::T)) {
                        out.push(Compiled::new(&sub, values)?.eval(0.0));
                    }
                }
            }
        }
    }
    for end in [&d.support.lo, &d.support.hi] {
        if let Some(v) = &end.value {
            out.push(Compiled::new(v, values)?.eval(0.0));
        }
    }
    // 0, where powers, roots and |t| put integrable singularities of the density
    out.push(0.0);
    // and wherever the argument of a root in the density crosses 0 (relu(2x³ + 1/2)
    // has ∛((t − 1/2)/2), whose derivative is infinite at t = 1/2): found between
    // sample quantiles and bisected to the last bit
    for node in d.density.as_ref() {
        let u = match node {
            Node::Root([u, _]) | Node::Sqrt(u) => *u,
            _ => continue,
        };
        let sub = subterm(&d.density, u);
        if !sub.as_ref().iter().any(|n| matches!(n, Node::T)) {
            continue;
        }
        let g = Compiled::new(&sub, values)?;
        let grid: Vec<f64> = (0..=400).map(|i| s[i * (s.len() - 1) / 400]).collect();
        for w in grid.windows(2) {
            let (mut lo, mut hi) = (w[0], w[1]);
            let (glo, ghi) = (g.eval(lo), g.eval(hi));
            if !(glo.is_finite() && ghi.is_finite()) || glo.signum() == ghi.signum() || lo >= hi {
                continue;
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if mid <= lo || mid >= hi {
                    break;
                }
                if g.eval(mid).signum() == glo.signum() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
    }
    out.retain(|x| x.is_finite());
    out.sort_by(|a, b| a.total_cmp(b));
    out.dedup();
    Ok(out)
}

/// Run every check.
pub fn run(d: &Derivation, values: &Values, options: &Options) -> Result<Report> {
    let law = Law::new(d, values)?;
    if options.samples > MAX_SAMPLES {
        return Err(crate::error::Error::new(
            crate::error::ErrorKind::Limit,
            format!(
                "--samples {} is more than the {MAX_SAMPLES} a check holds in memory",
                options.samples
            ),
        ));
    }
    let n = options.samples.max(1000);
    sample::check_budget(&d.model.y, values, n)?;
    let mut s = sample::sample(&d.model.y, values, n, options.seed)?;
    s.sort_by(|a, b| a.total_cmp(b));
    let breaks = breaks(d, values, &law, &s)?;
    let mean_s = s.iter().sum::<f64>() / n as f64;
    let var_s = s.iter().map(|x| (x - mean_s).powi(2)).sum::<f64>() / (n - 1) as f64;
    let sd = var_s.sqrt().max(1e-300);
    let scale = (s[3 * n / 4] - s[n / 4]).max(sd * 1e-3).max(1e-300);

    let (lo, hi) = integration_range(&law, &s, sd);
    let mut checks = vec![derivative(&law, &s, &breaks)];
    let (mass_check, mean_law, var_law) = mass_and_moments(&law, &breaks, &s, lo, hi);
    checks.push(mass_check);
    checks.push(sampling(&law, &s, options.alpha));
    checks.push(atoms(&law, &s, options.alpha));
    checks.push(derivation(d, values, options, &s, &breaks, scale)?);
    // five standard errors: a correct law fails with probability about 6e-7
    let m4 = s.iter().map(|x| (x - mean_s).powi(4)).sum::<f64>() / n as f64;
    let se_mean = (var_s / n as f64).sqrt();
    let se_var = ((m4 - var_s * var_s).max(0.0) / n as f64).sqrt();
    checks.push(check(
        "mean",
        (mean_law - mean_s).abs(),
        5.0 * se_mean + 1e-12 * mean_s.abs(),
        format!("law {mean_law:.6e} (quadrature and atoms), sample {mean_s:.6e} of {n}; tolerance 5 standard errors"),
    ));
    checks.push(check(
        "variance",
        (var_law - var_s).abs(),
        5.0 * se_var + 1e-12 * var_s,
        format!("law {var_law:.6e}, sample {var_s:.6e}; tolerance 5 standard errors of the sample variance"),
    ));
    Ok(Report { checks })
}

/// Limits beyond which the law has less than 1e-12 of its mass, found from the sample
/// and the CDF.
fn integration_range(law: &Law, s: &[f64], sd: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (s[0] - sd, s[s.len() - 1] + sd);
    let mut step = sd.max(1e-12);
    for _ in 0..200 {
        if law.cdf.eval(lo) <= 1e-13 {
            break;
        }
        lo -= step;
        step *= 2.0;
    }
    let mut step = sd.max(1e-12);
    for _ in 0..200 {
        if 1.0 - law.cdf.eval(hi) <= 1e-13 {
            break;
        }
        hi += step;
        step *= 2.0;
    }
    (lo, hi)
}

fn near_break(t: f64, breaks: &[f64], gap: f64) -> bool {
    breaks.iter().any(|b| (t - b).abs() < gap)
}

fn derivative(law: &Law, s: &[f64], breaks: &[f64]) -> Check {
    let mut worst: f64 = 0.0;
    let mut peak: f64 = 0.0;
    let mut points = Vec::new();
    let q = |i: usize| s[i * (s.len() - 1) / 400];
    for i in 1..400 {
        let (t, before, after) = (q(i), q(i - 1), q(i + 1));
        // a step well inside the local spacing of the sample's quantiles, which is
        // about 1/(400 f): fine where the law is concentrated, wide where it is spread
        let h = 1e-3 * (t - before).min(after - t);
        // a step below a million ulps of t is not resolved by f64: t ± h rounds, and
        // the difference quotient is noise (tanh piles its mass within 1e-12 of 1)
        let resolved = h > 1e6 * f64::EPSILON * t.abs();
        // and at least 100 steps from a break, where the density may be singular
        // (|t|^(−2/3) at 0 for x³): there a central difference is off by (h/r)²
        if h > 0.0 && resolved && !near_break(t, breaks, 100.0 * h) {
            points.push((t, h));
            peak = peak.max(law.density.eval(t));
        }
    }
    for &(t, h) in &points {
        let f = law.density.eval(t);
        let numeric = (law.cdf.eval(t + h) - law.cdf.eval(t - h)) / (2.0 * h);
        // relative to the density, with a floor of 1e-3 of its peak where it is small
        let err = (f - numeric).abs() / (f.abs() + 1e-3 * peak).max(1e-300);
        worst = worst.max(if err.is_nan() { f64::INFINITY } else { err });
    }
    check(
        "derivative",
        worst,
        1e-4,
        format!(
            "largest relative difference between the density and a central difference of the CDF (step 1e-3 of the local quantile spacing) at {} sample quantiles away from {} break points",
            points.len(),
            breaks.len()
        ),
    )
}

fn mass_and_moments(law: &Law, breaks: &[f64], s: &[f64], lo: f64, hi: f64) -> (Check, f64, f64) {
    // pieces between the breaks and the sample's quantiles, so that each holds a
    // small part of the mass however narrow the law is (tanh(2x + 1) piles up
    // within 1e-5 of 1)
    let mut edges = vec![lo, hi];
    edges.extend(breaks.iter().copied().filter(|b| *b > lo && *b < hi));
    edges.extend(
        (1..200)
            .map(|i| s[i * (s.len() - 1) / 200])
            .filter(|q| *q > lo && *q < hi),
    );
    edges.sort_by(|a, b| a.total_cmp(b));
    edges.dedup();
    let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
    let atom_at = |x: f64| {
        law.atoms
            .iter()
            .filter(|a| a.at == x)
            .map(|a| a.mass)
            .sum::<f64>()
    };
    // mass that f64 cannot place inside the pieces, as the CDF counts it: the outer
    // tails and the slivers cut off at each break (sigmoid(exp(x)) has 1e-4 of its mass
    // within 2e-12 of 1); allowed up to 1e-3
    let (tail_lo, tail_hi) = (law.cdf.eval(lo), 1.0 - law.cdf.eval(hi));
    let mut unresolved = tail_lo + tail_hi;
    // each sliver's mass sits at its end, for the moments
    let (mut s1, mut s2) = (
        lo * tail_lo + hi * tail_hi,
        lo * lo * tail_lo + hi * hi * tail_hi,
    );
    for w in edges.windows(2) {
        // the open interval between breaks: the density at a break is one side's
        let (a, b) = (w[0], w[1]);
        // 1e-13 of each end's size in from it (1e-150 at 0), so that no node sits on
        // a break and its atom stays in the sliver, and so that an integrable
        // singularity at a nonzero break (∛ at t = 1/2), where f64 has no nodes closer
        // than an ulp, is counted by the CDF; near 0 f64 resolves far more, so x^18
        // is integrated down to 1e-150, not cut off (closer, a density's formula can
        // overflow: (√t)³ underflows at 1e-300)
        let (a2, b2) = (
            a + (1e-13 * a.abs()).max(1e-150),
            b - (1e-13 * b.abs()).max(1e-150),
        );
        if b2 <= a2 {
            let m = law.cdf.eval(b) - law.cdf.eval(a) - atom_at(b);
            unresolved += m;
            s1 += a * m;
            s2 += a * a * m;
            continue;
        }
        let (ma, mb) = (
            law.cdf.eval(a2) - law.cdf.eval(a),
            law.cdf.eval(b) - law.cdf.eval(b2) - atom_at(b),
        );
        unresolved += ma + mb;
        s1 += a * ma + b * mb;
        s2 += a * a * ma + b * b * mb;
        // toward an end that is a break, where the density may be singular just
        // beyond the cut (∛ at 1/2), graded pieces: each 10 times closer to the end;
        // toward 0 all the way down, since f64 resolves it (softplus(x³) has 1e-5 of
        // its mass below 1e-13, spread over hundreds of decades as 1/(t·|log t|^(2/3)))
        let mut cuts = vec![a2, b2];
        let depth = if a == 0.0 || b == 0.0 { 150 } else { 13 };
        for k in 1..=depth {
            let w = (b - a) * 10f64.powi(-k);
            if breaks.contains(&a) && a + w > a2 && a + w < b2 {
                cuts.push(a + w);
            }
            if breaks.contains(&b) && b - w > a2 && b - w < b2 {
                cuts.push(b - w);
            }
        }
        cuts.sort_by(|x, y| x.total_cmp(y));
        for c in cuts.windows(2) {
            m0 += quad::tanh_sinh(|t| law.density.eval(t), c[0], c[1], 1e-13);
            m1 += quad::tanh_sinh(|t| t * law.density.eval(t), c[0], c[1], 1e-13);
            m2 += quad::tanh_sinh(|t| t * t * law.density.eval(t), c[0], c[1], 1e-13);
        }
    }
    // (+ 0.0: an empty f64 sum is −0)
    let atoms: f64 = law.atoms.iter().map(|a| a.mass).sum::<f64>() + 0.0;
    m1 += law.atoms.iter().map(|a| a.at * a.mass).sum::<f64>() + s1;
    m2 += law.atoms.iter().map(|a| a.at * a.at * a.mass).sum::<f64>() + s2;
    // (a NaN here is a formula undefined inside the support: it must fail)
    let tail = if unresolved.is_nan() {
        f64::NAN
    } else {
        unresolved.max(0.0)
    };
    let total = m0 + atoms + tail;
    // more than that in slivers is a jump of the CDF that no atom accounts for
    let value = if tail > 1e-3 {
        tail
    } else {
        (total - 1.0).abs()
    };
    let c = check(
        "mass",
        value,
        1e-6,
        format!("∫ density = {m0:.9} over [{lo:.4e}, {hi:.4e}] by tanh-sinh quadrature between break points and sample quantiles, plus atoms {atoms:.9}, plus {tail:.2e} beyond what f64 resolves (by the CDF)"),
    );
    (c, m1, m2 - m1 * m1)
}

/// sup |F_n − F| over the sample, with F's left limits at atoms.
fn sampling(law: &Law, s: &[f64], alpha: f64) -> Check {
    let n = s.len();
    let mut cdf = vec![0.0; n];
    law.cdf.eval_batch(s, &mut cdf);
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < n {
        // a run of equal values (an atom) counts once
        let mut j = i;
        while j + 1 < n && s[j + 1] == s[i] {
            j += 1;
        }
        let f = cdf[i];
        let atom: f64 = law
            .atoms
            .iter()
            .filter(|a| a.at == s[i])
            .map(|a| a.mass)
            .sum();
        let below = i as f64 / n as f64;
        let upto = (j + 1) as f64 / n as f64;
        d = d.max((upto - f).abs()).max((below - (f - atom)).abs());
        i = j + 1;
    }
    if cdf.iter().any(|c| c.is_nan()) {
        d = f64::INFINITY;
    }
    let eps = ((2.0 / alpha).ln() / (2.0 * n as f64)).sqrt();
    check(
        "sampling",
        d,
        eps,
        format!("Kolmogorov–Smirnov distance of {n} values of the program run forward from the derived CDF; tolerance the DKW bound at level {alpha:e}"),
    )
}

fn atoms(law: &Law, s: &[f64], alpha: f64) -> Check {
    let n = s.len() as f64;
    let eps = ((2.0 / alpha).ln() / (2.0 * n)).sqrt();
    let mut worst: f64 = 0.0;
    let mut parts = Vec::new();
    for a in &law.atoms {
        let count = s.partition_point(|x| *x <= a.at) - s.partition_point(|x| *x < a.at);
        let freq = count as f64 / n;
        worst = worst.max((freq - a.mass).abs());
        parts.push(format!(
            "P(Y = {}) = {:.6} vs frequency {:.6}",
            a.at, a.mass, freq
        ));
    }
    // values repeated in the sample but not atoms of the law
    let mut repeats = 0usize;
    for w in s.windows(2) {
        if w[0] == w[1] && !law.atoms.iter().any(|a| a.at == w[0]) {
            repeats += 1;
        }
    }
    let stray = repeats as f64 / n;
    worst = worst.max(if stray > 1e-3 { stray } else { 0.0 });
    let detail = if parts.is_empty() {
        format!("no atoms; {repeats} repeated values in the sample")
    } else {
        format!(
            "{}; tolerance Hoeffding's bound at level {alpha:e}",
            parts.join(", ")
        )
    };
    check("atoms", worst, eps, detail)
}

fn derivation(
    d: &Derivation,
    values: &Values,
    options: &Options,
    s: &[f64],
    breaks: &[f64],
    scale: f64,
) -> Result<Check> {
    let n = options.samples.clamp(1000, 200_000);
    let eps = ((2.0 / options.alpha).ln() / (2.0 * n as f64)).sqrt();
    let mut interp = Interp::new(values, n, options.seed ^ 0x5eed);
    // points: sample values away from the breaks, where Dirac terms vanish, each with
    // a derivative's first step well inside the local spacing of the quantiles (as in
    // the derivative check): fine where the law piles up, as deep compositions do
    let mut points = Vec::new();
    let spacing = (s.len() - 1) / 400;
    for k in 1..=7 {
        let i = k * (s.len() - 1) / 8;
        let t = s[i];
        let h = 1e-3 * (t - s[i - spacing]).min(s[i + spacing] - t);
        if !near_break(t, breaks, (1e-3 * scale).max(100.0 * h)) {
            points.push((t, (h > 0.0).then_some(h)));
        }
    }
    let mut worst: f64 = 0.0;
    let mut worst_at = String::new();
    let mut compared = 0;
    for (which, start, steps) in [
        ("CDF", &d.cdf_start, &d.cdf_steps),
        ("PDF", &d.pdf_start, &d.pdf_steps),
    ] {
        let mut terms: Vec<&Expr> = vec![start];
        terms.extend(steps.iter().map(|st| &st.term));
        for (k, pair) in terms.windows(2).enumerate() {
            for &(t, h) in &points {
                interp.step = h;
                let (a, b) = (interp.value(pair[0], t)?, interp.value(pair[1], t)?);
                let tol_a = eps * interp.mc_weight(pair[0]) + 1e-5 * (1.0 + a.abs());
                let tol_b = eps * interp.mc_weight(pair[1]) + 1e-5 * (1.0 + b.abs());
                let err = if a.is_nan() || b.is_nan() {
                    f64::INFINITY
                } else {
                    (a - b).abs() / (tol_a + tol_b)
                };
                if err > worst {
                    worst = err;
                    worst_at =
                        format!("{which} step {} at t = {t:.6}: {a:.6e} then {b:.6e}", k + 1);
                }
                compared += 1;
            }
        }
    }
    Ok(check(
        "derivation",
        worst,
        1.0,
        format!(
            "{compared} comparisons of consecutive steps at {} points; the figure is the largest difference over its tolerance (Monte Carlo probabilities of {n} values: DKW at level {:e}; central differences: 1e-5 relative){}",
            points.len(),
            options.alpha,
            if worst_at.is_empty() { String::new() } else { format!("; largest at {worst_at}") }
        ),
    ))
}
