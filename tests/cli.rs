//! The command-line contract that other tools depend on: formats, exit codes (0 on
//! success, 2 on any user error) and diagnostics that point at the source.

use statrs::distribution::{ContinuousCDF, Normal};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pushforward"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[track_caller]
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must fail as a user error, and returns its stderr.
#[track_caller]
fn user_error(args: &[&str]) -> String {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}\nstderr: {err}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn derive_prints_text_latex_and_json() {
    let text = ok(&["derive", "examples/paper/tanh.pf"]);
    assert!(
        text.contains("F_Y(t) = P(Y ≤ t)") && text.contains("f_Y(t)"),
        "{text}"
    );
    assert!(text.contains("support: (−1, 1)"), "{text}");
    let latex = ok(&["derive", "examples/paper/tanh.pf", "--format", "latex"]);
    assert_eq!(latex.matches("\\begin{aligned}").count(), 2);
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "derive",
        "examples/paper/relu.pf",
        "--format",
        "json",
    ]))
    .unwrap();
    assert!(json["cdf"]["sexp"].as_str().unwrap().contains("Phi"));
    assert!(json["pdf"]["latex"].as_str().unwrap().contains("\\delta"));
    assert_eq!(json["atoms"].as_array().unwrap().len(), 1);
    assert_eq!(json["support"]["lo"]["closed"], true);
    let rules: Vec<&str> = json["steps"]["cdf"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["rules"].as_array().unwrap())
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"cdf-relu") && rules.contains(&"cdf-normal"),
        "{rules:?}"
    );
}

#[test]
fn derive_reads_source_from_e() {
    let text = ok(&["derive", "-e", "x ~ Normal(0, 1); y = sigmoid(x)"]);
    assert!(text.contains("logit"), "{text}");
}

#[test]
fn eval_json_contract() {
    let out = ok(&[
        "eval",
        "examples/paper/relu.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--at=-1,0,1",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["at"], serde_json::json!([-1.0, 0.0, 1.0]));
    let cdf: Vec<f64> = serde_json::from_value(v["cdf"].clone()).unwrap();
    let pdf: Vec<f64> = serde_json::from_value(v["pdf"].clone()).unwrap();
    // references: Φ(1) = 0.841344746068542948585... (mpmath.ncdf(1) to 21 digits;
    // statrs' own cdf is 1.6e-11 off here), and relu's atom P(x < 0) = 1/2
    let n = Normal::new(0.0, 1.0).unwrap();
    assert_eq!(cdf[0], 0.0);
    assert!((cdf[1] - 0.5).abs() < 1e-15);
    assert!(
        (cdf[2] - 0.841_344_746_068_542_9).abs() < 1e-15,
        "{}",
        cdf[2]
    );
    assert!((cdf[2] - n.cdf(1.0)).abs() < 1e-10);
    assert_eq!(pdf[0], 0.0);
    assert_eq!(v["atoms"], serde_json::json!([{"at": 0.0, "mass": 0.5}]));
}

#[test]
fn eval_grid_and_csv() {
    let out = ok(&[
        "eval",
        "examples/paper/tanh.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--grid",
        "-1,1,5",
        "--format",
        "csv",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "t,cdf,pdf");
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[1], "-1,0,0");
    assert_eq!(lines[3], "0,0.5,0.3989422804014327");
    assert_eq!(lines[5], "1,1,0");
}

#[test]
fn syntax_errors_point_at_line_and_column() {
    let err = user_error(&["derive", "-e", "x ~ Normal(0, 1)\ny = tanh(x"]);
    assert!(err.contains("2:11") || err.contains("[<-e>:2:"), "{err}");
    assert!(err.contains("expected"), "{err}");
}

#[test]
fn unsupported_and_missing_assumptions_are_user_errors() {
    let err = user_error(&["derive", "-e", "x ~ Normal(0, 1)\ny = sin(x)"]);
    assert!(
        err.contains("not monotone on finitely many pieces"),
        "{err}"
    );
    let err = user_error(&["derive", "-e", "x ~ Normal(0, 1)\ny = frobnicate(x)"]);
    assert!(err.contains("unknown function `frobnicate`"), "{err}");
    let err = user_error(&["derive", "-e", "x ~ Normal(0, 1)\ny = leaky_relu(x, a)"]);
    assert!(err.contains("assume a > 0"), "{err}");
    let err = user_error(&[
        "derive",
        "-e",
        "x ~ Normal(0, 1)\nz ~ Normal(0, 1)\ny = x*z",
    ]);
    assert!(err.contains("combines independent inputs"), "{err}");
    let err = user_error(&["derive", "-e", "x ~ Normal(0, 1)\ny = log(x)"]);
    assert!(
        // miette wraps long lines: look for pieces that fit on one
        err.contains("must be positive") && err.contains("log(abs(E))"),
        "{err}"
    );
    let err = user_error(&["derive", "-e", "x ~ Normal(0, 1)\ny = sin(x)"]);
    assert!(
        err.contains("not monotone on finitely many pieces"),
        "{err}"
    );
}

#[test]
fn bad_parameters_are_user_errors() {
    let err = user_error(&["eval", "examples/paper/tanh.pf", "--set", "mu=0", "--at=0"]);
    assert!(err.contains("`sigma` has no value"), "{err}");
    let err = user_error(&[
        "eval",
        "examples/paper/tanh.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=-1",
        "--at=0",
    ]);
    assert!(err.contains("sigma"), "{err}");
    let err = user_error(&[
        "eval",
        "examples/paper/tanh.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--set",
        "nu=1",
        "--at=0",
    ]);
    assert!(err.contains("no parameter `nu`"), "{err}");
    for n in ["0", "2.5", "-3"] {
        let set = format!("N={n}");
        let err = user_error(&[
            "eval",
            "examples/paper/maxpool.pf",
            "--set",
            "mu=0",
            "--set",
            "sigma=1",
            "--set",
            &set,
            "--at=0",
        ]);
        assert!(err.contains("pool size"), "{err}");
    }
    user_error(&["derive", "-e", "x ~ Normal(0, 0)\ny = x"]);
    let err = user_error(&[
        "eval",
        "examples/paper/leaky_relu.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--set",
        "alpha=-1",
        "--at=0",
    ]);
    assert!(err.contains("assume alpha > 0"), "{err}");
    user_error(&[
        "eval",
        "examples/paper/tanh.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--at=abc",
    ]);
    user_error(&[
        "eval",
        "examples/paper/tanh.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--grid",
        "1,0,3",
    ]);
}

#[test]
fn usage_and_file_errors_exit_2() {
    user_error(&["derive", "no/such/file.pf"]);
    user_error(&[
        "derive",
        "examples/paper/tanh.pf",
        "-e",
        "x ~ Normal(0,1); y = x",
    ]);
    user_error(&["frobnicate"]);
    user_error(&["eval", "examples/paper/tanh.pf"]);
}

#[test]
fn check_reports_every_check_as_json() {
    let out = ok(&[
        "check",
        "examples/paper/relu.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--samples",
        "100000",
        "--seed",
        "3",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let checks = v["checks"].as_array().unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "derivative",
            "mass",
            "sampling",
            "atoms",
            "derivation",
            "mean",
            "variance"
        ]
    );
    for c in checks {
        assert_eq!(c["passed"], true, "{c}");
        assert!(c["value"].is_number() && c["tolerance"].is_number() && c["detail"].is_string());
    }
    let text = ok(&[
        "check",
        "examples/paper/relu.pf",
        "--set",
        "mu=0",
        "--set",
        "sigma=1",
        "--samples",
        "100000",
    ]);
    assert!(text.contains("all checks passed"), "{text}");
    user_error(&["check", "examples/paper/relu.pf", "--set", "mu=0"]);
}

#[test]
fn a_name_only_assumed_about_needs_no_value() {
    let out = ok(&[
        "eval",
        "-e",
        "x ~ Normal(0, 1)\nassume a > 0\ny = tanh(x)",
        "--at=0",
    ]);
    assert!(out.contains("\"cdf\":[0.5]"), "{out}");
}

#[test]
fn weight_vectors_are_set_as_lists() {
    let src = "x ~ Normal(0, 1)\ny = conv(x, w)";
    let out = ok(&["eval", "-e", src, "--set", "w=[3,4]", "--at=0,5"]);
    // N(0, 5²): Φ(0) = 1/2 and Φ(1) = 0.841344746068542948... (mpmath.ncdf)
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let cdf: Vec<f64> = serde_json::from_value(v["cdf"].clone()).unwrap();
    assert!(
        (cdf[0] - 0.5).abs() < 1e-15 && (cdf[1] - 0.841_344_746_068_542_9).abs() < 1e-15,
        "{cdf:?}"
    );
    let err = user_error(&["eval", "-e", src, "--set", "w=3", "--at=0"]);
    assert!(err.contains("weight vector"), "{err}");
    let err = user_error(&["eval", "-e", src, "--set", "w=[0,0]", "--at=0"]);
    assert!(err.contains("all 0"), "{err}");
}

#[test]
fn an_infinite_density_at_a_point_is_reported_not_a_bug() {
    // x³'s density is φ(∛t)/(3 t^(2/3)): +∞ at 0, where the CDF is Φ(−μ/σ)
    let at = |t: &'static str| {
        [
            "eval",
            "examples/compositions/cube.pf",
            "--set",
            "mu=0.3",
            "--set",
            "sigma=0.8",
            "--at",
            t,
        ]
    };
    let err = user_error(&at("0"));
    assert!(err.contains("density is infinite at t = 0"), "{err}");
    assert!(!err.contains("bug"), "{err}");
    // next to it, a number
    let out = ok(&at("1e-9"));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = json["pdf"][0].as_f64().unwrap();
    // φ(∛t − μ)/σ)/(3σ t^(2/3)) at t = 1e-9: ∛t = 1e-3
    let z: f64 = (1e-3 - 0.3) / 0.8;
    let reference = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() / 0.8 / (3.0 * 1e-6);
    assert!(
        (f - reference).abs() < 1e-9 * reference,
        "{f} vs {reference}"
    );
}
