//! Programs of several independent inputs: what they mean (a name is one variable, a
//! copy draws its own inputs, a mask mixes its outcomes), checked against closed forms
//! written here by hand and against the forward sampler; and the errors of what has no
//! law yet, each at its place in the source.

use pushforward::check::{self, sample};
use pushforward::eval::{Law, Values};
use pushforward::ErrorKind;

/// Φ by libm's erfc, accurate to a few ulps in the tails (statrs' is 1e-10 relative).
fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

fn density(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn law(source: &str) -> Law {
    let d = pushforward::derive_source(source).unwrap();
    Law::new(&d, &Values::default()).unwrap()
}

fn at(l: &Law, t: f64) -> (f64, f64) {
    (l.cdf.eval(t), l.density.eval(t))
}

/// ∫ f over [cuts₀, cuts_last], f smooth between the cuts: Gauss–Legendre with 8 points
/// (nodes and weights from Abramowitz & Stegun, table 25.4) on panels of width at
/// most 1/64.
fn integrate(f: &dyn Fn(f64) -> f64, cuts: &[f64]) -> f64 {
    let nodes = [
        (0.183_434_642_495_649_8, 0.362_683_783_378_362),
        (0.525_532_409_916_329, 0.313_706_645_877_887_3),
        (0.796_666_477_413_626_7, 0.222_381_034_453_374_5),
        (0.960_289_856_497_536_3, 0.101_228_536_290_376_26),
    ];
    let mut total = 0.0;
    for w in cuts.windows(2) {
        let panels = ((w[1] - w[0]) * 64.0).ceil().max(1.0) as usize;
        let h = (w[1] - w[0]) / panels as f64;
        for k in 0..panels {
            let (lo, hi) = (w[0] + k as f64 * h, w[0] + (k + 1) as f64 * h);
            let (m, r) = ((lo + hi) / 2.0, (hi - lo) / 2.0);
            for &(x, wt) in &nodes {
                total += wt * r * (f(m - r * x) + f(m + r * x));
            }
        }
    }
    total
}

/// Dropout of a Normal, m·x/p: the mixture (1 − p)·[t ≥ 0] + p·Φ((pt − μ)/σ), exact
/// (no numeric part), with the atom 1 − p at 0.
#[test]
fn a_mask_is_the_mixture_of_its_outcomes_in_closed_form() {
    let (mu, sigma, p) = (0.3, 0.8, 0.8);
    let l = law("x ~ Normal(0.3, 0.8)\nm ~ Bernoulli(4/5)\ny = m * x / (4/5)");
    assert_eq!(l.error_bound(), 0.0);
    assert_eq!(l.atoms.len(), 1);
    assert_eq!(l.atoms[0].at, 0.0);
    assert!((l.atoms[0].mass - (1.0 - p)).abs() < 1e-15);
    for t in [-3.0, -0.5, -1e-3, 1e-3, 0.4, 1.0, 2.5] {
        let (cdf, pdf) = at(&l, t);
        let step = if t >= 0.0 { 1.0 - p } else { 0.0 };
        let expected = step + p * phi((p * t - mu) / sigma);
        assert!(
            (cdf - expected).abs() < 1e-15,
            "cdf at {t}: {cdf} vs {expected}"
        );
        let expected = p * p * density((p * t - mu) / sigma) / sigma;
        assert!(
            (pdf - expected).abs() < 1e-15 * expected.max(1.0),
            "pdf at {t}"
        );
    }
}

/// Two masks: y = m1·x + m2·z has four outcomes, 0, x, z and x + z, the last a Normal
/// N(0, 2) here; with P(m1) = 1/2, P(m2) = 1/4 the atom at 0 is (1/2)(3/4).
#[test]
fn two_masks_mix_four_outcomes() {
    let l = law(
        "x ~ Normal(0, 1)\nz ~ Normal(0, 1)\nm1 ~ Bernoulli(1/2)\nm2 ~ Bernoulli(1/4)\ny = m1*x + m2*z",
    );
    assert_eq!(l.atoms.len(), 1);
    assert!((l.atoms[0].mass - 0.375).abs() < 1e-15);
    for t in [-2.0, -0.3, 0.5, 1.7] {
        let step = if t >= 0.0 { 0.375 } else { 0.0 };
        // x alone (1/2 · 3/4), z alone (1/2 · 1/4), both (1/2 · 1/4): N(0, 2)
        let expected = step + 0.375 * phi(t) + 0.125 * phi(t) + 0.125 * phi(t / 2f64.sqrt());
        let (cdf, _) = at(&l, t);
        assert!(
            (cdf - expected).abs() <= 1e-13 + l.error_bound(),
            "cdf at {t}: {cdf} vs {expected}"
        );
    }
}

/// A name is one variable: with h = x + u, h − h is 0 and h + h is 2h; x + u − u is x.
/// A sum of terms that share an input is derived as one term.
#[test]
fn a_name_is_one_variable() {
    let l = law("x ~ Normal(0, 1)\nu ~ Uniform(-1, 1)\ny = x + u - u");
    for t in [-1.0, 0.2, 2.0] {
        assert!((l.cdf.eval(t) - phi(t)).abs() < 1e-15, "x + u − u at {t}");
    }
    // 2(x1 + x2) against the sum x1 + x2 at t/2
    let twice = law("x1 ~ Normal(0, 1)\nx2 ~ Normal(0, 1)\nh = relu(x1) + tanh(x2)\ny = h + h");
    let once = law("x1 ~ Normal(0, 1)\nx2 ~ Normal(0, 1)\ny = relu(x1) + tanh(x2)");
    for t in [-0.5, 0.7, 2.0, 4.0] {
        let (a, b) = (twice.cdf.eval(t), once.cdf.eval(t / 2.0));
        assert!(
            (a - b).abs() <= twice.error_bound() + once.error_bound() + 1e-15,
            "h + h at {t}: {a} vs {b}"
        );
    }
}

/// x + u for u ~ Uniform(−h, h): F(t) = (σ/2h)(Ψ((t + h − μ)/σ) − Ψ((t − h − μ)/σ)),
/// Ψ(z) = zΦ(z) + φ(z) the antiderivative of Φ; the numeric law within its bound.
#[test]
fn normal_plus_uniform_noise_matches_its_closed_form() {
    let (mu, sigma, h) = (0.3, 0.8, 0.125);
    let l = law("x ~ Normal(0.3, 0.8)\nu ~ Uniform(-1/8, 1/8)\ny = x + u");
    let big_psi = |z: f64| z * phi(z) + density(z);
    let bound = l.error_bound();
    assert!(bound > 0.0 && bound < 1e-12, "bound {bound:e}");
    for t in [-2.0, -0.5, 0.0, 0.3, 0.9, 2.5] {
        let expected =
            sigma / (2.0 * h) * (big_psi((t + h - mu) / sigma) - big_psi((t - h - mu) / sigma));
        let (cdf, pdf) = at(&l, t);
        assert!(
            (cdf - expected).abs() <= bound + 1e-15,
            "cdf at {t}: {cdf} vs {expected}"
        );
        let f = (phi((t + h - mu) / sigma) - phi((t - h - mu) / sigma)) / (2.0 * h);
        assert!((pdf - f).abs() <= 1e-12 * f, "pdf at {t}: {pdf} vs {f}");
    }
}

/// A linear combination of independent Normal inputs is Normal, in closed form (no
/// numeric part): x1 + 2·x2 − 3 with x1 ~ N(0.3, 0.8²), x2 ~ N(−1, 1.5²) is
/// N(0.3 − 2 − 3, 0.8² + 4·1.5²); an input used twice adds its coefficients
/// (x1 + x2 + x1 is 2·x1 + x2); and a map of such a sum is a map of that Normal: the
/// atom of relu(2·x1 − x2 + 1) at 0 is Φ(−(1 + 2·0.3 + 1)/√(4·0.8² + 1.5²)).
#[test]
fn a_sum_of_independent_normals_is_normal_in_closed_form() {
    let inputs = "x1 ~ Normal(0.3, 0.8)\nx2 ~ Normal(-1, 1.5)\n";
    for (y, mean, variance) in [
        ("x1 + 2*x2 - 3", 0.3 - 2.0 - 3.0, 0.64 + 4.0 * 2.25),
        ("x1 + x2 + x1", 0.6 - 1.0, 4.0 * 0.64 + 2.25),
        ("(x1 - x2)/2", (0.3 + 1.0) / 2.0, (0.64 + 2.25) / 4.0),
    ] {
        let l = law(&format!("{inputs}y = {y}"));
        assert_eq!(l.error_bound(), 0.0, "{y}: a numeric part");
        assert!(l.atoms.is_empty());
        let sd = f64::sqrt(variance);
        for t in [-8.0, -4.7, -1.0, 0.0, 0.4, 3.0, 9.0] {
            let z = (t - mean) / sd;
            let (cdf, pdf) = at(&l, t);
            let (want, dens) = (phi(z), density(z) / sd);
            assert!(
                (cdf - want).abs() <= 4e-16 + 1e-14 * want,
                "{y}: cdf at {t}: {cdf} vs {want}"
            );
            assert!(
                (pdf - dens).abs() <= 1e-14 * dens,
                "{y}: pdf at {t}: {pdf} vs {dens}"
            );
        }
    }
    // not linear combinations of Normal inputs: left to the other paths (x1·x1 is a
    // map of x1, convolved with x2; relu(x1)·x2 is refused), and coefficients that
    // cancel leave a point or the other input
    // x1·x1 has a density unbounded at 0, which the numeric sum refuses (a clear
    // error, not a value with a bound of 1e143)
    let d = pushforward::derive_source(&format!("{inputs}y = x1*x1 + x2")).unwrap();
    let refused = Law::new(&d, &Values::default());
    assert!(matches!(refused, Err(e) if e.kind == ErrorKind::Limit));
    let d = pushforward::derive_source(&format!("{inputs}y = relu(x1)*x2 + x1"));
    assert!(matches!(d, Err(e) if e.kind == ErrorKind::Unsupported));
    let l = law(&format!("{inputs}y = x1 + x2 - x1 - x2"));
    assert_eq!(l.atoms.len(), 1);
    assert_eq!((l.atoms[0].at, l.atoms[0].mass), (0.0, 1.0));
    let l = law(&format!("{inputs}y = 2*x1 - x2 + x2"));
    assert_eq!(l.error_bound(), 0.0);
    let (cdf, _) = at(&l, 1.0);
    let want = phi((1.0 - 0.6) / 1.6);
    assert!((cdf - want).abs() <= 1e-15, "2x1: {cdf} vs {want}");
    let l = law(&format!("{inputs}y = relu(2*x1 - x2 + 1)"));
    assert_eq!(l.error_bound(), 0.0);
    let (mean, sd) = (2.0 * 0.3 + 1.0 + 1.0, f64::sqrt(4.0 * 0.64 + 2.25));
    assert_eq!(l.atoms.len(), 1);
    let want = phi(-mean / sd);
    assert!(
        (l.atoms[0].mass - want).abs() <= 1e-15,
        "{} vs {want}",
        l.atoms[0].mass
    );
    for t in [0.5, 2.0, 6.0] {
        let (cdf, _) = at(&l, t);
        let want = phi((t - mean) / sd);
        assert!((cdf - want).abs() <= 1e-15, "cdf at {t}: {cdf} vs {want}");
    }
}

/// conv(leaky_relu(x, 0.1), [1/2, 1/2]), x ~ N(0, 1), whose density jumps at 0 (10φ(0)
/// just below, φ(0) at and above), against a quadrature written here: F(t) = ∫ φ(x)
/// G(2t − L(x)) dx with L the leaky map and G its CDF (Φ(c) for c ≥ 0, Φ(10c) below),
/// and f(t) = ∫ φ(x)·2g(2t − L(x)) dx, by 8-point Gauss–Legendre on panels of 1/64 over
/// [−12, 12] split at the kinks x = 0 and L(x) = 2t. The CDF within its bound and
/// 1e-13; the density within 1e-10 relative.
#[test]
fn conv_of_leaky_relu_matches_a_quadrature() {
    let l = law("x ~ Normal(0, 1)\ny = conv(leaky_relu(x, 0.1), [0.5, 0.5])");
    let a = 0.1;
    let leaky = |x: f64| if x >= 0.0 { x } else { a * x };
    let cdf_l = |c: f64| if c >= 0.0 { phi(c) } else { phi(c / a) };
    let pdf_l = |c: f64| {
        if c >= 0.0 {
            density(c)
        } else {
            density(c / a) / a
        }
    };
    let bound = l.error_bound();
    assert!(bound > 0.0 && bound < 1e-12, "bound {bound:e}");
    for t in [-0.3, -0.05, 0.0, 0.02, 0.5, 1.3, 3.0] {
        let s = 2.0 * t;
        // L(x) = s at x = s (s ≥ 0) or x = s/a (s < 0)
        let kink = if s >= 0.0 { s } else { s / a };
        let mut cuts = vec![-12.0, 0.0, kink, 12.0];
        cuts.sort_by(f64::total_cmp);
        cuts.dedup();
        let want = integrate(&|x| density(x) * cdf_l(s - leaky(x)), &cuts);
        let dens = integrate(&|x| density(x) * 2.0 * pdf_l(s - leaky(x)), &cuts);
        let (cdf, pdf) = at(&l, t);
        assert!(
            (cdf - want).abs() <= bound + 1e-13,
            "cdf at {t}: {cdf} vs {want}"
        );
        assert!(
            (pdf - dens).abs() <= 1e-10 * dens,
            "pdf at {t}: {pdf} vs {dens}"
        );
    }
}

/// relu(x1) + tanh(x2) with x1 ~ N(−1, 2²), x2 ~ N(0, 1), whose tanh law's fits near ±1
/// jump where they meet by more than the sum's tolerance (t's own rounding limits them
/// there): against the quadrature over x2, F(t) = ∫ φ(z) G(t − tanh z) dz with
/// G(s) = [s ≥ 0] Φ((s − μ)/σ), and f(t) = ∫ φ(z) g(t − tanh z) dz + Φ(−μ/σ) f_T(t)
/// with f_T(u) = φ(artanh u)/(1 − u²); each cut where t − tanh z = 0.
#[test]
fn relu_plus_tanh_of_two_inputs_matches_a_quadrature() {
    let (mu, sigma) = (-1.0, 2.0);
    let l = law("x1 ~ Normal(-1, 2)\nx2 ~ Normal(0, 1)\ny = relu(x1) + tanh(x2)");
    let big_g = |s: f64| if s >= 0.0 { phi((s - mu) / sigma) } else { 0.0 };
    let g = |s: f64| {
        if s > 0.0 {
            density((s - mu) / sigma) / sigma
        } else {
            0.0
        }
    };
    let bound = l.error_bound();
    assert!(bound > 0.0 && bound < 1e-12, "bound {bound:e}");
    for t in [-0.999_999, -0.99, -0.5, 0.0, 0.3, 0.999, 1.5, 4.0, 9.0] {
        let mut cuts = vec![-12.0, 12.0];
        if f64::abs(t) < 1.0 {
            cuts.insert(1, f64::atanh(t));
        }
        let want = integrate(&|z| density(z) * big_g(t - z.tanh()), &cuts);
        let atom = if f64::abs(t) < 1.0 {
            phi(-mu / sigma) * density(t.atanh()) / (1.0 - t * t)
        } else {
            0.0
        };
        let dens = integrate(&|z| density(z) * g(t - z.tanh()), &cuts) + atom;
        let (cdf, pdf) = at(&l, t);
        assert!(
            (cdf - want).abs() <= bound + 1e-13,
            "cdf at {t}: {cdf} vs {want}"
        );
        assert!(
            (pdf - dens).abs() <= 1e-10 * dens,
            "pdf at {t}: {pdf} vs {dens}"
        );
    }
}

/// A narrow law far from 0: conv(relu(x), [1/2, 1/2]) with x ~ N(5.1, 0.001²) has no
/// atom (Φ(−5100) is 0 in f64) and is N(5.1, 0.001²/2) but for a truncation below
/// e^(−10⁷): its bulk, 0.0014 wide in an extent from 0, must not fall between a fit's
/// points (it once did, and the law came out as 0 with an error bound of 1).
#[test]
fn a_narrow_sum_far_from_zero_is_its_normal() {
    let l = law("x ~ Normal(5.1, 0.001)\ny = conv(relu(x), [1/2, 1/2])");
    let s = 0.001 / 2f64.sqrt();
    let bound = l.error_bound();
    // (the bound adds each fit's error times its width, and the fits on the empty
    // part of the extent are held to 1e-15 of the peak, 564: about 1e-11 in all)
    assert!(bound > 0.0 && bound < 1e-10, "bound {bound:e}");
    for k in -8..=8 {
        let t = 5.1 + f64::from(k) * 0.5 * s;
        let (cdf, pdf) = at(&l, t);
        let (want, dens) = (phi((t - 5.1) / s), density((t - 5.1) / s) / s);
        assert!(
            (cdf - want).abs() <= bound + 1e-15 && (cdf - want).abs() <= 1e-13,
            "cdf at {t}: {cdf} vs {want}"
        );
        if dens > 1e-6 {
            assert!(
                (pdf - dens).abs() <= 1e-10 * dens,
                "pdf at {t}: {pdf} vs {dens}"
            );
        }
    }
}

/// Each copy of a conv draws its own mask: conv(m·x, [1, 1]) with m ~ Bernoulli(1/2)
/// is 0 with probability 1/4 (both dropped), not 1/2 as one shared mask would give;
/// the sampler agrees.
#[test]
fn each_copy_draws_its_own_mask() {
    let src = "x ~ Normal(0, 1)\nm ~ Bernoulli(1/2)\ny = conv(m*x, [1, 1])";
    let d = pushforward::derive_source(src).unwrap();
    let l = Law::new(&d, &Values::default()).unwrap();
    assert_eq!(l.atoms.len(), 1);
    assert!((l.atoms[0].mass - 0.25).abs() < 1e-15);
    let n = 200_000;
    let s = sample::sample(&d.model.y, &Values::default(), n, 3).unwrap();
    let zeros = s.iter().filter(|v| **v == 0.0).count() as f64 / n as f64;
    // Hoeffding: |frequency − 1/4| < sqrt(ln(2/1e-6)/(2n)) with probability 1 − 1e-6
    let eps = ((2.0f64 / 1e-6).ln() / (2.0 * n as f64)).sqrt();
    assert!((zeros - 0.25).abs() < eps, "frequency of 0: {zeros}");
    // and inside the copies, x is drawn afresh: Var(conv) = 2·(1/2) = 1
    let mean = s.iter().sum::<f64>() / n as f64;
    let var = s.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    assert!((var - 1.0).abs() < 0.03, "variance {var}");
}

/// Every program here passes the seven checks, the forward sample drawing every input.
#[test]
fn several_input_programs_pass_every_check() {
    for src in [
        "x ~ Normal(0.3, 0.8)\nm ~ Bernoulli(0.9)\ny = tanh(m * x / 0.9)",
        "x1 ~ Normal(0, 1)\nx2 ~ Normal(0.5, 0.5)\ny = maxpool(relu(x1) - x2, 2)",
        "x ~ Normal(0, 1)\nu ~ Uniform(0, 1)\ny = relu(x + 2*u - 1)",
        "x1 ~ Normal(0, 1)\nx2 ~ Normal(0, 1)\ny = sigmoid(x1) + sigmoid(x2) + 1",
    ] {
        let d = pushforward::derive_source(src).unwrap();
        let options = check::Options {
            samples: 200_000,
            seed: 11,
            ..Default::default()
        };
        let report = check::run(&d, &Values::default(), &options).unwrap();
        assert!(report.passed(), "{src}:\n{}", report.to_text());
    }
}

/// What has no law yet is an error at its place, with what to write instead.
#[test]
fn combinations_without_a_law_are_errors_at_their_place() {
    for (src, needle, place) in [
        (
            "x ~ Normal(0, 1)\nz ~ Normal(0, 1)\ny = tanh(x * z)",
            "combines independent inputs",
            "x * z",
        ),
        (
            "x ~ Normal(0, 1)\nm ~ Bernoulli(1/2)\ny = m*x + conv(m*x, [1, 1])",
            "both inside a pool or conv",
            "",
        ),
        (
            "x ~ Normal(0, 1)\nz ~ Normal(0, 1)\ny = if x > 0 then z else x",
            "`if` in a program with several random inputs",
            "",
        ),
        (
            "x ~ Cauchy(0, 1)\ny = x",
            "not a law an input can have",
            "Cauchy",
        ),
        ("m ~ Bernoulli(2)\ny = m", "between 0 and 1", "2"),
    ] {
        let e = pushforward::derive_source(src).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::Unsupported | ErrorKind::Parameter),
            "{src}: {e:?}"
        );
        assert!(e.message.contains(needle), "{src}: {}", e.message);
        if !place.is_empty() {
            let span = e.span.expect("a place");
            assert_eq!(&src[span.start..span.end], place, "{src}");
        }
    }
    // eleven masks outside copies: 2^11 outcomes, over the limit
    let mut src = String::from("x ~ Normal(0, 1)\n");
    let mut y = String::from("y = x");
    for i in 0..11 {
        src += &format!("m{i} ~ Bernoulli(1/2)\n");
        y += &format!(" + m{i}*x");
    }
    let e = pushforward::derive_source(&(src + &y)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit, "{e:?}");
}
