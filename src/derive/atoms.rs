//! Jumps and atoms: where the brackets of a CDF jump and by how much, which makes the
//! Dirac terms of its derivative, and how a PDF splits into a density and point masses.

use super::Atom;
use crate::error::{Error, ErrorKind, Result};
use crate::lang::{append, contains_delta, subterm};
use crate::lang::{Expr, Node, Num};
use egg::{Id, Language};
use std::collections::HashMap;

fn is_t(e: &Expr, id: Id) -> bool {
    matches!(e[id], Node::T)
}

fn has_t(e: &Expr, id: Id) -> bool {
    is_t(e, id) || e[id].children().iter().any(|c| has_t(e, *c))
}

/// Points c where a bracket `[t ≥ c]`, `[t > c]`, `[c ≥ t]` or `[c > t]` of F jumps.
pub(super) fn thresholds(f: &Expr) -> Result<Vec<Expr>> {
    let mut out: Vec<Expr> = Vec::new();
    for (i, node) in f.as_ref().iter().enumerate() {
        if let Node::Ge([a, b]) | Node::Gt([a, b]) = node {
            let c = if is_t(f, *a) && !has_t(f, *b) {
                *b
            } else if is_t(f, *b) && !has_t(f, *a) {
                *a
            } else if !has_t(f, *a) && !has_t(f, *b) {
                continue;
            } else {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "cannot locate the jumps of the CDF: the bracket {} is not solved for t",
                        crate::lang::print::text(&subterm(f, Id::from(i)), None)
                    ),
                )
                .help("rewrite the transform with fewer nested maps, or report the program: pushforward lacks a rule to solve this bracket"));
            };
            let c = subterm(f, c);
            if !out.iter().any(|o| same_point(o, &c)) {
                out.push(c);
            }
        }
    }
    Ok(out)
}

/// Whether two thresholds are one point: the same term, or constants without
/// parameters with the same value in f64 (softplus(0) and log(2) are one jump, not two).
fn same_point(a: &Expr, b: &Expr) -> bool {
    if a.to_string() == b.to_string() {
        return true;
    }
    let value = |e: &Expr| crate::lang::value(e).filter(|v| v.is_finite());
    matches!((value(a), value(b)), (Some(x), Some(y)) if x == y)
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Right,
    Left,
}

/// F(c±): substitute t = c, with each bracket that jumps at c taking its value on
/// that side. A function at the edge of its domain (artanh at 1, log at 0) is folded
/// later to its limit from inside, the only side it can be approached from.
fn one_sided(f: &Expr, c: &Expr, side: Side) -> Expr {
    let cs = c.to_string();
    let mut out = Expr::default();
    let mut memo: HashMap<Id, Id> = HashMap::new();
    for (i, node) in f.as_ref().iter().enumerate() {
        let i = Id::from(i);
        let new = match node {
            Node::T => append(&mut out, c),
            Node::Ge([a, b]) | Node::Gt([a, b]) => {
                let at = |x: Id| {
                    let x = subterm(f, x);
                    x.to_string() == cs || same_point(&x, c)
                };
                let value = if is_t(f, *a) && at(*b) {
                    // [t ≥ c], [t > c]: 1 just right of c, 0 just left
                    Some(side == Side::Right)
                } else if is_t(f, *b) && at(*a) {
                    Some(side == Side::Left)
                } else {
                    None
                };
                // the sides after substitution
                let numbers = |x: Id, y: Id| match (&out[memo[&x]], &out[memo[&y]]) {
                    (Node::Num(p), Node::Num(q)) => Some((p.clone(), q.clone())),
                    _ => None,
                };
                // a bracket between two numbers is decided on the spot
                let value = value.or_else(|| {
                    numbers(*a, *b).map(|(p, q)| {
                        if matches!(node, Node::Ge(_)) {
                            p >= q
                        } else {
                            p > q
                        }
                    })
                });
                match value {
                    Some(v) => out.add(Node::Num(Num::int(v as i64))),
                    None => out.add(node.clone().map_children(|ch| memo[&ch])),
                }
            }
            _ => {
                let n = node.clone().map_children(|ch| memo[&ch]);
                let zero = |id: &Id| matches!(&out[*id], Node::Num(v) if *v == Num::int(0));
                let one = |id: &Id| matches!(&out[*id], Node::Num(v) if *v == Num::int(1));
                // with the brackets decided, a false one is a strong zero and a true one
                // a factor 1: evaluating them is part of taking the one-sided value
                match &n {
                    Node::Mul([a, _]) if zero(a) => *a,
                    Node::Mul([_, b]) if zero(b) => *b,
                    Node::Mul([a, b]) if one(a) => *b,
                    Node::Mul([a, b]) if one(b) => *a,
                    Node::Add([a, b]) if zero(a) => *b,
                    Node::Add([a, b]) if zero(b) => *a,
                    _ => out.add(n),
                }
            }
        };
        memo.insert(i, new);
    }
    // the root may have simplified to one of its children
    let root = memo[&Id::from(f.as_ref().len() - 1)];
    subterm(&out, root)
}

/// Σ over the jump points c of (F(c+) − F(c−))·δ(t − c), or 0 when F has no brackets.
pub(super) fn jump_terms(f: &Expr) -> Result<Expr> {
    let mut out = Expr::default();
    let mut sum: Option<Id> = None;
    for c in thresholds(f)? {
        let plus = append(&mut out, &one_sided(f, &c, Side::Right));
        let minus = append(&mut out, &one_sided(f, &c, Side::Left));
        let jump = out.add(Node::Sub([plus, minus]));
        let t = out.add(Node::T);
        let cid = append(&mut out, &c);
        let shifted = out.add(Node::Sub([t, cid]));
        let delta = out.add(Node::Delta(shifted));
        let term = out.add(Node::Mul([jump, delta]));
        sum = Some(match sum {
            Some(s) => out.add(Node::Add([s, term])),
            None => term,
        });
    }
    if sum.is_none() {
        out.add(Node::Num(Num::int(0)));
    }
    Ok(out)
}

/// Split a PDF into its density (no Dirac terms) and its atoms `m·δ(t − c)`.
pub(super) fn split_atoms(pdf: &Expr) -> Result<(Expr, Vec<Atom>)> {
    let root = Id::from(pdf.as_ref().len() - 1);
    // the terms of the sum, with Dirac terms distributed out of products such as
    // Φ(−1/σ)·(δ(t + 1) + δ(t − 1))
    let mut summands: Vec<(Vec<Id>, bool)> = Vec::new();
    collect_terms(pdf, root, false, Vec::new(), &mut summands);
    let mut rest: Vec<(Id, bool)> = Vec::new();
    let mut atoms = Vec::new();
    for (factors, negated) in summands {
        let s = *factors.last().unwrap_or(&root);
        if !factors.iter().any(|f| contains_delta(pdf, *f)) {
            if factors.len() == 1 {
                rest.push((s, negated));
                continue;
            }
            return Err(odd_atom(pdf, s));
        }
        let mut flat = Vec::new();
        for f in &factors {
            collect_product(pdf, *f, &mut flat);
        }
        let factors = flat;
        let deltas: Vec<Id> = factors
            .iter()
            .copied()
            .filter(|f| matches!(pdf[*f], Node::Delta(_)))
            .collect();
        let others: Vec<Id> = factors
            .iter()
            .copied()
            .filter(|f| !matches!(pdf[*f], Node::Delta(_)))
            .collect();
        if deltas.len() != 1
            || others
                .iter()
                .any(|f| contains_delta(pdf, *f) || has_t(pdf, *f))
        {
            return Err(odd_atom(pdf, s));
        }
        let delta = deltas[0];
        let mass = if others.is_empty() {
            None
        } else {
            let mut e = Expr::default();
            let mut acc: Option<Id> = None;
            for f in &others {
                let id = append(&mut e, &subterm(pdf, *f));
                acc = Some(match acc {
                    Some(a) => e.add(Node::Mul([a, id])),
                    None => id,
                });
            }
            Some(e)
        };
        let Node::Delta(arg) = pdf[delta] else {
            return Err(odd_atom(pdf, s));
        };
        let at = match &pdf[arg] {
            Node::T => {
                let mut e = Expr::default();
                e.add(Node::Num(Num::int(0)));
                e
            }
            Node::Sub([a, c]) if is_t(pdf, *a) && !has_t(pdf, *c) => subterm(pdf, *c),
            Node::Add([a, c]) | Node::Add([c, a]) if is_t(pdf, *a) && !has_t(pdf, *c) => {
                let mut e = subterm(pdf, *c);
                let r = Id::from(e.as_ref().len() - 1);
                e.add(Node::Neg(r));
                e
            }
            _ => return Err(odd_atom(pdf, s)),
        };
        let mut mass = match mass {
            Some(m) => m,
            None => {
                let mut e = Expr::default();
                e.add(Node::Num(Num::int(1)));
                e
            }
        };
        if negated {
            let r = Id::from(mass.as_ref().len() - 1);
            mass.add(Node::Neg(r));
        }
        atoms.push(Atom { at, mass });
    }
    let mut density = Expr::default();
    let mut acc: Option<Id> = None;
    for (r, negated) in rest {
        let id = append(&mut density, &subterm(pdf, r));
        acc = Some(match (acc, negated) {
            (Some(a), false) => density.add(Node::Add([a, id])),
            (Some(a), true) => density.add(Node::Sub([a, id])),
            (None, false) => id,
            (None, true) => density.add(Node::Neg(id)),
        });
    }
    if acc.is_none() {
        density.add(Node::Num(Num::int(0)));
    }
    Ok((density, atoms))
}

fn odd_atom(pdf: &Expr, s: Id) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "the PDF has a Dirac term that is not of the form m·δ(t − c): {}",
            subterm(pdf, s)
        ),
    )
}

/// The terms of a sum with their signs (`true` for a term that is subtracted), each
/// as the factors it is a product of. A sum that holds a Dirac term inside a product
/// is distributed; other terms stay whole (one factor).
fn collect_terms(
    e: &Expr,
    id: Id,
    negated: bool,
    factors: Vec<Id>,
    out: &mut Vec<(Vec<Id>, bool)>,
) {
    let sum_with_delta =
        |x: Id| matches!(e[x], Node::Add(_) | Node::Sub(_) | Node::Neg(_)) && contains_delta(e, x);
    match &e[id] {
        Node::Add([a, b]) => {
            collect_terms(e, *a, negated, factors.clone(), out);
            collect_terms(e, *b, negated, factors, out);
        }
        Node::Sub([a, b]) => {
            collect_terms(e, *a, negated, factors.clone(), out);
            collect_terms(e, *b, !negated, factors, out);
        }
        Node::Neg(a) => collect_terms(e, *a, !negated, factors, out),
        Node::Mul([a, b]) if sum_with_delta(*a) || sum_with_delta(*b) => {
            let (sum, other) = if sum_with_delta(*a) {
                (*a, *b)
            } else {
                (*b, *a)
            };
            let mut factors = factors;
            factors.push(other);
            collect_terms(e, sum, negated, factors, out);
        }
        _ => {
            let mut factors = factors;
            factors.push(id);
            out.push((factors, negated));
        }
    }
}

fn collect_product(e: &Expr, id: Id, out: &mut Vec<Id>) {
    match &e[id] {
        Node::Mul([a, b]) => {
            collect_product(e, *a, out);
            collect_product(e, *b, out);
        }
        _ => out.push(id),
    }
}
