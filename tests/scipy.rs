//! The compiled evaluator against SciPy (`tests/scipy/paper_formulas.py`): the paper's
//! formulas, with a mean, evaluated by `scipy.special.ndtr` and `scipy.stats.norm`,
//! far into the tails. They agree to 1e-9 relative. `.ci/run` installs SciPy; a
//! missing Python or SciPy fails the test.

use pushforward::eval::{Law, Values};
use std::process::Command;

#[derive(serde::Deserialize)]
struct Case {
    file: String,
    params: std::collections::BTreeMap<String, f64>,
    t: Vec<f64>,
    cdf: Vec<f64>,
    pdf: Vec<f64>,
    atoms: Vec<(f64, f64)>,
}

#[track_caller]
fn agree(ours: f64, scipy: f64, what: &str) {
    let scale = ours.abs().max(scipy.abs());
    assert!(
        (ours - scipy).abs() <= 1e-9 * scale || (ours - scipy).abs() < 1e-300,
        "{what}: pushforward {ours:e}, scipy {scipy:e}"
    );
}

#[test]
fn paper_formulas_match_scipy() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scipy/paper_formulas.py");
    let out = Command::new("python3")
        .arg(script)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "the SciPy script failed (is scipy installed?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cases: Vec<Case> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(cases.len() >= 18);
    let mut points = 0;
    for case in cases {
        let src = std::fs::read_to_string(format!(
            "{}/examples/paper/{}",
            env!("CARGO_MANIFEST_DIR"),
            case.file
        ))
        .unwrap();
        let d = pushforward::derive_source(&src).unwrap();
        let mut v = Values::default();
        for (k, x) in &case.params {
            v.insert(k, *x);
        }
        let law = Law::new(&d, &v).unwrap();
        let mut cdf = vec![0.0; case.t.len()];
        let mut pdf = vec![0.0; case.t.len()];
        law.cdf.eval_batch(&case.t, &mut cdf);
        law.density.eval_batch(&case.t, &mut pdf);
        for i in 0..case.t.len() {
            let what = format!("{} {:?} at t = {}", case.file, case.params, case.t[i]);
            agree(cdf[i], case.cdf[i], &format!("cdf of {what}"));
            agree(pdf[i], case.pdf[i], &format!("pdf of {what}"));
            points += 1;
        }
        assert_eq!(law.atoms.len(), case.atoms.len());
        for (a, (at, mass)) in law.atoms.iter().zip(&case.atoms) {
            assert_eq!(a.at, *at);
            agree(a.mass, *mass, &format!("atom of {}", case.file));
        }
    }
    assert!(points > 1000);
}
