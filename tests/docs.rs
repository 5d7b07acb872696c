//! The docs move with the code: `docs/rules.md` is what `pushforward rules` prints, and
//! `docs/language.md` lists every function of the language with its example, and every
//! example there derives.

#[test]
fn rule_catalogue_is_current() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    assert!(
        committed == pushforward::reference::rules_markdown(),
        "docs/rules.md is stale: run `cargo run -- rules > docs/rules.md`"
    );
}

#[test]
fn language_reference_has_the_registrys_table_of_functions() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap();
    assert!(
        doc.contains(&pushforward::reference::functions_markdown()),
        "docs/language.md's table of functions is stale: paste `cargo run -- functions` into it"
    );
}

#[test]
fn language_reference_lists_every_function_with_a_working_example() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap();
    for (usage, example) in pushforward::reference::function_examples() {
        assert!(
            doc.contains(&format!("`{usage}`")),
            "docs/language.md lacks {usage}"
        );
        assert!(
            doc.contains(&format!("`{example}`")),
            "docs/language.md lacks the example {example}"
        );
        let src = format!("x ~ Normal(mu, sigma)\nassume N >= 1\n{example}");
        let d = pushforward::derive_source(&src);
        assert!(d.is_ok(), "the example `{example}` fails: {:?}", d.err());
    }
}

#[test]
fn readme_example_is_real_output() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/paper/relu.pf"
    ))
    .unwrap();
    let d = pushforward::derive_source(&src).unwrap();
    let indented: String = pushforward::render::to_text(&d)
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("    {l}\n")
            }
        })
        .collect();
    assert!(
        readme.contains(&indented),
        "the README's example is not what `derive examples/paper/relu.pf` prints now:\n{indented}"
    );
}
