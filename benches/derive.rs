//! `derive` of each paper program: parse, CDF and PDF with their explanations, and
//! the LaTeX and text renderings. Target (issue 2): at most 5 ms each in release.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

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

criterion_group!(benches, paper);
criterion_main!(benches);
