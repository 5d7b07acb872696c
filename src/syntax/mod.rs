//! Source text to syntax tree: the pest grammar, a Pratt parser for operators, and a
//! tree whose every node keeps its span for diagnostics.

mod ast;
mod parse;

pub use ast::*;
pub use parse::{number, parse};
