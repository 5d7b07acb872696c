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
//! [`check`] (the law tested against references that do not use it). Beside them,
//! [`paper`] and [`figures`] reproduce the paper, [`layers`] tabulates each
//! statement's law beside its matched Normal, and [`reference`](mod@reference)
//! gives the documentation generated from the code (the functions and the rules).
//! `docs/architecture.md` describes the stages inside.

pub mod check;
pub mod eval;
pub mod figures;
pub mod layers;
pub mod paper;
pub mod render;

// The stages inside, not an interface: what is in them changes with the code. Their
// items that the entry points take and give are re-exported below.
mod derive;
mod error;
mod lang;
mod lower;
mod rules;
mod syntax;

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

/// The documentation generated from the code: the table of the language's functions
/// (`pushforward functions`, in `docs/language.md`) and the rule catalogue
/// (`pushforward rules`, `docs/rules.md`).
pub mod reference {
    /// The table of the language's functions and operators, in Markdown: a row for
    /// each with its usage, meaning and a one-line example.
    pub fn functions_markdown() -> String {
        crate::lang::functions::reference_markdown()
    }

    /// Each function a program may call, as its usage (`leaky_relu(E, a)`) and a
    /// one-line program using it (which derives after `x ~ Normal(mu, sigma)`).
    pub fn function_examples() -> impl Iterator<Item = (&'static str, &'static str)> {
        crate::lang::functions::calls().map(|c| (c.usage, c.example))
    }

    /// The rule catalogue in Markdown: every rule by family, with what it rewrites,
    /// to what, when, and what it means.
    pub fn rules_markdown() -> String {
        crate::rules::catalogue_markdown()
    }

    /// The rule catalogue as a JSON array, one object per rule (its name, family,
    /// description, sides and conditions), pretty-printed and ending in a newline.
    pub fn rules_json() -> String {
        let infos: Vec<_> = crate::rules::all().iter().map(|r| &r.info).collect();
        format!("{:#}\n", serde_json::json!(infos))
    }
}
