//! Snapshots of every example program's derivation, in text and LaTeX, and of the rule
//! catalogue, so that any change to a derivation or a rule's name is seen in review.
//! They live in the top-level `snapshots/`; CI never writes them.

/// Assert a named snapshot into `snapshots/`.
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!($name, $value);
        })
    };
}

#[test]
fn paper_derivations() {
    insta::glob!("../examples/paper", "*.pf", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let d = pushforward::derive_source(&src).unwrap();
        snapshot!("text", pushforward::render::to_text(&d));
        snapshot!("latex", pushforward::render::to_latex(&d));
    });
}

#[test]
fn composition_derivations() {
    insta::glob!("../examples/compositions", "*.pf", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let d = pushforward::derive_source(&src).unwrap();
        snapshot!("text", pushforward::render::to_text(&d));
    });
}

#[test]
fn rule_catalogue() {
    snapshot!("rules", pushforward::reference::rules_markdown());
}
