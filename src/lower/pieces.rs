//! Programs with `if`: the pieces of the input's line that the conditions cut, and
//! P(Y ≤ t) split over them, where the derivation starts.

use crate::error::{Error, ErrorKind, Result};
use crate::lang::bounds::{bounds, Interval};
use crate::lang::{subterm, Expr, Node, Num};
use crate::syntax::Span;
use egg::{Id, Language, Symbol};
use std::cmp::Ordering;

/// Pieces of the input's line, [lo, hi) with open ends as `None`, and the map there.
/// The ends are constant terms: numbers, or expressions of parameters.
type Piece = (Option<Expr>, Option<Expr>, Expr);

/// How two thresholds compare, or the pair that nothing known orders.
type Order<'a> = &'a dyn Fn(&Expr, &Expr) -> std::result::Result<Ordering, (Expr, Expr)>;

/// Split a term with `ite` nodes into the pieces of the input's line where it is a
/// plain map.
fn pieces(
    term: &Expr,
    lo: Option<Expr>,
    hi: Option<Expr>,
    order: Order,
    out: &mut Vec<Piece>,
) -> std::result::Result<(), (Expr, Expr)> {
    let first = term.as_ref().iter().position(|n| matches!(n, Node::Ite(_)));
    let Some(i) = first else {
        out.push((lo, hi, term.clone()));
        return Ok(());
    };
    let Node::Ite([_, c, a, b]) = &term[Id::from(i)] else {
        unreachable!("position found an ite node");
    };
    let c = subterm(term, *c);
    let replace = |with: Id| -> Expr {
        let mut e = Expr::default();
        let mut map: Vec<Id> = Vec::new();
        for (k, node) in term.as_ref().iter().enumerate() {
            let id = if k == i {
                map[usize::from(with)]
            } else {
                e.add(node.clone().map_children(|ch| map[usize::from(ch)]))
            };
            map.push(id);
        }
        subterm(&e, *map.last().unwrap_or(&Id::from(0)))
    };
    // where x >= c the first branch, below it the second; empty pieces are dropped
    let c_below_hi = match &hi {
        Some(h) => order(&c, h)? == Ordering::Less,
        None => true,
    };
    let lo_below_c = match &lo {
        Some(l) => order(l, &c)? == Ordering::Less,
        None => true,
    };
    if c_below_hi {
        let above_lo = if lo_below_c {
            c.clone()
        } else {
            lo.clone().unwrap_or(c.clone())
        };
        pieces(&replace(*a), Some(above_lo), hi.clone(), order, out)?;
    }
    if lo_below_c {
        let below_hi = if c_below_hi { c } else { hi.unwrap_or(c) };
        pieces(&replace(*b), lo, Some(below_hi), order, out)?;
    }
    Ok(())
}

/// P(Y ≤ t) for a program with `if`, as a sum over the pieces of the input's line:
/// P(x ∈ [a, b), B(x) ≤ t) = P(B(clamp(x, a, b)) ≤ t) − P(x < a)·[t ≥ B(a)] − P(x ≥ b)·[t ≥ B(b)]
/// (clamping moves the mass outside the piece onto its ends, which the brackets take
/// back off), and P(x ∈ [a, b))·[t ≥ k] for a constant branch k.
pub(super) fn piecewise_start(
    y: &Expr,
    span: Span,
    symbol: &dyn Fn(Symbol) -> Interval,
) -> Result<Option<(Expr, Vec<Expr>)>> {
    if !y.as_ref().iter().any(|n| matches!(n, Node::Ite(_))) {
        return Ok(None);
    }
    let Some(normal_pos) = y.as_ref().iter().position(|n| matches!(n, Node::Normal(_))) else {
        return Ok(None);
    };
    let Node::Normal([m, s]) = &y[Id::from(normal_pos)] else {
        return Ok(None);
    };
    let (mean, std) = (subterm(y, *m), subterm(y, *s));
    let order = |a: &Expr, b: &Expr| order_of(a, b, symbol);
    let mut ps = Vec::new();
    pieces(y, None, None, &order, &mut ps).map_err(|(a, b)| unordered(&a, &b, span))?;
    let mut out = Expr::default();
    let t = out.add(Node::T);
    let mut acc: Option<Id> = None;
    let mut clamped_terms: Vec<Expr> = Vec::new();
    // Φ((c − μ)/σ) = P(x < c)
    let below = |out: &mut Expr, c: &Expr| -> Id {
        let cn = crate::lang::append(out, c);
        let mi = crate::lang::append(out, &mean);
        let si = crate::lang::append(out, &std);
        let d = out.add(Node::Sub([cn, mi]));
        let z = out.add(Node::Div([d, si]));
        out.add(Node::Phi(z))
    };
    for (lo, hi, b) in ps {
        if b.as_ref().iter().any(|n| {
            matches!(
                n,
                Node::MaxPool(_) | Node::MinPool(_) | Node::Order(_) | Node::Conv(_)
            )
        }) {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "iid copies (maxpool, minpool, order, conv) inside an `if` are not supported",
            )
            .at(span, "copies inside a piece")
            .help("pool or sum first, then branch on the input"));
        }
        let random = b.as_ref().iter().any(|n| matches!(n, Node::Normal(_)));
        // with x replaced by `with`
        let subst = |out: &mut Expr, with: &dyn Fn(&mut Expr, Id) -> Id| -> Id {
            let mut map: Vec<Id> = Vec::new();
            for node in b.as_ref() {
                let id = match node {
                    Node::Normal(_) => {
                        let n = out.add(node.clone().map_children(|ch| map[usize::from(ch)]));
                        with(out, n)
                    }
                    _ => out.add(node.clone().map_children(|ch| map[usize::from(ch)])),
                };
                map.push(id);
            }
            *map.last().unwrap_or(&t)
        };
        let term = if random {
            let clamped = subst(&mut out, &|out: &mut Expr, x: Id| {
                clamp_to(out, x, &lo, &hi)
            });
            clamped_terms.push(subterm(&out, clamped));
            let mut term = out.add(Node::Cdf([clamped, t]));
            for (end, lower) in [(&lo, true), (&hi, false)] {
                let Some(c) = end else { continue };
                let at = subst(&mut out, &|out: &mut Expr, _x: Id| {
                    crate::lang::append(out, c)
                });
                let p = below(&mut out, c);
                let p = if lower {
                    p
                } else {
                    let one = out.add(Node::Num(Num::int(1)));
                    out.add(Node::Sub([one, p]))
                };
                let bracket = out.add(Node::Ge([t, at]));
                let off = out.add(Node::Mul([p, bracket]));
                term = out.add(Node::Sub([term, off]));
            }
            term
        } else {
            let k = subst(&mut out, &|_out: &mut Expr, x: Id| x);
            clamped_terms.push(subterm(&out, k));
            let mass = match (&lo, &hi) {
                (Some(a), Some(h)) => {
                    let (pa, ph) = (below(&mut out, a), below(&mut out, h));
                    out.add(Node::Sub([ph, pa]))
                }
                (Some(a), None) => {
                    let one = out.add(Node::Num(Num::int(1)));
                    let pa = below(&mut out, a);
                    out.add(Node::Sub([one, pa]))
                }
                (None, Some(h)) => below(&mut out, h),
                (None, None) => out.add(Node::Num(Num::int(1))),
            };
            let bracket = out.add(Node::Ge([t, k]));
            out.add(Node::Mul([mass, bracket]))
        };
        acc = Some(match acc {
            Some(s) => out.add(Node::Add([s, term])),
            None => term,
        });
    }
    Ok(acc.map(|a| (subterm(&out, a), clamped_terms)))
}

/// How two thresholds compare, by the bounds the parameters' assumptions give; the pair
/// when nothing known orders them.
fn order_of(
    a: &Expr,
    b: &Expr,
    symbol: &dyn Fn(Symbol) -> Interval,
) -> std::result::Result<Ordering, (Expr, Expr)> {
    if a == b {
        return Ok(Ordering::Equal);
    }
    let root = |e: &Expr| Id::from(e.as_ref().len() - 1);
    let (ia, ib) = (bounds(a, root(a), symbol), bounds(b, root(b), symbol));
    match (ia, ib) {
        (Some(ia), Some(ib)) => match (ia.exact_point(), ib.exact_point()) {
            (Some(p), Some(q)) if p == q => Ok(Ordering::Equal),
            _ if ia.below(&ib) => Ok(Ordering::Less),
            _ if ib.below(&ia) => Ok(Ordering::Greater),
            _ => Err((a.clone(), b.clone())),
        },
        _ => Err((a.clone(), b.clone())),
    }
}

/// The error for two thresholds nothing known orders.
fn unordered(a: &Expr, b: &Expr, span: Span) -> Error {
    let (a, b) = (
        crate::lang::print::text(a, None),
        crate::lang::print::text(b, None),
    );
    Error::new(
        ErrorKind::Parameter,
        format!("cannot tell in which order the thresholds `{a}` and `{b}` of the conditions lie"),
    )
    .at(span, "conditions on both")
    .help({
        let simple = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == '_');
        if simple(&a) && simple(&b) {
            format!("the pieces of the input's line depend on it: state assumptions that order them, for example `assume {b} < 0` and `assume {a} > 0`")
        } else {
            format!("the pieces of the input's line depend on it: state assumptions on the parameters in {a} and {b} that order them, such as one below a number and the other above it")
        }
    })
}

/// The input `x` clamped to a piece [lo, hi): clamp(x, lo, hi), or max and min when an
/// end has a parameter (the clamp's rules need lo < hi proved; max and min need
/// nothing).
fn clamp_to(out: &mut Expr, x: Id, lo: &Option<Expr>, hi: &Option<Expr>) -> Id {
    match (lo, hi) {
        (Some(a), Some(h)) => {
            let symbolic = |e: &Expr| e.as_ref().iter().any(|n| matches!(n, Node::Symbol(_)));
            let (a_sym, h_sym) = (symbolic(a), symbolic(h));
            let (a, h) = (crate::lang::append(out, a), crate::lang::append(out, h));
            if a_sym || h_sym {
                let m = out.add(Node::Max([x, a]));
                out.add(Node::Min([m, h]))
            } else {
                out.add(Node::Clamp([x, a, h]))
            }
        }
        (Some(a), None) => {
            let a = crate::lang::append(out, a);
            out.add(Node::Max([x, a]))
        }
        (None, Some(h)) => {
            let h = crate::lang::append(out, h);
            out.add(Node::Min([x, h]))
        }
        (None, None) => x,
    }
}
