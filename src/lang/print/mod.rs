//! Terms as a person writes them: Unicode text for the terminal and LaTeX for papers.
//! One printer with a precedence climb serves both; only the spelling differs.

mod leaves;
mod names;
mod sums;

use crate::lang::functions::Print;
use crate::lang::{Expr, Node, Num};
use egg::{Id, Language};
use leaves::superscript;
use names::Label;
pub use names::Names;
use num_traits::Signed;
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
    /// The inverses and points of `lang::implicit` a derivation names, in the order it
    /// numbers them (g₁⁻¹, g₂⁻¹, x₁*); others print by their index.
    pub refs: Option<(&'a [usize], &'a [usize])>,
    /// The numeric laws (sums of non-Normal terms) a derivation's leaves name, in its
    /// order: S₁, S₂, …
    pub laws: Vec<usize>,
}

impl<'a> Printer<'a> {
    pub fn new(style: Style, input: Option<Input<'a>>) -> Printer<'a> {
        Printer {
            style,
            input,
            names: None,
            keys: RefCell::new(Vec::new()),
            deltas: std::cell::Cell::new(true),
            refs: None,
            laws: Vec::new(),
        }
    }

    /// Name the numeric laws of a derivation's leaves S₁, S₂, … in this order.
    pub fn with_laws(self, laws: Vec<usize>) -> Printer<'a> {
        Printer { laws, ..self }
    }

    /// The name of the k-th numeric law: Sᵢ for a leaf's, S for a sum at the root.
    pub fn law_name(&self, k: usize) -> String {
        match self.laws.iter().position(|&j| j == k) {
            Some(i) if self.latex() => format!("S_{{{}}}", i + 1),
            Some(i) => format!("S{}", subscript(i + 1)),
            None => "S".into(),
        }
    }

    pub fn with_names(self, names: Option<&'a Names>) -> Printer<'a> {
        Printer { names, ..self }
    }

    /// Number a derivation's inverses and points in its own order.
    pub fn with_refs(self, inverses: &'a [usize], points: &'a [usize]) -> Printer<'a> {
        Printer {
            refs: Some((inverses, points)),
            ..self
        }
    }

    /// The number a reference prints with: its place in the derivation's list, from 1.
    fn number(&self, k: usize, point: bool) -> usize {
        let list = self.refs.map(|(i, p)| if point { p } else { i });
        1 + list
            .and_then(|l| l.iter().position(|&j| j == k))
            .unwrap_or(k)
    }

    /// `g₁⁻¹` (or `x₁*` for a point), in this style.
    pub fn reference(&self, k: usize, point: bool) -> String {
        let n = self.number(k, point);
        match (self.latex(), point) {
            (true, true) => format!("x_{{{n}}}^{{*}}"),
            (true, false) => format!("g_{{{n}}}^{{-1}}"),
            (false, true) => format!("x{}*", subscript(n)),
            (false, false) => format!("g{}⁻¹", subscript(n)),
        }
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
        match &e[id] {
            Node::Num(n) => self.num(n),
            Node::Symbol(s) => (self.name(s.as_str()), Prec::Atom),
            Node::T => ("t".into(), Prec::Atom),
            Node::Ref(r) => (r.to_string(), Prec::Atom),
            Node::Point(_) => {
                let k = crate::lang::implicit::index(e, &e[id]).unwrap_or(0);
                (self.reference(k, true), Prec::Atom)
            }
            // the law of a weighted sum of iid copies, S or Sᵢ (the legend says which),
            // and the continuous part F°_S of its CDF
            Node::ConvCdf([_, u]) | Node::ConvPdf([_, u]) | Node::LawCdf([_, _, u]) => {
                let k = crate::lang::implicit::index(e, &e[id]).unwrap_or(usize::MAX);
                let s = self.law_name(k);
                let f = match (&e[id], self.latex()) {
                    (Node::ConvCdf(_), true) => format!("F_{{{s}}}"),
                    (Node::ConvCdf(_), false) => format!("F_{s}"),
                    (Node::LawCdf(_), true) => format!("F^{{\\circ}}_{{{s}}}"),
                    (Node::LawCdf(_), false) => format!("F°_{s}"),
                    (_, true) => format!("f_{{{s}}}"),
                    (_, false) => format!("f_{s}"),
                };
                let arg = self.go(e, *u).0;
                self.call(&f, &f, &[arg])
            }
            // the steps of a list of atoms, Σ m·[t ≥ a] over its pairs (a, m)
            Node::Jumps([list, u]) | Node::JumpsLt([list, u]) => {
                let mut pairs = Vec::new();
                let mut cur = *list;
                while let Node::Cons([pair, rest]) = &e[cur] {
                    if let Node::Cons([at, mass]) = &e[*pair] {
                        pairs.push(format!("({}, {})", self.go(e, *at).0, self.go(e, *mass).0));
                    }
                    cur = *rest;
                }
                let u = self.go(e, *u).0;
                let strict = matches!(e[id], Node::JumpsLt(_));
                let rel = self.rel(strict, false);
                let out = if self.latex() {
                    let set = if pairs.is_empty() {
                        "\\emptyset".to_string()
                    } else {
                        format!("\\{{{}\\}}", pairs.join(", "))
                    };
                    format!("\\sum_{{(a, m) \\in {set}}} m\\,[{u} {rel} a]")
                } else {
                    let set = if pairs.is_empty() {
                        "∅".to_string()
                    } else {
                        format!("{{{}}}", pairs.join(", "))
                    };
                    format!("Σ_((a, m) ∈ {set}) m·[{u} {rel} a]")
                };
                (out, Prec::Sum)
            }
            Node::Law(_) => {
                let k = crate::lang::implicit::index(e, &e[id]).unwrap_or(usize::MAX);
                (self.law_name(k), Prec::Atom)
            }
            Node::Inverse([_, u]) | Node::InverseD([_, u]) => {
                let k = crate::lang::implicit::index(e, &e[id]).unwrap_or(0);
                let g = self.reference(k, false);
                let f = match (&e[id], self.latex()) {
                    (Node::Inverse(_), _) => g,
                    (_, true) => format!("\\left({g}\\right)'"),
                    (_, false) => format!("({g})′"),
                };
                let arg = self.go(e, *u).0;
                self.call(&f, &f, &[arg])
            }
            Node::Add(_)
            | Node::Sub(_)
            | Node::Mul(_)
            | Node::Div(_)
            | Node::Neg(_)
            | Node::Pow(_) => self.arithmetic(e, id),
            Node::Delta(_)
            | Node::Ge(_)
            | Node::Gt(_)
            | Node::Cdf(_)
            | Node::CdfLt(_)
            | Node::CdfIn(_)
            | Node::PdfIn(_)
            | Node::D(_)
            | Node::Dc(_) => self.operator(e, id),
            // an input of a program with several, by its name
            Node::Var([n, _]) => self.go(e, *n),
            Node::Normal(_)
            | Node::Bernoulli(_)
            | Node::Uniform(_)
            | Node::MaxPool(_)
            | Node::MinPool(_)
            | Node::Order(_)
            | Node::OrderCdf(_)
            | Node::Factorial(_)
            | Node::Ite(_)
            | Node::Conv(_)
            | Node::Cons(_)
            | Node::Nil
            | Node::WSum(_)
            | Node::WSq(_) => self.random_or_list(e, id),
            _ => self.function(e, id),
        }
    }

    /// Sums, differences, products, quotients, negatives and powers.
    fn arithmetic(&self, e: &Expr, id: Id) -> (String, Prec) {
        let tex = self.latex();
        let minus = if tex { "-" } else { "−" };
        let p = |i: &Id| self.go(e, *i);
        match &e[id] {
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
            _ => self.function(e, id),
        }
    }

    /// Probabilities, densities, derivatives, brackets and deltas.
    fn operator(&self, e: &Expr, id: Id) -> (String, Prec) {
        let tex = self.latex();
        let p = |i: &Id| self.go(e, *i);
        match &e[id] {
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
            _ => self.function(e, id),
        }
    }

    /// Random variables, order statistics and weight lists.
    fn random_or_list(&self, e: &Expr, id: Id) -> (String, Prec) {
        let tex = self.latex();
        let p = |i: &Id| self.go(e, *i);
        match &e[id] {
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
            Node::Bernoulli(q) => self.call("Bernoulli", "\\operatorname{Bernoulli}", &[p(q).0]),
            Node::Uniform([a, b]) => self.call("U", "\\mathcal{U}", &[p(a).0, p(b).0]),
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
            _ => self.function(e, id),
        }
    }

    /// Functions: those the printer writes its own way, then the registry's calls.
    fn function(&self, e: &Expr, id: Id) -> (String, Prec) {
        let tex = self.latex();
        let p = |i: &Id| self.go(e, *i);
        match &e[id] {
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
            // a function of the registry, as a call, or as the term it stands for
            n => {
                let (text, latex) = match n.function().map(|f| (f.op, f.print)) {
                    Some((_, Print::Call(text, latex))) => (text, latex),
                    Some((_, Print::As(term))) => {
                        let mut sub = crate::lang::subterm(e, n.children()[0]);
                        let x = Id::from(sub.as_ref().len() - 1);
                        if let Some(root) = crate::lang::instantiate(term, x, |n| sub.add(n)) {
                            return self.go(&sub, root);
                        }
                        ("?", "?")
                    }
                    Some((op, Print::Own)) => (op, op),
                    None => ("?", "?"),
                };
                let args: Vec<String> = n.children().iter().map(|c| p(c).0).collect();
                self.call(text, latex, &args)
            }
        }
    }
}

/// A number as Unicode subscript digits.
fn subscript(n: usize) -> String {
    n.to_string()
        .chars()
        .map(|c| char::from_u32(0x2080 + c.to_digit(10).unwrap_or(0)).unwrap_or(c))
        .collect()
}

/// A term as Unicode text.
pub fn text(e: &Expr, input: Option<Input>) -> String {
    Printer::new(Style::Text, input).print(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn shows(sexp: &str, expected_text: &str, expected_latex: &str) {
        let e = crate::lang::expr(sexp).unwrap();
        assert_eq!(text(&e, None), expected_text);
        assert_eq!(Printer::new(Style::Latex, None).print(&e), expected_latex);
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
