//! Compositions beyond the paper's single maps: monotone maps composed, decreasing
//! maps, atoms carried through later maps and order statistics. Each program's CDF is
//! checked against a closed form written here by hand and against a Monte Carlo sample
//! of the transform run forward (within the Dvoretzky–Kiefer–Wolfowitz bound for its
//! size); its density against a central difference of that closed form; its atoms
//! against the closed form's jumps; and density plus atoms integrate to 1.

use pushforward::eval::{Law, Values};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use statrs::distribution::{ContinuousCDF, Normal};

const MU: f64 = 0.3;
const SIGMA: f64 = 0.8;

/// A point mass: where, and its closed-form mass.
type Atom = (f64, fn() -> f64);

struct Case {
    program: &'static str,
    forward: fn(f64) -> f64,
    /// iid copies per sample (for maxpool)
    copies: usize,
    combine: fn(&[f64]) -> f64,
    cdf: fn(f64) -> f64,
    atoms: &'static [Atom],
    /// where the CDF is not differentiable (atoms, support edges)
    breaks: &'static [f64],
}

fn phi(z: f64) -> f64 {
    Normal::new(0.0, 1.0).unwrap().cdf(z)
}
fn x_cdf(t: f64) -> f64 {
    phi((t - MU) / SIGMA)
}
fn one(v: &[f64]) -> f64 {
    v[0]
}
fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn cases() -> Vec<Case> {
    vec![
        // strictly monotone chains, derived inside their support
        Case {
            program: "y = exp(-2*tanh(x) + 1)",
            forward: |x| (-2.0 * x.tanh() + 1.0).exp(),
            copies: 1,
            combine: one,
            cdf: |t| {
                let (lo, hi) = ((-1.0f64).exp(), 3.0f64.exp());
                if t >= hi {
                    1.0
                } else if t <= lo {
                    0.0
                } else {
                    // exp(-2 tanh(x) + 1) <= t exactly when x >= artanh((1 - log t)/2)
                    1.0 - x_cdf(((1.0 - t.ln()) / 2.0).atanh())
                }
            },
            atoms: &[],
            breaks: &[0.36787944117144233, 20.085536923187668],
        },
        Case {
            program: "y = -tanh(sigmoid(x)/2 - 1)^3",
            forward: |x| -((1.0 / (1.0 + (-x).exp())) / 2.0 - 1.0).tanh().powi(3),
            copies: 1,
            combine: one,
            cdf: |t| {
                let (lo, hi) = (0.5f64.tanh().powi(3), 1.0f64.tanh().powi(3));
                if t >= hi {
                    1.0
                } else if t <= lo {
                    0.0
                } else {
                    // decreasing: Y <= t exactly when sigmoid(x) >= 2(1 - artanh(t^(1/3)))
                    let s = 2.0 * (1.0 - t.cbrt().atanh());
                    1.0 - x_cdf((s / (1.0 - s)).ln())
                }
            },
            atoms: &[],
            breaks: &[0.0986861665682161, 0.44174415173115256],
        },
        // three maps; steeper compositions (examples/compositions/chain_three_layers.pf)
        // pile their mass within 1e-5 of the supremum, where this file's adaptive
        // Simpson cannot integrate the density in reasonable time (`pushforward check`
        // does, by tanh-sinh quadrature)
        Case {
            program: "y = exp(tanh(sigmoid(x) - 1/2))",
            forward: |x| ((1.0 / (1.0 + (-x).exp())) - 0.5).tanh().exp(),
            copies: 1,
            combine: one,
            cdf: |t| {
                let (lo, hi) = ((-0.5f64).tanh().exp(), 0.5f64.tanh().exp());
                if t >= hi {
                    1.0
                } else if t <= lo {
                    0.0
                } else {
                    // invert each map: exp, tanh, the shift, sigmoid
                    let s = t.ln().atanh() + 0.5;
                    x_cdf((s / (1.0 - s)).ln())
                }
            },
            atoms: &[],
            breaks: &[0.6299485325744386, 1.587431271429835],
        },
        Case {
            program: "y = tanh(2*x + 1)",
            forward: |x| (2.0 * x + 1.0).tanh(),
            copies: 1,
            combine: one,
            cdf: |t| {
                if t >= 1.0 {
                    1.0
                } else if t <= -1.0 {
                    0.0
                } else {
                    phi((t.atanh() - (2.0 * MU + 1.0)) / (2.0 * SIGMA))
                }
            },
            atoms: &[],
            breaks: &[-1.0, 1.0],
        },
        Case {
            program: "y = sigmoid(exp(x))",
            forward: |x| 1.0 / (1.0 + (-x.exp()).exp()),
            copies: 1,
            combine: one,
            cdf: |t| {
                if t >= 1.0 {
                    1.0
                } else if t <= 0.5 {
                    0.0
                } else {
                    x_cdf((t / (1.0 - t)).ln().ln())
                }
            },
            atoms: &[],
            breaks: &[0.5, 1.0],
        },
        Case {
            program: "y = -tanh(x)",
            forward: |x| -x.tanh(),
            copies: 1,
            combine: one,
            cdf: |t| {
                if t >= 1.0 {
                    1.0
                } else if t <= -1.0 {
                    0.0
                } else {
                    1.0 - x_cdf((-t).atanh())
                }
            },
            atoms: &[],
            breaks: &[-1.0, 1.0],
        },
        Case {
            program: "y = -relu(x)",
            forward: |x| -x.max(0.0),
            copies: 1,
            combine: one,
            cdf: |t| if t >= 0.0 { 1.0 } else { 1.0 - x_cdf(-t) },
            atoms: &[(0.0, || x_cdf(0.0))],
            breaks: &[0.0],
        },
        Case {
            program: "y = 2*relu(x) + 1",
            forward: |x| 2.0 * x.max(0.0) + 1.0,
            copies: 1,
            combine: one,
            cdf: |t| if t < 1.0 { 0.0 } else { x_cdf((t - 1.0) / 2.0) },
            atoms: &[(1.0, || x_cdf(0.0))],
            breaks: &[1.0],
        },
        Case {
            program: "y = exp(relu(x))",
            forward: |x| x.max(0.0).exp(),
            copies: 1,
            combine: one,
            cdf: |t| if t < 1.0 { 0.0 } else { x_cdf(t.ln()) },
            atoms: &[(1.0, || x_cdf(0.0))],
            breaks: &[1.0],
        },
        Case {
            program: "y = maxpool(relu(x), 3)",
            forward: |x| x.max(0.0),
            copies: 3,
            combine: max,
            cdf: |t| if t < 0.0 { 0.0 } else { x_cdf(t).powi(3) },
            atoms: &[(0.0, || x_cdf(0.0).powi(3))],
            breaks: &[0.0],
        },
        Case {
            program: "y = leaky_relu(x, 0.1)",
            forward: |x| if x >= 0.0 { x } else { 0.1 * x },
            copies: 1,
            combine: one,
            cdf: |t| if t >= 0.0 { x_cdf(t) } else { x_cdf(t / 0.1) },
            atoms: &[],
            breaks: &[0.0],
        },
        Case {
            program: "y = conv(x, [1, 2, 1])",
            forward: |x| x,
            copies: 3,
            combine: |v| v[0] + 2.0 * v[1] + v[2],
            cdf: |t| phi((t - 4.0 * MU) / (SIGMA * 6f64.sqrt())),
            atoms: &[],
            breaks: &[],
        },
        Case {
            program: "y = softplus(x) - 1",
            forward: |x| x.exp().ln_1p() - 1.0,
            copies: 1,
            combine: one,
            cdf: |t| {
                if t <= -1.0 {
                    0.0
                } else {
                    x_cdf((t + 1.0).exp_m1().ln())
                }
            },
            atoms: &[],
            breaks: &[-1.0],
        },
    ]
}

fn law(program: &str) -> Law {
    let src = format!("x ~ Normal({MU}, {SIGMA})\n{program}");
    let d = pushforward::derive_source(&src).unwrap_or_else(|e| panic!("{program}: {e:?}"));
    Law::new(&d, &Values::default()).unwrap()
}

#[test]
fn cdfs_match_closed_forms_and_monte_carlo() {
    let n = 200_000;
    // P(sup |F_n − F| > eps) <= 2 exp(−2 n eps²) = 1e-9
    let eps = ((2.0f64 / 1e-9).ln() / (2.0 * n as f64)).sqrt();
    let mut rng = StdRng::seed_from_u64(7);
    let normal = Normal::new(MU, SIGMA).unwrap();
    for case in cases() {
        let l = law(case.program);
        let mut sample: Vec<f64> = (0..n)
            .map(|_| {
                let copies: Vec<f64> = (0..case.copies)
                    .map(|_| (case.forward)(normal.inverse_cdf(rng.gen_range(1e-12..1.0 - 1e-12))))
                    .collect();
                (case.combine)(&copies)
            })
            .collect();
        sample.sort_by(|a, b| a.total_cmp(b));
        for i in 0..=200 {
            let t = sample[(i * (n - 1)) / 200] + if i % 2 == 0 { 0.0 } else { 1e-9 };
            let ours = l.cdf.eval(t);
            let reference = (case.cdf)(t);
            assert!(
                (ours - reference).abs() < 1e-9,
                "{}: F({t}) = {ours}, closed form {reference}",
                case.program
            );
            let empirical = sample.partition_point(|s| *s <= t) as f64 / n as f64;
            assert!(
                (ours - empirical).abs() < eps,
                "{}: F({t}) = {ours}, sample {empirical}, bound {eps}",
                case.program
            );
        }
    }
}

#[test]
fn densities_are_derivatives_and_atoms_are_jumps() {
    for case in cases() {
        let l = law(case.program);
        // density: central difference of the closed-form CDF, away from its breaks
        for i in 0..400 {
            let t = -3.0 + 8.0 * i as f64 / 400.0 + 1e-3;
            if case.breaks.iter().any(|b| (t - b).abs() < 1e-3) {
                continue;
            }
            let h = 1e-6;
            let numeric = ((case.cdf)(t + h) - (case.cdf)(t - h)) / (2.0 * h);
            let ours = l.density.eval(t);
            assert!(
                (ours - numeric).abs() < 1e-5 * (1.0 + numeric.abs()),
                "{}: f({t}) = {ours}, difference quotient {numeric}",
                case.program
            );
        }
        // atoms: where and how much the closed form jumps
        assert_eq!(
            l.atoms.len(),
            case.atoms.len(),
            "{}: atoms {:?}",
            case.program,
            l.atoms
        );
        for (atom, (at, mass)) in l.atoms.iter().zip(case.atoms) {
            assert!(
                (atom.at - at).abs() < 1e-12,
                "{}: atom at {}",
                case.program,
                atom.at
            );
            let jump = (case.cdf)(*at) - (case.cdf)(at - 1e-12);
            assert!(
                (atom.mass - mass()).abs() < 1e-12 && (atom.mass - jump).abs() < 1e-9,
                "{}: mass {}",
                case.program,
                atom.mass
            );
        }
        // mass: adaptive Simpson on the density between the breaks over [-30, 30],
        // plus the atoms, against the closed form's increase over the points that f64
        // can reach (sigmoid(exp(x)) puts 5e-5 of its mass within 1e-13 of 1)
        let mut edges = vec![-30.0];
        edges.extend(case.breaks.iter().copied());
        edges.push(30.0);
        let mut total: f64 = l.atoms.iter().map(|a| a.mass).sum();
        let mut expected = 0.0;
        let f = |t: f64| l.density.eval(t);
        for w in edges.windows(2) {
            let (a, b) = (w[0] + 1e-13, w[1] - 1e-13);
            total += adaptive_simpson(&f, a, b, 1e-10, 60);
            expected += (case.cdf)(b) - (case.cdf)(a);
        }
        expected += l.atoms.iter().map(|a| a.mass).sum::<f64>();
        assert!(
            (total - expected).abs() < 1e-6,
            "{}: density and atoms give {total}, the CDF {expected}",
            case.program
        );
        assert!(expected > 0.9999, "{}: {expected}", case.program);
    }
}

#[test]
fn hitting_a_limit_is_an_error() {
    let model = pushforward::model("x ~ Normal(0, 1)\ny = tanh(2*x + 1)").unwrap();
    let tight = pushforward::Limits {
        iterations: 1,
        nodes: 20,
        time: std::time::Duration::from_secs(1),
    };
    let e = pushforward::derive(&model, tight).unwrap_err();
    assert_eq!(e.kind, pushforward::ErrorKind::Limit, "{e:?}");
    assert!(e.message.contains("limit"), "{}", e.message);
}

fn adaptive_simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64, tol: f64, depth: u32) -> f64 {
    fn simpson(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
        (b - a) / 6.0 * (f(a) + 4.0 * f((a + b) / 2.0) + f(b))
    }
    fn go(f: &dyn Fn(f64) -> f64, a: f64, b: f64, whole: f64, tol: f64, depth: u32) -> f64 {
        let m = (a + b) / 2.0;
        let (l, r) = (simpson(f, a, m), simpson(f, m, b));
        if depth == 0 || (l + r - whole).abs() <= 15.0 * tol {
            return l + r + (l + r - whole) / 15.0;
        }
        go(f, a, m, l, tol / 2.0, depth - 1) + go(f, m, b, r, tol / 2.0, depth - 1)
    }
    // start from many panels so that no narrow peak is missed
    let n = 64;
    let h = (b - a) / n as f64;
    (0..n)
        .map(|i| {
            let (x, y) = (a + h * i as f64, a + h * (i + 1) as f64);
            go(f, x, y, simpson(f, x, y), tol / n as f64, depth)
        })
        .sum()
}
