//! Gauss–Legendre quadrature on [−1, 1]: the m nodes (the roots of the Legendre
//! polynomial P_m, by Newton's method from Tricomi's estimates) and their weights
//! 2/((1 − x²) P_m′(x)²), exact for polynomials of degree 2m − 1; made once per m and
//! shared. A convolution of two pieces of degrees d and e integrates a polynomial of
//! degree d + e, which ⌈(d + e + 1)/2⌉ nodes integrate exactly: half the points of the
//! Clenshaw–Curtis rule of that degree.

use std::sync::OnceLock;
use wide::f64x4;

/// The most nodes a rule has (two pieces of degree `chebyshev::MAX_DEGREE` need 33).
pub const MAX_NODES: usize = 64;

/// The nodes (ascending) and weights of one rule, and the same in blocks of eight
/// (the last padded with nodes at 0 of weight 0) for evaluation in lanes.
#[derive(Debug)]
pub struct Rule {
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
    pub blocks: Vec<Block>,
}

/// Eight nodes and their weights, four lanes each.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub nodes: [f64x4; 2],
    pub weights: [f64x4; 2],
}

/// P_m(x) and P_m′(x) by the three-term recurrence.
fn legendre(m: usize, x: f64) -> (f64, f64) {
    let (mut p0, mut p1) = (1.0, x);
    for k in 2..=m {
        let k = k as f64;
        (p0, p1) = (p1, ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k);
    }
    if m == 0 {
        return (1.0, 0.0);
    }
    // (1 − x²) P_m′ = m (P_{m−1} − x P_m)
    (p1, m as f64 * (p0 - x * p1) / (1.0 - x * x))
}

fn make(m: usize) -> Rule {
    let mut nodes = vec![0.0; m];
    let mut weights = vec![0.0; m];
    let mf = m as f64;
    // the roots come in ± pairs: the upper half by Newton, mirrored
    for i in 0..m.div_ceil(2) {
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (mf + 0.5)).cos();
        // Newton converges quadratically: once a step is below 1e-9, one more leaves
        // only rounding
        for _ in 0..100 {
            let (p, dp) = legendre(m, x);
            let step = p / dp;
            x -= step;
            if step.abs() <= 1e-9 {
                let (p, dp) = legendre(m, x);
                x -= p / dp;
                break;
            }
        }
        let (_, dp) = legendre(m, x);
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        let middle = m % 2 == 1 && i == m / 2;
        let x = if middle { 0.0 } else { x };
        nodes[m - 1 - i] = x;
        nodes[i] = -x;
        weights[m - 1 - i] = w;
        weights[i] = w;
    }
    let lanes = |v: &[f64], k: usize| {
        f64x4::from([0, 1, 2, 3].map(|i| v.get(k + i).copied().unwrap_or(0.0)))
    };
    let blocks = (0..m.div_ceil(8))
        .map(|b| Block {
            nodes: [lanes(&nodes, 8 * b), lanes(&nodes, 8 * b + 4)],
            weights: [lanes(&weights, 8 * b), lanes(&weights, 8 * b + 4)],
        })
        .collect();
    Rule {
        nodes,
        weights,
        blocks,
    }
}

/// The rule of m nodes (1 ≤ m ≤ `MAX_NODES`; larger m get `MAX_NODES`).
pub fn gauss_legendre(m: usize) -> &'static Rule {
    static RULES: OnceLock<Vec<OnceLock<Rule>>> = OnceLock::new();
    let m = m.clamp(1, MAX_NODES);
    let rules = RULES.get_or_init(|| (0..=MAX_NODES).map(|_| OnceLock::new()).collect());
    rules[m].get_or_init(|| make(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rules of 2 and 3 nodes are the textbook ones (±1/√3 with weights 1; 0 and
    /// ±√(3/5) with 8/9 and 5/9), and every rule integrates x^k over [−1, 1] exactly
    /// (2/(k + 1) for even k, 0 for odd) up to degree 2m − 1, and fails at 2m.
    #[test]
    fn gauss_legendre_is_exact_to_its_degree() {
        let two = gauss_legendre(2);
        let r = 1.0 / 3f64.sqrt();
        assert!((two.nodes[0] + r).abs() <= 2.3e-16 && (two.nodes[1] - r).abs() <= 2.3e-16);
        assert!(two.weights.iter().all(|w| (w - 1.0).abs() < 1e-15));
        let three = gauss_legendre(3);
        let r = 0.6f64.sqrt();
        assert_eq!(three.nodes[1], 0.0);
        assert!((three.nodes[2] - r).abs() <= 2.3e-16);
        assert!((three.weights[1] - 8.0 / 9.0).abs() < 1e-15);
        assert!((three.weights[0] - 5.0 / 9.0).abs() < 1e-15);
        for m in [1, 2, 5, 16, 33, 64] {
            let rule = gauss_legendre(m);
            let moment = |k: i32| -> f64 {
                rule.nodes
                    .iter()
                    .zip(&rule.weights)
                    .map(|(&x, &w)| w * x.powi(k))
                    .sum()
            };
            for k in 0..2 * m as i32 {
                let want = if k % 2 == 0 {
                    2.0 / f64::from(k + 1)
                } else {
                    0.0
                };
                assert!(
                    (moment(k) - want).abs() < 1e-14,
                    "m = {m}, k = {k}: {} against {want}",
                    moment(k)
                );
            }
            // x^(2m) is not integrated exactly: the rule is no better than its degree
            // (its error, about π m 4^(−m) relative, is seen for small m)
            let k = 2 * m as i32;
            if m <= 5 {
                assert!((moment(k) - 2.0 / f64::from(k + 1)).abs() > 1e-3 * 2.0 / f64::from(k + 1));
            }
        }
    }
}
