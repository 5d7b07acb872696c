//! The support of the output: an interval carried through its maps, from the Normal's
//! whole line to the ends the output can reach, so that a chain's CDF and PDF can be
//! written inside it.

use super::{simplify, End, Limits, Support};
use crate::error::Result;
use crate::lang::{append, subterm};
use crate::lang::{EGraph, Expr, Facts, Node, Sign};
use crate::lower::Model;
use crate::rules;
use egg::{Id, Language};
use std::collections::HashMap;

/// The support of the output, by carrying an interval through its maps.
pub(super) fn support(model: &Model, limits: Limits) -> Result<Support> {
    let y = &model.y;
    let (lo, hi) = if model.pieces.is_empty() {
        interval(y, Id::from(y.as_ref().len() - 1), &model.signs)
    } else {
        // a program with `if`: the union of its pieces' ranges
        let mut lo: Option<End> = None;
        let mut hi: Option<End> = None;
        for p in &model.pieces {
            let (l, h) = interval(p, Id::from(p.as_ref().len() - 1), &model.signs);
            // closed only where every piece reaches its end
            lo = Some(match lo {
                Some(prev) => join_ends(prev, l, true),
                None => l,
            });
            hi = Some(match hi {
                Some(prev) => join_ends(prev, h, false),
                None => h,
            });
        }
        let open = || End {
            value: None,
            closed: false,
        };
        (lo.unwrap_or_else(open), hi.unwrap_or_else(open))
    };
    let facts = Facts::new(model.signs.clone()).with_assumptions(&model.assumptions);
    let simplify_end = |end: End| -> End {
        End {
            value: end
                .value
                .map(|v| simplify(&v, limits, &facts, rules::for_simplify())),
            closed: end.closed,
        }
    };
    Ok(Support {
        lo: simplify_end(lo),
        hi: simplify_end(hi),
    })
}

/// The lower (`low`) or upper end of a union of two intervals: min or max of the two
/// ends, closed only where both are.
fn join_ends(a: End, b: End, low: bool) -> End {
    let value = match (a.value, b.value) {
        (Some(u), Some(v)) => {
            let mut e = u;
            let i = Id::from(e.as_ref().len() - 1);
            let j = append(&mut e, &v);
            e.add(if low {
                Node::Min([i, j])
            } else {
                Node::Max([i, j])
            });
            Some(e)
        }
        _ => None,
    };
    let closed = value.is_some() && a.closed && b.closed;
    End { value, closed }
}

/// The signs the program's parameters are known to have.
type Signs = HashMap<egg::Symbol, Sign>;

/// The range of the term `id` of `y`: a constant is its own point, and a random term
/// the image of its argument's range, by the helper for its kind of node.
fn interval(y: &Expr, id: Id, signs: &Signs) -> (End, End) {
    if !is_random(y, id) {
        let point = subterm(y, id);
        return (
            End {
                value: Some(point.clone()),
                closed: true,
            },
            End {
                value: Some(point),
                closed: true,
            },
        );
    }
    match &y[id] {
        Node::Normal(_) | Node::Conv(_) => full(),
        // a numeric law's range, as its sum of copies made it
        Node::Law(_) => match crate::lang::implicit::index(y, &y[id])
            .and_then(crate::lang::implicit::get_convolution)
        {
            Some(c) => {
                let [(lo, lo_closed), (hi, hi_closed)] = c.sum_ends.clone();
                (
                    End {
                        value: lo,
                        closed: lo_closed,
                    },
                    End {
                        value: hi,
                        closed: hi_closed,
                    },
                )
            }
            None => full(),
        },
        Node::MinPool([a, _]) => interval(y, *a, signs),
        Node::Ite([_, _, a, b]) => {
            // the union of the branches' ranges
            let ((la, ha), (lb, hb)) = (interval(y, *a, signs), interval(y, *b, signs));
            (join_ends(la, lb, true), join_ends(ha, hb, false))
        }
        Node::Abs(a) | Node::Pow([a, _]) => magnitude(y, id, *a, signs),
        Node::Clamp([a, l, h]) => {
            let (lo, hi) = interval(y, *a, signs);
            (bounded(y, &lo, max, *l), bounded(y, &hi, min, *h))
        }
        Node::Max([a, c]) => {
            let (lo, hi) = interval(y, *a, signs);
            (bounded(y, &lo, max, *c), pushed(y, &hi, max, *c))
        }
        Node::Min([a, c]) => {
            let (lo, hi) = interval(y, *a, signs);
            (pushed(y, &lo, min, *c), bounded(y, &hi, min, *c))
        }
        Node::Elu([a, al]) => elu(y, *a, *al, signs),
        Node::Relu(a) => relu(y, *a, signs),
        Node::MaxPool([a, _]) => interval(y, *a, signs),
        Node::Neg(a) => {
            let (lo, hi) = interval(y, *a, signs);
            (
                End {
                    value: apply(&Node::Neg, &hi),
                    closed: hi.closed,
                },
                End {
                    value: apply(&Node::Neg, &lo),
                    closed: lo.closed,
                },
            )
        }
        Node::Add([a, b])
        | Node::Sub([a, b])
        | Node::Mul([a, b])
        | Node::Div([a, b])
        | Node::LeakyRelu([a, b]) => affine(y, id, *a, *b, signs),
        // an increasing map of the registry: its range's ends where the argument's
        // are infinite
        node => match (node.function().and_then(|f| f.map), node.children()) {
            (Some(m), [a]) => {
                let op = |x: Id| node.clone().map_children(|_| x);
                map(interval(y, *a, signs), &op, m.lo().map(|l| l.0), m.hi())
            }
            _ => full(),
        },
    }
}

/// An open end at `v`.
fn open(v: Option<Expr>) -> End {
    End {
        value: v,
        closed: false,
    }
}

/// A closed end at `v`.
fn closed(v: Option<Expr>) -> End {
    End {
        value: v,
        closed: true,
    }
}

/// The whole line, (−∞, +∞).
fn full() -> (End, End) {
    (open(None), open(None))
}

/// `op` applied to a finite end.
fn apply(op: &dyn Fn(Id) -> Node, end: &End) -> Option<Expr> {
    end.value.as_ref().map(|v| {
        let mut e = v.clone();
        let r = Id::from(e.as_ref().len() - 1);
        e.add(op(r));
        e
    })
}

/// A constant written in the language (`-1`, `0`, `1`).
fn number(s: &str) -> Expr {
    crate::lang::expr(s).unwrap_or_default()
}

/// The image of `inner` by the increasing map `op`, whose range is (`lo`, `hi`): an
/// infinite end goes to the end of the range.
fn map(
    inner: (End, End),
    op: &dyn Fn(Id) -> Node,
    lo: Option<&str>,
    hi: Option<&str>,
) -> (End, End) {
    let (a, b) = inner;
    let lo_v = apply(op, &a).or_else(|| lo.map(number));
    let hi_v = apply(op, &b).or_else(|| hi.map(number));
    (
        End {
            value: lo_v,
            closed: a.closed && a.value.is_some(),
        },
        End {
            value: hi_v,
            closed: b.closed && b.value.is_some(),
        },
    )
}

/// A node over an end and constants from y: `f(end, c1, ...)`.
fn with_consts(y: &Expr, end: &Expr, make: &dyn Fn(Id, &[Id]) -> Node, consts: &[Id]) -> Expr {
    let mut e = end.clone();
    let v = Id::from(e.as_ref().len() - 1);
    let cs: Vec<Id> = consts
        .iter()
        .map(|c| append(&mut e, &subterm(y, *c)))
        .collect();
    e.add(make(v, &cs));
    e
}

/// The node `max(x, c)`.
fn max(x: Id, c: Id) -> Node {
    Node::Max([x, c])
}

/// The node `min(x, c)`.
fn min(x: Id, c: Id) -> Node {
    Node::Min([x, c])
}

/// The end `op(end, c)` on the side where `op` is bounded by `c`: always reached, and
/// `c` itself when the end is infinite.
fn bounded(y: &Expr, end: &End, op: fn(Id, Id) -> Node, c: Id) -> End {
    closed(Some(match &end.value {
        Some(v) => with_consts(y, v, &|x, k| op(x, k[0]), &[c]),
        None => subterm(y, c),
    }))
}

/// The end `op(end, c)` on the side `op` leaves as it was (open or closed).
fn pushed(y: &Expr, end: &End, op: fn(Id, Id) -> Node, c: Id) -> End {
    End {
        value: end
            .value
            .as_ref()
            .map(|v| with_consts(y, v, &|x, k| op(x, k[0]), &[c])),
        closed: end.closed,
    }
}

/// The range of `|a|` or of a power of `a` (the node `id`): an odd power is
/// increasing, and |E| and even powers are monotone on a range of one sign.
fn magnitude(y: &Expr, id: Id, a: Id, signs: &Signs) -> (End, End) {
    let (lo, hi) = interval(y, a, signs);
    let odd = matches!(&y[id], Node::Pow([_, n]) if matches!(&y[*n], Node::Num(k) if k.rat().is_some_and(|r| r.is_integer() && r.to_integer() % 2 != 0.into())));
    let power = |v: &Expr| match &y[id] {
        Node::Pow([_, n]) => with_consts(y, v, &|x, c| Node::Pow([x, c[0]]), &[*n]),
        _ => with_consts(y, v, &|x, _| Node::Abs(x), &[]),
    };
    if odd {
        // an odd power is increasing
        return (
            End {
                value: lo.value.as_ref().map(power),
                closed: lo.closed,
            },
            End {
                value: hi.value.as_ref().map(power),
                closed: hi.closed,
            },
        );
    }
    // |E| and even powers of a term of one sign (numbers at its ends): monotone
    let value = |e: &End| {
        e.value
            .as_ref()
            .and_then(|v| crate::lang::value(v).filter(|x| x.is_finite()))
    };
    let image = |e: &End| End {
        value: e.value.as_ref().map(|v| {
            if value(e) == Some(0.0) {
                number("0")
            } else {
                power(v)
            }
        }),
        closed: e.closed && e.value.is_some(),
    };
    if value(&lo).is_some_and(|v| v >= 0.0) {
        return (image(&lo), image(&hi));
    }
    if value(&hi).is_some_and(|v| v <= 0.0) {
        return (image(&hi), image(&lo));
    }
    // otherwise from 0 (reached at E = 0) to the larger end
    let top = match (&lo.value, &hi.value) {
        (Some(l), Some(h)) => {
            let mut e = power(l);
            let a = Id::from(e.as_ref().len() - 1);
            let b = append(&mut e, &power(h));
            e.add(Node::Max([a, b]));
            Some(e)
        }
        _ => None,
    };
    (
        closed(Some(number("0"))),
        End {
            value: top,
            closed: lo.closed && hi.closed,
        },
    )
}

/// The range of `elu(a, al)`: bounded below by −al, the identity above 0.
fn elu(y: &Expr, a: Id, al: Id, signs: &Signs) -> (End, End) {
    let (lo, hi) = interval(y, a, signs);
    let lo_v = match &lo.value {
        Some(v) => with_consts(y, v, &|x, k| Node::Elu([x, k[0]]), &[al]),
        None => {
            let mut e = subterm(y, al);
            let r = Id::from(e.as_ref().len() - 1);
            e.add(Node::Neg(r));
            e
        }
    };
    (
        End {
            value: Some(lo_v),
            closed: lo.closed && lo.value.is_some(),
        },
        pushed(y, &hi, |x, k| Node::Elu([x, k]), al),
    )
}

/// The range of `relu(a)`.
fn relu(y: &Expr, a: Id, signs: &Signs) -> (End, End) {
    let (lo, hi) = interval(y, a, signs);
    // everything below 0 lands on 0: an atom, so the lower end is closed
    let lo = match lo.value {
        None => End {
            value: Some(number("0")),
            closed: true,
        },
        Some(v) => {
            let closed = lo.closed;
            let mut e = v;
            let r = Id::from(e.as_ref().len() - 1);
            e.add(Node::Relu(r));
            End {
                value: Some(e),
                closed,
            }
        }
    };
    (
        lo,
        End {
            value: apply(&Node::Relu, &hi),
            closed: hi.closed,
        },
    )
}

/// The range of a step with one random side and one constant side `c` (the node `id`:
/// `E + c`, `E − c` or `c − E`, `c·E`, `E/c`, `leaky_relu(E, c)`): the ends moved by
/// the step, swapped where it decreases, and the whole line when the sign of a factor
/// is unknown.
fn affine(y: &Expr, id: Id, a: Id, b: Id, signs: &Signs) -> (End, End) {
    let a_random = is_random(y, a);
    let (r, c) = if a_random { (a, b) } else { (b, a) };
    let (lo, hi) = interval(y, r, signs);
    let c_expr = subterm(y, c);
    let combine = |end: &End| -> Option<Expr> {
        end.value.as_ref().map(|v| {
            let mut e = v.clone();
            let vi = Id::from(e.as_ref().len() - 1);
            let ci = append(&mut e, &c_expr);
            let node = match &y[id] {
                Node::Add(_) => Node::Add([vi, ci]),
                Node::Sub(_) if a_random => Node::Sub([vi, ci]),
                Node::Sub(_) => Node::Sub([ci, vi]),
                Node::Mul(_) => Node::Mul([ci, vi]),
                Node::Div(_) => Node::Div([vi, ci]),
                _ => Node::LeakyRelu([vi, ci]),
            };
            e.add(node);
            e
        })
    };
    let flips = match &y[id] {
        Node::Sub(_) => !a_random,
        Node::Mul(_) | Node::Div(_) => {
            let mut g = EGraph::new(Facts::new(signs.clone()));
            let cid = g.add_expr(&c_expr);
            match g[cid].data.sign {
                s if s == Sign::POS => false,
                s if s == Sign::NEG => true,
                _ => return full(),
            }
        }
        _ => false,
    };
    let (l, h) = (
        End {
            value: combine(&lo),
            closed: lo.closed,
        },
        End {
            value: combine(&hi),
            closed: hi.closed,
        },
    );
    if flips {
        (h, l)
    } else {
        (l, h)
    }
}

fn is_random(y: &Expr, id: Id) -> bool {
    matches!(y[id], Node::Normal(_) | Node::Law(_))
        || y[id].children().iter().any(|c| is_random(y, *c))
}
