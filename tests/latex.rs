//! Every LaTeX derivation compiles with pdflatex (`.ci/run` installs Debian's
//! texlive-latex-base). A missing pdflatex fails the test: it is part of the contract.

mod common;

use std::process::Command;

#[test]
fn every_example_derivation_compiles_with_pdflatex() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::new();
    let mut files = common::paper_programs();
    let mut more: Vec<_> = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/compositions"
    ))
    .unwrap()
    .map(|e| e.unwrap().path())
    .collect();
    more.sort();
    files.extend(more);
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let d = pushforward::derive_source(&src).unwrap();
        body.push_str(&format!(
            "\\section*{{{}}}\n",
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .replace('_', "\\_")
        ));
        body.push_str(&pushforward::render::to_latex(&d));
    }
    let doc = format!(
        "\\documentclass{{article}}\n\\usepackage{{amsmath}}\n\\usepackage{{amssymb}}\n\\usepackage[margin=1cm,paperwidth=60cm,paperheight=80cm]{{geometry}}\n\\begin{{document}}\n{body}\\end{{document}}\n"
    );
    std::fs::write(dir.path().join("paper.tex"), &doc).unwrap();
    let out = Command::new("pdflatex")
        .args(["-interaction=nonstopmode", "-halt-on-error", "paper.tex"])
        .current_dir(dir.path())
        .output()
        .expect("pdflatex must be installed (Debian: texlive-latex-base)");
    assert!(
        out.status.success(),
        "pdflatex failed:\n{}\n--- document ---\n{doc}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("paper.pdf").exists());
}
