//! Rigorous interval arithmetic on terms of one variable, for the proofs that a map of
//! the input is monotone between its turns (`lang::turns`).
//!
//! An [`Iv`] holds every value a term takes while its variable ranges over an
//! interval: arithmetic rounds its ends outward, and a function of the registry
//! widens its value by [`REL`] relative (the special functions are accurate to a few
//! ulps; Φ loses up to x²·ulp to the rounding of its argument, 1.6e−13 at x = −38) and
//! goes through its shape: end by end where it is increasing, and through the values
//! at its turns elsewhere. Ends may be ±∞ (limits, never attained); 0·∞ at an end is 0,
//! since a finite value times 0 is 0. A term that may be undefined somewhere on the
//! interval (log of a negative, a quotient by an interval holding 0) has no interval.

use super::functions::{Domain, Function, Signs};
use super::{Expr, Node, Num};
use egg::{Id, Language};

/// The relative error a registry function's value is allowed.
pub const REL: f64 = 1e-11;

/// A closed interval of reals, [lo, hi], lo ≤ hi; infinite ends are limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iv {
    pub lo: f64,
    pub hi: f64,
}

impl Iv {
    /// [lo, hi]; `None` for NaN ends or lo > hi.
    pub fn new(lo: f64, hi: f64) -> Option<Iv> {
        (lo <= hi).then_some(Iv { lo, hi })
    }

    pub fn point(x: f64) -> Iv {
        Iv { lo: x, hi: x }
    }

    /// The exact value of a rational, within one ulp either side.
    pub fn num(n: &Num) -> Iv {
        let v = n.to_f64();
        match n {
            Num::Rat(r) if !r.is_integer() || v.abs() > 9.0e15 => Iv::point(v).out(),
            _ => Iv::point(v),
        }
    }

    /// Both ends moved one ulp outward: what a correctly rounded sum, difference or
    /// reciprocal needs. An end that is 0 stays: such a result is exact (a sum is 0
    /// only when its terms cancel exactly, and 1/x is 0 only at x = ±∞).
    fn out(self) -> Iv {
        Iv {
            lo: if self.lo == 0.0 { 0.0 } else { down(self.lo) },
            hi: if self.hi == 0.0 { 0.0 } else { up(self.hi) },
        }
    }

    /// Widened by `REL` relative, for a function value computed to a few ulps; a value
    /// that underflowed to 0 or below 1e−290 keeps 1e−300 of room.
    fn loose(self) -> Iv {
        let room = |v: f64| v.abs() * REL + if v.abs() < 1e-290 { 1e-300 } else { 0.0 };
        Iv {
            lo: down(self.lo - room(self.lo)),
            hi: up(self.hi + room(self.hi)),
        }
    }

    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }

    /// Every value is ≥ 0.
    pub fn nonneg(&self) -> bool {
        self.lo >= 0.0
    }

    /// Every value is ≤ 0.
    pub fn nonpos(&self) -> bool {
        self.hi <= 0.0
    }

    pub fn hull(self, o: Iv) -> Iv {
        Iv {
            lo: self.lo.min(o.lo),
            hi: self.hi.max(o.hi),
        }
    }

    pub fn intersects(&self, o: &Iv) -> bool {
        self.lo <= o.hi && o.lo <= self.hi
    }

    fn add(self, o: Iv) -> Option<Iv> {
        let (lo, _) = sum(self.lo, o.lo);
        let (_, hi) = sum(self.hi, o.hi);
        Iv::new(lo, hi)
    }

    fn neg(self) -> Iv {
        Iv {
            lo: -self.hi,
            hi: -self.lo,
        }
    }

    fn mul(self, o: Iv) -> Option<Iv> {
        let c = [
            product(self.lo, o.lo),
            product(self.lo, o.hi),
            product(self.hi, o.lo),
            product(self.hi, o.hi),
        ];
        let lo = c.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
        let hi = c.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        Iv::new(lo, hi)
    }

    fn recip(self) -> Option<Iv> {
        if self.lo <= 0.0 && self.hi >= 0.0 {
            return None;
        }
        Iv::new(1.0 / self.hi, 1.0 / self.lo).map(Iv::out)
    }

    fn powi(self, n: i64) -> Option<Iv> {
        if n == 0 {
            return Some(Iv::point(1.0));
        }
        if n < 0 {
            return self.powi(-n)?.recip();
        }
        // x^n is monotone on each side of 0: the ends' powers, each enclosed
        let p = |x: f64| {
            let mut acc = Iv::point(x);
            for _ in 1..n.min(64) {
                acc = acc.mul(Iv::point(x)).expect("a product of numbers");
            }
            acc
        };
        let (a, b) = (p(self.lo), p(self.hi));
        if n % 2 == 1 || self.lo >= 0.0 {
            Iv::new(a.lo, b.hi)
        } else if self.hi <= 0.0 {
            Iv::new(b.lo, a.hi)
        } else {
            Iv::new(0.0, a.hi.max(b.hi))
        }
    }
}

/// a + b, as an enclosure: exact when the rounding error (Knuth's two-sum) is 0.
fn sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    if !s.is_finite() || !a.is_finite() || !b.is_finite() {
        return (s, s);
    }
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    if err == 0.0 {
        (s, s)
    } else {
        (down(s), up(s))
    }
}

/// a·b, as an enclosure: 0 when a factor is 0 (also against an infinite end, a
/// limit), exact when the fused multiply-add finds no rounding error.
fn product(a: f64, b: f64) -> (f64, f64) {
    if a == 0.0 || b == 0.0 {
        return (0.0, 0.0);
    }
    let p = a * b;
    if !p.is_finite() || !a.is_finite() || !b.is_finite() || a.mul_add(b, -p) == 0.0 {
        (p, p)
    } else {
        (down(p), up(p))
    }
}

fn down(x: f64) -> f64 {
    if x.is_finite() {
        x.next_down()
    } else {
        x
    }
}

fn up(x: f64) -> f64 {
    if x.is_finite() {
        x.next_up()
    } else {
        x
    }
}

/// Where a function turns: its position and its value there, each enclosed.
#[derive(Clone, Copy, Debug)]
pub struct Turn {
    pub at: Iv,
    pub value: Iv,
}

/// What an interval evaluation may look up: the turns of a registry function that
/// is not increasing.
pub trait Shapes {
    fn turns(&self, f: &'static Function) -> Option<&[Turn]>;
}

/// Every value of `e` (a term in `t`, the variable) for t in `x`; `None` where it may be
/// undefined or where a function's shape is not known.
pub fn eval(e: &Expr, x: Iv, shapes: &dyn Shapes) -> Option<Iv> {
    let mut vals: Vec<Iv> = Vec::with_capacity(e.as_ref().len());
    for node in e.as_ref() {
        let v = |id: &Id| vals[usize::from(*id)];
        let r = match node {
            Node::T => x,
            Node::Num(n) => Iv::num(n),
            Node::Add([a, b]) => v(a).add(v(b))?,
            Node::Sub([a, b]) => v(a).add(v(b).neg())?,
            Node::Neg(a) => v(a).neg(),
            Node::Mul([a, b]) => v(a).mul(v(b))?,
            Node::Div([a, b]) => v(a).mul(v(b).recip()?)?,
            Node::Pow([a, b]) => {
                let n = match &e[*b] {
                    Node::Num(n) => n.integer()?,
                    _ => return None,
                };
                v(a).powi(n)?
            }
            Node::Abs(a) => {
                let u = v(a);
                if u.lo >= 0.0 {
                    u
                } else if u.hi <= 0.0 {
                    u.neg()
                } else {
                    Iv::new(0.0, u.hi.max(-u.lo))?
                }
            }
            Node::Relu(a) => Iv::new(v(a).lo.max(0.0), v(a).hi.max(0.0))?,
            Node::Max([a, b]) => Iv::new(v(a).lo.max(v(b).lo), v(a).hi.max(v(b).hi))?,
            Node::Min([a, b]) => Iv::new(v(a).lo.min(v(b).lo), v(a).hi.min(v(b).hi))?,
            Node::Clamp([a, lo, hi]) => {
                let (u, l, h) = (v(a), v(lo), v(hi));
                Iv::new(u.lo.max(l.lo).min(h.hi), u.hi.max(l.lo).min(h.hi))?
            }
            Node::Point(_) => {
                let p = super::implicit::get_point(super::implicit::index(e, node)?)?;
                Iv::new(p.lo, p.hi)?
            }
            n => {
                let f = n.function()?;
                let args: Vec<Iv> = n.children().iter().map(v).collect();
                function(f, &args, shapes)?
            }
        };
        vals.push(r);
    }
    vals.last().copied()
}

/// A registry function's values over intervals of its arguments.
fn function(f: &'static Function, args: &[Iv], shapes: &dyn Shapes) -> Option<Iv> {
    let at = |x: f64| -> Option<Iv> {
        // a limit at ±∞ that the entry states exactly
        if x.is_infinite() && args.len() == 1 {
            if let Some(v) = limit(f, if x > 0.0 { "inf" } else { "-inf" }) {
                return Some(Iv::point(v));
            }
        }
        let mut a = vec![x];
        a.extend(args[1..].iter().map(|iv| iv.lo));
        let y = (f.value)(&a);
        if y.is_nan() {
            return None;
        }
        Some(Iv::point(y).loose())
    };
    // constant further arguments only (a slope, a scale)
    if args[1..].iter().any(|a| a.lo != a.hi) {
        return None;
    }
    let u = args[0];
    let inside = match f.domain {
        Domain::All => true,
        Domain::Positive => u.lo > 0.0,
        Domain::NonNegative => u.lo >= 0.0,
        Domain::Inside(a, b) => u.lo > a && u.hi < b,
        Domain::Own => false,
    };
    if !inside {
        return None;
    }
    let mut r = if f.increasing {
        at(u.lo)?.hull(at(u.hi)?)
    } else {
        let mut r = at(u.lo)?.hull(at(u.hi)?);
        for turn in shapes.turns(f)? {
            if turn.at.intersects(&u) {
                r = r.hull(turn.value);
            }
        }
        r
    };
    match f.signs {
        Signs::Positive => r.lo = r.lo.max(0.0),
        Signs::Negative => r.hi = r.hi.min(0.0),
        _ => {}
    }
    // an increasing function stays between its limits at ±∞, which are exact
    if f.increasing && args.len() == 1 {
        if let Some(lo) = limit(f, "-inf") {
            r.lo = r.lo.max(lo);
        }
        if let Some(hi) = limit(f, "inf") {
            r.hi = r.hi.min(hi);
        }
    }
    Some(r)
}

/// A function's exact limit at −∞ or ∞, from its entry.
fn limit(f: &Function, at: &str) -> Option<f64> {
    let (_, v) = f.exact.iter().find(|(a, _)| *a == at)?;
    let v: Num = v.parse().ok()?;
    let x = v.to_f64();
    (Iv::num(&v) == Iv::point(x)).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoShapes;
    impl Shapes for NoShapes {
        fn turns(&self, _: &'static Function) -> Option<&[Turn]> {
            None
        }
    }

    fn iv(term: &str, lo: f64, hi: f64) -> Option<Iv> {
        let e = super::super::expr(term).unwrap();
        eval(&e, Iv::new(lo, hi).unwrap(), &crate::lang::turns::REGISTRY)
    }

    #[test]
    fn encloses_sampled_values() {
        // every sampled value lies inside the interval (a closed form evaluated at
        // points: the reference is the f64 value of the same term)
        let cases = [
            "(* t (tanh t))",
            "(/ 1 (+ 1 (^ t 2)))",
            "(- (exp (neg t)) (* t (sigmoid t)))",
            "(* (phi t) (- 2 (^ t 2)))",
        ];
        for term in cases {
            for (lo, hi) in [(-3.0, -1.0), (-0.5, 0.25), (0.1, 7.0)] {
                let b = iv(term, lo, hi).unwrap();
                let e = super::super::expr(term).unwrap();
                for k in 0..=100 {
                    let x = lo + (hi - lo) * k as f64 / 100.0;
                    let p = eval(&e, Iv::point(x), &crate::lang::turns::REGISTRY).unwrap();
                    assert!(
                        b.lo <= p.lo && p.hi <= b.hi,
                        "{term} at {x}: {p:?} outside {b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn tails_keep_their_sign() {
        // φ(x)(2 − x²) < 0 for |x| > √2, as far as the interval reaches
        let b = iv("(* (phi t) (- 2 (^ t 2)))", f64::NEG_INFINITY, -2.0).unwrap();
        assert!(b.nonpos(), "{b:?}");
        let b = iv("(* t (tanh t))", 3.0, f64::INFINITY).unwrap();
        assert!(b.lo > 2.9 && b.hi == f64::INFINITY, "{b:?}");
    }

    #[test]
    fn undefined_somewhere_is_none() {
        assert!(iv("(log t)", -1.0, 1.0).is_none());
        assert!(iv("(/ 1 t)", -1.0, 1.0).is_none());
        let e = super::super::expr("(phi t)").unwrap();
        let b = eval(&e, Iv::new(-1.0, 1.0).unwrap(), &NoShapes);
        assert!(b.is_none(), "φ's turn is not known without shapes");
    }
}
