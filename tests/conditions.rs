//! `if` conditions that are not affine in the input, or whose thresholds are
//! parameters, and clamps with parameter ends: the derived laws against closed forms
//! written here from statrs' Normal CDF (each one the probability of the event the
//! program describes, worked out by hand), at 81 points and several parameter sets;
//! and the errors for conditions that cannot be solved.

use pushforward::eval::{Law, Values};
use pushforward::ErrorKind;
use statrs::distribution::{ContinuousCDF, Normal};

fn law(program: &str, params: &[(&str, f64)]) -> Law {
    let d =
        pushforward::derive_source(program).unwrap_or_else(|e| panic!("{program}: {}", e.message));
    let mut v = Values::default();
    for (k, x) in params {
        v.insert(k, *x);
    }
    Law::new(&d, &v).unwrap()
}

/// P(x ≤ t) for x ~ N(μ, σ²), from statrs.
fn cdf(mu: f64, sigma: f64) -> impl Fn(f64) -> f64 {
    let n = Normal::new(mu, sigma).unwrap();
    move |t| n.cdf(t)
}

/// Compare the derived CDF with a reference at 81 points of [lo, hi], and the
/// derived atoms with the reference's (location, mass) list.
#[track_caller]
fn agree(l: &Law, reference: &dyn Fn(f64) -> f64, lo: f64, hi: f64, atoms: &[(f64, f64)]) {
    for i in 0..81 {
        let t = lo + (hi - lo) * (i as f64 + 0.5) / 81.0;
        let (ours, want) = (l.cdf.eval(t), reference(t));
        assert!(
            (ours - want).abs() <= 1e-9,
            "CDF at t = {t}: {ours} vs {want}"
        );
    }
    let mut got: Vec<(f64, f64)> = l.atoms.iter().map(|a| (a.at, a.mass)).collect();
    got.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(got.len(), atoms.len(), "atoms {got:?} vs {atoms:?}");
    for ((at, m), (want_at, want_m)) in got.iter().zip(atoms) {
        assert!((at - want_at).abs() <= 1e-12, "atom at {at} vs {want_at}");
        assert!((m - want_m).abs() <= 1e-9, "mass {m} vs {want_m} at {at}");
    }
}

const PARAMS: [(f64, f64); 3] = [(0.0, 1.0), (0.7, 0.5), (-1.2, 2.0)];

#[test]
fn threshold_parameter_keeps_the_branch_below_it() {
    // Y = x for x < c, else 0: P(Y ≤ t) = P(x ≤ min(t, c)) + P(x ≥ c)·[t ≥ 0]
    let program = "x ~ Normal(mu, sigma)\ny = if x < c then x else 0";
    for (mu, sigma) in PARAMS {
        for c in [-0.8, 0.0, 1.3] {
            let l = law(program, &[("mu", mu), ("sigma", sigma), ("c", c)]);
            let f = cdf(mu, sigma);
            let reference = |t: f64| f(t.min(c)) + if t >= 0.0 { 1.0 - f(c) } else { 0.0 };
            agree(&l, &reference, -4.0, 4.0, &[(0.0, 1.0 - f(c))]);
        }
    }
}

#[test]
fn condition_through_tanh_is_a_threshold_at_artanh() {
    // tanh(x) > 1/2 exactly when x > artanh(1/2)
    let program = "x ~ Normal(mu, sigma)\ny = if tanh(x) > 0.5 then x else 0";
    let a = 0.5f64.atanh();
    for (mu, sigma) in PARAMS {
        let l = law(program, &[("mu", mu), ("sigma", sigma)]);
        let f = cdf(mu, sigma);
        let reference = |t: f64| {
            let gate = if t >= 0.0 { f(a) } else { 0.0 };
            gate + if t >= a { f(t) - f(a) } else { 0.0 }
        };
        agree(&l, &reference, -3.0, 4.0, &[(0.0, f(a))]);
    }
}

#[test]
fn condition_with_a_parameter_inside_a_map_range() {
    // sigmoid(x) < p exactly when x < logit(p), for 0 < p < 1
    let program =
        "x ~ Normal(mu, sigma)\nassume p > 0\nassume p < 1\ny = if sigmoid(x) < p then -1 else x";
    for (mu, sigma) in PARAMS {
        for p in [0.2, 0.5, 0.9] {
            let l = law(program, &[("mu", mu), ("sigma", sigma), ("p", p)]);
            let f = cdf(mu, sigma);
            let c = (p / (1.0 - p)).ln();
            let reference = |t: f64| {
                let low = if t >= -1.0 { f(c) } else { 0.0 };
                low + if t >= c { f(t) - f(c) } else { 0.0 }
            };
            agree(&l, &reference, -4.0, 4.0, &[(-1.0, f(c))]);
        }
    }
}

#[test]
fn abs_and_even_powers_give_two_thresholds() {
    // |x| < 1 keeps x, else 0: P(Y ≤ t) = P(−1 ≤ x < 1, x ≤ t) + P(|x| ≥ 1)·[t ≥ 0]
    let program = "x ~ Normal(mu, sigma)\ny = if abs(x) < 1 then x else 0";
    for (mu, sigma) in PARAMS {
        let l = law(program, &[("mu", mu), ("sigma", sigma)]);
        let f = cdf(mu, sigma);
        let outside = 1.0 - (f(1.0) - f(-1.0));
        let reference = |t: f64| {
            let inside = (f(t.min(1.0)) - f(-1.0)).max(0.0);
            inside + if t >= 0.0 { outside } else { 0.0 }
        };
        agree(&l, &reference, -3.0, 3.0, &[(0.0, outside)]);
    }
    // x² > 2 sends the tails to 1 and keeps the middle
    let program = "x ~ Normal(mu, sigma)\ny = if x^2 > 2 then 1 else x";
    let r = 2f64.sqrt();
    for (mu, sigma) in PARAMS {
        let l = law(program, &[("mu", mu), ("sigma", sigma)]);
        let f = cdf(mu, sigma);
        let tails = 1.0 - (f(r) - f(-r));
        let reference = |t: f64| {
            let middle = (f(t.min(r)) - f(-r)).max(0.0);
            middle + if t >= 1.0 { tails } else { 0.0 }
        };
        agree(&l, &reference, -3.0, 3.0, &[(1.0, tails)]);
    }
}

#[test]
fn nested_parameter_thresholds_ordered_by_assumptions_make_a_clamp() {
    // below lo: lo; between: x; above hi: hi — the clamp to [lo, hi]
    let program = "x ~ Normal(mu, sigma)\nassume lo < 0\nassume hi > 0\ny = if x < lo then lo else (if x < hi then x else hi)";
    let clamp = "x ~ Normal(mu, sigma)\nassume lo < 0\nassume hi > 0\ny = clamp(x, lo, hi)";
    for (mu, sigma) in PARAMS {
        for (lo, hi) in [(-1.0, 1.0), (-0.2, 2.5)] {
            let f = cdf(mu, sigma);
            let reference = |t: f64| {
                if t < lo {
                    0.0
                } else if t < hi {
                    f(t)
                } else {
                    1.0
                }
            };
            let atoms = [(lo, f(lo)), (hi, 1.0 - f(hi))];
            let values = [("mu", mu), ("sigma", sigma), ("lo", lo), ("hi", hi)];
            agree(&law(program, &values), &reference, -4.0, 4.0, &atoms);
            agree(&law(clamp, &values), &reference, -4.0, 4.0, &atoms);
        }
    }
}

#[test]
fn affine_condition_with_a_coefficient_of_known_sign() {
    // a·x + b ≥ 0 is x ≥ −b/a for a > 0 and x ≤ −b/a for a < 0
    for (sign, a) in [(">", 2.0), ("<", -0.5)] {
        let program =
            format!("x ~ Normal(mu, sigma)\nassume a {sign} 0\ny = if a*x + b >= 0 then 1 else 0");
        for (mu, sigma) in PARAMS {
            let b = 0.3;
            let l = law(
                &program,
                &[("mu", mu), ("sigma", sigma), ("a", a), ("b", b)],
            );
            let f = cdf(mu, sigma);
            let c = -b / a;
            let p_one = if a > 0.0 { 1.0 - f(c) } else { f(c) };
            let reference = |t: f64| {
                (if t >= 0.0 { 1.0 - p_one } else { 0.0 }) + if t >= 1.0 { p_one } else { 0.0 }
            };
            agree(
                &l,
                &reference,
                -1.0,
                2.0,
                &[(0.0, 1.0 - p_one), (1.0, p_one)],
            );
        }
    }
}

#[track_caller]
fn refused(program: &str, kind: ErrorKind, words: &str) {
    let e = pushforward::derive_source(program).expect_err(program);
    assert_eq!(e.kind, kind, "{program}: {}", e.message);
    assert!(
        e.message.contains(words),
        "{program}: `{}` does not say `{words}`",
        e.message
    );
    assert!(e.help.is_some(), "{program}: no hint");
}

#[test]
fn conditions_that_cannot_be_solved_are_errors_that_say_why() {
    let x = "x ~ Normal(mu, sigma)\n";
    refused(
        &format!("{x}y = if tanh(x) > 2 then x else 0"),
        ErrorKind::Unsupported,
        "same truth for every value",
    );
    refused(
        &format!("{x}y = if tanh(x) > a then x else 0"),
        ErrorKind::Parameter,
        "cannot tell whether `a` lies in (-1, 1)",
    );
    refused(
        &format!("{x}y = if x < c then (if x < d then 0 else x) else 1"),
        ErrorKind::Parameter,
        "in which order the thresholds",
    );
    refused(
        &format!("{x}y = if a*x > 1 then x else 0"),
        ErrorKind::Parameter,
        "the sign of `a`",
    );
    refused(
        &format!("{x}y = if relu(x) > 1 then x else 0"),
        ErrorKind::Unsupported,
        "cannot be solved for the input",
    );
    refused(
        &format!("{x}y = if x + tanh(x) > 0 then x else 0"),
        ErrorKind::Unsupported,
        "no closed-form inverse",
    );
    // a map of the input in two places is derived by its pieces, but a condition on it
    // is still solved in closed form only
    refused(
        &format!("{x}y = if x*sigmoid(x) > 0 then x else 0"),
        ErrorKind::Unsupported,
        "no closed-form inverse",
    );
    refused(
        &format!("{x}y = x - x"),
        ErrorKind::Unsupported,
        "cancels out",
    );
}
