//! Sums and products as a person writes them: flattened, the terms of a sum with a
//! Dirac delta last, brackets in front of a product, negative terms as subtractions.

use super::{Prec, Printer};
use crate::lang::{Expr, Node};
use egg::Id;

impl Printer<'_> {
    /// A product, flattened into its factors so that a lower and an upper bracket on t
    /// anywhere in it print as one interval `[lo < t < hi]`, first.
    pub(super) fn product(&self, e: &Expr, id: Id) -> (String, Prec) {
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
    pub(super) fn sum(&self, e: &Expr, id: Id) -> (String, Prec) {
        fn terms(e: &Expr, id: Id, out: &mut Vec<Id>) {
            match &e[id] {
                Node::Add([a, b]) => {
                    terms(e, *a, out);
                    terms(e, *b, out);
                }
                _ => out.push(id),
            }
        }
        let mut ts = Vec::new();
        terms(e, id, &mut ts);
        if self.deltas.get() {
            ts.sort_by_key(|t| crate::lang::contains_delta(e, *t));
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
}
