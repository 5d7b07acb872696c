//! Properties over generated well-formed programs (proptest, which shrinks a failure to
//! a smallest program): derivation never panics and returns within its limits; when it
//! derives, the law's density is the derivative of its CDF and the law has total mass
//! 1 (the `derivative` and `mass` checks of `pushforward check`, each with its own
//! stated tolerance); and a program that fails gets a diagnostic, never an internal
//! error.

use proptest::prelude::*;
use pushforward::check::{self, Options};
use pushforward::eval::Values;
use pushforward::{derive, ErrorKind, Limits};
use std::time::{Duration, Instant};

/// A map of `inner`, as the language writes it.
fn wrap(inner: String, k: u8, c: u8) -> String {
    let consts = ["0", "0.5", "-1", "2"];
    let c = consts[c as usize % consts.len()];
    match k % 20 {
        0 => format!("tanh({inner})"),
        1 => format!("sigmoid({inner})"),
        2 => format!("relu({inner})"),
        3 => format!("softplus({inner})"),
        4 => format!("abs({inner})"),
        5 => format!("softsign({inner})"),
        6 => format!("hardtanh({inner})"),
        7 => format!("leaky_relu({inner}, 0.1)"),
        8 => format!("maxpool({inner}, 3)"),
        9 => format!("minpool({inner}, 2)"),
        10 => format!("order({inner}, 2, 3)"),
        11 => format!("max({inner}, {c})"),
        12 => format!("min({inner}, {c})"),
        13 => format!("elu({inner}, 1)"),
        14 => format!("({inner})^2"),
        15 => format!("({inner})^3"),
        16 => format!("2*({inner}) + {c}"),
        17 => format!("-({inner})"),
        18 => format!("if x > {c} then {inner} else {c}"),
        _ => format!("clamp({inner}, -1, {c})"),
    }
}

fn program() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("x".to_string()),
        Just("(2*x + 1)".to_string()),
        Just("(x - mu)".to_string()),
    ];
    leaf.prop_recursive(3, 8, 1, |inner| {
        (inner, any::<u8>(), any::<u8>()).prop_map(|(e, k, c)| wrap(e, k, c))
    })
}

const LIMIT: Duration = Duration::from_secs(2);

fn seed() -> proptest::test_runner::RngSeed {
    let fixed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    proptest::test_runner::RngSeed::Fixed(fixed)
}

proptest! {
    // 48 programs in release, 16 in a debug build (as CI runs `cargo test`); set
    // PROPTEST_CASES for a longer run
    // a fixed seed, so that CI runs the same programs every time; PROPTEST_RNG_SEED
    // picks others
    #![proptest_config(ProptestConfig {
        cases: if cfg!(debug_assertions) { 16 } else { 48 },
        rng_seed: seed(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn derived_laws_are_densities_of_their_cdfs(body in program()) {
        holds(&body)?;
    }
}

/// The property for one program body: when it derives, the derivative and mass checks
/// pass; when it does not, the error is a diagnostic.
fn holds(body: &str) -> Result<(), TestCaseError> {
    let src = format!("x ~ Normal(mu, sigma)\ny = {body}");
    let model = match pushforward::model(&src) {
        Ok(m) => m,
        Err(e) => {
            // a shape the language refuses (copies inside an `if`): a diagnostic
            prop_assert_ne!(e.kind, ErrorKind::Internal, "{}: {:?}", src, e);
            prop_assert!(e.help.is_some(), "{}: no hint", src);
            return Ok(());
        }
    };
    let start = Instant::now();
    let result = derive(
        &model,
        Limits {
            time: LIMIT,
            ..Limits::default()
        },
    );
    // egg checks its time limit between iterations; explanation and rendering
    // come after: a few seconds past it at most
    prop_assert!(
        start.elapsed() < LIMIT + Duration::from_secs(5),
        "{src}: {:?}",
        start.elapsed()
    );
    let d = match result {
        Ok(d) => d,
        Err(e) => {
            prop_assert_ne!(e.kind, ErrorKind::Internal, "{}: {:?}", src, e);
            return Ok(());
        }
    };
    let mut values = Values::default();
    values.insert("mu", 0.3);
    values.insert("sigma", 0.8);
    // f64 cannot check a law that piles its mass within an ulp of a support end
    // (tanh of a large term: 11% of tanh(((2x + 1))^2) rounds to 1): its density
    // integrates to less than its CDF says is there. Such programs are skipped
    // (`pushforward check` reports them as failing the mass check).
    let law = pushforward::eval::Law::new(&d, &values).unwrap();
    for end in [&d.support.lo, &d.support.hi] {
        let Some(e) = &end.value else { continue };
        let e = pushforward::eval::Compiled::new(e, &values)
            .unwrap()
            .eval(0.0);
        let delta = 1e-9 * e.abs().max(1.0);
        let atom: f64 = law.atoms.iter().filter(|a| a.at == e).map(|a| a.mass).sum();
        // just inside an upper end, or just inside a lower one
        let below = law.cdf.eval(e) - law.cdf.eval(e - delta) - atom;
        let above = law.cdf.eval(e + delta) - law.cdf.eval(e);
        if below.max(above) > 1e-3 {
            return Ok(());
        }
    }
    // the same inside the support: 2x⁹ + 1/2 rounds 3% of its values to exactly 1/2,
    // a value f64 gives a mass the law does not have (the values the program itself
    // produces, repeated where the law has no atom)
    let mut xs = pushforward::check::sample::sample(&model.y, &values, 20_000, 5).unwrap();
    xs.sort_by(f64::total_cmp);
    let repeated = xs
        .windows(2)
        .filter(|w| w[0] == w[1] && !law.atoms.iter().any(|a| a.at == w[0]))
        .count();
    if repeated > 20 {
        return Ok(());
    }
    let options = Options {
        samples: 20_000,
        seed: 11,
        ..Options::default()
    };
    let report = check::run(&d, &values, &options).unwrap();
    for c in &report.checks {
        if c.name == "derivative" || c.name == "mass" {
            prop_assert!(
                c.passed,
                "{}: {} check: {} > {} ({})",
                src,
                c.name,
                c.value,
                c.tolerance,
                c.detail
            );
        }
    }
    Ok(())
}

/// Programs that other seeds found failing, each a fault since fixed: a cancellation
/// (1 + (t − 2)/2, 0/0 near t = 0), a bracket dropped by an unsound pair of rules
/// (the CDF was 2 above the support), φ(∞)/0 at a support's edge, log(1 − t) at
/// t = 1e-300, e^t/(e^t − 1) past t = 709 (∞/∞; the mass check's quadrature
/// dropped such values and reported a mass 3e-6 short), 0/NaN beyond the support
/// where a common denominator stood outside the pieces' brackets, a reflection
/// 1 − P(E < −√t) that was 1 for t < 0 (the CDF of |min(x, −1)|² was 1 there, with an
/// atom of mass −1), and one jump written two ways (softplus(0) and log(2)) counted
/// twice.
#[test]
fn programs_other_seeds_found() {
    for body in [
        "elu(2*elu(2*x + 1, 1) + 2, 1)",
        "(softsign(clamp(x, -1, 2)))^2",
        "(tanh(elu((2*x + 1), 1)))^2",
        "2*(softsign((2*x + 1))) + 2",
        "tanh(tanh(elu((2*x + 1), 1)))",
        "abs(elu((x)^3, 1))",
        "softplus((relu((2*x + 1)))^3)",
        "softplus(if x > 0 then ((2*x + 1))^3 else 0)",
        "tanh(softplus(leaky_relu(x, 0.1)))",
        "(abs(min(x, -1)))^2",
        "softplus(minpool(min((x - mu), 0), 2))",
        // session 5: the square root of a cube root a hair below 0 at t = fl(log 2)
        "softplus((((2*x + 1))^2)^3)",
    ] {
        holds(body).unwrap();
    }
}
