//! The law after each statement of a program, in numbers, beside the Normal with the
//! same mean and variance: the moments a moment-propagation method carries (mean,
//! variance, skewness, excess kurtosis), the Kolmogorov and total-variation distances
//! to that Normal, and whether the distance shrank since the statement before. Each
//! statement's law is the program cut after it, derived and evaluated as any
//! program's; the integrals are tanh-sinh quadrature between quantiles of the law
//! (found by bisection of its CDF), the atoms exact.

use crate::check::quad::tanh_sinh;
use crate::error::Result;
use crate::eval::{Law, Values};
use crate::lang::special::{std_normal_cdf, std_normal_pdf};
use crate::syntax::{self, Statement};

/// The most statements a table holds (each is a derivation of its own).
pub const MAX_LAYERS: usize = 200;

/// One statement's law in numbers.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Layer {
    /// The statement's name (with `#r` for the r-th round of a `repeat`) and its line
    /// in the source.
    pub name: String,
    pub line: usize,
    pub mean: f64,
    pub variance: f64,
    pub skewness: f64,
    pub excess_kurtosis: f64,
    /// sup_t |F(t) − G(t)|, G the Normal with the same mean and variance (at the
    /// atoms from both sides, elsewhere at 64 points between each pair of quantiles).
    pub kolmogorov: f64,
    /// sup_A |P(Y ∈ A) − P(G ∈ A)| = (Σ atoms + ∫ |f − g|)/2.
    pub total_variation: f64,
    /// The atoms' total mass.
    pub atoms: f64,
    /// The numeric laws' bound on the CDF's error (0 for a closed form).
    pub error_bound: f64,
}

/// Every assignment's law, in the order of the program (a `repeat` block's statements
/// once for each round, named with the round).
pub fn layers(source: &str, values: &Values) -> Result<Vec<Layer>> {
    Ok(laws(source, values)?
        .iter()
        .map(|(name, line, law)| measure(law, name.clone(), *line))
        .collect())
}

/// Every assignment's name (with `#r` for a round of a `repeat`), line and law.
pub fn laws(source: &str, values: &Values) -> Result<Vec<(String, usize, Law)>> {
    let program = syntax::parse(source)?;
    let mut out = Vec::new();
    for (i, statement) in program.statements.iter().enumerate() {
        let Statement::Assign {
            name, span, round, ..
        } = statement
        else {
            continue;
        };
        if out.len() >= MAX_LAYERS {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::Limit,
                format!("more than {MAX_LAYERS} statements"),
            )
            .help("tabulate a shorter program"));
        }
        // the program up to the statement, with every assumption (they hold wherever
        // written): its output is the statement's value
        let mut statements = program.statements[..i].to_vec();
        statements.extend(
            program.statements[i + 1..]
                .iter()
                .filter(|s| matches!(s, Statement::Assume { .. }))
                .cloned(),
        );
        statements.push(statement.clone());
        let upto = syntax::Program { statements };
        let model = match crate::lower::lower(source, &upto) {
            Ok(m) => m,
            // a statement of parameters alone has no law: not a row
            Err(e) if e.to_string().contains("does not depend on the input") => continue,
            Err(e) => return Err(e),
        };
        let d = crate::derive::derive(&model, crate::derive::Limits::default())?;
        let law = Law::new(&d, values)?;
        let line = source[..span.start].matches('\n').count() + 1;
        let label = match round {
            Some(r) => format!("{}#{r}", name.text),
            None => name.text.clone(),
        };
        out.push((label, line, law));
    }
    Ok(out)
}

/// The smallest t with F(t) ≥ p, by bisection in [lo, hi].
fn quantile(law: &Law, p: f64, mut lo: f64, mut hi: f64) -> f64 {
    // to adjacent numbers: from a bracket as wide as f64 that is about 2100 halvings
    for _ in 0..2200 {
        let m = 0.5 * (lo + hi);
        if !(lo < m && m < hi) {
            break;
        }
        if law.cdf.eval(m) < p {
            lo = m;
        } else {
            hi = m;
        }
    }
    hi
}

/// One law in numbers (see [`Layer`]).
pub fn measure(law: &Law, name: String, line: usize) -> Layer {
    // a bracket of the law: out from 0 by doubling steps until the CDF has (nearly) all
    let (mut lo, mut hi) = (-1.0f64, 1.0f64);
    while law.cdf.eval(lo) > 1e-16 && lo > -1e300 {
        lo *= 2.0;
    }
    // (a numeric law's mass may fall short of 1 by its error: the top is where the
    // CDF is within 1e-16 of 1, or stops growing)
    let mut last = 0.0;
    while hi < 1e300 {
        let c = law.cdf.eval(hi);
        if c >= 1.0 - 1e-16 || (c > 0.0 && c <= last) {
            break;
        }
        last = c;
        hi *= 2.0;
    }
    let mut cuts: Vec<f64> = vec![lo, hi];
    let mut levels = vec![1e-15, 1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 1e-2];
    levels.extend((1..32).map(|k| f64::from(k) / 32.0));
    levels.extend([1.0 - 1e-2, 1.0 - 1e-3, 1.0 - 1e-4, 1.0 - 1e-6, 1.0 - 1e-9]);
    cuts.extend(levels.iter().map(|&p| quantile(law, p, lo, hi)));
    cuts.extend(law.atoms.iter().map(|a| a.at));
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    // moments about the median, so that a law far from 0 loses no digits
    let c = quantile(law, 0.5, lo, hi);
    let mut m = [0.0f64; 5];
    for a in &law.atoms {
        for (k, mk) in m.iter_mut().enumerate() {
            *mk += a.mass * (a.at - c).powi(k as i32);
        }
    }
    for w in cuts.windows(2) {
        for (k, mk) in m.iter_mut().enumerate() {
            *mk += tanh_sinh(
                |t| (t - c).powi(k as i32) * law.density.eval(t),
                w[0],
                w[1],
                1e-14,
            );
        }
    }
    let mass = m[0].max(f64::MIN_POSITIVE);
    let mu1 = m[1] / mass;
    let (r2, r3, r4) = (m[2] / mass, m[3] / mass, m[4] / mass);
    let variance = (r2 - mu1 * mu1).max(0.0);
    let c3 = r3 - 3.0 * mu1 * r2 + 2.0 * mu1.powi(3);
    let c4 = r4 - 4.0 * mu1 * r3 + 6.0 * mu1 * mu1 * r2 - 3.0 * mu1.powi(4);
    let mean = c + mu1;
    let sd = variance.sqrt();
    let g = |t: f64| std_normal_cdf((t - mean) / sd);
    let gd = |t: f64| std_normal_pdf((t - mean) / sd) / sd;
    // Kolmogorov: at the atoms from both sides, and at 64 points of each cut
    let mut kolmogorov = 0.0f64;
    for a in &law.atoms {
        let f = law.cdf.eval(a.at);
        kolmogorov = kolmogorov
            .max((f - g(a.at)).abs())
            .max((f - a.mass - g(a.at)).abs());
    }
    // ∫|f − g| split where f − g changes sign (found on the same points)
    let mut l1 = 0.0;
    let diff = |t: f64| law.density.eval(t) - gd(t);
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut ends = vec![a];
        let mut prev = (a, diff(a));
        for k in 1..=64 {
            let t = a + (b - a) * f64::from(k) / 64.0;
            kolmogorov = kolmogorov.max((law.cdf.eval(t) - g(t)).abs());
            let d = diff(t);
            if d.signum() != prev.1.signum() && d != 0.0 && prev.1 != 0.0 {
                let (mut x, mut y) = (prev.0, t);
                for _ in 0..60 {
                    let mid = 0.5 * (x + y);
                    if diff(mid).signum() == prev.1.signum() {
                        x = mid;
                    } else {
                        y = mid;
                    }
                }
                ends.push(0.5 * (x + y));
            }
            prev = (t, d);
        }
        ends.push(b);
        for e in ends.windows(2) {
            l1 += tanh_sinh(|t| diff(t).abs(), e[0], e[1], 1e-12);
        }
    }
    // the Normal's mass outside the cuts counts in full
    let outside = g(lo) + (1.0 - g(hi));
    // (+ 0.0: an empty f64 sum is −0)
    let atoms: f64 = law.atoms.iter().map(|a| a.mass).sum::<f64>() + 0.0;
    Layer {
        name,
        line,
        mean,
        variance,
        skewness: if sd > 0.0 { c3 / sd.powi(3) } else { f64::NAN },
        excess_kurtosis: if sd > 0.0 {
            c4 / (variance * variance) - 3.0
        } else {
            f64::NAN
        },
        kolmogorov,
        total_variation: (0.5 * (atoms + l1 + outside)).min(1.0),
        atoms,
        error_bound: law.error_bound(),
    }
}

/// The table as text: a row for each statement, the distance's trend in the last
/// column.
pub fn to_text(layers: &[Layer]) -> String {
    let mut out = format!(
        "{:<10} {:>4} {:>14} {:>12} {:>10} {:>10} {:>10} {:>10} {:>9}  {}\n",
        "statement",
        "line",
        "mean",
        "variance",
        "skewness",
        "ex.kurt",
        "Kolmogorov",
        "TV",
        "atoms",
        "TV since the last"
    );
    let mut last: Option<f64> = None;
    for l in layers {
        let trend = match last {
            None => "",
            Some(p) if l.total_variation < p => "shrank",
            Some(p) if l.total_variation > p => "grew",
            Some(_) => "same",
        };
        out += &format!(
            "{:<10} {:>4} {:>14.8e} {:>12.6e} {:>10.4} {:>10.4} {:>10.3e} {:>10.3e} {:>9.3e}  {}\n",
            l.name,
            l.line,
            l.mean,
            l.variance,
            l.skewness,
            l.excess_kurtosis,
            l.kolmogorov,
            l.total_variation,
            l.atoms,
            trend
        );
        last = Some(l.total_variation);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// relu(x) of N(0, 1): mean φ(0) = 1/√(2π), E[Y²] = 1/2, so variance 1/2 − 1/(2π);
    /// the atom 1/2 at 0; a Normal input is at distance 0 from its matched Normal.
    #[test]
    fn moments_and_distances_match_closed_forms() {
        let t = layers(
            "x ~ Normal(0, 1)\nh = 2*x + 1\ny = relu(x)\n",
            &Values::default(),
        )
        .unwrap();
        assert_eq!(t.len(), 2);
        let (h, y) = (&t[0], &t[1]);
        assert!((h.mean - 1.0).abs() < 1e-13 && (h.variance - 4.0).abs() < 1e-12);
        assert!(h.skewness.abs() < 1e-10 && h.excess_kurtosis.abs() < 1e-9);
        assert!(h.kolmogorov < 1e-14 && h.total_variation < 1e-9, "{h:?}");
        let m = 1.0 / (2.0 * std::f64::consts::PI).sqrt();
        assert!((y.mean - m).abs() < 1e-13, "{}", y.mean);
        assert!((y.variance - (0.5 - m * m)).abs() < 1e-13);
        assert_eq!(y.atoms, 0.5);
        // the atom alone puts the TV distance at 1/2 or more
        assert!(y.total_variation >= 0.5 && y.total_variation < 1.0);
        assert_eq!((h.line, y.line), (2, 3));
    }
}
