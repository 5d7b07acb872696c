//! Every program in `examples/errors/` is wrong in one way: each must fail with a
//! diagnostic (not an internal error), and the diagnostic as miette draws it (the
//! source line, a caret under the place, the hint) is snapshotted, so that a change of
//! wording or of the place pointed at is seen in review. The command line prints the
//! same report and exits with status 2.

use std::process::Command;

#[test]
fn every_bad_program_gets_a_diagnostic_that_points_at_it() {
    insta::glob!("../examples/errors", "*.pf", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let result =
            pushforward::model(&source).and_then(|m| pushforward::derive(&m, Default::default()));
        let err = match result {
            Ok(_) => panic!("{} derived, but it is in examples/errors", path.display()),
            Err(e) => e,
        };
        assert_ne!(
            err.kind,
            pushforward::ErrorKind::Internal,
            "{}: {err:?}",
            path.display()
        );
        assert!(err.help.is_some(), "{}: no hint", path.display());
        let name = format!(
            "examples/errors/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        insta::with_settings!({snapshot_path => "../snapshots", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!("diagnostic", err.render(&name, &source));
        });
    });
}

#[test]
fn the_command_line_prints_the_same_report_and_exits_with_2() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/errors");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let out = Command::new(env!("CARGO_BIN_EXE_pushforward"))
            .arg("derive")
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let source = std::fs::read_to_string(&path).unwrap();
        let err = pushforward::model(&source)
            .and_then(|m| pushforward::derive(&m, Default::default()))
            .unwrap_err();
        // the first words of the message (miette wraps long lines)
        let start: String = err.message.chars().take(30).collect();
        assert!(stderr.contains(&start), "{}: {stderr}", path.display());
    }
}
