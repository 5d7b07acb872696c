//! The registry of the language's functions: each function is one entry (in
//! `entries.rs`), and every stage reads it. An entry gives the function's operator in terms and rule
//! patterns, how a program calls it (for the parser's list, lowering, error hints and
//! `docs/language.md`), its value at a point (scalar, and a four-lane kernel where one
//! exists), the exact values the analysis folds, the signs and finiteness of its
//! values, where it is defined, its derivative (a rule of the chain rule), and, for a
//! strictly increasing map, its pieces, their ranges and inverses and its density
//! (the change-of-variables rules, the support and the interval bounds come from
//! those). egglog's primitives, one line per operation, and numbat's table of
//! functions are the models.
//!
//! Functions whose laws need rules of their own (relu, leaky relu, elu, abs, clamp,
//! max, min, powers and roots: flat pieces, several preimages) say so with
//! [`Map`] left out and `Own` in the fields the analysis or the printer handles
//! itself; everything else about them is read from here too.
//!
//! The term language's nodes for these functions are generated from the list in
//! `entries.rs` (`for_each_function!`): adding an entry and its line there adds its
//! node, so a new function touches that file only.

#[macro_use]
mod entries;

pub use entries::*;

use super::{Need, Num};
use std::collections::HashMap;
use std::sync::OnceLock;
use wide::f64x4;

/// How a program calls a function.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// The name a program writes (`leaky_relu`).
    pub name: &'static str,
    pub usage: &'static str,
    /// Arguments a program passes.
    pub arity: usize,
    pub meaning: &'static str,
    /// A one-line program using it, which `docs/language.md` shows and a test derives.
    pub example: &'static str,
    pub lowering: Lowering,
}

/// How lowering builds a call.
#[derive(Clone, Copy, Debug)]
pub enum Lowering {
    /// The function's own node, its arguments in order; arguments after the first
    /// must not be random (a slope, a scale).
    Node,
    /// Shorthand for a term of other functions, as an s-expression in `?x`, the
    /// argument (`relu6` is `(clamp ?x 0 6)`).
    Sugar(&'static str),
    /// Built by lowering's own code (its arguments need checks of their own).
    Own,
}

/// How a term prints.
#[derive(Clone, Copy, Debug)]
pub enum Print {
    /// As a call, `name(args)`: its text and LaTeX names.
    Call(&'static str, &'static str),
    /// By the printer's own rule (√u, |u|, u/(1 − |u|), ...).
    Own,
    /// As the term it stands for, an s-expression in `?u`, its argument (GELU′(u) is
    /// Φ(u) + u·φ(u)).
    As(&'static str),
}

/// The signs a function's values take, from its argument's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signs {
    /// The sign of its argument (odd increasing maps: tanh, artanh, softsign).
    Same,
    /// Always positive (exp, sigmoid, softplus, Φ, φ).
    Positive,
    /// Always negative on R (log-sigmoid).
    Negative,
    /// Positive for a positive argument, non-negative otherwise (√u).
    Root,
    /// The analysis decides.
    Own,
    /// Nothing is known.
    Any,
}

/// Where a function's values are finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finite {
    /// Whatever its argument (bounded maps).
    Always,
    /// Where its arguments are.
    WithArgs,
    /// Where its argument is finite and positive (log, √: they reach −∞ or lose
    /// their derivative at 0).
    PositiveArg,
    /// Not known in general.
    Unknown,
}

/// Where a function is defined, for the analysis's `total` and for interval bounds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// All of R.
    All,
    /// A positive argument.
    Positive,
    /// A non-negative argument.
    NonNegative,
    /// The open interval (lo, hi), defined inside a support only (artanh, logit).
    Inside(f64, f64),
    /// The analysis decides.
    Own,
}

/// Where a function of one argument turns between monotone runs.
#[derive(Clone, Copy, Debug)]
pub enum Turns {
    /// Not known: rigorous interval bounds do not go through it.
    Unknown,
    /// At these exact points, a minimum when `true` (φ: a maximum at 0).
    At(&'static [(f64, bool)]),
    /// Where its derivative (the entry's `derivative`) changes sign, found by
    /// `lang::turns` with a guarantee.
    Derived,
}

/// The derivative of f(u) in t by the chain rule: a rule named `name` from
/// `(Dc (op ?u))` to `rhs`.
#[derive(Clone, Copy, Debug)]
pub struct Derivative {
    pub name: &'static str,
    pub rhs: &'static str,
    pub words: &'static str,
}

/// One strictly increasing piece of a map: the open interval (lo, hi) of t it covers
/// (`None` for ∓∞; `closed` when the piece attains lo, which then carries an atom if
/// a set of positive probability lands there) and the inverse on it, in `?t`.
#[derive(Clone, Copy, Debug)]
pub struct Piece {
    pub lo: Option<(&'static str, bool)>,
    pub hi: Option<&'static str>,
    pub inverse: &'static str,
}

/// A strictly increasing map g of a random term: its pieces, left to right, cover its
/// range without gaps. With one piece whose range is open (all maps but √), g(E) of a
/// Normal E is a *chain*: its law has no atoms and its support is g's range.
#[derive(Clone, Copy, Debug)]
pub struct Map {
    pub pieces: &'static [Piece],
    /// The name rules give its inverse (`atanh`, `softplus-inverse`): the brackets
    /// that solve g⁻¹(u) ≥ c for u are `solve-NAME-...`.
    pub inverse_name: &'static str,
    /// What its argument must satisfy almost surely (log: positive).
    pub domain: Option<Need>,
    /// Why the change of variables holds, in words.
    pub words: &'static str,
    /// The density of g(E) at t from that of E at g⁻¹(t) (`INNER`): the change of
    /// variables f_E(g⁻¹(t))·(g⁻¹)′(t) in the form the chain rule gives it, and in words;
    /// for chains.
    pub density: Option<(&'static str, &'static str)>,
}

impl Map {
    /// A map with one piece.
    pub fn single(&self) -> Option<&Piece> {
        match self.pieces {
            [one] => Some(one),
            _ => None,
        }
    }

    /// The lower end of its range.
    pub fn lo(&self) -> Option<(&'static str, bool)> {
        self.pieces.first().and_then(|p| p.lo)
    }

    /// The upper end of its range.
    pub fn hi(&self) -> Option<&'static str> {
        self.pieces.last().and_then(|p| p.hi)
    }

    /// Whether g(E) of a chain is a chain: one piece onto an open range.
    pub fn chains(&self) -> bool {
        self.density.is_some() && self.single().is_some_and(|p| !p.lo.is_some_and(|l| l.1))
    }
}

/// Everything the stages know of one function.
#[derive(Clone, Copy, Debug)]
pub struct Function {
    /// The operator in terms and rule patterns (`leaky-relu`, `softsign-inv`).
    pub op: &'static str,
    /// How a program calls it; `None` for the functions only derivations write (artanh,
    /// logit, Φ, ...).
    pub call: Option<Call>,
    /// The value at a point, its arguments in order.
    pub value: fn(&[f64]) -> f64,
    /// The same four points at a time, where a vector kernel exists.
    pub vector: Option<fn(f64x4) -> f64x4>,
    /// The value and its first two derivatives together, four points at a time,
    /// sharing their work (GELU's Φ and φ, SiLU's e^(−|x|)): what Newton's iteration on
    /// an inverse of the function evaluates at every step (the second derivative
    /// carries g′ from the last step to the root, for the density). It agrees with
    /// `vector`, with the derivative rule's right side and with the second derivative
    /// written by hand (tested beside the kernels).
    pub with_derivatives: Option<fn(f64x4) -> [f64x4; 3]>,
    pub print: Print,
    /// Exact values the analysis folds: (argument, value) as numbers, `inf` and `-inf`
    /// for the limits at the ends of its domain.
    pub exact: &'static [(&'static str, &'static str)],
    pub signs: Signs,
    pub finite: Finite,
    pub domain: Domain,
    /// Increasing in its first argument: interval bounds go through it end by end.
    pub increasing: bool,
    /// Where a function that is not increasing turns, for rigorous interval bounds.
    pub turns: Turns,
    pub derivative: Option<Derivative>,
    pub map: Option<Map>,
}

/// The exact value of a unary function at `x`, where its entry lists one.
pub fn exact(f: &Function, x: &Num) -> Option<Num> {
    static TABLES: OnceLock<HashMap<&'static str, Vec<(Num, Num)>>> = OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        let num = |s: &str| {
            s.parse::<Num>()
                .unwrap_or_else(|e| panic!("registry: {s}: {e}"))
        };
        super::FUNCTIONS
            .iter()
            .map(|f| {
                (
                    f.op,
                    f.exact.iter().map(|(a, v)| (num(a), num(v))).collect(),
                )
            })
            .collect()
    });
    tables
        .get(f.op)?
        .iter()
        .find(|(a, _)| a == x)
        .map(|(_, v)| v.clone())
}

/// Every function a program can call, in the order the language reference lists them.
pub fn calls() -> impl Iterator<Item = &'static Call> {
    super::FUNCTIONS
        .iter()
        .filter_map(|f| f.call.as_ref())
        .chain(OTHER_CALLS)
}

/// Operators the language reference lists beside the calls: (usage, meaning, example).
pub const OPERATORS: &[(&str, &str, &str)] = &[(
    "E^n",
    "a whole power from 1 to 64: increasing for odd n, two preimages ±t^(1/n) for even n",
    "y = (x - 1)^2",
)];

/// The language reference's table of functions (`docs/language.md` holds it), from the
/// registry: what `pushforward functions` prints.
pub fn reference_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::from("| function | meaning | example |\n|---|---|---|\n");
    let rows = calls()
        .map(|c| (c.usage, c.meaning, c.example))
        .chain(OPERATORS.iter().copied());
    for (usage, meaning, example) in rows {
        out.push_str(&format!(
            "| `{usage}` | {} | `{example}` |\n",
            cell(meaning)
        ));
    }
    out
}

/// The name of a constant of [`NAMED_CONSTANTS`], if `r` is one.
pub fn constant_name(r: &num_rational::BigRational) -> Option<(&'static str, &'static str, bool)> {
    static VALUES: OnceLock<Vec<Num>> = OnceLock::new();
    let values = VALUES.get_or_init(|| {
        NAMED_CONSTANTS
            .iter()
            .map(|(v, ..)| v.parse().unwrap_or(Num::NegInf))
            .collect()
    });
    let at = values.iter().position(|v| v.rat() == Some(r))?;
    let (_, text, latex, product) = NAMED_CONSTANTS[at];
    Some((text, latex, product))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Expr, Node, FUNCTIONS};
    use egg::{FromOp, Id, Language};

    #[track_caller]
    fn parses(what: &str, term: &str) {
        let vars = term.replace("INNER", "?inner");
        assert!(
            vars.parse::<egg::Pattern<Node>>().is_ok(),
            "{what}: {term} is not a term of the language"
        );
    }

    #[test]
    fn every_term_of_the_registry_parses() {
        for f in FUNCTIONS {
            for (x, v) in f.exact {
                assert!(
                    x.parse::<Num>().is_ok() && v.parse::<Num>().is_ok(),
                    "{}",
                    f.op
                );
            }
            if let Some(d) = f.derivative {
                parses(d.name, d.rhs);
            }
            if let Some(m) = f.map {
                for p in m.pieces {
                    parses(f.op, p.inverse);
                    for end in p.lo.map(|l| l.0).into_iter().chain(p.hi) {
                        assert!(end.parse::<Num>().is_ok(), "{}: {end}", f.op);
                    }
                }
                if let Some((density, _)) = m.density {
                    parses(f.op, density);
                }
            }
        }
        for c in calls() {
            if let Lowering::Sugar(term) = c.lowering {
                parses(c.name, term);
            }
        }
    }

    #[test]
    fn every_entry_is_its_nodes_entry_and_every_name_is_one_call() {
        for f in FUNCTIONS {
            let arity = match f.call {
                Some(c) if matches!(c.lowering, Lowering::Node) => c.arity,
                _ => (1..=3)
                    .find(|&n| Node::from_op(f.op, vec![Id::from(0); n]).is_ok())
                    .unwrap_or(0),
            };
            let node = Node::from_op(f.op, vec![Id::from(0); arity]).unwrap();
            assert_eq!(node.function().map(|g| g.op), Some(f.op));
            assert_eq!(node.children().len(), arity);
        }
        let mut names: Vec<&str> = calls().map(|c| c.name).collect();
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all, "a name is called twice");
        let _ = Expr::default();
    }

    #[test]
    fn exact_values_are_the_functions_values() {
        // where the entry folds f(x) exactly, its value at x agrees
        for f in FUNCTIONS {
            for (x, v) in f.exact {
                let (x, v) = (x.parse::<Num>().unwrap(), v.parse::<Num>().unwrap());
                let got = (f.value)(&[x.to_f64()]);
                let want = v.to_f64();
                assert!(
                    got == want || (got - want).abs() < 1e-15,
                    "{}({}) is {got}, the entry says {want}",
                    f.op,
                    x
                );
            }
        }
    }
}
