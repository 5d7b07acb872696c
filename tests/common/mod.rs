//! Helpers shared by the integration tests: the paper's programs and quadrature.
#![allow(dead_code)]

use std::path::PathBuf;

/// The programs of `examples/paper/`, in name order.
pub fn paper_programs() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/paper"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "pf"))
            .collect();
    files.sort();
    files
}

/// Composite Simpson's rule with `n` (even) panels on [a, b]; its error is at most
/// (b − a)·h⁴·max|f⁗|/180 for h = (b − a)/n.
pub fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let sum: f64 = (0..=n)
        .map(|i| {
            let w = if i == 0 || i == n {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            w * f(a + h * i as f64)
        })
        .sum();
    sum * h / 3.0
}
