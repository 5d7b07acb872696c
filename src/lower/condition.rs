//! `if` conditions: `LHS REL RHS` is solved for the input x, peeling one strictly
//! monotone map at a time (affine steps, tanh, sigmoid, exp, softplus, softsign, odd
//! powers), so that it becomes half-lines `x ≥ c` / `x < c` with c a constant term:
//! a number, or an expression of parameters such as `artanh(a)` or `(1 − c)/2`.
//! |E| and even powers give two half-lines (`|E| < r` is `−r ≤ E < r`). The `if`
//! then lowers to nested `ite` nodes on x, one per half-line.
//!
//! The input is continuous, so `>` and `≥` (and `<`, `≤`) give the same law, and the
//! finitely many points where a condition's sides are equal carry no mass.

use super::Lowerer;
use crate::error::{Error, ErrorKind, Result};
use crate::lang::bounds::{bounds, Interval};
use crate::lang::functions::{Map, Piece};
use crate::lang::{Node, Num, Sign};
use crate::syntax::{self, Relation, Span};
use egg::{Id, Language, Symbol};
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// A condition on the input x.
enum Cond {
    /// x ≥ c
    AtLeast(Id),
    /// x < c
    Below(Id),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// Where a constant lies against a number.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Above,
    Below,
    /// Exactly the number.
    At,
    Unknown,
}

/// A map a condition can be solved through: a registry map of one piece defined on all
/// of R, with its operator.
fn solvable(node: &Node) -> Option<(&'static str, &'static Map, &'static Piece)> {
    let f = node.function()?;
    let map = f.map.as_ref().filter(|m| m.domain.is_none())?;
    Some((f.op, map, map.single()?))
}

impl Lowerer<'_> {
    pub(super) fn lower_if(
        &mut self,
        lhs: &syntax::Ast,
        relation: Relation,
        rhs: &syntax::Ast,
        then: &syntax::Ast,
        otherwise: &syntax::Ast,
    ) -> Result<(Id, bool)> {
        let span = lhs.span.to(rhs.span);
        if relation == Relation::Ne {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "`!=` compares with one point, which the continuous input hits with probability 0",
            )
            .at(span, "a condition of probability 1")
            .help("use <, <=, > or >=; for the branch that applies write it alone"));
        }
        let (l, rl) = self.lower_expr(lhs)?;
        let (r, rr) = self.lower_expr(rhs)?;
        let upward = matches!(relation, Relation::Gt | Relation::Ge);
        let cond = match (rl, rr) {
            (true, false) => self.isolate(l, upward, r, span)?,
            (false, true) => self.isolate(r, !upward, l, span)?,
            (true, true) => {
                // x on both sides: only when LHS − RHS is affine in x
                let d = self.add(Node::Sub([l, r]));
                let zero = self.num(BigRational::zero());
                self.isolate(d, upward, zero, span)?
            }
            (false, false) => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "the condition does not depend on the input",
                )
                .at(span, "constant condition")
                .help(format!(
                    "compare an expression of `{}` with a number or a parameter",
                    self.input_name()
                )))
            }
        };
        let (a, _) = self.lower_expr(then)?;
        let (b, _) = self.lower_expr(otherwise)?;
        Ok((self.build(&cond, a, b), true))
    }

    fn input_name(&self) -> String {
        self.input
            .as_ref()
            .map(|(n, _)| n.clone())
            .unwrap_or_default()
    }

    fn build(&mut self, c: &Cond, then: Id, otherwise: Id) -> Id {
        let x = self.input.as_ref().map(|(_, id)| *id).unwrap_or(then);
        match c {
            Cond::AtLeast(c) => self.add(Node::Ite([x, *c, then, otherwise])),
            Cond::Below(c) => self.add(Node::Ite([x, *c, otherwise, then])),
            Cond::And(p, q) => {
                let inner = self.build(q, then, otherwise);
                self.build(p, inner, otherwise)
            }
            Cond::Or(p, q) => {
                let inner = self.build(q, then, otherwise);
                self.build(p, then, inner)
            }
        }
    }

    fn random(&self, id: Id) -> bool {
        let e = &self.expr;
        matches!(e[id], Node::Normal(_)) || e[id].children().iter().any(|c| self.random(*c))
    }

    /// The values a parameter can take under every `assume` of the program.
    pub(super) fn parameter_interval(&self, s: Symbol) -> Interval {
        let sign = self.signs.get(&s).copied().unwrap_or(Sign::ANY);
        Interval::of_assumptions(s.as_str(), &self.assumptions, sign)
    }

    /// The interval of a constant term.
    fn interval(&self, id: Id) -> Option<Interval> {
        bounds(&self.expr, id, &|s| self.parameter_interval(s))
    }

    /// Where the constant `id` lies against the number `v` (strictly).
    fn side(&self, id: Id, v: &BigRational) -> Side {
        let point = Interval::point(v);
        match self.interval(id) {
            Some(iv) if point.below(&iv) => Side::Above,
            Some(iv) if iv.below(&point) => Side::Below,
            Some(iv) if iv.exact_point() == Some(v) => Side::At,
            _ => Side::Unknown,
        }
    }

    /// A term as the program wrote it, where it was written; else as pushforward
    /// prints it.
    fn text(&self, id: Id) -> String {
        self.origins
            .iter()
            .rev()
            .find(|(o, _)| *o == id)
            .map(|(_, span)| self.source[span.start..span.end].to_string())
            .unwrap_or_else(|| {
                crate::lang::print::text(&crate::lang::subterm(&self.expr, id), None)
            })
    }

    /// A constant term, folded to a number when its value is exact (1/2 − 1, log(1),
    /// artanh(0)), with the analysis' own exact folding.
    fn op(&mut self, node: Node) -> Id {
        let folded = crate::lang::fold(&node, |c| match &self.expr[c] {
            Node::Num(n) => Some(n.clone()),
            _ => None,
        });
        match folded {
            Some(Num::Rat(r)) => self.num((*r).clone()),
            _ => self.add(node),
        }
    }

    /// Solve `e ≥ r` (`upward`) or `e < r` for the input.
    fn isolate(&mut self, e: Id, upward: bool, r: Id, span: Span) -> Result<Cond> {
        let node = self.expr[e].clone();
        let random = |s: &Self, i: &Id| s.random(*i);
        match node {
            Node::Normal(_) => Ok(if upward {
                Cond::AtLeast(r)
            } else {
                Cond::Below(r)
            }),
            Node::Neg(a) => {
                let nr = self.op(Node::Neg(r));
                self.isolate(a, !upward, nr, span)
            }
            Node::Add([a, b]) | Node::Sub([a, b]) if random(self, &a) && random(self, &b) => {
                self.isolate_affine(e, upward, r, span)
            }
            Node::Add([a, b]) => {
                let (inner, k) = if random(self, &a) { (a, b) } else { (b, a) };
                let nr = self.op(Node::Sub([r, k]));
                self.isolate(inner, upward, nr, span)
            }
            Node::Sub([a, b]) if random(self, &a) => {
                let nr = self.op(Node::Add([r, b]));
                self.isolate(a, upward, nr, span)
            }
            Node::Sub([a, b]) => {
                // a − E ≥ r is E ≤ a − r
                let nr = self.op(Node::Sub([a, r]));
                self.isolate(b, !upward, nr, span)
            }
            Node::Mul([a, b]) if random(self, &a) && random(self, &b) => {
                self.isolate_affine(e, upward, r, span)
            }
            Node::Mul([a, b]) => {
                let (inner, k) = if random(self, &a) { (a, b) } else { (b, a) };
                let positive = self.coefficient_sign(k, span)?;
                let nr = self.op(Node::Div([r, k]));
                self.isolate(inner, upward == positive, nr, span)
            }
            Node::Div([_, b]) if random(self, &b) => Err(self.not_invertible(e, span)),
            Node::Div([a, b]) => {
                let positive = self.coefficient_sign(b, span)?;
                let nr = self.op(Node::Mul([r, b]));
                self.isolate(a, upward == positive, nr, span)
            }
            Node::Pow([a, n]) => {
                let odd = matches!(&self.expr[n], Node::Num(Num::Rat(k)) if k.is_integer() && k.to_integer() % 2 != 0.into());
                if odd {
                    let nr = self.op(Node::Root([r, n]));
                    return self.isolate(a, upward, nr, span);
                }
                // E^n for even n is |E|^n: solve |E| against the n-th root of r
                self.require_side(r, &BigRational::zero(), "E^n with n even", "0", e, span)?;
                let root = self.op(Node::Root([r, n]));
                self.isolate_abs(a, upward, root, span)
            }
            Node::Abs(a) => {
                self.require_side(r, &BigRational::zero(), "|E|", "0", e, span)?;
                self.isolate_abs(a, upward, r, span)
            }
            _ => {
                let (Some((op, map, piece)), [a]) = (solvable(&node), node.children()) else {
                    return Err(self.not_invertible(e, span));
                };
                let a = *a;
                let (lo, hi) = (map.lo().map(|(l, _)| l), map.hi());
                for (end, above) in [(lo, true), (hi, false)] {
                    let Some(end) = end else { continue };
                    let v: BigRational = end.parse().unwrap_or_else(|_| BigRational::zero());
                    let side = self.side(r, &v);
                    let bad = match side {
                        Side::Above => !above,
                        Side::Below => above,
                        Side::At | Side::Unknown => true,
                    };
                    if bad {
                        return Err(self.range_error(op, lo, hi, r, e, span, side));
                    }
                }
                let nr = crate::lang::instantiate(piece.inverse, r, |n| self.op(n))
                    .ok_or_else(|| Error::new(ErrorKind::Internal, "a map's inverse"))?;
                self.isolate(a, upward, nr, span)
            }
        }
    }

    /// |E| ≥ r is E ≥ r or E < −r; |E| < r is −r ≤ E < r (r > 0).
    fn isolate_abs(&mut self, a: Id, upward: bool, r: Id, span: Span) -> Result<Cond> {
        let nr = self.op(Node::Neg(r));
        let (p, q) = if upward {
            (
                self.isolate(a, true, r, span)?,
                self.isolate(a, false, nr, span)?,
            )
        } else {
            (
                self.isolate(a, true, nr, span)?,
                self.isolate(a, false, r, span)?,
            )
        };
        Ok(if upward {
            Cond::Or(Box::new(p), Box::new(q))
        } else {
            Cond::And(Box::new(p), Box::new(q))
        })
    }

    /// A sum or product with the input on both sides: only A·x + B with numbers.
    fn isolate_affine(&mut self, e: Id, upward: bool, r: Id, span: Span) -> Result<Cond> {
        let Some((p, q)) = self.affine(e) else {
            return Err(self.not_invertible(e, span));
        };
        if p.is_zero() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the condition does not depend on the input",
            )
            .at(span, "the input cancels out")
            .help(format!(
                "compare an expression of `{}` with a number or a parameter",
                self.input_name()
            )));
        }
        // p·x + q ≥ r is x ≥ (r − q)/p for p > 0
        let q = self.num(q);
        let d = self.op(Node::Sub([r, q]));
        let pn = self.num(p.clone());
        let c = self.op(Node::Div([d, pn]));
        let x = self.input.as_ref().map(|(_, id)| *id).unwrap_or(e);
        self.isolate(x, upward != p.is_negative(), c, span)
    }

    /// A term A·x + B of the input with numbers A and B, as (A, B).
    pub(super) fn affine(&self, e: Id) -> Option<(BigRational, BigRational)> {
        let zero = BigRational::zero;
        Some(match &self.expr[e] {
            Node::Num(Num::Rat(n)) => (zero(), (**n).clone()),
            Node::Normal(_) => (BigRational::from_integer(1.into()), zero()),
            Node::Neg(a) => {
                let (p, q) = self.affine(*a)?;
                (-p, -q)
            }
            Node::Add([a, b]) | Node::Sub([a, b]) | Node::Mul([a, b]) | Node::Div([a, b]) => {
                let ((pa, qa), (pb, qb)) = (self.affine(*a)?, self.affine(*b)?);
                match &self.expr[e] {
                    Node::Add(_) => (pa + pb, qa + qb),
                    Node::Sub(_) => (pa - pb, qa - qb),
                    Node::Mul(_) if pa.is_zero() => (pb * qa.clone(), qb * qa),
                    Node::Mul(_) if pb.is_zero() => (pa * qb.clone(), qa * qb),
                    Node::Div(_) if pb.is_zero() && !qb.is_zero() => (pa / qb.clone(), qa / qb),
                    _ => return None,
                }
            }
            _ => return None,
        })
    }

    /// Whether the constant factor `k` is positive (true) or negative (false).
    fn coefficient_sign(&self, k: Id, span: Span) -> Result<bool> {
        match self.side(k, &BigRational::zero()) {
            Side::Above => Ok(true),
            Side::Below => Ok(false),
            Side::At => Err(Error::new(
                ErrorKind::Unsupported,
                "the input is multiplied by 0: the condition does not depend on it",
            )
            .at(span, "constant condition")
            .help("write the branch that always applies")),
            Side::Unknown => Err(Error::new(
                ErrorKind::Parameter,
                format!(
                    "the sign of `{}` decides which side of the condition holds",
                    self.text(k)
                ),
            )
            .at(span, "sign unknown")
            .help(format!(
                "state it, for example `assume {} > 0`",
                self.text(k)
            ))),
        }
    }

    /// `r` must lie strictly above `v` (the least value of `what`).
    fn require_side(
        &self,
        r: Id,
        v: &BigRational,
        what: &str,
        least: &str,
        e: Id,
        span: Span,
    ) -> Result<()> {
        match self.side(r, v) {
            Side::Above => Ok(()),
            Side::Below | Side::At => Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "the condition has the same truth for every value of the input: `{}` is at least {least}, and `{}` is not above {least}",
                    self.text(e),
                    self.text(r)
                ),
            )
            .at(span, "constant condition")
            .help(format!("{what} ≥ {least}: write the branch that always applies, or compare with a value above {least}"))),
            Side::Unknown => Err(Error::new(
                ErrorKind::Parameter,
                format!("cannot tell whether `{}` is above {least}", self.text(r)),
            )
            .at(span, "needs an assumption")
            .help(format!(
                "{what} ≥ {least}, so the condition depends on it: state it, for example `assume {} > {least}`",
                self.text(r)
            ))),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn range_error(
        &self,
        op: &str,
        lo: Option<&str>,
        hi: Option<&str>,
        r: Id,
        e: Id,
        span: Span,
        side: Side,
    ) -> Error {
        let range = format!("({}, {})", lo.unwrap_or("−∞"), hi.unwrap_or("∞"));
        match side {
            Side::Unknown => Error::new(
                ErrorKind::Parameter,
                format!(
                    "cannot tell whether `{}` lies in {range}, where {op} takes its values",
                    self.text(r)
                ),
            )
            .at(span, "needs assumptions")
            .help(format!(
                "state the range of the parameters, for example{}{}",
                lo.map(|l| format!(" `assume {} > {l}`", self.text(r)))
                    .unwrap_or_default(),
                hi.map(|h| format!(" `assume {} < {h}`", self.text(r)))
                    .unwrap_or_default()
            )),
            _ => Error::new(
                ErrorKind::Unsupported,
                format!(
                    "the condition has the same truth for every value of the input: `{}` takes its values in {range} and `{}` is outside",
                    self.text(e),
                    self.text(r)
                ),
            )
            .at(span, "constant condition")
            .help(format!(
                "write the branch that always applies, or compare {op}(...) with a value inside {range}"
            )),
        }
    }

    fn not_invertible(&self, e: Id, span: Span) -> Error {
        let maps: Vec<&str> = crate::lang::FUNCTIONS
            .iter()
            .filter(|f| {
                f.map
                    .is_some_and(|m| m.domain.is_none() && m.single().is_some())
            })
            .map(|f| f.op)
            .collect();
        let what = self.text(e);
        let known =
            crate::lang::functions::calls().any(|f| what.starts_with(&format!("{}(", f.name)));
        let why = if known {
            format!("`{what}` is not strictly monotone or has no inverse pushforward can write, so the condition cannot be solved for the input")
        } else {
            format!("`{what}` has no closed-form inverse, so the condition cannot be solved for the input")
        };
        Error::new(ErrorKind::Unsupported, why)
            .at(span, "cannot solve for the input")
            .help(format!(
                "a condition compares one chain of {}, abs, whole powers and +, −, ×, ÷ by constants, applied to `{}`, with a constant; for log(E) > c write E > exp(c), for relu(E) > c with c ≥ 0 write E > c",
                maps.join(", "),
                self.input_name()
            ))
    }
}
