//! The statements the paper makes about its figures, each tested with numbers from
//! the derived laws: means, modes, peak heights, asymmetry about a point and distances
//! between laws. A statement is kept as the paper words it, and the evidence says what
//! the numbers show when it is false, so that a reader can judge the figure without it.

use super::{bulk, grid, law, Params, Section, SECTIONS};
use crate::check::quad;
use crate::error::Result;
use crate::eval::Law;
use crate::Derivation;
use serde::Serialize;

/// A statement the paper makes about a figure, tested.
#[derive(Clone, Debug, Serialize)]
pub struct Claim {
    /// The figure it is about.
    pub figure: u32,
    /// The statement, as the paper words it.
    pub claim: String,
    /// `true` or `false`, by the numbers.
    pub verdict: &'static str,
    /// The numbers behind the verdict.
    pub evidence: String,
}

/// Numbers of a law: mean, the modes of its density and the peak height.
struct Shape {
    mean: f64,
    modes: Vec<f64>,
    peak: f64,
}

fn shape(l: &Law) -> Shape {
    let (lo, hi) = bulk(l);
    let ts = grid(lo, hi, 20_001);
    let mut f = vec![0.0; ts.len()];
    l.density.eval_batch(&ts, &mut f);
    let peak = f.iter().copied().fold(0.0, f64::max);
    // local maxima that stand out above 1e-6 of the peak, and at the ends of the grid
    let mut modes = Vec::new();
    for i in 0..ts.len() {
        let left = if i == 0 { 0.0 } else { f[i - 1] };
        let right = if i + 1 == ts.len() { 0.0 } else { f[i + 1] };
        if f[i] > left && f[i] >= right && f[i] > 1e-6 * peak {
            modes.push(ts[i]);
        }
    }
    let mean = quad::integrate(|t| t * l.density.eval(t), lo, hi, 1e-12)
        + l.atoms.iter().map(|a| a.at * a.mass).sum::<f64>();
    Shape { mean, modes, peak }
}

/// Largest |f(c + u) − f(c − u)| relative to the peak: 0 for a law symmetric about c.
fn asymmetry(l: &Law, c: f64) -> f64 {
    let (lo, hi) = bulk(l);
    let r = (hi - c).max(c - lo);
    let mut worst: f64 = 0.0;
    let mut peak: f64 = 0.0;
    for u in grid(0.0, r, 2000) {
        let (a, b) = (l.density.eval(c + u), l.density.eval(c - u));
        peak = peak.max(a).max(b);
        worst = worst.max((a - b).abs());
    }
    worst / peak.max(1e-300)
}

fn fmt_list(v: &[f64]) -> String {
    // no "-0.0000" for a value that is 0 to the digits shown
    v.iter()
        .map(|x| format!("{:.4}", if x.abs() < 5e-5 { 0.0 } else { *x }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A figure that may be rounding noise, printed so that it reads the same on any
/// machine: below 1e-12 it is "< 1e-12".
fn tiny(x: f64) -> String {
    if x.abs() < 1e-12 {
        "< 1e-12".to_string()
    } else {
        format!("{x:.3e}")
    }
}

fn verdict(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}
/// The parameter values of a law, as given.
fn with(pairs: &[(&'static str, f64)]) -> Params {
    pairs.to_vec()
}

/// Test every statement the paper makes about its figures.
pub(super) fn claims(derivations: &[(&Section, Derivation)]) -> Result<Vec<Claim>> {
    let d = |number: &str| {
        derivations
            .iter()
            .find(|(s, _)| s.number == number)
            .map(|(_, d)| d)
    };
    let mut out = Vec::new();

    if let Some(dl) = d("2.3") {
        out.push(leaky_relu(dl)?);
    }

    if let Some(dt) = d("2.4") {
        out.extend(tanh(dt)?);
    }

    if let Some(ds) = d("2.5") {
        out.extend(sigmoid_by_mu(ds)?);
        out.extend(sigmoid_by_sigma(ds)?);
    }

    if let Some(dm) = d("2.6") {
        out.extend(maxpool_by_n(dm)?);
        out.extend(maxpool_by_mu(dm)?);
        out.extend(maxpool_by_sigma(dm)?);
    }
    Ok(out)
}

/// Section 2.3, Figure 1: Leaky ReLU's law against ReLU's as α shrinks.
fn leaky_relu(dl: &Derivation) -> Result<Claim> {
    let relu_src = SECTIONS[1].source;
    let relu = crate::derive_source(relu_src)?;
    let r = law(&relu, &with(&[("mu", 0.0), ("sigma", 1.0)]))?;
    // convergence in law: the Wasserstein distance ∫|F_α − F_relu| dt = E|Y_α − relu(x)|
    // (the two CDFs cannot meet in sup norm, since ReLU's jumps at 0)
    let mut gaps = Vec::new();
    for a in [0.1, 0.01, 0.001] {
        let l = law(dl, &with(&[("mu", 0.0), ("sigma", 1.0), ("alpha", a)]))?;
        let w1 = quad::integrate(
            |t| (l.cdf.eval(t) - r.cdf.eval(t)).abs(),
            -12.0,
            -1e-300,
            1e-12,
        ) + quad::integrate(|t| (l.cdf.eval(t) - r.cdf.eval(t)).abs(), 0.0, 12.0, 1e-12);
        gaps.push(w1);
    }
    Ok(Claim {
        figure: 1,
        claim: "when α → 0, Leaky ReLU becomes ReLU".into(),
        verdict: verdict(gaps.windows(2).all(|w| w[1] < w[0]) && gaps[2] < 1e-3),
        evidence: format!(
            "Wasserstein distance ∫|F_α − F_ReLU| to ReLU's law (σ = 1) for α = 0.1, 0.01, 0.001: {} (α/√(2π) exactly): the laws converge, ReLU's point mass 1/2 at 0 included",
            gaps.iter().map(|g| format!("{g:.4e}")).collect::<Vec<_>>().join(", ")
        ),
    })
}

/// Section 2.4: Figure 2 (σ = 1 and μ tuned), then Figure 3 and the mean.
fn tanh(dt: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let laws: Vec<(f64, Law)> = [-1.0, 0.0, 1.0]
        .iter()
        .map(|&m| Ok((m, law(dt, &with(&[("mu", m), ("sigma", 1.0)]))?)))
        .collect::<Result<_>>()?;
    let asym: Vec<f64> = laws.iter().map(|(_, l)| asymmetry(l, 0.0)).collect();
    out.push(Claim {
        figure: 2,
        claim: "with σ = 1, the distribution is symmetric about x = 0 if μ = 0".into(),
        verdict: verdict(asym[1] < 1e-9),
        evidence: format!(
            "largest |f(u) − f(−u)| relative to the peak for μ = -1, 0, 1: {}",
            fmt_list(&asym)
        ),
    });
    let means: Vec<f64> = laws.iter().map(|(_, l)| shape(l).mean).collect();
    out.push(Claim {
        figure: 2,
        claim: "if μ ≠ 0 the distribution is asymmetric, inclined to the left".into(),
        verdict: verdict(asym[0] > 1e-3 && asym[2] > 1e-3 && means[0] < 0.0 && means[2] < 0.0),
        evidence: format!(
            "asymmetric for μ = ±1 (asymmetry {} and {}), but the mean follows the sign of μ: E[Y] = {} for μ = -1, 0, 1, so for μ = 1 the law leans right",
            fmt_list(&[asym[0]]),
            fmt_list(&[asym[2]]),
            fmt_list(&means)
        ),
    });
    out.extend(tanh_by_sigma(dt)?);
    out.push(tanh_mean(dt, &means)?);
    Ok(out)
}

/// Section 2.4, Figure 3: μ = 0 and σ tuned.
fn tanh_by_sigma(dt: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let sigmas = [0.5, 1.0, 2.0];
    let shapes: Vec<(Shape, f64)> = sigmas
        .iter()
        .map(|&s| {
            let l = law(dt, &with(&[("mu", 0.0), ("sigma", s)]))?;
            Ok((shape(&l), asymmetry(&l, 0.0)))
        })
        .collect::<Result<_>>()?;
    out.push(Claim {
        figure: 3,
        claim: "with μ = 0 the distribution is always symmetric about x = 0".into(),
        verdict: verdict(shapes.iter().all(|(_, a)| *a < 1e-9)),
        evidence: format!(
            "asymmetry for σ = 0.5, 1, 2: {}",
            fmt_list(&shapes.iter().map(|(_, a)| *a).collect::<Vec<_>>())
        ),
    });
    let center: Vec<f64> = sigmas
        .iter()
        .map(|&s| {
            Ok(law(dt, &with(&[("mu", 0.0), ("sigma", s)]))?
                .density
                .eval(0.0))
        })
        .collect::<Result<_>>()?;
    let peaks: Vec<f64> = shapes.iter().map(|(sh, _)| sh.peak).collect();
    let modes: Vec<String> = shapes
        .iter()
        .map(|(sh, _)| format!("{} at [{}]", sh.modes.len(), fmt_list(&sh.modes)))
        .collect();
    out.push(Claim {
        figure: 3,
        claim: "the greater σ is, the more flattened the distribution".into(),
        verdict: verdict(peaks.windows(2).all(|w| w[1] < w[0])),
        evidence: format!(
            "for σ = 0.5, 1, 2: density at 0 {} falls, but the peak height {} rises and the modes ({}) move out to ±1: for σ > 1/√2 the law piles up at the ends of (-1, 1)",
            fmt_list(&center),
            fmt_list(&peaks),
            modes.join("; ")
        ),
    });
    Ok(out)
}

/// Section 2.4's E[Y] = 0, at μ = 0 and at the μ = -1, 0, 1 of Figure 2 (`means`).
fn tanh_mean(dt: &Derivation, means: &[f64]) -> Result<Claim> {
    let l0 = law(dt, &with(&[("mu", 0.0), ("sigma", 1.0)]))?;
    let m0 = shape(&l0).mean;
    Ok(Claim {
        figure: 2,
        claim: "E[Y] = 0 because tanh is odd (Section 2.4, for x ~ N(0, σ²))".into(),
        verdict: verdict(m0.abs() < 1e-9),
        evidence: format!(
            "|E[Y]| {} for μ = 0, σ = 1; but Figure 2 tunes μ, and then E[Y] = {} for μ = -1, 1",
            tiny(m0),
            fmt_list(&[means[0], means[2]])
        ),
    })
}

/// Section 2.5, Figure 4: σ = 1 and μ tuned.
fn sigmoid_by_mu(ds: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let laws: Vec<Law> = [-1.0, 0.0, 1.0]
        .iter()
        .map(|&m| law(ds, &with(&[("mu", m), ("sigma", 1.0)])))
        .collect::<Result<_>>()?;
    let means: Vec<f64> = laws.iter().map(|l| shape(l).mean).collect();
    out.push(Claim {
        figure: 4,
        claim:
            "with σ = 1, as μ increases the distribution is pushed to the right and its mean grows"
                .into(),
        verdict: verdict(means.windows(2).all(|w| w[1] > w[0])),
        evidence: format!("E[Y] for μ = -1, 0, 1: {}", fmt_list(&means)),
    });
    let (at0, at_half) = (asymmetry(&laws[1], 0.0), asymmetry(&laws[1], 0.5));
    out.push(Claim {
        figure: 4,
        claim: "it is symmetric about the vertical axis x = 0 when μ = 0".into(),
        verdict: verdict(at0 < 1e-9),
        evidence: format!("the support is (0, 1): asymmetry about 0 is {}, about 1/2 it is {}; the law is symmetric about t = 1/2, not 0", tiny(at0), tiny(at_half)),
    });
    Ok(out)
}

/// Section 2.5, Figure 5: μ = 0 and σ tuned.
fn sigmoid_by_sigma(ds: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let sig = [0.5, 1.0, 2.0];
    let ls: Vec<Law> = sig
        .iter()
        .map(|&s| law(ds, &with(&[("mu", 0.0), ("sigma", s)])))
        .collect::<Result<_>>()?;
    let about0: Vec<f64> = ls.iter().map(|l| asymmetry(l, 0.0)).collect();
    let about_half: Vec<f64> = ls.iter().map(|l| asymmetry(l, 0.5)).collect();
    out.push(Claim {
        figure: 5,
        claim: "with μ = 0 the distribution is symmetric about x = 0 regardless of σ".into(),
        verdict: verdict(about0.iter().all(|a| *a < 1e-9)),
        evidence: format!("for σ = 0.5, 1, 2 the asymmetry about 0 is {} and about 1/2 it is {}: symmetric about 1/2 for every σ", fmt_list(&about0), fmt_list(&about_half)),
    });
    let shapes: Vec<Shape> = ls.iter().map(shape).collect();
    let counts: Vec<usize> = shapes.iter().map(|s| s.modes.len()).collect();
    let centre: Vec<f64> = ls.iter().map(|l| l.density.eval(0.5)).collect();
    out.push(Claim {
        figure: 5,
        claim: "the distributions for σ = 1 and σ = 2 look flipped upside down".into(),
        verdict: verdict(counts[1] == 1 && counts[2] == 2),
        evidence: format!(
            "modes for σ = 0.5, 1, 2: {} ([{}], [{}], [{}]); density at 1/2: {}. For σ = 1 the peak is at 1/2, for σ = 2 there is a trough at 1/2 between two peaks (the logit-normal law is bimodal exactly when σ² > 2)",
            counts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
            fmt_list(&shapes[0].modes),
            fmt_list(&shapes[1].modes),
            fmt_list(&shapes[2].modes),
            fmt_list(&centre)
        ),
    });
    Ok(out)
}

/// Section 2.6, Figure 6: μ = 0, σ = 1 and N tuned.
fn maxpool_by_n(dm: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let by_n: Vec<Shape> = [1.0, 2.0, 4.0, 8.0]
        .iter()
        .map(|&n| {
            Ok(shape(&law(
                dm,
                &with(&[("mu", 0.0), ("sigma", 1.0), ("N", n)]),
            )?))
        })
        .collect::<Result<_>>()?;
    let means: Vec<f64> = by_n.iter().map(|s| s.mean).collect();
    let peaks: Vec<f64> = by_n.iter().map(|s| s.peak).collect();
    out.push(Claim {
        figure: 6,
        claim: "with σ = 1, μ = 0, as N increases the mean shifts to the right".into(),
        verdict: verdict(means.windows(2).all(|w| w[1] > w[0])),
        evidence: format!("E[Y] for N = 1, 2, 4, 8: {}", fmt_list(&means)),
    });
    out.push(Claim {
        figure: 6,
        claim: "as N increases the peak value goes up".into(),
        verdict: verdict(peaks.windows(2).all(|w| w[1] > w[0])),
        evidence: format!("peak density for N = 1, 2, 4, 8: {}", fmt_list(&peaks)),
    });
    Ok(out)
}

/// Section 2.6, Figure 7: σ = 1, N = 2 and μ tuned.
fn maxpool_by_mu(dm: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let by_mu: Vec<Shape> = [-1.0, 0.0, 1.0]
        .iter()
        .map(|&m| {
            Ok(shape(&law(
                dm,
                &with(&[("mu", m), ("sigma", 1.0), ("N", 2.0)]),
            )?))
        })
        .collect::<Result<_>>()?;
    let means: Vec<f64> = by_mu.iter().map(|s| s.mean).collect();
    let peaks: Vec<f64> = by_mu.iter().map(|s| s.peak).collect();
    out.push(Claim {
        figure: 7,
        claim: "with σ = 1, N = 2, as μ increases the mean shifts to the right".into(),
        verdict: verdict(means.windows(2).all(|w| w[1] > w[0])),
        evidence: format!("E[Y] for μ = -1, 0, 1: {}", fmt_list(&means)),
    });
    out.push(Claim {
        figure: 7,
        claim: "as μ increases the peak value goes down".into(),
        verdict: verdict(peaks.windows(2).all(|w| w[1] < w[0] - 1e-9)),
        evidence: format!(
            "peak density for μ = -1, 0, 1: {}; μ only shifts the law, so the peak stays the same",
            fmt_list(&peaks)
        ),
    });
    Ok(out)
}

/// Section 2.6, Figure 8: μ = 0, N = 2 and σ tuned.
fn maxpool_by_sigma(dm: &Derivation) -> Result<Vec<Claim>> {
    let mut out = Vec::new();
    let by_sigma: Vec<Shape> = [0.5, 1.0, 2.0]
        .iter()
        .map(|&s| {
            Ok(shape(&law(
                dm,
                &with(&[("mu", 0.0), ("sigma", s), ("N", 2.0)]),
            )?))
        })
        .collect::<Result<_>>()?;
    let means: Vec<f64> = by_sigma.iter().map(|s| s.mean).collect();
    let peaks: Vec<f64> = by_sigma.iter().map(|s| s.peak).collect();
    out.push(Claim {
        figure: 8,
        claim: "with μ = 0, N = 2, as σ increases the mean shifts to the left".into(),
        verdict: verdict(means.windows(2).all(|w| w[1] < w[0])),
        evidence: format!(
            "E[Y] for σ = 0.5, 1, 2: {} (the max of two is σ/√π on average: it moves right)",
            fmt_list(&means)
        ),
    });
    out.push(Claim {
        figure: 8,
        claim: "as σ increases the peak value goes down".into(),
        verdict: verdict(peaks.windows(2).all(|w| w[1] < w[0])),
        evidence: format!("peak density for σ = 0.5, 1, 2: {}", fmt_list(&peaks)),
    });
    Ok(out)
}
