//! The fuzz target's property (`tests/fuzz/exercise.rs`: parse, derive and evaluate,
//! and every failure is a diagnostic) on every input the fuzzer ever found failing
//! (`tests/fuzz/regressions/`), and on every example program, good or bad.

#[path = "fuzz/exercise.rs"]
mod exercise;

use std::path::Path;

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file());
    out.sort();
    out
}

#[test]
fn fuzz_findings_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in files(&root.join("tests/fuzz/regressions")) {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        exercise::exercise(&std::fs::read(&path).unwrap());
    }
}

/// A whole fuzzing corpus, replayed against the current code when
/// `PUSHFORWARD_FUZZ_CORPUS` names its directory (after changes, without the fuzzer).
#[test]
fn a_fuzzing_corpus_replays_cleanly() {
    let Ok(dir) = std::env::var("PUSHFORWARD_FUZZ_CORPUS") else {
        return;
    };
    let all = files(Path::new(&dir));
    for path in &all {
        exercise::exercise(&std::fs::read(path).unwrap());
    }
    eprintln!("replayed {} inputs from {dir}", all.len());
}

#[test]
fn every_example_passes_the_fuzz_property() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["examples/paper", "examples/compositions", "examples/errors"] {
        for path in files(&root.join(dir)) {
            exercise::exercise(&std::fs::read(&path).unwrap());
        }
    }
}
