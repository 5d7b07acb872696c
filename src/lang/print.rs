//! Terms as a person writes them: Unicode text for the terminal and LaTeX for papers.
//! One printer with a precedence climb serves both; only the spelling differs.

use crate::lang::functions::Print;
use crate::lang::{Expr, Node, Num};
use egg::{Id, Language};
use num_traits::{Signed, ToPrimitive};
use rustc_hash::FxHashMap;
use std::cell::RefCell;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Text,
    Latex,
}

/// Binding strength of what a printed piece is, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Sum,
    Product,
    Unary,
    Power,
    Atom,
}

/// The random input of a program: its term `(normal μ σ)` and the name it was given.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub term: &'a Expr,
    pub name: &'a str,
}

pub struct Printer<'a> {
    pub style: Style,
    /// The program's input, to print as `x` rather than `N(μ, σ²)`.
    pub input: Option<Input<'a>>,
    /// Abbreviations to print by name (see [`Names`]).
    pub names: Option<&'a Names>,
    /// The name of each node of the term being printed, if it has one.
    keys: RefCell<Vec<Option<usize>>>,
    /// Whether the term being printed has a Dirac term (sums print those last).
    deltas: std::cell::Cell<bool>,
}

/// Abbreviations for the derivation of a deep composition: each preimage of t through
/// an inverse map (artanh, logit, log, roots, softsign's inverse) is named u₁, u₂, ...
/// in the order they nest, terms print it by its name, and the definitions are printed
/// once. Without them the density of n layers prints n factors that each hold the
/// nested preimage, n² in all, and every one of its steps prints that again. The ends
/// of the support, constants as deep as the composition that every step's brackets
/// repeat, are named `lo` and `hi` the same way.
///
/// Terms are compared by structure, sums and products up to the order of their two
/// operands (the final tidying writes 1 + u where the derivation wrote u + 1).
#[derive(Default)]
pub struct Names {
    /// Interned nodes, their children replaced by interned ids.
    ids: FxHashMap<Node, usize>,
    /// Interned id → index of its definition.
    named: FxHashMap<usize, usize>,
    /// The name of each node of each term given to `new`, by the term's address: the
    /// terms of a long derivation are printed twice (text and LaTeX), and looking their
    /// nodes up again cost more than printing them.
    known: FxHashMap<usize, Vec<Option<usize>>>,
    /// The named terms: the support's ends, then the preimages innermost first.
    pub defs: Vec<Expr>,
    /// What each of `defs` is.
    labels: Vec<Label>,
}

/// What a name stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Label {
    Lo,
    Hi,
    /// The preimage u₁, u₂, ... (from 1).
    Preimage(usize),
}

/// Inverse maps nested this deep call for names: the derivation of a single map or
/// two reads better with its preimages written out.
const NAMES_FROM_NESTING: usize = 3;

impl Names {
    /// The names for a derivation's terms, or `None` when its preimages nest less than
    /// three inverse maps deep. `ends`, the support's lower and upper end where they
    /// are to be named, come first. The terms must outlive the printing (they are known
    /// by their address).
    pub fn new<'e>(
        ends: [Option<&'e Expr>; 2],
        terms: impl IntoIterator<Item = &'e Expr>,
    ) -> Option<Names> {
        let mut names = Names::default();
        for (end, label) in ends.into_iter().zip([Label::Lo, Label::Hi]) {
            let Some(end) = end else { continue };
            let mut local: Vec<usize> = Vec::with_capacity(end.as_ref().len());
            for node in end.as_ref() {
                let key = names.key_of(node, &local);
                let next = names.ids.len();
                local.push(*names.ids.entry(key).or_insert(next));
            }
            if let Some(root) = local.last() {
                names.named.insert(*root, names.defs.len());
                names.defs.push(end.clone());
                names.labels.push(label);
            }
        }
        // every interned id has a fact: the ends have no t and no inverse nesting
        let mut has_t: Vec<bool> = vec![false; names.ids.len()];
        let mut nesting: Vec<usize> = vec![0; names.ids.len()];
        for e in terms {
            let mut local: Vec<usize> = Vec::with_capacity(e.as_ref().len());
            let mut keys = Vec::with_capacity(e.as_ref().len());
            for (i, node) in e.as_ref().iter().enumerate() {
                let key = names.key_of(node, &local);
                let next = names.ids.len();
                let id = *names.ids.entry(key).or_insert(next);
                if id == has_t.len() {
                    let children = node.children();
                    let t = matches!(node, Node::T)
                        || children.iter().any(|c| has_t[local[usize::from(*c)]]);
                    let inverse = t && is_inverse(node);
                    let below = children
                        .iter()
                        .map(|c| nesting[local[usize::from(*c)]])
                        .max()
                        .unwrap_or(0);
                    has_t.push(t);
                    nesting.push(below + usize::from(inverse));
                    if inverse {
                        names.named.insert(id, names.defs.len());
                        names.defs.push(crate::lang::subterm(e, Id::from(i)));
                        let n = names
                            .labels
                            .iter()
                            .filter(|l| matches!(l, Label::Preimage(_)));
                        names.labels.push(Label::Preimage(n.count() + 1));
                    }
                }
                keys.push(names.named.get(&id).copied());
                local.push(id);
            }
            names.known.insert(e as *const Expr as usize, keys);
        }
        if nesting.iter().copied().max().unwrap_or(0) < NAMES_FROM_NESTING {
            return None;
        }
        Some(names)
    }

    /// A node as an interning key: its children by interned id, the operands of a sum
    /// or product in a fixed order.
    fn key_of(&self, node: &Node, local: &[usize]) -> Node {
        let mut key = node
            .clone()
            .map_children(|c| Id::from(local[usize::from(c)]));
        if let Node::Add([a, b]) | Node::Mul([a, b]) = &mut key {
            if usize::from(*b) < usize::from(*a) {
                std::mem::swap(a, b);
            }
        }
        key
    }

    /// The name index of each node of `e`, where it has one.
    fn keys(&self, e: &Expr) -> Vec<Option<usize>> {
        if let Some(keys) = self.known.get(&(e as *const Expr as usize)) {
            return keys.clone();
        }
        let mut local: Vec<usize> = Vec::with_capacity(e.as_ref().len());
        let mut out = Vec::with_capacity(e.as_ref().len());
        for node in e.as_ref() {
            // a node with a child never interned was never seen: no name, nor above it
            let known = node
                .children()
                .iter()
                .all(|c| local[usize::from(*c)] != usize::MAX);
            let id = if known {
                let key = self.key_of(node, &local);
                self.ids.get(&key).copied().unwrap_or(usize::MAX)
            } else {
                usize::MAX
            };
            out.push(self.named.get(&id).copied());
            local.push(id);
        }
        out
    }
}

fn is_inverse(node: &Node) -> bool {
    matches!(
        node,
        Node::Atanh(_) | Node::Logit(_) | Node::Log(_) | Node::SoftsignInv(_) | Node::Root(_)
    )
}

const GREEK: &[(&str, &str, &str)] = &[
    ("alpha", "α", "\\alpha"),
    ("beta", "β", "\\beta"),
    ("gamma", "γ", "\\gamma"),
    ("epsilon", "ε", "\\epsilon"),
    ("eta", "η", "\\eta"),
    ("theta", "θ", "\\theta"),
    ("kappa", "κ", "\\kappa"),
    ("lambda", "λ", "\\lambda"),
    ("mu", "μ", "\\mu"),
    ("nu", "ν", "\\nu"),
    ("rho", "ρ", "\\rho"),
    ("sigma", "σ", "\\sigma"),
    ("tau", "τ", "\\tau"),
    ("omega", "ω", "\\omega"),
];

impl<'a> Printer<'a> {
    pub fn new(style: Style, input: Option<Input<'a>>) -> Printer<'a> {
        Printer {
            style,
            input,
            names: None,
            keys: RefCell::new(Vec::new()),
            deltas: std::cell::Cell::new(true),
        }
    }

    pub fn with_names(self, names: Option<&'a Names>) -> Printer<'a> {
        Printer { names, ..self }
    }

    pub fn print(&self, e: &Expr) -> String {
        if e.as_ref().is_empty() {
            return String::new();
        }
        let root = Id::from(e.as_ref().len() - 1);
        let deltas = self
            .deltas
            .replace(e.as_ref().iter().any(|n| matches!(n, Node::Delta(_))));
        let out = self.print_names(e, root);
        self.deltas.set(deltas);
        out
    }

    fn print_names(&self, e: &Expr, root: Id) -> String {
        match self.names {
            None => self.go(e, root).0,
            Some(names) => {
                let before = self.keys.replace(names.keys(e));
                let out = self.go(e, root).0;
                self.keys.replace(before);
                out
            }
        }
    }

    /// The name of abbreviation `k`: `u₁`, `u_{1}`, `lo`, `\mathrm{lo}`.
    pub fn abbreviation(&self, k: usize) -> String {
        let label = self.names.and_then(|names| names.labels.get(k).copied());
        let n = match label {
            Some(Label::Preimage(n)) => n,
            Some(Label::Lo) if self.latex() => return "\\mathrm{lo}".to_string(),
            Some(Label::Hi) if self.latex() => return "\\mathrm{hi}".to_string(),
            Some(Label::Lo) => return "lo".to_string(),
            Some(Label::Hi) => return "hi".to_string(),
            None => k + 1,
        };
        if self.latex() {
            format!("u_{{{n}}}")
        } else {
            let sub: String = n
                .to_string()
                .chars()
                .map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
                .collect();
            format!("u{sub}")
        }
    }

    /// The definition of abbreviation `k`, with the abbreviations inside it by name.
    pub fn definition(&self, k: usize) -> String {
        let Some(names) = self.names else {
            return String::new();
        };
        let e = &names.defs[k];
        let root = Id::from(e.as_ref().len() - 1);
        let mut keys = names.keys(e);
        keys[usize::from(root)] = None;
        let before = self.keys.replace(keys);
        let out = self.go(e, root).0;
        self.keys.replace(before);
        out
    }

    fn latex(&self) -> bool {
        self.style == Style::Latex
    }

    fn name(&self, s: &str) -> String {
        for (ascii, uni, tex) in GREEK {
            if s == *ascii || s == *uni {
                return if self.latex() {
                    tex.to_string()
                } else {
                    uni.to_string()
                };
            }
        }
        if !self.latex() {
            return s.to_string();
        }
        // trailing digits become a subscript: w1 → w_{1}
        let base = s.trim_end_matches(|c: char| c.is_ascii_digit());
        let digits = &s[base.len()..];
        let base_tex = if base.chars().count() == 1 && base.is_ascii() {
            base.to_string()
        } else {
            let greek = GREEK.iter().find(|(a, u, _)| base == *a || base == *u);
            match greek {
                Some((_, _, tex)) => tex.to_string(),
                None => format!("\\mathit{{{}}}", base.replace('_', "\\_")),
            }
        };
        if digits.is_empty() {
            base_tex
        } else {
            format!("{base_tex}_{{{digits}}}")
        }
    }

    fn num(&self, n: &Num) -> (String, Prec) {
        match n {
            Num::PosInf => (
                if self.latex() { "\\infty" } else { "∞" }.into(),
                Prec::Atom,
            ),
            Num::NegInf => (
                if self.latex() { "-\\infty" } else { "−∞" }.into(),
                Prec::Unary,
            ),
            // a named constant (λ), its negative, or its reciprocal; only long fractions
            // are looked up
            Num::Rat(r) if r.denom().bits() > 40 => match self.named(r) {
                Some(named) => named,
                None => self.fraction(r),
            },
            Num::Rat(r) => self.fraction(r),
        }
    }

    /// A named constant, its negative or its reciprocal.
    fn named(&self, r: &num_rational::BigRational) -> Option<(String, Prec)> {
        use crate::lang::functions::constant_name;
        let pick = |(text, latex, _): (&'static str, &'static str, bool)| {
            if self.latex() {
                latex
            } else {
                text
            }
        };
        if let Some(c) = constant_name(r) {
            return Some((
                pick(c).to_string(),
                if c.2 { Prec::Product } else { Prec::Atom },
            ));
        }
        let minus = if self.latex() { "-" } else { "−" };
        if let Some(c) = constant_name(&-r) {
            return Some((format!("{minus}{}", pick(c)), Prec::Unary));
        }
        let (recip, neg) = if r.numer() < &0.into() {
            (-r.recip(), true)
        } else {
            (r.recip(), false)
        };
        let c = constant_name(&recip)?;
        let sign = if neg { minus } else { "" };
        Some(if self.latex() {
            (
                format!("{sign}\\frac{{1}}{{{}}}", pick(c)),
                if neg { Prec::Unary } else { Prec::Atom },
            )
        } else if c.2 {
            (
                format!("{sign}1/({})", pick(c)),
                if neg { Prec::Unary } else { Prec::Product },
            )
        } else {
            (
                format!("{sign}1/{}", pick(c)),
                if neg { Prec::Unary } else { Prec::Product },
            )
        })
    }

    /// A rational as an integer or a fraction.
    fn fraction(&self, r: &num_rational::BigRational) -> (String, Prec) {
        {
            {
                let neg = r.numer() < &0.into();
                // small numbers by machine integers: BigInt's formatting was an eighth
                // of the printing of a long derivation
                let (p, q) = match (r.numer().to_i64(), r.denom().to_i64()) {
                    (Some(p), Some(q)) => (p.unsigned_abs().to_string(), q.to_string()),
                    _ => (r.numer().magnitude().to_string(), r.denom().to_string()),
                };
                let minus = if self.latex() { "-" } else { "−" };
                let sign = if neg { minus } else { "" };
                if r.is_integer() {
                    (
                        format!("{sign}{p}"),
                        if neg { Prec::Unary } else { Prec::Atom },
                    )
                } else if self.latex() {
                    (
                        format!("{sign}\\frac{{{p}}}{{{q}}}"),
                        if neg { Prec::Unary } else { Prec::Atom },
                    )
                } else {
                    (
                        format!("{sign}{p}/{q}"),
                        if neg { Prec::Unary } else { Prec::Product },
                    )
                }
            }
        }
    }

    fn wrap(&self, (s, p): (String, Prec), min: Prec) -> String {
        if p < min {
            if self.latex() {
                format!("\\left({s}\\right)")
            } else {
                format!("({s})")
            }
        } else {
            s
        }
    }

    fn call(&self, text: &str, latex: &str, args: &[String]) -> (String, Prec) {
        let args = args.join(", ");
        if self.latex() {
            (format!("{latex}\\left({args}\\right)"), Prec::Atom)
        } else {
            (format!("{text}({args})"), Prec::Atom)
        }
    }

    fn rel(&self, strict: bool, flipped: bool) -> &'static str {
        match (self.latex(), strict, flipped) {
            (false, false, false) => "≥",
            (false, true, false) => ">",
            (false, false, true) => "≤",
            (false, true, true) => "<",
            (true, false, false) => "\\ge",
            (true, true, false) => ">",
            (true, false, true) => "\\le",
            (true, true, true) => "<",
        }
    }

    fn bracket(&self, inner: String) -> (String, Prec) {
        if self.latex() {
            (format!("\\left[{inner}\\right]"), Prec::Atom)
        } else {
            (format!("[{inner}]"), Prec::Atom)
        }
    }

    /// `[a ≥ b]`, written with t on the left when t is one side.
    fn comparison(&self, e: &Expr, a: Id, b: Id, strict: bool) -> String {
        let (a, b, flipped) = if matches!(e[b], Node::T) && !matches!(e[a], Node::T) {
            (b, a, true)
        } else {
            (a, b, false)
        };
        format!(
            "{} {} {}",
            self.go(e, a).0,
            self.rel(strict, flipped),
            self.go(e, b).0
        )
    }

    /// `[lo < t]·[t < hi]` as one bracket `[lo < t < hi]`.
    fn interval(&self, e: &Expr, a: Id, b: Id) -> Option<String> {
        let lower = |id: Id| -> Option<(Id, bool)> {
            match &e[id] {
                Node::Ge([x, c]) if matches!(e[*x], Node::T) => Some((*c, false)),
                Node::Gt([x, c]) if matches!(e[*x], Node::T) => Some((*c, true)),
                _ => None,
            }
        };
        let upper = |id: Id| -> Option<(Id, bool)> {
            match &e[id] {
                Node::Ge([c, x]) if matches!(e[*x], Node::T) => Some((*c, false)),
                Node::Gt([c, x]) if matches!(e[*x], Node::T) => Some((*c, true)),
                _ => None,
            }
        };
        let (lo, hi) = match (lower(a), upper(b), lower(b), upper(a)) {
            (Some(l), Some(h), _, _) => (l, h),
            (_, _, Some(l), Some(h)) => (l, h),
            _ => return None,
        };
        let le = |strict: bool| self.rel(strict, true);
        Some(format!(
            "{} {} t {} {}",
            self.go(e, lo.0).0,
            le(lo.1),
            le(hi.1),
            self.go(e, hi.0).0
        ))
    }

    /// A product, flattened into its factors so that a lower and an upper bracket on t
    /// anywhere in it print as one interval `[lo < t < hi]`, first.
    fn product(&self, e: &Expr, id: Id) -> (String, Prec) {
        fn factors(e: &Expr, id: Id, out: &mut Vec<Id>) {
            match &e[id] {
                Node::Mul([a, b]) => {
                    factors(e, *a, out);
                    factors(e, *b, out);
                }
                _ => out.push(id),
            }
        }
        let mut fs = Vec::new();
        factors(e, id, &mut fs);
        let mut printed: Vec<(String, Prec, bool)> = Vec::new();
        'outer: for i in 0..fs.len() {
            for j in 0..fs.len() {
                if i != j {
                    if let Some(inner) = self.interval(e, fs[i], fs[j]) {
                        let (s, p) = self.bracket(inner);
                        printed.push((s, p, false));
                        fs.remove(i.max(j));
                        fs.remove(i.min(j));
                        break 'outer;
                    }
                }
            }
        }
        // brackets first, then numbers, then the rest, Dirac terms last: a product's
        // value does not depend on the order, and this is the order people write
        let rank = |id: &Id| match &e[*id] {
            Node::Ge(_) | Node::Gt(_) => 0,
            Node::Num(_) => 1,
            Node::Symbol(_) => 2,
            Node::Div(_) => 4,
            Node::Delta(_) => 5,
            _ => 3,
        };
        fs.sort_by_key(rank);
        for f in &fs {
            let (s, p) = self.go(e, *f);
            printed.push((s, p, matches!(e[*f], Node::Num(_))));
        }
        let tex = self.latex();
        let mut out = String::new();
        for (k, (s, p, numeric)) in printed.iter().enumerate() {
            let fraction = *numeric && s.contains('/');
            let signed = k > 0 && (s.starts_with('−') || s.starts_with('-'));
            let piece = if *p == Prec::Unary && k > 0
                || signed
                || *p < Prec::Product
                || fraction && !tex && printed.len() > 1
            {
                self.wrap((s.clone(), *p), Prec::Atom)
            } else {
                s.clone()
            };
            if k > 0 {
                let prev_numeric = printed[k - 1].2 && !printed[k - 1].0.contains('/');
                out.push_str(if *numeric {
                    if tex {
                        " \\cdot "
                    } else {
                        "·"
                    }
                } else if prev_numeric {
                    if tex {
                        " "
                    } else {
                        ""
                    }
                } else if tex {
                    " \\, "
                } else {
                    "·"
                });
            }
            out.push_str(&piece);
        }
        (out, Prec::Product)
    }

    /// A sum, flattened, with its Dirac terms last.
    fn sum(&self, e: &Expr, id: Id) -> (String, Prec) {
        fn terms(e: &Expr, id: Id, out: &mut Vec<Id>) {
            match &e[id] {
                Node::Add([a, b]) => {
                    terms(e, *a, out);
                    terms(e, *b, out);
                }
                _ => out.push(id),
            }
        }
        fn has_delta(e: &Expr, id: Id) -> bool {
            matches!(e[id], Node::Delta(_)) || e[id].children().iter().any(|c| has_delta(e, *c))
        }
        let mut ts = Vec::new();
        terms(e, id, &mut ts);
        if self.deltas.get() {
            ts.sort_by_key(|t| has_delta(e, *t));
        }
        let minus = if self.latex() { "-" } else { "−" };
        let mut out = String::new();
        for (k, t) in ts.iter().enumerate() {
            if k == 0 {
                out.push_str(&self.go(e, *t).0);
                continue;
            }
            match &e[*t] {
                Node::Neg(c) => {
                    out.push_str(&format!(
                        " {minus} {}",
                        self.wrap(self.go(e, *c), Prec::Product)
                    ));
                }
                _ => {
                    let (s, p) = self.go(e, *t);
                    let s = if p == Prec::Unary {
                        self.wrap((s, p), Prec::Atom)
                    } else {
                        s
                    };
                    out.push_str(&format!(" + {s}"));
                }
            }
        }
        (out, Prec::Sum)
    }

    fn random(&self, e: &Expr, id: Id) -> String {
        if let (Some(m), Node::Normal(_)) = (self.input, &e[id]) {
            if crate::lang::subterm(e, id).to_string() == m.term.to_string() {
                return self.name(m.name);
            }
        }
        self.go(e, id).0
    }

    fn list(&self, e: &Expr, mut id: Id) -> String {
        let mut items = Vec::new();
        loop {
            match &e[id] {
                Node::Cons([h, r]) => {
                    items.push(self.go(e, *h).0);
                    id = *r;
                }
                Node::Nil => break,
                _ => {
                    return self.go(e, id).0;
                }
            }
        }
        format!("[{}]", items.join(", "))
    }

    fn go(&self, e: &Expr, id: Id) -> (String, Prec) {
        if let Some(Some(k)) = self.keys.borrow().get(usize::from(id)) {
            return (self.abbreviation(*k), Prec::Atom);
        }
        let tex = self.latex();
        let minus = if tex { "-" } else { "−" };
        let p = |i: &Id| self.go(e, *i);
        match &e[id] {
            Node::Num(n) => self.num(n),
            Node::Symbol(s) => (self.name(s.as_str()), Prec::Atom),
            Node::T => ("t".into(), Prec::Atom),
            Node::Add(_) => self.sum(e, id),
            // a − (−c) reads as a + c
            Node::Sub([a, b]) if matches!(&e[*b], Node::Num(Num::Rat(r)) if r.is_negative()) => {
                let c = match &e[*b] {
                    Node::Num(n) => {
                        self.num(&Num::from(-n.rat().cloned().unwrap_or_default()))
                            .0
                    }
                    _ => String::new(),
                };
                (format!("{} + {c}", p(a).0), Prec::Sum)
            }
            Node::Sub([a, b]) => {
                let rhs = p(b);
                let rhs = if rhs.1 == Prec::Unary {
                    self.wrap(rhs, Prec::Atom)
                } else {
                    self.wrap(rhs, Prec::Product)
                };
                (format!("{} {minus} {rhs}", p(a).0), Prec::Sum)
            }
            Node::Mul(_) => self.product(e, id),
            Node::Div([a, b]) => {
                if tex {
                    (format!("\\frac{{{}}}{{{}}}", p(a).0, p(b).0), Prec::Atom)
                } else {
                    let l = self.wrap(p(a), Prec::Product);
                    let r = self.wrap(p(b), Prec::Power);
                    (format!("{l}/{r}"), Prec::Product)
                }
            }
            Node::Neg(a) => (
                format!("{minus}{}", self.wrap(p(a), Prec::Product)),
                Prec::Unary,
            ),
            Node::Pow([a, b]) => {
                let base = self.wrap(p(a), Prec::Atom);
                let exp = p(b);
                if tex {
                    return (format!("{base}^{{{}}}", exp.0), Prec::Power);
                }
                let sup: Option<String> = exp.0.chars().map(superscript).collect();
                match sup {
                    Some(s) if exp.1 == Prec::Atom || exp.0.starts_with('−') => {
                        (format!("{base}{s}"), Prec::Power)
                    }
                    _ => (
                        format!("{base}^{}", self.wrap(exp, Prec::Atom)),
                        Prec::Power,
                    ),
                }
            }
            Node::Abs(a) => {
                let inner = p(a).0;
                if tex {
                    (format!("\\left|{inner}\\right|"), Prec::Atom)
                } else {
                    (format!("|{inner}|"), Prec::Atom)
                }
            }
            // √(Σ w²) is the norm ‖w‖
            Node::Sqrt(a) if matches!(e[*a], Node::WSq(_)) => {
                let Node::WSq(w) = &e[*a] else {
                    return (String::new(), Prec::Atom);
                };
                if tex {
                    (
                        format!("\\left\\|{}\\right\\|", self.list(e, *w)),
                        Prec::Atom,
                    )
                } else {
                    (format!("‖{}‖", self.list(e, *w)), Prec::Atom)
                }
            }
            Node::Sqrt(a) => {
                if tex {
                    (format!("\\sqrt{{{}}}", p(a).0), Prec::Atom)
                } else {
                    // a radical binds like a power: (√a)², not √a²
                    (format!("√{}", self.wrap(p(a), Prec::Atom)), Prec::Power)
                }
            }
            Node::Delta(a) => self.call("δ", "\\delta", &[p(a).0]),
            Node::Ge([a, b]) => self.bracket(self.comparison(e, *a, *b, false)),
            Node::Gt([a, b]) => self.bracket(self.comparison(e, *a, *b, true)),
            // P(Y ≤ s) inside Y's support reads as P(Y ≤ s): the brackets around it say
            // where s lies
            Node::Cdf([y, u]) | Node::CdfLt([y, u]) | Node::CdfIn([y, u]) => {
                let strict = matches!(e[id], Node::CdfLt(_));
                let rel = match (tex, strict) {
                    (_, true) => "<",
                    (false, false) => "≤",
                    (true, false) => "\\le",
                };
                let inner = format!("{} {rel} {}", self.random(e, *y), p(u).0);
                if tex {
                    (format!("P\\left({inner}\\right)"), Prec::Atom)
                } else {
                    (format!("P({inner})"), Prec::Atom)
                }
            }
            // the density of Y at s inside Y's support: f_Y(s)
            Node::PdfIn([y, u]) => {
                let y = self.random(e, *y);
                // a name (x, Y) as a plain subscript, anything else in parentheses
                let plain = y.chars().next().is_some_and(char::is_alphabetic)
                    && y.chars().all(|c| c.is_alphabetic() || c.is_ascii_digit());
                let arg = p(u).0;
                match (tex, plain) {
                    (true, _) => (format!("f_{{{y}}}\\left({arg}\\right)"), Prec::Atom),
                    (false, true) => (format!("f_{y}({arg})"), Prec::Atom),
                    (false, false) => (format!("f_({y})({arg})"), Prec::Atom),
                }
            }
            Node::D(f) => {
                if tex {
                    (
                        format!("\\frac{{d}}{{dt}}\\left[{}\\right]", p(f).0),
                        Prec::Atom,
                    )
                } else {
                    (format!("d/dt[{}]", p(f).0), Prec::Atom)
                }
            }
            Node::Dc(f) => {
                if tex {
                    (format!("\\left({}\\right)'", p(f).0), Prec::Atom)
                } else {
                    (format!("({})′", p(f).0), Prec::Atom)
                }
            }
            Node::Normal([m, s]) => {
                if let Some(m) = self.input {
                    if crate::lang::subterm(e, id).to_string() == m.term.to_string() {
                        return (self.name(m.name), Prec::Atom);
                    }
                }
                let s2 = self.go(e, *s);
                let var = if tex {
                    format!("{}^{{2}}", self.wrap(s2, Prec::Atom))
                } else {
                    format!("{}²", self.wrap(s2, Prec::Atom))
                };
                let name = if tex { "\\mathcal{N}" } else { "N" };
                self.call(name, name, &[p(m).0, var])
            }
            Node::MaxPool([a, n]) => self.call(
                "maxpool",
                "\\operatorname{maxpool}",
                &[self.random(e, *a), p(n).0],
            ),
            Node::Order([a, k, n]) => self.call(
                "order",
                "\\operatorname{order}",
                &[self.random(e, *a), p(k).0, p(n).0],
            ),
            Node::OrderCdf([k, n, u]) => {
                // I_u(K, N − K + 1), the regularized incomplete beta function
                let second = format!(
                    "{} {} {} + 1",
                    p(n).0,
                    if tex { "-" } else { "−" },
                    self.wrap(p(k), Prec::Product)
                );
                if tex {
                    (
                        format!("I_{{{}}}\\left({}, {second}\\right)", p(u).0, p(k).0),
                        Prec::Atom,
                    )
                } else {
                    (format!("I[{}]({}, {second})", p(u).0, p(k).0), Prec::Atom)
                }
            }
            Node::Factorial(a) => {
                let inner = self.wrap(p(a), Prec::Atom);
                (format!("{inner}!"), Prec::Atom)
            }
            Node::Ite([x, c, a, b]) => {
                let (xs, cs, at, bt) = (
                    self.random(e, *x),
                    p(c).0,
                    self.random(e, *a),
                    self.random(e, *b),
                );
                if tex {
                    (
                        format!("\\begin{{cases}} {at} & {xs} \\ge {cs} \\\\ {bt} & \\text{{otherwise}} \\end{{cases}}"),
                        Prec::Atom,
                    )
                } else {
                    (format!("(if {xs} ≥ {cs} then {at} else {bt})"), Prec::Atom)
                }
            }
            Node::MinPool([a, n]) => self.call(
                "minpool",
                "\\operatorname{minpool}",
                &[self.random(e, *a), p(n).0],
            ),
            Node::SoftsignInv(a) => {
                // u/(1 − |u|), as the inverse is usually written
                let u = self.go(e, *a);
                let inner = self.wrap(u.clone(), Prec::Power);
                if tex {
                    (
                        format!("\\frac{{{}}}{{1 - \\left|{}\\right|}}", u.0, u.0),
                        Prec::Atom,
                    )
                } else {
                    (format!("{inner}/(1 − |{}|)", u.0), Prec::Product)
                }
            }
            Node::Root([a, n]) => {
                let (u, k) = (p(a), p(n).0);
                if tex {
                    if k == "2" {
                        (format!("\\sqrt{{{}}}", u.0), Prec::Atom)
                    } else {
                        (format!("\\sqrt[{k}]{{{}}}", u.0), Prec::Atom)
                    }
                } else {
                    match k.as_str() {
                        "2" => (format!("√{}", self.wrap(u, Prec::Atom)), Prec::Power),
                        "3" => (format!("∛{}", self.wrap(u, Prec::Atom)), Prec::Power),
                        "4" => (format!("∜{}", self.wrap(u, Prec::Atom)), Prec::Power),
                        _ => (format!("{}^(1/{k})", self.wrap(u, Prec::Atom)), Prec::Power),
                    }
                }
            }
            Node::Conv([a, w]) => self.call(
                "conv",
                "\\operatorname{conv}",
                &[self.random(e, *a), self.list(e, *w)],
            ),
            Node::Cons(_) | Node::Nil => (self.list(e, id), Prec::Atom),
            Node::WSum(w) => {
                if tex {
                    (format!("\\textstyle\\sum {}", self.list(e, *w)), Prec::Atom)
                } else {
                    (format!("Σ{}", self.list(e, *w)), Prec::Atom)
                }
            }
            Node::WSq(w) => {
                if tex {
                    (
                        format!("\\left\\|{}\\right\\|^{{2}}", self.list(e, *w)),
                        Prec::Power,
                    )
                } else {
                    (format!("‖{}‖²", self.list(e, *w)), Prec::Power)
                }
            }
            // a function of the registry, as a call
            n => {
                let (text, latex) = match n.function().map(|f| (f.op, f.print)) {
                    Some((_, Print::Call(text, latex))) => (text, latex),
                    Some((op, Print::Own)) => (op, op),
                    None => ("?", "?"),
                };
                let args: Vec<String> = n.children().iter().map(|c| p(c).0).collect();
                self.call(text, latex, &args)
            }
        }
    }
}

fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '−' => '⁻',
        _ => return None,
    })
}

/// A term as Unicode text.
pub fn text(e: &Expr, input: Option<Input>) -> String {
    Printer::new(Style::Text, input).print(e)
}

/// A term as LaTeX (math mode).
pub fn latex(e: &Expr, input: Option<Input>) -> String {
    Printer::new(Style::Latex, input).print(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn shows(sexp: &str, expected_text: &str, expected_latex: &str) {
        let e = crate::lang::expr(sexp).unwrap();
        assert_eq!(text(&e, None), expected_text);
        assert_eq!(latex(&e, None), expected_latex);
    }

    #[test]
    fn precedence_and_spelling() {
        shows(
            "(Phi (/ (- t mu) sigma))",
            "Φ((t − μ)/σ)",
            "\\Phi\\left(\\frac{t - \\mu}{\\sigma}\\right)",
        );
        shows(
            "(* (>= t 0) (Phi t))",
            "[t ≥ 0]·Φ(t)",
            "\\left[t \\ge 0\\right] \\, \\Phi\\left(t\\right)",
        );
        shows(
            "(* (> t -1) (> 1 t))",
            "[−1 < t < 1]",
            "\\left[-1 < t < 1\\right]",
        );
        shows("(neg (^ t 2))", "−t²", "-t^{2}");
        shows("(* 2 sigma)", "2σ", "2 \\sigma");
        shows(
            "(^ (Phi t) (- N 1))",
            "Φ(t)^(N − 1)",
            "\\Phi\\left(t\\right)^{N - 1}",
        );
        shows("(- a (- b c))", "a − (b − c)", "a - \\left(b - c\\right)");
        shows("(+ a (neg b))", "a − b", "a - b");
        shows("(* w1 1/2)", "(1/2)·w1", "\\frac{1}{2} w_{1}");
    }

    #[test]
    fn preimages_nested_three_deep_are_named_innermost_first() {
        let parse = |s: &str| crate::lang::expr(s).unwrap();
        // a step and the final term write the same preimage as u + 1 and as 1 + u
        let step = parse("(Phi (atanh (/ (+ (logit (atanh t)) 1) 2)))");
        let last = parse("(* (phi (atanh (/ (+ 1 (logit (atanh t))) 2))) 2)");
        let names = Names::new([None, None], [&step, &last]).expect("three inverse maps deep");
        let p = Printer::new(Style::Text, None).with_names(Some(&names));
        assert_eq!(names.defs.len(), 3);
        assert_eq!(p.definition(0), "artanh(t)");
        assert_eq!(p.definition(1), "logit(u₁)");
        assert_eq!(p.definition(2), "artanh((u₂ + 1)/2)");
        assert_eq!(p.print(&step), "Φ(u₃)");
        assert_eq!(p.print(&last), "2φ(u₃)");
        // a term not seen when the names were made still prints its parts by name
        assert_eq!(p.print(&parse("(- 1 (logit (atanh t)))")), "1 − u₂");
        let tex = Printer::new(Style::Latex, None).with_names(Some(&names));
        assert_eq!(tex.print(&step), "\\Phi\\left(u_{3}\\right)");
    }

    #[test]
    fn two_inverse_maps_are_written_out() {
        let e = crate::lang::expr("(Phi (logit (atanh t)))").unwrap();
        assert!(Names::new([None, None], [&e]).is_none());
    }

    #[test]
    fn support_ends_are_named_lo_and_hi_before_the_preimages() {
        let parse = |s: &str| crate::lang::expr(s).unwrap();
        let lo = parse("(tanh (+ 1 (* 2 (sigmoid -3))))");
        let hi = parse("(tanh (+ 1 (* 2 (sigmoid 1))))");
        // the bracket writes 2sigmoid(1) + 1 where the end has 1 + 2sigmoid(1)
        let step = parse(
            "(* (* (> t (tanh (+ 1 (* 2 (sigmoid -3))))) (> (tanh (+ (* 2 (sigmoid 1)) 1)) t)) \
             (Phi (atanh (logit (atanh t)))))",
        );
        let names = Names::new([Some(&lo), Some(&hi)], [&step]).expect("three inverse maps deep");
        let p = Printer::new(Style::Text, None).with_names(Some(&names));
        assert_eq!(p.abbreviation(0), "lo");
        assert_eq!(p.definition(0), "tanh(1 + 2sigmoid(−3))");
        assert_eq!(p.abbreviation(1), "hi");
        assert_eq!(p.abbreviation(2), "u₁");
        assert_eq!(p.definition(3), "logit(u₁)");
        assert_eq!(p.print(&step), "[lo < t < hi]·Φ(u₃)");
        let tex = Printer::new(Style::Latex, None).with_names(Some(&names));
        assert_eq!(tex.abbreviation(1), "\\mathrm{hi}");
    }
}
