//! What the fuzzer and its regression test run on one input: parse, derive and
//! evaluate arbitrary bytes. Every failure must be a diagnostic, never a panic, an
//! internal error, a derivation past its time limit, or a CDF value outside [0, 1].

use pushforward::eval::{Law, Values};
use pushforward::{derive, ErrorKind, Limits};
use std::time::{Duration, Instant};

/// The time limit of one derivation here, and how far past it a derivation may run
/// (explanation and rendering come after egg's own time check).
pub const LIMIT: Duration = Duration::from_secs(1);
pub const SLACK: Duration = Duration::from_secs(4);

pub fn exercise(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let model = match pushforward::model(src) {
        Ok(m) => m,
        Err(e) => {
            assert_ne!(e.kind, ErrorKind::Internal, "{src:?}: {e:?}");
            return;
        }
    };
    let limits = Limits {
        time: LIMIT,
        ..Limits::default()
    };
    let start = Instant::now();
    let result = derive(&model, limits);
    let took = start.elapsed();
    assert!(took <= LIMIT + SLACK, "{src:?}: derive took {took:?}");
    let d = match result {
        Ok(d) => d,
        Err(e) => {
            assert_ne!(e.kind, ErrorKind::Internal, "{src:?}: {e:?}");
            return;
        }
    };
    // text and LaTeX must render
    let _ = pushforward::render::to_text(&d);
    let _ = pushforward::render::to_latex(&d);
    let mut values = Values::default();
    for name in d.model.params.keys() {
        if d.model.vector_params.contains(name) {
            values.insert_vector(name, vec![0.5, -1.0, 2.0]);
        } else if d.model.integer_params.contains(name) {
            values.insert(name, 3.0);
        } else {
            values.insert(name, 0.7);
        }
    }
    let law = match Law::new(&d, &values) {
        Ok(l) => l,
        Err(e) => {
            assert_ne!(e.kind, ErrorKind::Internal, "{src:?}: {e:?}");
            return;
        }
    };
    for t in [-1e300, -7.0, -1.0, -0.3, 0.0, 0.3, 1.0, 2.5, 7.0, 1e300] {
        let f = law.cdf.eval(t);
        assert!(
            !f.is_finite() || (-1e-9..=1.0 + 1e-9).contains(&f),
            "{src:?}: F({t}) = {f}"
        );
    }
}
