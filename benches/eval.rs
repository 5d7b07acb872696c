//! Evaluating the tanh PDF at 10^6 points: the compiled derived formula against a
//! hand-written Rust function of the same formula. Target (issue 2): within 2x.
//!
//! Numeric laws (issue 14): a program derived, its numeric laws made and its CDF and
//! density evaluated at 1 000 points, for `conv(relu(x), w)` with 9 weights and 2 and
//! 10 rounds of the paper's Section 3 pipeline (targets: 10 ms, 5 ms and 25 ms), and
//! relu(x1) + tanh(x2) of two inputs and a dropout layer (no target). Each
//! iteration moves μ by 1e-12, so that no law is reused from the cache of the last.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pushforward::eval::{Law, Values};
use std::hint::black_box;

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const POINTS: usize = 1_000_000;

/// The standard Normal density φ(x) = e^(−x²/2)/√(2π).
fn std_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// The tanh density written by hand: [|t| < 1] φ((artanh t − μ)/σ) / (σ (1 − t²)),
/// 1 − t² as (1 − t)(1 + t), which does not cancel near ±1 (as the evaluator does).
fn by_hand(ts: &[f64], out: &mut [f64], mu: f64, sigma: f64) {
    for (o, &t) in out.iter_mut().zip(ts) {
        *o = if t > -1.0 && t < 1.0 {
            std_normal_pdf((libm::atanh(t) - mu) / sigma) / (sigma * ((1.0 - t) * (1.0 + t)))
        } else {
            0.0
        };
    }
}

fn tanh_pdf(c: &mut Criterion) {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/paper/tanh.pf"
    ))
    .unwrap();
    let d = pushforward::derive_source(&src).unwrap();
    let mut v = Values::default();
    v.insert("mu", 0.5);
    v.insert("sigma", 1.0);
    let law = Law::new(&d, &v).unwrap();
    let ts: Vec<f64> = (0..POINTS)
        .map(|i| -1.2 + 2.4 * i as f64 / POINTS as f64)
        .collect();
    let mut out = vec![0.0; POINTS];
    // the two agree before they are timed
    let mut check = vec![0.0; POINTS];
    law.density.eval_batch(&ts, &mut out);
    by_hand(&ts, &mut check, 0.5, 1.0);
    for (a, b) in out.iter().zip(&check) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1e-300), "{a} vs {b}");
    }
    let mut group = c.benchmark_group("tanh-pdf-1e6");
    group.throughput(Throughput::Elements(POINTS as u64));
    group.bench_function("pushforward", |b| {
        b.iter(|| law.density.eval_batch(black_box(&ts), &mut out))
    });
    group.bench_function("pushforward-every-core", |b| {
        b.iter(|| law.density.eval_parallel(black_box(&ts), &mut out))
    });
    group.bench_function("hand-written", |b| {
        b.iter(|| by_hand(black_box(&ts), &mut check, 0.5, 1.0))
    });
    group.finish();
}

/// k rounds of the Section 3 pipeline: conv of four copies with weights 1/2, max of 2.
fn rounds(k: usize) -> String {
    let mut text = String::from("x ~ Normal(mu, 0.8)\nh0 = x\n");
    for i in 1..=k {
        text += &format!(
            "h{i} = maxpool(conv(h{}, [1/2, 1/2, 1/2, 1/2]), 2)\n",
            i - 1
        );
    }
    text + &format!("y = h{k}\n")
}

fn numeric_laws(c: &mut Criterion) {
    let cases = [
        (
            "conv-relu-9",
            "x ~ Normal(mu, 0.8)\ny = conv(relu(x), [0.1, 0.2, 0.3, 0.4, 0.5, 0.4, 0.3, 0.2, 0.1])\n"
                .to_string(),
            (-0.5, 4.0),
        ),
        ("pipeline-2", rounds(2), (0.0, 4.5)),
        ("pipeline-10", rounds(10), (701.5, 703.8)),
        (
            "relu-plus-tanh-two-inputs",
            "x1 ~ Normal(mu, 0.8)\nx2 ~ Normal(0, 1)\ny = relu(x1) + tanh(x2)\n".to_string(),
            (-1.0, 3.0),
        ),
        (
            "dropout-layer-3",
            "x ~ Normal(mu, 0.8)\nm ~ Bernoulli(4/5)\ny = conv(m*relu(x)/(4/5), [1/4, 1/2, 1/4])\n"
                .to_string(),
            (-0.5, 3.0),
        ),
    ];
    let mut group = c.benchmark_group("numeric-law-derive-and-1000-points");
    group.sample_size(20);
    for (name, src, (lo, hi)) in cases {
        let ts: Vec<f64> = (0..1000)
            .map(|i| lo + (hi - lo) * i as f64 / 999.0)
            .collect();
        let (mut cdf, mut pdf) = (vec![0.0; 1000], vec![0.0; 1000]);
        let mut shift = 0.0;
        group.bench_function(name, |b| {
            b.iter(|| {
                shift += 1e-12;
                let d = pushforward::derive_source(black_box(&src)).unwrap();
                let mut v = Values::default();
                v.insert("mu", 0.3 + shift);
                let law = Law::new(&d, &v).unwrap();
                law.cdf.eval_batch(&ts, &mut cdf);
                law.density.eval_batch(&ts, &mut pdf);
                assert!(cdf.iter().chain(&pdf).all(|x| x.is_finite()));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, tanh_pdf, numeric_laws);
criterion_main!(benches);
