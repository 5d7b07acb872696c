//! `pushforward layers` on the paper's Section 3 program, against closed forms: the max
//! of two iid N(m, s²) has mean m + s/√π, variance s²(1 − 1/π) (Clark's formulas) and
//! third central moment s³(2 − π/2)/π^(3/2) (from E[M³] = 5/(2√π) for standard M); a
//! weighted sum of n iid copies with equal weights w has mean n·w·m, variance n·w²·v,
//! skewness γ/√n and excess kurtosis κ/n (cumulants add). The sums' laws are numeric
//! (a grid convolution) and their moments quadrature, computed apart from the terms'.

use pushforward::layers::{layers, Layer};
use pushforward::Values;
use std::f64::consts::PI;

fn section3() -> Vec<Layer> {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/paper/section3.pf"
    ))
    .unwrap();
    let mut v = Values::default();
    v.insert("mu", 0.0);
    v.insert("sigma", 1.0);
    layers(&src, &v).unwrap()
}

#[track_caller]
fn close(ours: f64, exact: f64, tol: f64, what: &str) {
    assert!(
        (ours - exact).abs() <= tol * exact.abs().max(1.0),
        "{what}: {ours:e} against {exact:e}"
    );
}

#[test]
fn section3_moments_follow_clark_and_the_cumulants_of_sums() {
    let t = section3();
    let names: Vec<&str> = t.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names.len(), 11, "{names:?}");
    // conv1 = N(0, 1) exactly: no distance
    assert!(t[0].total_variation < 1e-9 && t[0].kolmogorov < 1e-12);
    // pool1 = max of two N(0, 1)
    let p = &t[1];
    close(p.mean, 1.0 / PI.sqrt(), 1e-12, "mean of the max");
    close(p.variance, 1.0 - 1.0 / PI, 1e-12, "variance of the max");
    let mu3 = (2.0 - PI / 2.0) / PI.powf(1.5);
    close(
        p.skewness,
        mu3 / (1.0 - 1.0 / PI).powf(1.5),
        1e-10,
        "skewness of the max",
    );
    // each conv of four halves of the pool before it, and fc of eight eighths
    for k in (2..t.len()).step_by(2) {
        let (pool, sum) = (&t[k - 1], &t[k]);
        let (n, w) = if sum.name == "fc" {
            (8.0, 0.125)
        } else {
            (4.0, 0.5)
        };
        let what = |m: &str| format!("{m} of {}", sum.name);
        close(sum.mean, n * w * pool.mean, 1e-12, &what("mean"));
        close(
            sum.variance,
            n * w * w * pool.variance,
            1e-11,
            &what("variance"),
        );
        close(
            sum.skewness,
            pool.skewness / n.sqrt(),
            1e-8,
            &what("skewness"),
        );
        close(
            sum.excess_kurtosis,
            pool.excess_kurtosis / n,
            1e-7,
            &what("excess kurtosis"),
        );
    }
    // each pool after a conv: Clark's mean and variance of the max of two copies of a
    // law that is not Normal do not apply, but the max is above the mean and narrower
    for k in (3..t.len()).step_by(2) {
        assert!(t[k].mean > t[k - 1].mean && t[k].variance < t[k - 1].variance);
    }
}

#[test]
fn a_statement_that_does_not_derive_is_an_error_naming_it() {
    let e = layers("x ~ Normal(0, 1)\ny = bogus(x)\n", &Values::default()).unwrap_err();
    assert!(e.to_string().contains("bogus"), "{e}");
}

/// `repeat N { ... }` is its rounds written out: the same laws, row by row, and the
/// same output law; a name read before the block assigns it is an error at the name.
#[test]
fn a_repeat_block_is_its_rounds_written_out() {
    let written = "x ~ Normal(0, 1)\nh = x\nh1 = maxpool(conv(h, [1/2, 1/2]), 2)\nh2 = maxpool(conv(h1, [1/2, 1/2]), 2)\n";
    let repeated =
        "x ~ Normal(0, 1)\nh = x\nrepeat 2 {\n  h = maxpool(conv(h, [1/2, 1/2]), 2)\n}\n";
    let (a, b) = (
        layers(written, &Values::default()).unwrap(),
        layers(repeated, &Values::default()).unwrap(),
    );
    let names: Vec<&str> = b.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["h", "h#1", "h#2"]);
    assert_eq!(b[1].line, 4);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.mean, x.variance, x.total_variation),
            (y.mean, y.variance, y.total_variation)
        );
    }
    let law = |src: &str| {
        let d = pushforward::derive_source(src).unwrap();
        let l = pushforward::Law::new(&d, &Values::default()).unwrap();
        (l.cdf.eval(1.3), l.density.eval(1.3))
    };
    assert_eq!(law(written), law(repeated));
    let e = pushforward::derive_source("x ~ Normal(0, 1)\nrepeat 2 { h = relu(h) }\n").unwrap_err();
    assert!(e.to_string().contains("before it is assigned"), "{e}");
    let e = pushforward::derive_source("x ~ Normal(0, 1)\nh = x\nrepeat 5000 { h = relu(h) }\n")
        .unwrap_err();
    assert!(e.to_string().contains("1 to 1000 rounds"), "{e}");
}

/// What an independent review found: a sum on the piecewise path (its mass a few ulps
/// short of 1) has the moments of its terms' closed forms; a statement of parameters
/// alone is no row; an assumption written later holds for the rows before it; a
/// `repeat` does not silently replace a name it does not carry.
#[test]
fn layers_of_piecewise_sums_parameters_and_later_assumptions() {
    // relu(x) of N(0, 1): mean 1/√(2π), variance 1/2 − 1/(2π); two copies add
    let t = layers(
        "x ~ Normal(0, 1)\ny = conv(relu(x), [1, 1])\n",
        &Values::default(),
    )
    .unwrap();
    let m = 1.0 / (2.0 * PI).sqrt();
    close(t[0].mean, 2.0 * m, 1e-12, "mean of the sum of relus");
    close(
        t[0].variance,
        2.0 * (0.5 - m * m),
        1e-12,
        "variance of the sum of relus",
    );
    let mut v = Values::default();
    v.insert("w", 2.0);
    let t = layers(
        "x ~ Normal(0, 1)\ns = 2*w\nh = w*x\nassume w > 0\ny = relu(h)\n",
        &v,
    )
    .unwrap();
    let names: Vec<&str> = t.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["h", "y"]);
    close(t[0].variance, 4.0, 1e-12, "variance of w·x");
    let e = pushforward::derive_source("x ~ Normal(0, 1)\ny = 2*x\nrepeat 1 { y = relu(x) }\n")
        .unwrap_err();
    assert!(e.to_string().contains("already defined"), "{e}");
}
