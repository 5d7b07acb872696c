//! pushforward derives, step by step, the exact law of a Gaussian after
//! neural-network operations, and evaluates it.
//!
//! ```
//! let d = pushforward::derive_source("x ~ Normal(0, 1)\ny = relu(x)").unwrap();
//! // relu sends all of x < 0 to 0: a point mass of 1/2
//! assert_eq!(d.atoms.len(), 1);
//! println!("{}", pushforward::render::to_text(&d));
//! // the law in numbers, at parameter values
//! let law = pushforward::Law::new(&d, &pushforward::Values::default()).unwrap();
//! assert!((law.cdf.eval(0.0) - 0.5).abs() < 1e-15);
//! ```
//!
//! The entry points: [`model`] (a program's text to a [`Model`]), [`derive()`] and
//! [`derive_source`] (its [`Derivation`]: CDF, PDF, atoms, support and steps),
//! [`render`] (text, LaTeX, JSON), [`eval`] ([`Law`]: the formulas compiled) and
//! [`check`] (the law tested against references that do not use it).
//! `docs/architecture.md` describes the stages inside.

pub mod check;
pub mod eval;
pub mod render;

// The stages inside: public for the command line, the tests and the benchmarks, left
// out of the documentation because they are not an interface (what is in them changes
// with the code). Their items that the entry points use are re-exported below.
#[doc(hidden)]
pub mod derive;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod figures;
#[doc(hidden)]
pub mod lang;
#[doc(hidden)]
pub mod lower;
#[doc(hidden)]
pub mod paper;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod syntax;

pub use derive::{derive, Atom, Derivation, End, Limits, Stats, Step, Support};
pub use error::{Error, ErrorKind, Result, Span};
pub use eval::{Law, Values};
pub use lang::{Expr, Node, Num};
pub use lower::Model;

/// Parse and check a program.
pub fn model(source: &str) -> Result<Model> {
    let program = syntax::parse(source)?;
    lower::lower(source, &program)
}

/// Parse a program and derive its law with the default limits.
pub fn derive_source(source: &str) -> Result<Derivation> {
    derive(&model(source)?, Limits::default())
}
