//! The derivative of a term in its variable `t`, by the rules of calculus and the
//! registry's chain rules (each entry's `derivative`, the same right-hand side the
//! derivation's `Dc` rules use), with the trivial simplifications made as the term is
//! built (0·u = 0, 1·u = u, u + 0 = u). For the turns of a map of the input, where the
//! derivative is an object of study, not a step to show.

use super::{Expr, Node, Num};
use egg::{ENodeOrVar, Id, Language};

/// d/dt of `e`; `None` for a node with no derivative here (kinks, probabilities, laws).
pub fn derivative(e: &Expr) -> Option<Expr> {
    let mut out = Expr::default();
    let mut same: Vec<Id> = Vec::with_capacity(e.as_ref().len());
    let mut diff: Vec<Id> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let copy = out.add(node.clone().map_children(|c| same[usize::from(c)]));
        let d = {
            let mut b = Builder { out: &mut out };
            let s = |c: &Id| same[usize::from(*c)];
            let d = |c: &Id| diff[usize::from(*c)];
            match node {
                Node::T => b.num(1),
                Node::Num(_) | Node::Symbol(_) | Node::Point(_) | Node::Ref(_) => b.num(0),
                Node::Add([x, y]) => b.add(d(x), d(y)),
                Node::Sub([x, y]) => b.sub(d(x), d(y)),
                Node::Neg(x) => b.neg(d(x)),
                Node::Mul([x, y]) => {
                    let l = b.mul(d(x), s(y));
                    let r = b.mul(s(x), d(y));
                    b.add(l, r)
                }
                Node::Div([x, y]) => {
                    // (u/v)' = (u′v − uv′)/v², one fraction: its sign is its numerator's
                    let l = b.mul(d(x), s(y));
                    let r = b.mul(s(x), d(y));
                    let num = b.sub(l, r);
                    let two = b.num(2);
                    let v2 = b.node(Node::Pow([s(y), two]));
                    b.div(num, v2)
                }
                Node::Pow([x, n]) => {
                    let k = match &e[*n] {
                        Node::Num(k) => k.integer()?,
                        _ => return None,
                    };
                    // (u^k)' = k u^(k−1) u'
                    let kn = b.num(k);
                    let p = match k - 1 {
                        0 => b.num(1),
                        1 => s(x),
                        m => {
                            let mn = b.num(m);
                            b.node(Node::Pow([s(x), mn]))
                        }
                    };
                    let kp = b.mul(kn, p);
                    b.mul(kp, d(x))
                }
                n => {
                    let f = n.function()?;
                    let rule = f.derivative?;
                    let kids = n.children();
                    chain(&mut b, rule.rhs, s(&kids[0]), d(&kids[0]))?
                }
            }
        };
        same.push(copy);
        diff.push(d);
    }
    let root = *diff.last()?;
    Some(super::subterm(&out, root))
}

/// A chain rule's right-hand side, in `?u` and `(Dc ?u)`, for u and u′.
fn chain(b: &mut Builder, rhs: &str, u: Id, du: Id) -> Option<Id> {
    let pattern: egg::Pattern<Node> = rhs.parse().ok()?;
    let ast = pattern.ast.as_ref();
    let mut ids: Vec<Id> = Vec::with_capacity(ast.len());
    for n in ast {
        let id = match n {
            ENodeOrVar::Var(_) => u,
            ENodeOrVar::ENode(Node::Dc(_)) => du,
            ENodeOrVar::ENode(n) => {
                let n = n.clone().map_children(|c| ids[usize::from(c)]);
                match n {
                    Node::Mul([x, y]) => b.mul(x, y),
                    Node::Div([x, y]) => b.div(x, y),
                    Node::Add([x, y]) => b.add(x, y),
                    n => b.node(n),
                }
            }
        };
        ids.push(id);
    }
    ids.last().copied()
}

/// Builds nodes, folding the trivial cases.
struct Builder<'a> {
    out: &'a mut Expr,
}

impl Builder<'_> {
    fn node(&mut self, n: Node) -> Id {
        self.out.add(n)
    }
    fn num(&mut self, k: i64) -> Id {
        self.out.add(Node::Num(Num::int(k)))
    }
    fn is(&self, id: Id, k: i64) -> bool {
        matches!(&self.out[id], Node::Num(n) if n.integer() == Some(k))
    }
    fn add(&mut self, x: Id, y: Id) -> Id {
        if self.is(x, 0) {
            y
        } else if self.is(y, 0) {
            x
        } else {
            self.node(Node::Add([x, y]))
        }
    }
    fn sub(&mut self, x: Id, y: Id) -> Id {
        if self.is(y, 0) {
            x
        } else if self.is(x, 0) {
            self.neg(y)
        } else {
            self.node(Node::Sub([x, y]))
        }
    }
    fn neg(&mut self, x: Id) -> Id {
        if self.is(x, 0) {
            x
        } else {
            self.node(Node::Neg(x))
        }
    }
    fn mul(&mut self, x: Id, y: Id) -> Id {
        if self.is(x, 0) || self.is(y, 0) {
            self.num(0)
        } else if self.is(x, 1) {
            y
        } else if self.is(y, 1) {
            x
        } else {
            self.node(Node::Mul([x, y]))
        }
    }
    fn div(&mut self, x: Id, y: Id) -> Id {
        if self.is(x, 0) || self.is(y, 1) {
            x
        } else {
            self.node(Node::Div([x, y]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{expr, print};

    /// The derivative against central differences of the term's f64 value.
    fn agrees(term: &str, at: &[f64]) {
        let e = expr(term).unwrap();
        let d = derivative(&e).unwrap_or_else(|| panic!("{term} has no derivative"));
        let v = |e: &Expr, x: f64| -> f64 {
            let iv = crate::lang::interval::Iv::point(x);
            let b = crate::lang::interval::eval(e, iv, &crate::lang::turns::REGISTRY).unwrap();
            (b.lo + b.hi) / 2.0
        };
        for &x in at {
            let h = 1e-5 * x.abs().max(1.0);
            let numeric = (v(&e, x + h) - v(&e, x - h)) / (2.0 * h);
            let exact = v(&d, x);
            assert!(
                (numeric - exact).abs() <= 1e-6 * exact.abs().max(1.0),
                "d/dt {term} at {x}: {} gives {exact}, differences {numeric}",
                print::text(&d, None)
            );
        }
    }

    #[test]
    fn matches_central_differences() {
        let at = [-3.0, -0.7, 0.3, 2.5];
        agrees("(* t (tanh t))", &at);
        agrees("(/ t (+ 1 (^ t 2)))", &at);
        agrees("(* t (sigmoid (* 2 t)))", &at);
        agrees("(- (exp (neg t)) (^ t 3))", &at);
        agrees("(* t (Phi t))", &at);
        agrees("(softplus (* t t))", &at);
    }
}
