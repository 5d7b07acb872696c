//! The evaluator at the edges of its range: t within 1e-12 of a support edge, |t| up
//! to 1e300, standard deviations from 1e-8 to 1e8, pools of up to 10^9 copies. Every
//! value must be finite and right, against references written here independently:
//! statrs' Normal CDF (its own erfc), and inverses in the forms that keep their digits
//! (artanh(t) = (ln_1p(t) − ln_1p(−t))/2, log Φ(z) = ln_1p(−Φ(−z)) for the max of N).
//! Where pushforward cannot be accurate it must refuse with a diagnostic.

use pushforward::eval::{Law, Values};
use pushforward::ErrorKind;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

fn law(program: &str, params: &[(&str, f64)]) -> pushforward::Result<Law> {
    let d = pushforward::derive_source(program)?;
    let mut v = Values::default();
    for (k, x) in params {
        v.insert(k, *x);
    }
    Law::new(&d, &v)
}

#[track_caller]
fn close(ours: f64, reference: f64, rel: f64, what: &str) {
    assert!(ours.is_finite(), "{what}: {ours}");
    let err = (ours - reference).abs() / reference.abs().max(1e-300);
    assert!(
        err <= rel || (ours - reference).abs() <= 1e-300,
        "{what}: {ours} vs {reference} (relative {err:e})"
    );
}

#[test]
fn tanh_and_sigmoid_within_1e_12_of_their_range_ends() {
    let tanh = "x ~ Normal(mu, sigma)\ny = tanh(x)";
    let sigmoid = "x ~ Normal(mu, sigma)\ny = sigmoid(x)";
    for (mu, sigma) in [(0.3, 1.0), (-2.0, 0.5), (0.0, 3.0)] {
        let n = Normal::new(mu, sigma).unwrap();
        let l = law(tanh, &[("mu", mu), ("sigma", sigma)]).unwrap();
        for t in [-1.0 + 1e-12, -1.0 + 1e-9, 1.0 - 1e-9, 1.0 - 1e-12] {
            let a = 0.5 * (f64::ln_1p(t) - f64::ln_1p(-t));
            close(l.cdf.eval(t), n.cdf(a), 1e-9, &format!("tanh CDF at {t}"));
            let jac = (1.0 - t) * (1.0 + t);
            close(
                l.density.eval(t),
                n.pdf(a) / jac,
                1e-8,
                &format!("tanh PDF at {t}"),
            );
        }
        // on and past the ends: 0 or 1, and no density
        for (t, f) in [
            (-1.0, 0.0),
            (1.0, 1.0),
            (-1.0 - 1e-12, 0.0),
            (1.0 + 1e-12, 1.0),
        ] {
            assert_eq!(l.cdf.eval(t), f, "tanh CDF at {t}");
            assert_eq!(l.density.eval(t), 0.0, "tanh PDF at {t}");
        }
        let l = law(sigmoid, &[("mu", mu), ("sigma", sigma)]).unwrap();
        for t in [1e-12f64, 1e-9, 1.0 - 1e-9, 1.0 - 1e-12] {
            let logit = t.ln() - f64::ln_1p(-t);
            close(
                l.cdf.eval(t),
                n.cdf(logit),
                1e-9,
                &format!("sigmoid CDF at {t}"),
            );
            let jac = t * (1.0 - t);
            close(
                l.density.eval(t),
                n.pdf(logit) / jac,
                1e-8,
                &format!("sigmoid PDF at {t}"),
            );
        }
    }
}

#[test]
fn relu_next_to_its_atom() {
    let l = law(
        "x ~ Normal(mu, sigma)\ny = relu(x)",
        &[("mu", 0.3), ("sigma", 1.0)],
    )
    .unwrap();
    let n = Normal::new(0.3, 1.0).unwrap();
    assert_eq!(l.cdf.eval(-1e-12), 0.0);
    close(l.cdf.eval(0.0), n.cdf(0.0), 1e-12, "CDF at 0 (the atom)");
    close(l.cdf.eval(1e-12), n.cdf(1e-12), 1e-12, "CDF at 1e-12");
    assert_eq!(l.atoms.len(), 1);
    close(l.atoms[0].mass, n.cdf(0.0), 1e-12, "atom");
}

#[test]
fn every_paper_program_at_plus_and_minus_1e300() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/paper");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let src = std::fs::read_to_string(&path).unwrap();
        let params = [
            ("mu", 0.3),
            ("sigma", 0.8),
            ("alpha", 0.1),
            ("N", 4.0),
            ("w1", 0.25),
            ("w2", 0.5),
            ("w3", 0.25),
        ];
        let d = pushforward::derive_source(&src).unwrap();
        let mut v = Values::default();
        for (k, x) in params {
            if d.model.params.contains_key(k) {
                v.insert(k, x);
            }
        }
        let l = Law::new(&d, &v).unwrap();
        for (t, f) in [
            (-1e300, 0.0),
            (1e300, 1.0),
            (f64::MIN, 0.0),
            (f64::MAX, 1.0),
        ] {
            assert_eq!(l.cdf.eval(t), f, "{}: CDF at {t}", path.display());
            assert_eq!(l.density.eval(t), 0.0, "{}: PDF at {t}", path.display());
        }
    }
}

#[test]
fn standard_deviations_from_1e_minus_8_to_1e8() {
    for sigma in [1e-8, 1e-4, 1.0, 1e4, 1e8] {
        let n = Normal::new(0.3, sigma).unwrap();
        // tanh: points chosen in the middle of the law, in the tails, and near ±1
        let l = law(
            "x ~ Normal(mu, sigma)\ny = tanh(x)",
            &[("mu", 0.3), ("sigma", sigma)],
        )
        .unwrap();
        for q in [1e-6, 0.1, 0.5, 0.9] {
            let x = n.inverse_cdf(q);
            let t = x.tanh();
            if t.abs() >= 1.0 {
                continue;
            }
            let a = 0.5 * (f64::ln_1p(t) - f64::ln_1p(-t));
            // ours and the reference each invert t to about an ulp of artanh, δa; at
            // σ = 1e-8 that moves the CDF by φ(z)/σ·δa, more than 1e-9 of it
            let delta_a = 4.0 * f64::EPSILON * (a.abs() + 1.0 / ((1.0 - t) * (1.0 + t)));
            let slack = n.pdf(a) * delta_a;
            let (ours, want) = (l.cdf.eval(t), n.cdf(a));
            assert!(
                (ours - want).abs() <= 1e-9 * want + slack,
                "σ = {sigma}: tanh CDF at {t}: {ours} vs {want}"
            );
            // the density moves by |z|/σ·δa relative
            let rel = 1e-9 + ((a - 0.3) / (sigma * sigma)).abs() * delta_a;
            close(
                l.density.eval(t),
                n.pdf(a) / ((1.0 - t) * (1.0 + t)),
                rel,
                &format!("σ = {sigma}: tanh PDF at {t}"),
            );
        }
        // a weighted sum: N(μ·Σw, σ²‖w‖²)
        let l = law(
            "x ~ Normal(mu, sigma)\ny = conv(x, [0.25, 0.5, 0.25])",
            &[("mu", 0.3), ("sigma", sigma)],
        )
        .unwrap();
        let s = sigma * (0.25f64 * 0.25 + 0.25 + 0.25 * 0.25).sqrt();
        let m = Normal::new(0.3, s).unwrap();
        for q in [1e-9, 0.3, 0.999] {
            let t = m.inverse_cdf(q);
            close(
                l.cdf.eval(t),
                m.cdf(t),
                1e-9,
                &format!("σ = {sigma}: conv CDF at {t}"),
            );
            close(
                l.density.eval(t),
                m.pdf(t),
                1e-9,
                &format!("σ = {sigma}: conv PDF at {t}"),
            );
        }
    }
}

#[test]
fn max_and_min_of_a_billion_copies_in_log_space() {
    let n = Normal::new(0.0, 1.0).unwrap();
    // log Φ(z) kept in its digits: ln_1p of the upper tail for z > 0
    let log_phi = |z: f64| {
        if z > 0.0 {
            f64::ln_1p(-n.cdf(-z))
        } else {
            n.cdf(z).ln()
        }
    };
    let big: f64 = 1e9;
    let max = law("x ~ Normal(0, 1)\ny = maxpool(x, N)", &[("N", big)]).unwrap();
    let min = law("x ~ Normal(0, 1)\ny = minpool(x, N)", &[("N", big)]).unwrap();
    for z in [5.0, 5.5, 6.0, 6.5, 7.0, 8.0] {
        let f = (big * log_phi(z)).exp();
        // statrs' Φ is good to about 1e-10 relative in the tail, and the power
        // multiplies that by |N·log Φ(z)| (287 at z = 5)
        let tol = 1e-10 * (big * log_phi(z)).abs().max(1.0);
        close(max.cdf.eval(z), f, tol, &format!("max CDF at {z}"));
        // N·Φ(z)^(N−1)·φ(z)
        let p = (big.ln() + (big - 1.0) * log_phi(z) + n.ln_pdf(z)).exp();
        close(max.density.eval(z), p, tol, &format!("max PDF at {z}"));
        // the min at −z is the mirror image
        close(
            min.cdf.eval(-z),
            1.0 - f,
            tol,
            &format!("min CDF at {}", -z),
        );
        close(min.density.eval(-z), p, tol, &format!("min PDF at {}", -z));
    }
}

#[test]
fn order_statistics_of_many_copies_have_accurate_densities_or_a_diagnostic() {
    // the median of 10^4 copies: its density needs 10^4! / (5000!·4999!), far past f64
    let l = law(
        "x ~ Normal(0, 1)\ny = order(x, K, N)",
        &[("K", 5000.0), ("N", 10000.0)],
    )
    .unwrap();
    let n = Normal::new(0.0, 1.0).unwrap();
    let (k, big) = (5000.0f64, 10000.0f64);
    for t in [-0.02, 0.0, 0.003, 0.02] {
        let u = n.cdf(t);
        // log of the Beta(K, N − K + 1) density at u, times φ(t)
        let log_coef = statrs::function::gamma::ln_gamma(big + 1.0)
            - statrs::function::gamma::ln_gamma(k)
            - statrs::function::gamma::ln_gamma(big - k + 1.0);
        let p = (log_coef + (k - 1.0) * u.ln() + (big - k) * f64::ln_1p(-u) + n.ln_pdf(t)).exp();
        close(l.density.eval(t), p, 1e-9, &format!("order PDF at {t}"));
    }
    // beyond 10^5 copies the incomplete beta function loses digits: refused
    let e = law(
        "x ~ Normal(0, 1)\ny = order(x, K, N)",
        &[("K", 2.0), ("N", 1e9)],
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parameter);
    assert!(e
        .message
        .contains("beyond what pushforward evaluates accurately"));
}

#[test]
fn elu_after_an_affine_step_keeps_its_digits_near_the_kink() {
    // Y = elu(2·elu(2x + 1, 1) + 2, 1) is t for 0 < t < 2 exactly when
    // 2x + 1 = log(t/2): F(t) = Φ(z), f(t) = φ(z)/(2σt) with z = ((log(t/2) − 1)/2 − μ)/σ.
    // Written as 1 + (t − 2)/2, the inverse was 0 in f64 for t below 1e-16, and the
    // density 0/0 (NaN) there.
    let program = "x ~ Normal(mu, sigma)\ny = elu(2*elu(2*x + 1, 1) + 2, 1)";
    let (mu, sigma) = (-3.0, 0.8);
    let n = Normal::new(0.0, 1.0).unwrap();
    let l = law(program, &[("mu", mu), ("sigma", sigma)]).unwrap();
    for t in [1e-17, 1e-12, 1e-6, 0.5, 1.9] {
        let z = ((f64::ln(t / 2.0) - 1.0) / 2.0 - mu) / sigma;
        close(l.cdf.eval(t), n.cdf(z), 1e-9, &format!("CDF at {t}"));
        close(
            l.density.eval(t),
            n.pdf(z) / (2.0 * sigma * t),
            1e-9,
            &format!("PDF at {t}"),
        );
    }
}

#[test]
fn an_even_root_of_an_odd_root_at_the_support_edge() {
    // Y = softplus((2x + 1)⁶) ≤ t exactly when |2x + 1| ≤ r = log(eᵗ − 1)^(1/6), for t
    // above log 2: F(t) = Φ(((r − 1)/2 − μ)/σ) − Φ(((−r − 1)/2 − μ)/σ), and 0 below.
    // fl(log 2) lies below log 2, where log(eᵗ − 1) = −1.1e-16 and its cube root −5e-6:
    // the square root of that was NaN, and `eval` called it a bug in pushforward.
    let program = "x ~ Normal(mu, sigma)\ny = softplus((((2*x + 1))^2)^3)";
    let (mu, sigma) = (0.3, 0.8);
    let n = Normal::new(0.0, 1.0).unwrap();
    let l = law(program, &[("mu", mu), ("sigma", sigma)]).unwrap();
    let log2 = std::f64::consts::LN_2;
    let f = l.cdf.eval(log2);
    assert!(f.is_finite() && f.abs() < 1e-300, "CDF at fl(log 2): {f}");
    assert!(l.density.eval(log2).is_finite(), "PDF at fl(log 2)");
    // log(eᵗ − 1) = log(1 + 2(e^(t − log 2) − 1)), with t − log 2 exact: the f64 log 2
    // and the rest of it (2.3e-17); log(expm1(t)) lost 5e-5 of itself at log 2 + 1e-12
    let tail = 2.319_046_813_846_299_6e-17;
    for t in [log2 + 1e-12, 0.7, 2.0, 30.0] {
        let d = (t - log2) - tail;
        let r = f64::ln_1p(2.0 * f64::exp_m1(d)).powf(1.0 / 6.0);
        let reference =
            n.cdf(((r - 1.0) / 2.0 - mu) / sigma) - n.cdf(((-r - 1.0) / 2.0 - mu) / sigma);
        close(l.cdf.eval(t), reference, 1e-9, &format!("CDF at {t}"));
    }
}
