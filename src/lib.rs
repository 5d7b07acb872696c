//! pushforward derives, step by step, the exact law of a Gaussian after
//! neural-network operations, and evaluates it.
//!
//! ```
//! let d = pushforward::derive_source("x ~ Normal(0, 1)\ny = relu(x)").unwrap();
//! // relu sends all of x < 0 to 0: a point mass of 1/2
//! assert_eq!(d.atoms.len(), 1);
//! println!("{}", pushforward::render::to_text(&d));
//! ```
//!
//! The stages, each a module: [`syntax`] (pest grammar to syntax tree), [`lower`] (to an
//! egg term), [`rules`] and [`mod@derive`] (e-graph rewriting, extraction, explanation),
//! [`render`] (text, LaTeX, JSON) and [`eval`] (compiled batch evaluation).

pub mod check;
pub mod derive;
pub mod error;
pub mod eval;
pub mod figures;
pub mod lang;
pub mod lower;
pub mod paper;
pub mod render;
pub mod rules;
pub mod syntax;

pub use derive::{derive, Derivation, Limits};
pub use error::{Error, ErrorKind, Result};
pub use eval::{Law, Values};
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
