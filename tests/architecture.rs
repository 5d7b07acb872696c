//! The architecture invariant of `docs/architecture.md`: the modules form layers, and a
//! module imports only from its own layer or the layers before it. This reads every
//! path `crate::NAME` written in `src/` (in `use` lines and inline), outside comments,
//! and fails when one reaches a later layer.

use std::path::{Path, PathBuf};

/// The layers, first to last, with the top-level modules of each.
const LAYERS: &[(&str, &[&str])] = &[
    ("error", &["error"]),
    ("syntax", &["syntax"]),
    ("lang", &["lang"]),
    ("lower", &["lower"]),
    ("rules", &["rules"]),
    ("derive", &["derive"]),
    ("eval", &["eval"]),
    ("render", &["render"]),
    ("check", &["check"]),
    ("report", &["paper", "figures", "layers"]),
    ("main", &["main", "lib"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, ms)| ms.contains(&module))
}

/// The top-level module a file of `src/` belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let first = rel.components().next().map_or(String::new(), |c| {
        c.as_os_str().to_string_lossy().into_owned()
    });
    first.trim_end_matches(".rs").to_string()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules named after `crate::` in a line of code (comments dropped).
fn imports(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        // `use crate::{a, b::c}` names several modules
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        out.push(name);
    }
    out.retain(|n| !n.is_empty() && n.chars().next().is_some_and(|c| c.is_lowercase()));
    out
}

/// Every import of a later layer, as `file:line: from -> to`.
fn violations() -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    all.sort();
    let mut bad = Vec::new();
    for file in &all {
        let module = module_of(&src, file);
        let Some(from) = layer_of(&module) else {
            bad.push(format!(
                "{}: the module `{module}` is in no layer of docs/architecture.md",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for to_module in imports(line) {
                match layer_of(&to_module) {
                    Some(to) if to > from => bad.push(format!(
                        "{}:{}: {module} ({}) imports {to_module} ({}), a later layer",
                        file.display(),
                        n + 1,
                        LAYERS[from].0,
                        LAYERS[to].0
                    )),
                    Some(_) => {}
                    // a macro or item at the crate root (`crate::for_each_function`)
                    None => {}
                }
            }
        }
    }
    bad
}

#[test]
fn every_module_imports_only_from_earlier_layers() {
    let bad = violations();
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_reader_of_imports_sees_groups_and_inline_paths() {
    assert_eq!(imports("use crate::lang::{Expr, Node};"), ["lang"]);
    assert_eq!(
        imports("use crate::{eval, render::text};"),
        ["eval", "render"]
    );
    assert_eq!(
        imports("    let x = crate::render::text(&e, None); // crate::check"),
        ["render"]
    );
    assert!(imports("// use crate::render::text;").is_empty());
}

#[test]
fn the_document_names_every_layer_in_order() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/architecture.md"))
        .unwrap();
    let mut at = 0;
    for (layer, _) in LAYERS {
        let heading = format!("## `{layer}`");
        let Some(i) = doc[at..].find(&heading) else {
            panic!("docs/architecture.md has no heading {heading} after the previous layer's");
        };
        at += i + heading.len();
    }
}
