//! `derive` of each paper program: parse, CDF and PDF with their explanations, and
//! the LaTeX and text renderings (targets: 5 ms each in issue 2, 2 ms in issue 5);
//! and compositions of 1 to 40 layers, tanh(2·sigmoid(2·(...) − 1) + 1), alternating
//! maps and affine steps (issue 5: at most 50 ms at depth 20, growing no faster than
//! linearly); and maps derived by their pieces (issue 13: gelu at most 5 ms). Figures
//! are kept in docs/performance.md.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// The allocator the command line uses (see src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn paper(c: &mut Criterion) {
    let mut files: Vec<_> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/paper"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    files.sort();
    let mut group = c.benchmark_group("derive");
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        group.bench_function(&name, |b| {
            b.iter(|| {
                let d = pushforward::derive_source(black_box(&src)).unwrap();
                let latex = pushforward::render::to_latex(&d);
                let text = pushforward::render::to_text(&d);
                black_box((latex, text))
            })
        });
    }
    group.finish();
}

/// `depth` layers: tanh(2·E + 1) and sigmoid(2·E − 1) in turn around the input.
pub fn layers(depth: usize) -> String {
    let mut e = "x".to_string();
    for k in 0..depth {
        e = if k % 2 == 0 {
            format!("tanh(2*{e} + 1)")
        } else {
            format!("sigmoid(2*{e} - 1)")
        };
    }
    format!("x ~ Normal(mu, sigma)\ny = {e}")
}

/// Each depth twice: `depth/N` derives and writes the LaTeX (the measure), and
/// `depth-derive/N` only derives (e-graphs, explanations, steps as terms). A
/// derivation shows each step whole, so its LaTeX grows as the square of the depth
/// even where the derivation does not.
fn depth(c: &mut Criterion) {
    let depths = [1, 2, 3, 5, 10, 20, 30, 40];
    // a depth whose derivation ends in an error would be timed too, and named so
    let name = |n: usize, src: &str| match pushforward::derive_source(src) {
        Ok(_) => format!("{n}"),
        Err(_) => format!("{n}-fails"),
    };
    let mut group = c.benchmark_group("depth");
    group.sample_size(10);
    for n in depths {
        let src = layers(n);
        group.bench_function(name(n, &src), |b| {
            b.iter(|| {
                let d = pushforward::derive_source(black_box(&src));
                black_box(d.map(|d| pushforward::render::to_latex(&d)).ok())
            })
        });
    }
    group.finish();
    let mut group = c.benchmark_group("depth-derive");
    group.sample_size(10);
    for n in depths {
        let src = layers(n);
        group.bench_function(name(n, &src), |b| {
            b.iter(|| black_box(pushforward::derive_source(black_box(&src)).ok()))
        });
    }
    group.finish();
}

/// Maps derived by their pieces (issue 13: `derive` of gelu(x) at most 5 ms): the
/// activations that turn, and compositions with the input in more than one place.
fn pieces(c: &mut Criterion) {
    let mut group = c.benchmark_group("pieces");
    for name in [
        "gelu",
        "silu",
        "mish",
        "gelu_tanh",
        "hardswish",
        "x_tanh_x",
        "bump",
    ] {
        let path = format!(
            "{}/examples/compositions/{name}.pf",
            env!("CARGO_MANIFEST_DIR")
        );
        let src = std::fs::read_to_string(&path).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| black_box(pushforward::derive_source(black_box(&src)).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, paper, depth, pieces);
criterion_main!(benches);
