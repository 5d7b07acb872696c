//! Evaluating the tanh PDF at 10^6 points: the compiled derived formula against a
//! hand-written Rust function of the same formula. Target (issue 2): within 2x.

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

/// The tanh density written by hand: [|t| < 1] φ((artanh t − μ)/σ) / (σ (1 − t²)).
fn by_hand(ts: &[f64], out: &mut [f64], mu: f64, sigma: f64) {
    for (o, &t) in out.iter_mut().zip(ts) {
        *o = if t > -1.0 && t < 1.0 {
            std_normal_pdf((libm::atanh(t) - mu) / sigma) / (sigma * (1.0 - t * t))
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

criterion_group!(benches, tanh_pdf);
criterion_main!(benches);
