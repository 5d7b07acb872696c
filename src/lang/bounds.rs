//! What the `assume` statements imply about a constant term: an interval for thresholds
//! such as `artanh(a)` or `(1 − c)/2`, so that the pieces of `if` conditions can be
//! ordered and a threshold can be proved to lie in a map's range.
//!
//! Ends are kept exactly (as rationals) while only rational arithmetic has produced
//! them, so `c > 1` proves `c/2 > 1/2`; past a transcendental function they are floating
//! point, and two ends are then ordered only when they differ clearly (1e-9 relative).

use crate::lang::functions::Domain;
use crate::lang::{surely_greater, Expr, Node, Num, Sign};
use crate::syntax::Relation;
use egg::Language;
use egg::{Id, Symbol};
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

/// One end of an interval: its value, exact when known, and whether it is left out.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub value: f64,
    pub exact: Option<BigRational>,
    pub open: bool,
}

impl Bound {
    fn exact(r: BigRational, open: bool) -> Bound {
        Bound {
            value: r.to_f64().unwrap_or(f64::NAN),
            exact: Some(r),
            open,
        }
    }
    fn infinite(positive: bool) -> Bound {
        Bound {
            value: if positive {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            },
            exact: None,
            open: true,
        }
    }
    fn approx(value: f64, open: bool) -> Bound {
        Bound {
            value,
            exact: None,
            open: open || value.is_infinite(),
        }
    }
    /// The value as a total order key: exact when both are.
    fn cmp_value(&self, other: &Bound) -> Option<Ordering> {
        match (&self.exact, &other.exact) {
            (Some(a), Some(b)) => Some(a.cmp(b)),
            _ => self.value.partial_cmp(&other.value),
        }
    }
}

/// A set of reals [lo, hi], each end possibly open.
#[derive(Clone, Debug, PartialEq)]
pub struct Interval {
    pub lo: Bound,
    pub hi: Bound,
}

impl Interval {
    pub fn real() -> Interval {
        Interval {
            lo: Bound::infinite(false),
            hi: Bound::infinite(true),
        }
    }
    pub fn point(r: &BigRational) -> Interval {
        Interval {
            lo: Bound::exact(r.clone(), false),
            hi: Bound::exact(r.clone(), false),
        }
    }

    /// The values a parameter can take under its assumptions and its known sign.
    pub fn of_parameter<'a>(
        facts: impl IntoIterator<Item = (Relation, &'a BigRational)>,
        sign: Sign,
    ) -> Interval {
        let mut iv = Interval::real();
        let zero = BigRational::zero();
        let mut tighten = |rel: Relation, v: &BigRational| {
            let (end, lower) = match rel {
                Relation::Gt => (Bound::exact(v.clone(), true), true),
                Relation::Ge => (Bound::exact(v.clone(), false), true),
                Relation::Lt => (Bound::exact(v.clone(), true), false),
                Relation::Le => (Bound::exact(v.clone(), false), false),
                Relation::Ne => return,
            };
            let old = if lower { &mut iv.lo } else { &mut iv.hi };
            let tighter = match end.cmp_value(old) {
                Some(Ordering::Greater) => lower,
                Some(Ordering::Less) => !lower,
                Some(Ordering::Equal) => end.open && !old.open,
                None => false,
            };
            if tighter || old.value.is_infinite() {
                *old = end;
            }
        };
        for (rel, v) in facts {
            tighten(rel, v);
        }
        if sign.within(Sign::POS) {
            tighten(Relation::Gt, &zero);
        } else if sign.within(Sign::NONNEG) {
            tighten(Relation::Ge, &zero);
        }
        if sign.within(Sign::NEG) {
            tighten(Relation::Lt, &zero);
        } else if sign.within(Sign::NONPOS) {
            tighten(Relation::Le, &zero);
        }
        iv
    }

    /// The values the parameter `name` can take under the program's assumptions.
    pub fn of_assumptions(name: &str, all: &[crate::lang::Assumption], sign: Sign) -> Interval {
        let facts = all
            .iter()
            .filter(|a| a.name == name)
            .map(|a| (a.relation, &a.value));
        Interval::of_parameter(facts, sign)
    }

    fn neg(self) -> Interval {
        let flip = |e: Bound| Bound {
            value: -e.value,
            exact: e.exact.map(|r| -r),
            open: e.open,
        };
        Interval {
            lo: flip(self.hi),
            hi: flip(self.lo),
        }
    }

    fn add(self, o: Interval) -> Interval {
        let sum = |a: Bound, b: Bound| Bound {
            value: a.value + b.value,
            exact: a.exact.zip(b.exact).map(|(x, y)| x + y),
            open: a.open || b.open,
        };
        Interval {
            lo: sum(self.lo, o.lo),
            hi: sum(self.hi, o.hi),
        }
    }

    fn mul(self, o: Interval) -> Option<Interval> {
        let product = |a: &Bound, b: &Bound| -> Option<Bound> {
            let value = a.value * b.value;
            if value.is_nan() {
                return None;
            }
            Some(Bound {
                value,
                exact: a.exact.as_ref().zip(b.exact.as_ref()).map(|(x, y)| x * y),
                open: a.open || b.open,
            })
        };
        let corners = [
            product(&self.lo, &o.lo)?,
            product(&self.lo, &o.hi)?,
            product(&self.hi, &o.lo)?,
            product(&self.hi, &o.hi)?,
        ];
        let pick = |want: Ordering| -> Option<Bound> {
            let mut best = corners[0].clone();
            for c in &corners[1..] {
                match c.cmp_value(&best)? {
                    o if o == want => best = c.clone(),
                    Ordering::Equal if !c.open => best = c.clone(),
                    _ => {}
                }
            }
            Some(best)
        };
        Some(Interval {
            lo: pick(Ordering::Less)?,
            hi: pick(Ordering::Greater)?,
        })
    }

    /// 1/x over an interval that does not contain 0.
    fn recip(self) -> Option<Interval> {
        let inv = |e: &Bound| -> Bound {
            if e.value.is_infinite() {
                return Bound::exact(BigRational::zero(), true);
            }
            match &e.exact {
                Some(r) if r.is_zero() => Bound::infinite(true),
                Some(r) => Bound::exact(r.recip(), e.open),
                None => Bound::approx(1.0 / e.value, e.open),
            }
        };
        let zero = Bound::exact(BigRational::zero(), false);
        let above = match self.lo.cmp_value(&zero)? {
            Ordering::Greater => true,
            Ordering::Equal if self.lo.open => true,
            _ => false,
        };
        let below = match self.hi.cmp_value(&zero)? {
            Ordering::Less => true,
            Ordering::Equal if self.hi.open => true,
            _ => false,
        };
        if above {
            Some(Interval {
                lo: inv(&self.hi),
                hi: inv(&self.lo),
            })
        } else if below {
            let mut lo = inv(&self.hi);
            if lo.value.is_infinite() {
                lo = Bound::infinite(false);
            }
            Some(Interval {
                lo,
                hi: inv(&self.lo),
            })
        } else {
            None
        }
    }

    /// An increasing function applied to both ends; `None` where it is not defined.
    fn increasing(self, f: impl Fn(f64) -> f64) -> Option<Interval> {
        let apply = |e: &Bound| -> Option<Bound> {
            let v = f(e.value);
            // a closed finite end sent to ±∞ is outside the function's domain
            let escapes = v.is_infinite() && e.value.is_finite() && !e.open;
            (!v.is_nan() && !escapes).then(|| Bound::approx(v, e.open))
        };
        Some(Interval {
            lo: apply(&self.lo)?,
            hi: apply(&self.hi)?,
        })
    }

    /// Every value of `self` is below every value of `other`.
    pub fn below(&self, other: &Interval) -> bool {
        let (a, b) = (&self.hi, &other.lo);
        if a.value == f64::NEG_INFINITY || b.value == f64::INFINITY {
            return true;
        }
        if a.value.is_infinite() || b.value.is_infinite() {
            return false;
        }
        match (&a.exact, &b.exact) {
            (Some(x), Some(y)) => x < y || (x == y && (a.open || b.open)),
            _ => surely_greater(b.value, a.value),
        }
    }

    /// A single exactly known value.
    pub fn exact_point(&self) -> Option<&BigRational> {
        match (&self.lo.exact, &self.hi.exact) {
            (Some(a), Some(b)) if a == b && !self.lo.open && !self.hi.open => Some(a),
            _ => None,
        }
    }
}

/// The interval of the constant term rooted at `id`, given the intervals of its
/// parameters; `None` when the term has no bound this module can prove (a function it
/// does not know, a division by something that may be 0, t or a random term).
pub fn bounds(e: &Expr, id: Id, symbol: &dyn Fn(Symbol) -> Interval) -> Option<Interval> {
    node_bounds(&e[id], &|c| bounds(e, c, symbol), symbol)
}

/// The interval of one node from its children's (for the e-graph analysis, which
/// keeps one per class).
pub fn node_bounds(
    node: &Node,
    child: &dyn Fn(Id) -> Option<Interval>,
    symbol: &dyn Fn(Symbol) -> Interval,
) -> Option<Interval> {
    let b = |i: &Id| child(*i);
    use crate::lang::special;
    Some(match node {
        Node::Num(Num::Rat(r)) => Interval::point(r),
        Node::Symbol(s) => symbol(*s),
        Node::Neg(a) => b(a)?.neg(),
        Node::Add([x, y]) => b(x)?.add(b(y)?),
        Node::Sub([x, y]) => b(x)?.add(b(y)?.neg()),
        Node::Mul([x, y]) => b(x)?.mul(b(y)?)?,
        Node::Div([x, y]) => b(x)?.mul(b(y)?.recip()?)?,
        Node::Root([a, n]) => {
            let n = b(n)?;
            let n = n
                .exact_point()
                .filter(|r| r.is_integer() && r.is_positive())?;
            let n = n.to_f64()?;
            b(a)?.increasing(|v| special::root(v, n))?
        }
        // an increasing function of the registry, end by end (NaN outside its domain)
        n => match (n.function(), n.children()) {
            (Some(f), [a]) if f.increasing => b(a)?.increasing(|v| {
                let outside = match f.domain {
                    Domain::Positive | Domain::NonNegative => v < 0.0,
                    Domain::Inside(lo, hi) => v < lo || v > hi,
                    Domain::All | Domain::Own => false,
                };
                if outside {
                    f64::NAN
                } else {
                    (f.value)(&[v])
                }
            })?,
            _ => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Relation;

    fn rat(n: i64, d: i64) -> BigRational {
        BigRational::new(n.into(), d.into())
    }

    fn term(s: &str, c: Interval) -> Option<Interval> {
        let e: Expr = s.parse().expect("a well-formed term");
        bounds(&e, Id::from(e.as_ref().len() - 1), &|_| c.clone())
    }

    #[test]
    fn exact_ends_decide_touching_intervals() {
        // c > 1 proves c/2 > 1/2 exactly, though the ends touch at 1/2
        let c = Interval::of_parameter([(Relation::Gt, &rat(1, 1))], Sign::ANY);
        let half = term("(/ c 2)", c.clone()).unwrap();
        assert!(Interval::point(&rat(1, 2)).below(&half));
        assert!(!half.below(&Interval::point(&rat(1, 2))));
        // c ≥ 1 does not: c/2 may be 1/2
        let c = Interval::of_parameter([(Relation::Ge, &rat(1, 1))], Sign::ANY);
        let half = term("(/ c 2)", c).unwrap();
        assert!(!Interval::point(&rat(1, 2)).below(&half));
    }

    #[test]
    fn functions_outside_their_domain_have_no_bounds() {
        // artanh(a) for a in (−1, 1) is any real; for a in (0, 2) it is undefined somewhere
        let inside = Interval::of_parameter(
            [(Relation::Gt, &rat(-1, 1)), (Relation::Lt, &rat(1, 1))],
            Sign::ANY,
        );
        assert!(term("(atanh a)", inside).is_some());
        let beyond = Interval::of_parameter(
            [(Relation::Gt, &rat(0, 1)), (Relation::Le, &rat(2, 1))],
            Sign::ANY,
        );
        assert!(term("(atanh a)", beyond).is_none());
        // 1/a with a that may be 0
        assert!(term("(/ 1 a)", Interval::real()).is_none());
    }

    #[test]
    fn signs_bound_parameters_and_products_follow_them() {
        let neg = Interval::of_parameter([], Sign::NEG);
        let product = term("(* a -3)", neg).unwrap();
        assert!(Interval::point(&rat(0, 1)).below(&product));
        let zero = Interval::point(&rat(0, 1));
        let pos = Interval::of_parameter([], Sign::POS);
        // a − 1 with a > 0 can have either sign
        let shifted = term("(- a 1)", pos).unwrap();
        assert!(!zero.below(&shifted) && !shifted.below(&zero));
    }
}
