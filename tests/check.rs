//! The check suite (`pushforward check`) over every example program passes, and it
//! catches deliberately wrong laws: a CDF derived with a sign flipped, and the paper's
//! ReLU density without its atom.

mod common;

use pushforward::check::{self, Options};
use pushforward::eval::Values;
use pushforward::Expr;
use std::path::PathBuf;

fn examples() -> Vec<PathBuf> {
    let mut files = common::paper_programs();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/compositions");
    let mut more: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    more.sort();
    files.extend(more);
    files
}

/// Values for every parameter name the examples use.
fn values(d: &pushforward::Derivation) -> Values {
    let all = [
        ("mu", 0.3),
        ("sigma", 0.8),
        ("alpha", 0.2),
        ("N", 3.0),
        ("K", 2.0),
        ("w1", 1.0),
        ("w2", -0.5),
        ("w3", 2.0),
        ("c", 0.4),
        ("p", 0.3),
        ("lo", -0.5),
        ("hi", 1.5),
        ("a", 1.5),
        ("b", -0.5),
    ];
    let mut v = Values::default();
    for (k, x) in all {
        if d.model.params.contains_key(k) {
            v.insert(k, x);
        }
    }
    if d.model.vector_params.contains("w") {
        v.insert_vector("w", vec![0.5, -1.0, 2.0]);
    }
    v
}

fn options() -> Options {
    Options {
        samples: 200_000,
        seed: 7,
        ..Default::default()
    }
}

#[test]
fn every_example_passes_every_check() {
    let mut too_deep = Vec::new();
    for path in examples() {
        let src = std::fs::read_to_string(&path).unwrap();
        let d = pushforward::derive_source(&src).unwrap();
        // a network whose one output value takes more Normal draws than a check's
        // budget allows at this sample size cannot be sampled forward: named below, and
        // tested instead against closed forms (tests/layers.rs)
        let draws = check::sample::draws_per_value(&d.model.y, &values(&d)).unwrap();
        if draws.saturating_mul(options().samples as u64) > 200_000_000 {
            too_deep.push(path.file_name().unwrap().to_string_lossy().into_owned());
            continue;
        }
        let report = check::run(&d, &values(&d), &options()).unwrap();
        assert!(report.passed(), "{}:\n{}", path.display(), report.to_text());
        assert_eq!(report.checks.len(), 7);
    }
    assert_eq!(too_deep, ["section3.pf"]);
}

fn failed(report: &check::Report) -> Vec<&str> {
    report
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect()
}

#[test]
fn a_flipped_sign_is_caught() {
    // tanh's CDF with the mean's sign flipped, in the formula and its last step, as a
    // rule `cdf-normal` with `+` for `-` would derive it
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/paper/tanh.pf"
    ))
    .unwrap();
    let mut d = pushforward::derive_source(&src).unwrap();
    let flip = |e: &Expr| -> Expr {
        e.to_string()
            .replace("(- (atanh t) mu)", "(+ (atanh t) mu)")
            .parse()
            .unwrap()
    };
    let wrong = flip(&d.cdf);
    assert_ne!(
        wrong.to_string(),
        d.cdf.to_string(),
        "the mutation must change the CDF"
    );
    d.cdf = wrong;
    if let Some(last) = d.cdf_steps.last_mut() {
        last.term = flip(&last.term);
    }
    let report = check::run(&d, &values(&d), &options()).unwrap();
    let failed = failed(&report);
    for name in ["derivative", "sampling", "derivation"] {
        assert!(
            failed.contains(&name),
            "{name} should fail:\n{}",
            report.to_text()
        );
    }
}

#[test]
fn the_papers_relu_density_without_its_atom_is_caught() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/paper/relu.pf"
    ))
    .unwrap();
    let mut d = pushforward::derive_source(&src).unwrap();
    // Section 2.2: f_Y(t) = f_x(t) for t >= 0, and no point mass
    d.atoms.clear();
    let report = check::run(&d, &values(&d), &options()).unwrap();
    let failed = failed(&report);
    assert!(failed.contains(&"mass"), "{}", report.to_text());
    assert!(failed.contains(&"atoms"), "{}", report.to_text());
    let mass = report.checks.iter().find(|c| c.name == "mass").unwrap();
    // the missing mass is P(x < 0) = Φ(−0.3/0.8) = 0.35383 (statrs' Normal)
    use statrs::distribution::{ContinuousCDF, Normal};
    let missing = Normal::new(0.3, 0.8).unwrap().cdf(0.0);
    assert!((mass.value - missing).abs() < 1e-6, "{}", mass.value);
}

#[test]
fn the_same_seed_gives_the_same_figures() {
    let src = "x ~ Normal(0.2, 1.1)\ny = maxpool(relu(x), 2)";
    let d = pushforward::derive_source(src).unwrap();
    let a = check::run(&d, &Values::default(), &options()).unwrap();
    let b = check::run(&d, &Values::default(), &options()).unwrap();
    let figures = |r: &check::Report| {
        r.checks
            .iter()
            .map(|c| c.value.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(figures(&a), figures(&b));
}
