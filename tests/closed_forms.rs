//! New transforms against independent closed forms from statrs: x² is chi-squared with
//! one degree of freedom (scaled by σ²), |x| is half-normal, exp(x) log-normal, and the
//! K-th of N iid Normals has the Beta-distributed CDF value. 81 points each.

use pushforward::eval::{Law, Values};
use statrs::distribution::{Beta, ChiSquared, Continuous, ContinuousCDF, LogNormal, Normal};

fn law(program: &str, params: &[(&str, f64)]) -> Law {
    let d = pushforward::derive_source(&format!("x ~ Normal(mu, sigma)\n{program}")).unwrap();
    let mut v = Values::default();
    for (k, x) in params {
        v.insert(k, *x);
    }
    Law::new(&d, &v).unwrap()
}

#[track_caller]
fn close(ours: f64, reference: f64, what: &str) {
    // statrs' own special functions are good to about 1e-10 relative here
    assert!(
        (ours - reference).abs() <= 1e-9 * reference.abs().max(1e-3),
        "{what}: {ours} vs {reference}"
    );
}

fn grid(lo: f64, hi: f64) -> impl Iterator<Item = f64> {
    (0..81).map(move |i| lo + (hi - lo) * (i as f64 + 0.5) / 81.0)
}

#[test]
fn square_is_scaled_chi_squared() {
    for sigma in [0.5, 1.0, 2.0] {
        let l = law("y = x^2", &[("mu", 0.0), ("sigma", sigma)]);
        let chi = ChiSquared::new(1.0).unwrap();
        for t in grid(0.0, 9.0 * sigma * sigma) {
            let s2 = sigma * sigma;
            close(l.cdf.eval(t), chi.cdf(t / s2), &format!("cdf at {t}"));
            close(
                l.density.eval(t),
                chi.pdf(t / s2) / s2,
                &format!("pdf at {t}"),
            );
        }
        assert_eq!(l.cdf.eval(-1.0), 0.0);
        assert!(l.atoms.is_empty());
    }
}

#[test]
fn abs_is_half_normal() {
    for sigma in [0.3, 1.0, 3.0] {
        let l = law("y = abs(x)", &[("mu", 0.0), ("sigma", sigma)]);
        let n = Normal::new(0.0, sigma).unwrap();
        for t in grid(0.0, 5.0 * sigma) {
            close(l.cdf.eval(t), 2.0 * n.cdf(t) - 1.0, &format!("cdf at {t}"));
            close(l.density.eval(t), 2.0 * n.pdf(t), &format!("pdf at {t}"));
        }
    }
}

#[test]
fn exp_is_log_normal() {
    for (mu, sigma) in [(0.0, 1.0), (0.5, 0.3), (-1.0, 2.0)] {
        let l = law("y = exp(x)", &[("mu", mu), ("sigma", sigma)]);
        let ln = LogNormal::new(mu, sigma).unwrap();
        for t in grid(0.0, (mu + 3.0 * sigma).exp()) {
            close(l.cdf.eval(t), ln.cdf(t), &format!("cdf at {t}"));
            close(l.density.eval(t), ln.pdf(t), &format!("pdf at {t}"));
        }
    }
}

#[test]
fn order_statistic_is_beta_of_the_cdf() {
    // F_Y(t) = P(U_(k) <= F(t)) with U_(k) ~ Beta(k, n - k + 1)
    for (k, n) in [(1.0, 3.0), (2.0, 5.0), (4.0, 4.0)] {
        let l = law(
            "y = order(x, K, N)",
            &[("mu", 0.0), ("sigma", 1.0), ("K", k), ("N", n)],
        );
        let b = Beta::new(k, n - k + 1.0).unwrap();
        let x = Normal::new(0.0, 1.0).unwrap();
        for t in grid(-3.0, 3.0) {
            close(l.cdf.eval(t), b.cdf(x.cdf(t)), &format!("cdf at {t}"));
            close(
                l.density.eval(t),
                b.pdf(x.cdf(t)) * x.pdf(t),
                &format!("pdf at {t}"),
            );
        }
    }
}

#[test]
fn conv_with_a_weight_vector_is_normal_with_its_sum_and_norm() {
    let d = pushforward::derive_source("x ~ Normal(mu, sigma)\ny = conv(x, w)").unwrap();
    for w in [vec![1.0, 2.0, 1.0], vec![0.5, -0.25], vec![3.0; 9]] {
        let mut v = Values::default();
        v.insert("mu", 0.4);
        v.insert("sigma", 1.5);
        v.insert_vector("w", w.clone());
        let l = Law::new(&d, &v).unwrap();
        let (sum, norm) = (
            w.iter().sum::<f64>(),
            w.iter().map(|x| x * x).sum::<f64>().sqrt(),
        );
        let n = Normal::new(0.4 * sum, 1.5 * norm).unwrap();
        for t in grid(0.4 * sum - 4.0 * 1.5 * norm, 0.4 * sum + 4.0 * 1.5 * norm) {
            close(l.cdf.eval(t), n.cdf(t), &format!("cdf at {t}"));
            close(l.density.eval(t), n.pdf(t), &format!("pdf at {t}"));
        }
    }
}

#[test]
fn if_then_else_matches_the_maps_it_spells_out() {
    // references: the laws of leaky_relu(x, 0.1) and of hardtanh(x), by statrs' Normal
    let x = Normal::new(0.3, 0.8).unwrap();
    let leaky = law(
        "y = if x >= 0 then x else 0.1*x",
        &[("mu", 0.3), ("sigma", 0.8)],
    );
    let hard = law(
        "y = if x < -1 then -1 else if x < 1 then x else 1",
        &[("mu", 0.3), ("sigma", 0.8)],
    );
    for t in grid(-2.0, 2.0) {
        let (f, p) = if t >= 0.0 {
            (x.cdf(t), x.pdf(t))
        } else {
            (x.cdf(t / 0.1), x.pdf(t / 0.1) / 0.1)
        };
        close(leaky.cdf.eval(t), f, &format!("leaky cdf at {t}"));
        close(leaky.density.eval(t), p, &format!("leaky pdf at {t}"));
        let (f, p) = if t >= 1.0 {
            (1.0, 0.0)
        } else if t >= -1.0 {
            (x.cdf(t), x.pdf(t))
        } else {
            (0.0, 0.0)
        };
        close(hard.cdf.eval(t), f, &format!("hardtanh cdf at {t}"));
        close(hard.density.eval(t), p, &format!("hardtanh pdf at {t}"));
    }
    // an affine condition: 1 − x >= 0 is x <= 1, so this is min(x, 1)
    let min = law(
        "y = if 1 - x >= 0 then x else 1",
        &[("mu", 0.3), ("sigma", 0.8)],
    );
    for t in grid(-2.0, 2.0) {
        let f = if t >= 1.0 { 1.0 } else { x.cdf(t) };
        close(min.cdf.eval(t), f, &format!("min cdf at {t}"));
    }
    assert_eq!(min.atoms.len(), 1);
    close(min.atoms[0].mass, 1.0 - x.cdf(1.0), "min atom");
    assert_eq!(hard.atoms.len(), 2);
    for a in &hard.atoms {
        let mass = if a.at < 0.0 {
            x.cdf(-1.0)
        } else {
            1.0 - x.cdf(1.0)
        };
        close(a.mass, mass, "hardtanh atom");
    }
}

#[test]
fn square_of_a_bounded_map_of_a_clipped_normal() {
    // Y = tanh(min(x, 2))²: for 0 ≤ t < 1, with a = artanh(√t), Y ≤ t exactly when
    // −a ≤ min(x, 2) ≤ a, which is x ≥ −a once a ≥ 2 (the clip is below a) and
    // −a ≤ x ≤ a before; Y = tanh(2)² carries P(x ≥ 2). Found by the property test:
    // the bracket [t < 1] was dropped and the CDF was 2 for t ≥ 1.
    let (mu, sigma) = (0.3, 0.8);
    let n = Normal::new(mu, sigma).unwrap();
    let l = law("y = tanh(min(x, 2))^2", &[("mu", mu), ("sigma", sigma)]);
    let top = 2f64.tanh().powi(2);
    for t in grid(-0.5, 1.5) {
        let reference = if t < 0.0 {
            0.0
        } else if t >= 1.0 {
            1.0
        } else {
            let a = t.sqrt().atanh();
            if t >= top {
                1.0 - n.cdf(-a)
            } else {
                n.cdf(a) - n.cdf(-a)
            }
        };
        close(l.cdf.eval(t), reference, &format!("cdf at {t}"));
    }
    assert_eq!(l.atoms.len(), 1, "{:?}", l.atoms);
    close(l.atoms[0].at, top, "atom");
    close(l.atoms[0].mass, 1.0 - n.cdf(2.0), "atom's mass");
}

#[test]
fn support_of_an_even_power_of_a_term_of_one_sign() {
    // min(x, −1) ≤ −1, so |min(x, −1)|² ≥ 1, reached (x ≤ −1 has positive mass):
    // the support is [1, ∞), not the [0, ∞) of an even power of any term
    let d = pushforward::derive_source("x ~ Normal(mu, sigma)\ny = (abs(min(x, -1)))^2").unwrap();
    let lo = d.support.lo.value.as_ref().expect("a lower end");
    let lo = pushforward::eval::Compiled::new(lo, &Values::default())
        .unwrap()
        .eval(0.0);
    assert_eq!(lo, 1.0);
    assert!(d.support.lo.closed);
    assert!(d.support.hi.value.is_none());
}

#[test]
fn logsigmoid_is_the_normal_at_its_inverse() {
    // logsigmoid(x) <= t < 0 exactly when x <= -log(e^(-t) - 1); the density is the
    // Normal's there times the inverse's derivative 1/(1 - e^t)
    for (mu, sigma) in [(0.0, 1.0), (0.7, 0.5), (-2.0, 3.0)] {
        let l = law("y = logsigmoid(x)", &[("mu", mu), ("sigma", sigma)]);
        let n = Normal::new(mu, sigma).unwrap();
        for t in grid(-8.0, -1e-3) {
            let x = -(-t).exp_m1().ln();
            close(l.cdf.eval(t), n.cdf(x), &format!("cdf at {t}"));
            close(
                l.density.eval(t),
                n.pdf(x) / -t.exp_m1(),
                &format!("pdf at {t}"),
            );
        }
        assert_eq!(l.cdf.eval(0.0), 1.0);
        assert_eq!(l.density.eval(0.5), 0.0);
        assert!(l.atoms.is_empty());
    }
}

#[test]
fn selu_is_the_normal_at_each_pieces_inverse() {
    // PyTorch's constants; selu(x) = λx above 0 and λα(e^x - 1) below, so
    // selu(x) <= t exactly when x <= t/λ (t >= 0) or x <= log(1 + t/(λα)) (-λα < t < 0)
    let (lambda, alpha) = (1.0507009873554805_f64, 1.6732632423543772_f64);
    let la = lambda * alpha;
    for (mu, sigma) in [(0.0, 1.0), (0.4, 0.6), (-1.5, 2.0)] {
        let l = law("y = selu(x)", &[("mu", mu), ("sigma", sigma)]);
        let n = Normal::new(mu, sigma).unwrap();
        for t in grid(-la + 1e-3, 4.0) {
            let (x, dx) = if t >= 0.0 {
                (t / lambda, 1.0 / lambda)
            } else {
                ((t / la).ln_1p(), 1.0 / (la + t))
            };
            close(l.cdf.eval(t), n.cdf(x), &format!("cdf at {t}"));
            close(l.density.eval(t), n.pdf(x) * dx, &format!("pdf at {t}"));
        }
        assert_eq!(l.cdf.eval(-la - 1e-9), 0.0);
        assert!(l.atoms.is_empty());
    }
}

/// E[Y] from a law's CDF: ∫₀^hi (1 − F) − ∫_m^0 F for a law whose support starts at
/// m, by Simpson's rule on 100 000 panels; below 0 in u with t = m + u², since F rises
/// like √(t − m) from a turn's value (Simpson's error stays far below the 1e-9 asked).
fn mean_from_cdf(l: &Law, m: f64, hi: f64) -> f64 {
    let simpson = |f: &dyn Fn(f64, f64) -> f64, a: f64, b: f64, at: &dyn Fn(f64) -> f64| {
        let n = 100_000;
        let h = (b - a) / n as f64;
        let us: Vec<f64> = (0..=n).map(|i| a + h * i as f64).collect();
        let ts: Vec<f64> = us.iter().map(|&u| at(u)).collect();
        let mut fs = vec![0.0; ts.len()];
        l.cdf.eval_batch(&ts, &mut fs);
        let w = |i: usize| {
            if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            }
        };
        (0..=n).map(|i| w(i) * f(fs[i], us[i])).sum::<f64>() * h / 3.0
    };
    // and near 0 in w with t = −w⁸: for σ > 1 the density has an integrable singularity
    // at 0⁻ (the left preimage runs off to −∞ while the input's tail is heavier than φ)
    let above = simpson(&|f, _| 1.0 - f, 0.0, hi, &|t| t);
    let half = m / 2.0;
    let below = simpson(&|f, u| 2.0 * u * f, 0.0, (half - m).sqrt(), &|u| m + u * u)
        + simpson(
            &|f, w| 8.0 * w.powi(7) * f,
            0.0,
            (-half).powf(0.125),
            &|w| -w.powi(8),
        );
    above - below
}

#[test]
fn gelu_mean_is_the_closed_form() {
    // E[X·Φ(X)] for X ~ N(μ, σ²) is μΦ(μ/s) + σ²φ(μ/s)/s with s = √(1 + σ²) (Stein's
    // lemma: E[X g(X)] = μE[g] + σ²E[g′] with g = Φ, and E[Φ(X)] = Φ(μ/s))
    let n = Normal::new(0.0, 1.0).unwrap();
    for (mu, sigma) in [(0.3, 0.8), (-1.0, 2.0), (0.5, 1.0)] {
        let l = law("y = gelu(x)", &[("mu", mu), ("sigma", sigma)]);
        let s = (1.0f64 + sigma * sigma).sqrt();
        let reference = mu * n.cdf(mu / s) + sigma * sigma * n.pdf(mu / s) / s;
        // GELU's minimum, −0.16997120747990363 at x* = −0.7517915246935645 (SciPy's brentq)
        let ours = mean_from_cdf(&l, -0.16997120747990363, mu + 40.0 * sigma);
        close(
            ours,
            reference,
            &format!("E[gelu(X)] for mu = {mu}, sigma = {sigma}"),
        );
    }
}
